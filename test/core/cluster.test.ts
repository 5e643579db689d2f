import test from 'ava'
import { readFileSync } from 'node:fs'
import { freshDatabase, type FreshDatabase } from '../helpers/db.js'
import { freePort, spawnNode, tempDir, type Spawned } from '../helpers/process.js'

// `npm start` on a PostgreSQL server: one portal process per core (CM_WORKERS here), sharing the
// port; a worker that dies is replaced; SIGTERM drains them all. On the embedded database: one process.

const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function healthy(base: string, s: Spawned, ms = 150_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    if (s.child.exitCode !== null) throw new Error(`server exited\n${s.output()}`)
    try { if ((await fetch(`${base}/healthz`)).ok) return } catch { /* not yet */ }
  }
  throw new Error(`no /healthz\n${s.output()}`)
}

let db: FreshDatabase
test.before(async () => { db = await freshDatabase() })
test.after.always(() => db?.drop())

test.serial('one process per worker on PostgreSQL; a killed worker is replaced; SIGTERM drains all and exits 0', async (t) => {
  const tmp = tempDir()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const url = db.config.databaseUrl
  const s = spawnNode('server.ts', { CM_DATA_DIR: tmp.dir, PORT: String(port), CM_WORKERS: '2', DATABASE_URL: url })
  try {
    await healthy(base, s)
    if (!url) {
      t.deepEqual(childrenOf(s.child.pid!), [], 'the embedded database keeps one process')
    } else {
      for (const end = Date.now() + 150_000; !s.output().includes('2 workers listening') && Date.now() < end;) await sleep(200)
      const workers = childrenOf(s.child.pid!)
      t.is(workers.length, 2, s.output())
      process.kill(workers[0], 'SIGKILL')
      for (const end = Date.now() + 150_000; !s.output().includes(`replaces ${workers[0]}`) && Date.now() < end;) await sleep(200)
      const now = childrenOf(s.child.pid!)
      t.is(now.length, 2, s.output())
      t.false(now.includes(workers[0]))
      t.regex(s.output(), new RegExp(`worker ${workers[0]} died \\(SIGKILL\\); starting another`))
      // Both answer on the one port.
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/healthz`).then((r) => r.status)))
      t.deepEqual([...new Set(answers)], [200])
    }
    s.child.kill('SIGTERM')
    const { code } = await s.exited
    t.is(code, 0, s.output())
    t.regex(s.output(), /closed cleanly/)
    if (url) t.is(s.output().match(/\[cm\] closed cleanly/g)?.length, 2, s.output())
  } finally {
    if (s.child.exitCode === null) s.child.kill('SIGKILL')
    tmp.remove()
  }
})

test.serial('CM_WORKERS that is not a whole number stops the start with a clear message', async (t) => {
  const s = spawnNode('server.ts', { PORT: String(await freePort()), CM_WORKERS: 'muchos', DATABASE_URL: db.config.databaseUrl ?? 'postgres://127.0.0.1:1/none' })
  const { code } = await s.exited
  t.not(code, 0)
  t.regex(s.output(), /CM_WORKERS must be a whole number from 1 to 256, not 'muchos'/)
})
