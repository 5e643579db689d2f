import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

test('GET /healthz reports the database kind and installed plugins', async (t) => {
  const res = await t0.inject({ method: 'GET', url: '/healthz' })
  t.is(res.statusCode, 200)
  t.deepEqual(res.json(), {
    status: 'ok',
    database: process.env.DATABASE_URL ? 'postgresql' : 'embedded',
    plugins: ['clients', 'ledger', 'stamping'],
  })
})

test('GET /api/v1/me answers the token holder, and 401 without a token', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await t0.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${d.token}` } })
  t.is(res.statusCode, 200)
  const me = res.json()
  t.is(me.profile.email, d.login)
  t.is(me.distributor.id, d.id)
  t.is(me.tier, 'completo')
  t.deepEqual(me.plugins, ['clients', 'ledger', 'stamping'])
  const anon = await t0.inject({ method: 'GET', url: '/api/v1/me' })
  t.is(anon.statusCode, 401)
  t.deepEqual(Object.keys(anon.json().error).sort(), ['code', 'message', 'retryable'])
  const bad = await t0.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer cm_nope' } })
  t.is(bad.statusCode, 401)
})
