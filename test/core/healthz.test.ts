import test from 'ava'
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
