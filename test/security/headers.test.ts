import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'

// Security headers on pages, the CM and the API: no framing, no sniffing, same-origin referrers, a CSP.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

const csp = (h: Record<string, unknown>) => Object.fromEntries(String(h['content-security-policy']).split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]))

test('every answer forbids framing and sniffing and sends a CSP; pages allow no inline script, the CM only its own inline state', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = t0.client()
  await c.enterCm(d.login, d.password, d.id)
  const answers = {
    login: await t0.inject({ method: 'GET', url: '/login' }),
    api: await t0.inject({ method: 'GET', url: '/api/v1/me' }),
    healthz: await t0.inject({ method: 'GET', url: '/healthz' }),
    missing: await t0.inject({ method: 'GET', url: '/no-existe' }),
    admin: await c.get('/admin'),
  }
  t.is(answers.admin.statusCode, 200)
  for (const [what, res] of Object.entries(answers)) {
    t.is(res.headers['x-frame-options'], 'DENY', what)
    t.is(res.headers['x-content-type-options'], 'nosniff', what)
    t.is(res.headers['referrer-policy'], 'same-origin', what)
    const p = csp(res.headers)
    t.deepEqual(p['frame-ancestors'], ["'none'"], what)
    t.deepEqual(p['default-src'], ["'self'"], what)
    t.deepEqual(p['object-src'], ["'none'"], what)
    t.false(p['script-src'].includes("'unsafe-eval'"), what)
    t.false('upgrade-insecure-requests' in p, what)
  }
  t.deepEqual(csp(answers.login.headers)['script-src'], ["'self'"])
  t.deepEqual(csp(answers.login.headers)['style-src'], ["'self'"])
  t.deepEqual(csp(answers.admin.headers)['script-src'], ["'self'", "'unsafe-inline'"])
})
