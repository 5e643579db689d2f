import test, { type ExecutionContext } from 'ava'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { installedPlugins } from '../../config/app.js'
import { freePort, runCli, spawnNode, tempDir, type Spawned } from '../helpers/process.js'

/**
 * The server as users run it (`npm start`): a real process on a real port with the embedded database
 * in a data dir. Always embedded, whatever DATABASE_URL says: the data dir is what is under test.
 */

interface Server extends Spawned { base: string, startedMs: number }

async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort()
  const started = performance.now()
  const s = spawnNode('server.ts', { CM_DATA_DIR: dataDir, PORT: String(port), ...env })
  const base = `http://127.0.0.1:${port}`
  let exited = false
  void s.exited.then(() => { exited = true })
  // Generous: a loaded 2-core CI machine running the suite beside it took over 60 s to boot (seven plugins, AdminJS).
  const deadline = Date.now() + 150_000
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${base}/healthz`)
      if (res.ok) return { ...s, base, startedMs: Math.round(performance.now() - started) }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100))
  }
  s.child.kill('SIGKILL')
  throw new Error(`server did not answer /healthz within 150 s (exited: ${exited})\n${s.output()}`)
}

/** Signals the server, expects exit code 0 after a clean close; returns how long it took. */
async function stop(t: ExecutionContext, s: Server, signal: NodeJS.Signals): Promise<number> {
  const before = performance.now()
  s.child.kill(signal)
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 20_000)
  const { code } = await s.exited
  clearTimeout(timer)
  t.is(code, 0, s.output())
  t.regex(s.output(), new RegExp(`${signal}: closing[\\s\\S]*closed cleanly`))
  const ms = Math.round(performance.now() - before)
  t.log(`${signal} → exit 0 in ${ms} ms`)
  return ms
}

/** Signs in through the real login form (CSRF token and session cookie); returns the status. */
async function login(base: string, user: string, password: string): Promise<number> {
  const page = await fetch(`${base}/login`)
  const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ')
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1]
  if (!csrf) throw new Error('no _csrf on /login')
  const res = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ login: user, password, _csrf: csrf }).toString(),
  })
  return res.status
}

// Serial: each test runs servers; one at a time keeps timings meaningful on a small machine.

test.serial('first start prints a one-time staff password; SIGTERM exits 0; the next start reopens the same data', async (t) => {
  const tmp = tempDir()
  try {
    const first = await startServer(tmp.dir)
    t.log(`cold start (empty data dir, migrations included): ${first.startedMs} ms`)
    const health = await (await fetch(`${first.base}/healthz`)).json() as { plugins: string[] }
    t.deepEqual(health, { status: 'ok', database: 'embedded', plugins: installedPlugins.map((p) => p.plugin.id) })
    const banner = /Primer acceso de personal: (\S+) \/ contraseña (\S+)/.exec(first.output())
    t.truthy(banner, first.output())
    const [, email, password] = banner!
    t.is(await login(first.base, email, password), 303)
    t.is(await login(first.base, email, `${password}x`), 401)
    await stop(t, first, 'SIGTERM')
    t.false(existsSync(path.join(tmp.dir, 'cm.lock')))

    // A token and a distributor from the CLI (the server is stopped: the data dir is free).
    const seeded = await runCli(['seed-demo', '--customers', '0', '--json'], { CM_DATA_DIR: tmp.dir })
    t.is(seeded.code, 0, seeded.stderr)
    const { token } = JSON.parse(seeded.stdout).distributors[0]
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }

    const second = await startServer(tmp.dir)
    t.log(`warm start (existing data dir): ${second.startedMs} ms`)
    t.notRegex(second.output(), /Primer acceso/)
    const created = await fetch(`${second.base}/api/v1/customers`, { method: 'POST', headers: auth, body: JSON.stringify({ legalName: 'Persistente S.A. de C.V.', rfc: 'EKU9003173C9' }) })
    t.is(created.status, 201)
    const { nic } = await created.json() as { nic: string }
    await stop(t, second, 'SIGINT')

    const third = await startServer(tmp.dir)
    t.log(`warm start (existing data dir): ${third.startedMs} ms`)
    const again = await fetch(`${third.base}/api/v1/customers/${nic}`, { headers: auth })
    t.is(again.status, 200)
    t.is((await again.json() as { legalName: string }).legalName, 'Persistente S.A. de C.V.')
    t.is(await login(third.base, email, password), 303)
    // Right after a response the keep-alive socket is not idle yet; shutdown used to wait ~3 s for it.
    t.true(await stop(t, third, 'SIGTERM') < 2_500)
  } finally { tmp.remove() }
})

test.serial('CM_ADMIN_EMAIL / CM_ADMIN_PASSWORD set the first staff profile; the password is not printed', async (t) => {
  const tmp = tempDir()
  try {
    const s = await startServer(tmp.dir, { CM_ADMIN_EMAIL: 'jefa@ejemplo.mx', CM_ADMIN_PASSWORD: 'una-clave-muy-larga', CM_ADMIN_MOBILE: '+52 55 2000 0000' })
    t.log(`cold start: ${s.startedMs} ms`)
    t.regex(s.output(), /Primer acceso de personal: jefa@ejemplo\.mx \(contraseña de CM_ADMIN_PASSWORD\)/)
    t.notRegex(s.output(), /una-clave-muy-larga/)
    t.is(await login(s.base, 'jefa@ejemplo.mx', 'una-clave-muy-larga'), 303)
    t.is(await login(s.base, '5520000000', 'una-clave-muy-larga'), 303)
    await stop(t, s, 'SIGTERM')
  } finally { tmp.remove() }
})

test.serial('a second server on a held data dir exits with a clear message', async (t) => {
  const tmp = tempDir()
  try {
    const s = await startServer(tmp.dir)
    const port = await freePort()
    const second = spawnNode('server.ts', { CM_DATA_DIR: tmp.dir, PORT: String(port) })
    const { code } = await second.exited
    t.not(code, 0)
    t.regex(second.output(), new RegExp(`en uso por el proceso ${s.child.pid}; detenga primero el servidor`))
    // The first server is unaffected.
    t.is((await fetch(`${s.base}/healthz`)).status, 200)
    await stop(t, s, 'SIGTERM')
  } finally { tmp.remove() }
})
