import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { rows, setCookieHeaders, uniqueIp } from './support.js'
import { FORGOT_PER_ACCOUNT, FORGOT_PER_IP } from '../../plugins/accounts/index.js'

// What a visitor who is not signed in can cost: page views store nothing, forms stay CSRF-protected,
// and the forgotten-password form is throttled like sign-in.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const sessionCount = async () => Number((await rows(t0, 'select count(*)::int as n from core_session'))[0].n)

test.serial('300 anonymous views of the sign-in page store no session row', async (t) => {
  const before = await sessionCount()
  for (let i = 0; i < 300; i++) {
    const res = await t0.inject({ method: 'GET', url: '/login', remoteAddress: uniqueIp() } as never)
    t.is(res.statusCode, 200)
    t.false(setCookieHeaders(res).some((c) => c.startsWith('cm.sid=')), 'no session cookie')
  }
  for (const url of ['/signup', '/forgot', '/reset?token=x']) t.is((await t0.inject({ method: 'GET', url })).statusCode, url === '/reset?token=x' ? 400 : 200, url)
  t.is(await sessionCount(), before)
})

test.serial('sign-in from a session-less page: a forged post is refused, the real form signs in with a new session', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  const _csrf = await c.csrf('/login')
  t.false(c.cookies.has('cm.sid'))
  // No token, a made-up token, and a token without its cookie (another browser's).
  t.is((await c.postForm('/login', { login: p.email, password: p.password })).statusCode, 403)
  t.is((await c.postForm('/login', { login: p.email, password: p.password, _csrf: 'x'.repeat(24) })).statusCode, 403)
  const other = t0.client({ remoteAddress: uniqueIp() })
  t.is((await other.postForm('/login', { login: p.email, password: p.password, _csrf })).statusCode, 403)
  // A cookie that is not signed by us is worthless too.
  const forged = t0.client({ remoteAddress: uniqueIp() })
  forged.cookies.set('cm.csrf', 'y'.repeat(24))
  t.is((await forged.postForm('/login', { login: p.email, password: p.password, _csrf: 'y'.repeat(24) })).statusCode, 403)
  const ok = await c.postForm('/login', { login: p.email, password: p.password, _csrf })
  t.is(ok.statusCode, 303)
  t.true(c.cookies.has('cm.sid'))
  t.is((await c.get('/profile')).statusCode, 200)
})

test('/forgot is throttled per login and per IP, and answers the same whether it sends or not', async (t) => {
  const p = await t0.fixtures.profile()
  const sentTo = () => t0.outbox.filter((m) => (m.to === p.email || m.to === p.mobile) && m.body.includes('/reset?token=')).length
  const mains: string[] = []
  for (let i = 0; i < 8; i++) {
    // A new address and browser each time: the per-login limit holds on its own.
    const c = t0.client({ remoteAddress: uniqueIp() })
    const _csrf = await c.csrf('/forgot')
    const res = await c.postForm('/forgot', { login: i % 2 ? p.email : p.mobile, _csrf })
    t.is(res.statusCode, 200)
    mains.push(/<main[\s\S]*<\/main>/.exec(res.body)![0])
  }
  // Each request sends an e-mail and an SMS: at most FORGOT_PER_ACCOUNT requests did.
  t.is(sentTo(), 2 * FORGOT_PER_ACCOUNT)
  const unknown = t0.client({ remoteAddress: uniqueIp() })
  const res = await unknown.postForm('/forgot', { login: `nadie-${Math.random().toString(36).slice(2)}@example.mx`, _csrf: await unknown.csrf('/forgot') })
  for (const m of mains) t.is(m, /<main[\s\S]*<\/main>/.exec(res.body)![0])

  // Per IP: many logins from one address send at most FORGOT_PER_IP times.
  const ip = uniqueIp()
  const before = t0.outbox.length
  for (let i = 0; i < FORGOT_PER_IP + 5; i++) {
    const q = await t0.fixtures.profile()
    const c = t0.client({ remoteAddress: ip })
    t.is((await c.postForm('/forgot', { login: q.email, _csrf: await c.csrf('/forgot') })).statusCode, 200)
  }
  t.is(t0.outbox.length - before, 2 * FORGOT_PER_IP)
})
