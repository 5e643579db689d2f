import test from 'ava'
import pg from 'pg'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { ensureRootDistributor } from '../../core/identity/bootstrap.js'
import { baseKernelConfig, freshDatabase, type FreshDatabase } from '../helpers/db.js'

// Per-process caches across processes (DESIGN.md: LISTEN/NOTIFY). Two kernels on one database stand
// for two portal processes: a distributor suspended through one must stop signing in through the
// other now, not when the other's cached row expires (30 s).

let db: FreshDatabase
const kernels: Kernel[] = []
test.before(async () => { db = await freshDatabase() })
test.after.always(async () => { for (const k of kernels) await k.close(); await db?.drop() })

const until = async (ok: () => Promise<boolean>, ms = 5_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (await ok()) return true
  return ok()
}

test('a state written in one process drops the row the other process cached', async (t) => {
  if (!process.env.DATABASE_URL) {
    // The embedded database has one process: the write drops the entry where it was cached.
    const k = await bootKernel(baseKernelConfig({ ...db.config, jobs: false }))
    kernels.push(k)
    const root = await ensureRootDistributor(k.orm.em.fork())
    const d = await k.directory.create(k.orm.em.fork(), { name: 'Una', tier: 'completo', parentId: root.id })
    t.is((await k.directory.distributor(d.id))?.state, 'active')
    await k.directory.setState(k.orm.em.fork(), d.id, 'suspended')
    t.is((await k.directory.distributor(d.id))?.state, 'suspended')
    return
  }
  const [a, b] = await Promise.all([1, 2].map(() => bootKernel(baseKernelConfig({ ...db.config, jobs: false }))))
  kernels.push(a, b)
  const root = await ensureRootDistributor(a.orm.em.fork())
  const d = await a.directory.create(a.orm.em.fork(), { name: 'Dos procesos', tier: 'completo', parentId: root.id })
  t.is((await b.directory.distributor(d.id))?.state, 'active') // cached in b

  // Inside a transaction that is still open, b must keep the old row: the write is not committed.
  const em = a.orm.em.fork()
  await em.transactional(async (tx) => {
    await a.directory.setState(tx, d.id, 'suspended')
    await new Promise((r) => setTimeout(r, 300))
    t.is((await b.directory.distributor(d.id))?.state, 'active')
  })
  t.true(await until(async () => (await b.directory.distributor(d.id))?.state === 'suspended'), 'b still serves the cached row')

  // The listening connection dropped (a database restart, a killed backend): b clears its cache
  // on reconnecting, since what was published meanwhile is lost.
  t.is((await b.directory.distributor(d.id))?.state, 'suspended')
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  try {
    const dbName = (await a.orm.em.fork().getConnection().execute<{ db: string }[]>('select current_database() as db'))[0].db
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query ilike 'listen%'`, [dbName])
    await a.orm.em.fork().getConnection().execute(`update core_distributor set state = 'active' where id = '${d.id}'`) // behind the directory's back
    t.true(await until(async () => (await b.directory.distributor(d.id))?.state === 'active'), 'b kept a row across a lost listener')
  } finally { await admin.end() }
  // And b listens again: the next write reaches it.
  await a.directory.setState(a.orm.em.fork(), d.id, 'suspended')
  t.true(await until(async () => (await b.directory.distributor(d.id))?.state === 'suspended'))
})
