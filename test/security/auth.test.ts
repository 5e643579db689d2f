import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { nationalMobile, rows, setCookieHeaders, sidOf, uniqueIp } from './support.js'

// Sign-in: logins, generic errors, throttling (per account, per IP), session id and cookie flags.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const GENERIC = 'El usuario o la contraseña no son correctos.'
const THROTTLED = 'Demasiados intentos fallidos'

/** Where the session stands: 303 to /login means signed out. */
async function signedIn(c: ReturnType<TestApp['client']>) {
  const res = await c.get('/profile')
  return res.statusCode === 200
}

test('login by e-mail (any case, spaces) and by mobile written nationally answers 303 and signs in', async (t) => {
  const p = await t0.fixtures.profile()
  const [stored] = await rows(t0, 'select mobile from core_profile where id = ?', [p.id])
  t.regex(stored.mobile, /^\+52\d{10}$/)
  for (const login of [p.email, `  ${p.email.toUpperCase()} `, nationalMobile(stored.mobile), stored.mobile]) {
    const c = t0.client({ remoteAddress: uniqueIp() })
    const res = await c.login(login, p.password)
    t.is(res.statusCode, 303, login)
    t.is(res.headers.location, '/profile', login)
    t.true(await signedIn(c), login)
  }
})

test('a wrong password and an unknown login get the same generic Spanish answer and no session', async (t) => {
  const p = await t0.fixtures.profile()
  const answers: string[] = []
  for (const [login, password] of [[p.email, 'contraseña-incorrecta'], [`nadie-${Date.now()}@example.mx`, 'contraseña-incorrecta'], ['55 0000 0000', p.password]]) {
    const c = t0.client({ remoteAddress: uniqueIp() })
    const res = await c.login(login, password)
    t.is(res.statusCode, 401, login)
    t.is(res.headers.location, undefined)
    t.true(res.body.includes(GENERIC), login)
    t.regex(res.body, /<form method="post" action="\/login">/)
    t.false(await signedIn(c))
    answers.push(/<p class="flash flash-error" role="alert">([^<]*)<\/p>/.exec(res.body)![1])
  }
  t.is(new Set(answers).size, 1)
})

test('the 6th attempt after 5 failures is refused with 429 even with the right password; the count spans e-mail and mobile', async (t) => {
  const p = await t0.fixtures.profile()
  const ip = uniqueIp()
  const c = t0.client({ remoteAddress: ip })
  // The same account under both of its logins: the limit is per account, not per spelling.
  const logins = [p.email, nationalMobile(p.mobile), p.email.toUpperCase(), p.mobile, p.email]
  for (const login of logins) t.is((await c.login(login, 'contraseña-incorrecta')).statusCode, 401)
  for (const login of [p.email, nationalMobile(p.mobile)]) {
    const res = await c.login(login, p.password)
    t.is(res.statusCode, 429, login)
    t.true(res.body.includes(THROTTLED))
    t.regex(res.body, /Espere 15 minutos/)
    t.false(await signedIn(c))
  }
  // Another IP does not help: the account itself is locked for the window.
  const other = t0.client({ remoteAddress: uniqueIp() })
  t.is((await other.login(p.email, p.password)).statusCode, 429)
  t.false(await signedIn(other))
})

test('parallel wrong guesses cannot slip past the account limit', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  const _csrf = await c.csrf('/login')
  const results = await Promise.all(Array.from({ length: 15 }, (_, i) => c.postForm('/login', { login: p.email, password: `adivinanza-${i}`, _csrf })))
  const statuses = results.map((r) => r.statusCode)
  t.is(statuses.filter((s) => s === 401).length, 5, statuses.join(','))
  t.is(statuses.filter((s) => s === 429).length, 10)
  t.is((await c.login(p.email, p.password)).statusCode, 429)
})

test('a success before the limit resets the account count', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 4; i++) t.is((await c.login(p.email, 'contraseña-incorrecta')).statusCode, 401)
    t.is((await c.login(p.email, p.password)).statusCode, 303, `round ${round}`)
  }
  t.true(await signedIn(c))
})

test('per IP: the 51st failure-counted attempt is refused; untrusted X-Forwarded-For does not split the count; successes do not count', async (t) => {
  const member = await t0.fixtures.profile()
  const ip = uniqueIp()
  const c = t0.client({ remoteAddress: ip })
  const fail = async (i: number) => (await c.login(`rociado-${i}@example.mx`, 'contraseña-incorrecta')).statusCode
  t.is(await fail(0), 401)
  // An argon2 check costs ~0.3 s here: rather than 44 more of them, fast-forward this IP's own row.
  const [row] = await rows(t0, `select key, points from core_throttle where key like ? and key not like '%@%'`, [`%:${ip}`])
  t.is(row.points, 1)
  await rows(t0, 'update core_throttle set points = points + 44 where key = ?', [row.key])
  // Spoofed client addresses from an untrusted peer all land on the peer's address.
  const _csrf = await c.csrf('/login')
  const spoofed = await Promise.all([1, 2, 3].map((i) => c.postForm('/login', { login: `rociado-${i}@example.mx`, password: 'contraseña-incorrecta', _csrf }, { 'x-forwarded-for': `203.0.113.${i}` })))
  t.deepEqual(spoofed.map((r) => r.statusCode), [401, 401, 401])
  // 48 failures: colleagues signing in from the same office still get in, and do not use up the budget.
  for (let i = 0; i < 3; i++) t.is((await t0.client({ remoteAddress: ip }).login(member.email, member.password)).statusCode, 303, `success ${i}`)
  t.is(await fail(4), 401)
  t.is(await fail(5), 401)
  // 50 failures: the next attempt from this IP is refused, whoever it is for and whatever the password.
  const blocked = await t0.client({ remoteAddress: ip }).login(member.email, member.password)
  t.is(blocked.statusCode, 429)
  t.true(blocked.body.includes(THROTTLED))
  t.is((await c.login(member.mobile, member.password)).statusCode, 429)
  t.false(await signedIn(c))
  // The account itself is fine from elsewhere.
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(member.email, member.password)).statusCode, 303)
})

test('the session id changes at login; the pre-login id is dead afterwards', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  // A page view stores no session; the pre-login session here is one an attacker made (by signing
  // in as itself) and planted in the victim's browser.
  await c.csrf('/login')
  t.false(c.cookies.has('cm.sid'))
  const attacker = await t0.fixtures.profile()
  t.is((await c.login(attacker.email, attacker.password)).statusCode, 303)
  const preLoginCookie = c.cookies.get('cm.sid')
  const before = sidOf(preLoginCookie)
  t.truthy(before)
  t.is((await rows(t0, 'select sid from core_session where sid = ?', [before])).length, 1)
  t.is((await c.login(p.email, p.password)).statusCode, 303)
  const after = sidOf(c.cookies.get('cm.sid'))
  t.truthy(after)
  t.not(after, before)
  t.is((await rows(t0, 'select sid from core_session where sid = ?', [before])).length, 0)
  t.true(await signedIn(c))
  // An attacker who planted (or kept) the pre-login cookie gets nothing.
  const fixated = t0.client()
  fixated.cookies.set('cm.sid', preLoginCookie!)
  t.false(await signedIn(fixated))
})

test('logout destroys the session server-side: the old cookie no longer works', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  t.is((await c.login(p.email, p.password)).statusCode, 303)
  const cookie = c.cookies.get('cm.sid')!
  const sid = sidOf(cookie)
  const _csrf = await c.csrf('/profile')
  const out = await c.postForm('/logout', { _csrf })
  t.is(out.statusCode, 303)
  t.is(out.headers.location, '/login')
  t.is((await rows(t0, 'select sid from core_session where sid = ?', [sid])).length, 0)
  const replay = t0.client()
  replay.cookies.set('cm.sid', cookie)
  const res = await replay.get('/profile')
  t.is(res.statusCode, 303)
  t.regex(String(res.headers.location), /^\/login/)
})

test('session cookie: HttpOnly, SameSite=Lax, Path=/, and not Secure over plain HTTP even when the client claims HTTPS', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } })
  // The sign-in form's CSRF cookie, then the session's, set at sign-in.
  const page = await c.get('/login')
  const res = await c.login(p.email, p.password)
  for (const cookie of [setCookieHeaders(page).find((h) => h.startsWith('cm.csrf=')), setCookieHeaders(res).find((h) => h.startsWith('cm.sid='))]) {
    t.truthy(cookie)
    t.regex(cookie!, /;\s*HttpOnly/i)
    t.regex(cookie!, /;\s*SameSite=Lax/i)
    t.regex(cookie!, /;\s*Path=\//)
    t.notRegex(cookie!, /;\s*Secure/i)
  }
})

test('session cookie is Secure behind a trusted TLS proxy, and not when an untrusted client sends X-Forwarded-Proto', async (t) => {
  const behindProxy = await startTestApp({ http: { trustProxy: 'loopback' } })
  t.teardown(() => behindProxy.close())
  const p = await behindProxy.fixtures.profile()
  const cookieOf = async (remoteAddress: string, headers: Record<string, string>) => {
    const res = await behindProxy.client({ remoteAddress, headers }).login(p.email, p.password)
    return setCookieHeaders(res).find((h) => h.startsWith('cm.sid='))!
  }
  const viaProxy = await cookieOf('127.0.0.1', { 'x-forwarded-proto': 'https' })
  t.regex(viaProxy, /;\s*Secure/i)
  t.regex(viaProxy, /;\s*HttpOnly/i)
  t.regex(viaProxy, /;\s*SameSite=Lax/i)
  t.notRegex(await cookieOf('127.0.0.1', {}), /;\s*Secure/i)
  t.notRegex(await cookieOf('203.0.113.50', { 'x-forwarded-proto': 'https' }), /;\s*Secure/i)
})

test('login never redirects off-site through `next`', async (t) => {
  const p = await t0.fixtures.profile()
  for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/\t/evil.example', '/%2F/evil.example', 'javascript:alert(1)', '/\\/evil.example']) {
    const c = t0.client({ remoteAddress: uniqueIp() })
    const res = await c.login(p.email, p.password, next)
    t.is(res.statusCode, 303, next)
    const location = String(res.headers.location)
    t.is(new URL(location, 'http://cm.test').host, 'cm.test', `${JSON.stringify(next)} → ${location}`)
  }
})
