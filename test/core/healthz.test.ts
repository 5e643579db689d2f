import test from 'ava'
import pg from 'pg'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { pluginsOfTier } from '../../core/kernel/tiers.js'
import { FULL_TIER, tiers } from '../../config/tiers.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

test('GET /healthz reports the database kind and installed plugins', async (t) => {
  const res = await t0.inject({ method: 'GET', url: '/healthz' })
  t.is(res.statusCode, 200)
  t.deepEqual(res.json(), {
    status: 'ok',
    database: process.env.DATABASE_URL ? 'postgresql' : 'embedded',
    plugins: t0.app.kernel.installedIds,
  })
  t.true(t0.app.kernel.installedIds.length >= 1)
})

test('GET /api/v1/me answers the token holder, and 401 without a token', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await t0.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${d.token}` } })
  t.is(res.statusCode, 200)
  const me = res.json()
  t.is(me.profile.email, d.login)
  t.is(me.distributor.id, d.id)
  t.is(me.tier, FULL_TIER)
  t.deepEqual(me.plugins, pluginsOfTier(tiers, FULL_TIER, t0.app.kernel.installedIds))
  const anon = await t0.inject({ method: 'GET', url: '/api/v1/me' })
  t.is(anon.statusCode, 401)
  t.deepEqual(Object.keys(anon.json().error).sort(), ['code', 'message', 'retryable'])
  const bad = await t0.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer cm_nope' } })
  t.is(bad.statusCode, 401)
})

test.serial('GET /healthz answers 503 with the reason while the database does not answer, and ok again after', async (t) => {
  const k = t0.app.kernel
  let restore: () => Promise<void>
  if (k.embedded) {
    // Embedded: the one backend is held busy (as by a stuck query), so nothing the app sends is answered.
    let release!: () => void
    const held = k.embedded.db.runExclusive(() => new Promise<void>((r) => { release = r }))
    restore = async () => { release(); await held }
  } else {
    // Server: the app's database refuses connections and its open ones are ended.
    const name = new URL(k.config.databaseUrl!).pathname.slice(1)
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    await admin.query(`alter database "${name}" allow_connections false`)
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name])
    restore = async () => { await admin.query(`alter database "${name}" allow_connections true`); await admin.end() }
  }
  try {
    const started = Date.now()
    const res = await t0.inject({ method: 'GET', url: '/healthz' })
    t.true(Date.now() - started < 3000, `answered in ${Date.now() - started} ms`)
    t.is(res.statusCode, 503)
    t.is(res.json().status, 'unavailable')
    t.regex(res.json().reason, /database/)
  } finally { await restore() }
  let ok = await t0.inject({ method: 'GET', url: '/healthz' })
  // The pool may hand out a connection the server ended once more; the next check opens a new one.
  for (let i = 0; i < 5 && ok.statusCode !== 200; i++) ok = await t0.inject({ method: 'GET', url: '/healthz' })
  t.is(ok.statusCode, 200)
})
