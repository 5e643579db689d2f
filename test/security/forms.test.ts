import test from 'ava'
import { csrfTokenOf, Fixtures, startTestApp, uniqueMobile, type Client, type TestApp } from '../helpers/app.js'
import { IdentityService } from '../../core/identity/service.js'
import type { ClientsServices } from '../../plugins/clients/index.js'
import { apiCustomer, rows, setCookieHeaders, sidOf, uniqueIp, XSS_IMG, XSS_SCRIPT } from './support.js'

// Our own forms: CSRF on every POST, one-time links (verification, password reset), and escaping of
// user data in the server-rendered pages (PCC, landing).

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const identity = new IdentityService()
const em = () => t0.app.kernel.orm.em.fork()
const clients = () => t0.app.kernel.contexts.get('clients')!.use('clients') as ClientsServices
const linkOf = (body: string) => /(https?:\/\/[^\s]+)/.exec(body)![1]
const pathOf = (link: string) => { const u = new URL(link); return `${u.pathname}${u.search}` }

async function signedInClient(): Promise<{ c: Client, p: Awaited<ReturnType<Fixtures['profile']>> }> {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  const res = await c.login(p.email, p.password)
  if (res.statusCode !== 303) throw new Error(`login failed ${res.statusCode}`)
  return { c, p }
}

/** A valid token of some other session: a CSRF token is only good in the session it was made for. */
async function foreignToken(): Promise<string> {
  const other = await signedInClient()
  return other.c.csrf('/profile')
}

function assertCsrfRefused(t: any, res: { statusCode: number, body: string }, what: string) {
  t.is(res.statusCode, 403, what)
  t.true(res.body.includes('Acceso denegado'), what)
}

const sessionRow = async (c: Client) => (await rows(t0, 'select sess from core_session where sid = ?', [sidOf(c.cookies.get('cm.sid'))]))[0]?.sess

test('POST /login without a token or with another session\'s token: 403, no session', async (t) => {
  const p = await t0.fixtures.profile()
  const stolen = await foreignToken()
  for (const [what, form] of [['no token', {}], ['foreign token', { _csrf: stolen }], ['empty token', { _csrf: '' }]] as [string, Record<string, string>][]) {
    const c = t0.client({ remoteAddress: uniqueIp() })
    await c.get('/login')
    const res = await c.postForm('/login', { login: p.email, password: p.password, ...form })
    assertCsrfRefused(t, res, what)
    t.is((await c.get('/profile')).statusCode, 303, what)
  }
  // No cookie at all (a cross-site form post that SameSite kept the cookie from).
  const bare = await t0.inject({ method: 'POST', url: '/login', payload: new URLSearchParams({ login: p.email, password: p.password, _csrf: stolen }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  assertCsrfRefused(t, bare, 'no session')
})

test('POST /logout without a valid token: 403 and the session survives', async (t) => {
  const { c } = await signedInClient()
  const stolen = await foreignToken()
  for (const form of [{}, { _csrf: stolen }] as Record<string, string>[]) {
    assertCsrfRefused(t, await c.postForm('/logout', form), 'logout')
    t.is((await c.get('/profile')).statusCode, 200)
  }
})

test('POST /signup without a valid token: 403, no profile, no message', async (t) => {
  const stolen = await foreignToken()
  for (const form of [{}, { _csrf: stolen }] as Record<string, string>[]) {
    const email = `csrf-signup-${Math.random().toString(36).slice(2)}@example.mx`
    const c = t0.client({ remoteAddress: uniqueIp() })
    await c.get('/signup')
    const res = await c.postForm('/signup', { name: 'Intruso', email, mobile: uniqueMobile(), password: 'contraseña-larga', ...form })
    assertCsrfRefused(t, res, 'signup')
    t.is((await rows(t0, 'select 1 from core_profile where email = ?', [email])).length, 0)
    t.false(t0.outbox.some((m) => m.to === email))
  }
})

test('POST /forgot without a valid token: 403 and nothing is sent', async (t) => {
  const p = await t0.fixtures.profile()
  const stolen = await foreignToken()
  for (const form of [{}, { _csrf: stolen }] as Record<string, string>[]) {
    const c = t0.client({ remoteAddress: uniqueIp() })
    await c.get('/forgot')
    assertCsrfRefused(t, await c.postForm('/forgot', { login: p.email, ...form }), 'forgot')
  }
  t.false(t0.outbox.some((m) => m.to === p.email || m.to === p.mobile))
  t.is((await rows(t0, 'select 1 from core_one_time_token where profile_id = ?', [p.id])).length, 0)
})

test('POST /reset without a valid token: 403, the password and the reset link stay as they were', async (t) => {
  const p = await t0.fixtures.profile()
  const token = await identity.issueOneTimeToken(em(), p.id, 'reset_password', 3_600_000)
  const [before] = await rows(t0, 'select password_hash from core_profile where id = ?', [p.id])
  const stolen = await foreignToken()
  for (const form of [{}, { _csrf: stolen }] as Record<string, string>[]) {
    const c = t0.client({ remoteAddress: uniqueIp() })
    await c.get(`/reset?token=${token}`)
    assertCsrfRefused(t, await c.postForm('/reset', { token, password: 'nueva-contraseña-1', ...form }), 'reset')
  }
  const [after] = await rows(t0, 'select password_hash from core_profile where id = ?', [p.id])
  t.is(after.password_hash, before.password_hash)
  t.is((await rows(t0, 'select used_at from core_one_time_token where profile_id = ?', [p.id]))[0].used_at, null)
})

test('POST /switch and POST /profile without a valid token: 403 and nothing changes', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = t0.client({ remoteAddress: uniqueIp() })
  t.is((await c.login(d.login, d.password)).statusCode, 303)
  // Sign in put the only CM in the session; drop it to see whether a forged switch sets it.
  await rows(t0, `update core_session set sess = sess - 'distributorId' where sid = ?`, [sidOf(c.cookies.get('cm.sid'))])
  const stolen = await foreignToken()
  for (const form of [{}, { _csrf: stolen }] as Record<string, string>[]) {
    assertCsrfRefused(t, await c.postForm('/switch', { target: `cm:${d.id}`, ...form }), 'switch')
    t.is((await sessionRow(c)).distributorId, undefined)
    assertCsrfRefused(t, await c.postForm('/profile', { name: 'Nombre forjado', ...form }), 'profile')
    t.is((await rows(t0, 'select name from core_profile where id = ?', [d.profileId]))[0].name, 'Perfil de prueba')
  }
  // The same requests with the session's own token do work: the refusals above were the token's doing.
  const _csrf = await c.csrf('/profile')
  t.is((await c.postForm('/profile', { name: 'Nombre propio', _csrf })).statusCode, 303)
  t.is((await rows(t0, 'select name from core_profile where id = ?', [d.profileId]))[0].name, 'Nombre propio')
  t.is((await c.postForm('/switch', { target: `cm:${d.id}`, _csrf })).headers.location, '/admin')
  t.is((await sessionRow(c)).distributorId, d.id)
})

test('POST to a PCC page without a valid token: 403', async (t) => {
  const d = await t0.fixtures.distributor()
  const customer = await apiCustomer(t0, d, 'Cliente PCC CSRF')
  const { c, p } = await signedInClient()
  await clients().customers.link(em(), customer.id, p.id)
  for (const form of [{}, { _csrf: await foreignToken() }] as Record<string, string>[]) assertCsrfRefused(t, await c.postForm(`/pcc/${customer.id}/datos`, form), 'pcc')
})

test('/switch only enters a CM the profile is a member of', async (t) => {
  const mine = await t0.fixtures.distributor()
  const theirs = await t0.fixtures.distributor()
  const c = t0.client({ remoteAddress: uniqueIp() })
  t.is((await c.login(mine.login, mine.password)).statusCode, 303)
  const _csrf = await c.csrf('/profile')
  const res = await c.postForm('/switch', { target: `cm:${theirs.id}`, _csrf })
  t.is(res.statusCode, 303)
  t.is(res.headers.location, '/')
  t.is((await sessionRow(c)).distributorId, mine.id)
})

test('sign-up: new session id, verification links work once, each only for its own channel', async (t) => {
  const c = t0.client({ remoteAddress: uniqueIp() })
  const _csrf = await c.csrf('/signup')
  const before = sidOf(c.cookies.get('cm.sid'))
  const email = `alta-${Math.random().toString(36).slice(2)}@example.mx`
  const mobile = uniqueMobile()
  const res = await c.postForm('/signup', { name: 'Nueva Persona', email, mobile, password: 'contraseña-larga', _csrf })
  t.is(res.statusCode, 303)
  t.is(res.headers.location, '/profile')
  t.not(sidOf(c.cookies.get('cm.sid')), before)
  const [profile] = await rows(t0, 'select id, email_verified_at, mobile_verified_at, mobile from core_profile where email = ?', [email])
  t.is(profile.email_verified_at, null)
  const mail = t0.outbox.find((m) => m.to === email && m.channel === 'email')!
  const sms = t0.outbox.find((m) => m.to === profile.mobile && m.channel === 'sms')!
  t.truthy(mail)
  t.truthy(sms)
  const emailLink = pathOf(linkOf(mail.body))
  const mobileLink = pathOf(linkOf(sms.body))
  // A mobile token presented as an e-mail one does nothing (and is not used up).
  const swapped = await t0.inject({ method: 'GET', url: mobileLink.replace('channel=mobile', 'channel=email') })
  t.is(swapped.statusCode, 400)
  t.true(swapped.body.includes('El enlace no es válido o ya expiró.'))
  t.is((await rows(t0, 'select email_verified_at from core_profile where id = ?', [profile.id]))[0].email_verified_at, null)

  const first = await t0.inject({ method: 'GET', url: emailLink })
  t.is(first.statusCode, 200)
  t.true(first.body.includes('Su correo quedó verificado.'))
  t.not((await rows(t0, 'select email_verified_at from core_profile where id = ?', [profile.id]))[0].email_verified_at, null)
  const again = await t0.inject({ method: 'GET', url: emailLink })
  t.is(again.statusCode, 400)
  t.true(again.body.includes('Enlace no válido'))

  t.is((await t0.inject({ method: 'GET', url: mobileLink })).statusCode, 200)
  t.not((await rows(t0, 'select mobile_verified_at from core_profile where id = ?', [profile.id]))[0].mobile_verified_at, null)
  t.is((await t0.inject({ method: 'GET', url: mobileLink })).statusCode, 400)
  t.is((await t0.inject({ method: 'GET', url: '/verify?channel=email&token=inventado' })).statusCode, 400)
})

test('/forgot answers the same for unknown logins and sends nothing for them', async (t) => {
  const p = await t0.fixtures.profile()
  const answer = async (login: string) => {
    const c = t0.client({ remoteAddress: uniqueIp() })
    const _csrf = await c.csrf('/forgot')
    const res = await c.postForm('/forgot', { login, _csrf })
    return { status: res.statusCode, main: /<main[\s\S]*<\/main>/.exec(res.body)![0] }
  }
  const unknownEmail = `nadie-${Math.random().toString(36).slice(2)}@example.mx`
  const a = await answer(unknownEmail)
  const b = await answer('55 0000 0001')
  const c = await answer('no es un correo')
  t.false(t0.outbox.some((m) => m.to === unknownEmail || m.to === '+525500000001'))
  const known = await answer(p.email)
  t.is(known.status, 200)
  for (const x of [a, b, c]) t.deepEqual(x, known)
  t.true(known.main.includes('Si el dato corresponde a un perfil'))
  t.true(t0.outbox.some((m) => m.to === p.email))
})

test('password reset: the link works once; a used, expired or wrong-purpose token is refused', async (t) => {
  const p = await t0.fixtures.profile()
  const c = t0.client({ remoteAddress: uniqueIp() })
  const _csrf = await c.csrf('/forgot')
  t.is((await c.postForm('/forgot', { login: p.mobile, _csrf })).statusCode, 200)
  const mail = t0.outbox.find((m) => m.to === p.email && m.channel === 'email' && m.body.includes('/reset?token='))!
  t.truthy(mail)
  const link = pathOf(linkOf(mail.body))
  const token = new URL(link, 'http://x').searchParams.get('token')!
  const form = await c.get(link)
  t.is(form.statusCode, 200)
  const resetCsrf = await c.csrf(link)

  // Too short: refused, and the link is not used up.
  t.is((await c.postForm('/reset', { token, password: 'corta', _csrf: resetCsrf })).statusCode, 422)
  const ok = await c.postForm('/reset', { token, password: 'contraseña-nueva-1', _csrf: resetCsrf })
  t.is(ok.statusCode, 303)
  t.is(ok.headers.location, '/login')
  const [afterFirst] = await rows(t0, 'select password_hash from core_profile where id = ?', [p.id])

  const reused = await c.postForm('/reset', { token, password: 'contraseña-nueva-2', _csrf: resetCsrf })
  t.is(reused.statusCode, 400)
  t.true(reused.body.includes('El enlace no es válido o ya expiró.'))
  t.is((await rows(t0, 'select password_hash from core_profile where id = ?', [p.id]))[0].password_hash, afterFirst.password_hash)

  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(p.email, 'contraseña-nueva-1')).statusCode, 303)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(p.email, p.password)).statusCode, 401)

  // Expired.
  const expired = await identity.issueOneTimeToken(em(), p.id, 'reset_password', 3_600_000)
  await rows(t0, `update core_one_time_token set expires_at = now() - interval '1 minute' where profile_id = ? and used_at is null`, [p.id])
  const e = await c.postForm('/reset', { token: expired, password: 'contraseña-nueva-3', _csrf: resetCsrf })
  t.is(e.statusCode, 400)
  // A verification token is not a reset token.
  const verify = await identity.issueOneTimeToken(em(), p.id, 'verify_email', 3_600_000)
  t.is((await c.postForm('/reset', { token: verify, password: 'contraseña-nueva-4', _csrf: resetCsrf })).statusCode, 400)
  t.is((await c.postForm('/reset', { token: 'inventado', password: 'contraseña-nueva-5', _csrf: resetCsrf })).statusCode, 400)
  t.is((await rows(t0, 'select password_hash from core_profile where id = ?', [p.id]))[0].password_hash, afterFirst.password_hash)
  t.is((await rows(t0, 'select used_at from core_one_time_token where purpose = ? and profile_id = ?', ['verify_email', p.id]))[0].used_at, null)
})

test('PCC: HTML in a customer\'s legal name is escaped in the panel, the chooser and the landing page', async (t) => {
  const d = await t0.fixtures.distributor()
  const first = await apiCustomer(t0, d, `${XSS_IMG} SA`, { tradeName: XSS_SCRIPT, phone: '55 1234 5678' })
  const second = await apiCustomer(t0, d, `${XSS_SCRIPT} SC`)
  const { c, p } = await signedInClient()
  await clients().customers.link(em(), first.id, p.id)
  await clients().customers.link(em(), second.id, p.id)
  const pages = [await c.get(`/pcc/${first.id}/datos`), await c.get(`/pcc/${second.id}/datos`), await c.get('/pcc'), await c.get('/')]
  for (const res of pages) {
    t.is(res.statusCode, 200)
    t.false(res.body.includes(XSS_IMG))
    t.false(res.body.includes('<script>alert(1)'))
    t.false(res.body.includes('onerror=alert(1)>'))
  }
  t.true(pages[0].body.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; SA'))
  t.true(pages[0].body.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'))
  t.true(pages[2].body.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; SA'))
  t.true(pages[3].body.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; SC'))
})

test('PCC: a profile sees only the customers it is linked to; a tier without the plugin closes the page', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const mine = await apiCustomer(t0, d, 'Cliente Propio SA')
  const foreign = await apiCustomer(t0, other, 'Cliente Ajeno SA')
  const sameDistributor = await apiCustomer(t0, d, 'Cliente Vecino SA')
  const { c, p } = await signedInClient()
  await clients().customers.link(em(), mine.id, p.id)
  t.is((await c.get(`/pcc/${mine.id}/datos`)).statusCode, 200)
  for (const target of [foreign, sameDistributor]) {
    for (const url of [`/pcc/${target.id}/datos`, `/pcc/${target.id}`]) {
      const res = await c.get(url)
      t.is(res.statusCode, 404, url)
      t.false(res.body.includes(target.legalName))
      t.false(res.body.includes(target.nic))
    }
  }
  await rows(t0, 'update core_distributor set tier = ? where id = ?', ['sin-modulos', d.id])
  t0.app.http.directory.invalidate(d.id)
  const closed = await c.get(`/pcc/${mine.id}/datos`)
  t.is(closed.statusCode, 403)
  t.false(closed.body.includes('Cliente Propio SA</td>'))
})

test('the profile page escapes the profile\'s own name', async (t) => {
  const { c, p } = await signedInClient()
  await rows(t0, 'update core_profile set name = ? where id = ?', [XSS_SCRIPT, p.id])
  const res = await c.get('/profile')
  t.is(res.statusCode, 200)
  t.false(res.body.includes('<script>alert(1)'))
  t.true(res.body.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'))
})

test('two pages loaded at once after sign-in: a form from either one is accepted', async (t) => {
  // Were the token made by the first page rendered after sign-in, each of two pages rendered at once
  // would make one, and the later session write would refuse the other page's forms.
  for (let round = 0; round < 5; round++) {
    const { c, p } = await signedInClient()
    const pages = await Promise.all(['/profile', '/profile'].map((url) => c.get(url)))
    const tokens = pages.map((res) => csrfTokenOf(res.body) ?? '')
    for (const _csrf of tokens) {
      const res = await c.postForm('/profile', { _csrf, name: `${p.name} ${round}` })
      t.not(res.statusCode, 403, `round ${round}: a token from a page just rendered was refused`)
    }
  }
})

test('a missing page neither starts a session nor takes the notice or the token meant for the page being loaded', async (t) => {
  // Anonymous: a crawler's 404s and the browser's icon request start no session (a new one is saved
  // only with its cookie, so no cookie means no row; other tests of this file make sessions meanwhile).
  const stranger = t0.client({ remoteAddress: uniqueIp() })
  for (const url of ['/no-existe', '/favicon.ico', '/wp-login.php']) {
    const res = await stranger.get(url)
    t.is(setCookieHeaders(res).length, 0, url)
  }
  t.is((await stranger.get('/favicon.ico')).headers.location, '/assets/logo.svg')
  // Signed in: a notice is waiting; the browser's own request for a missing page leaves it and the token.
  const { c } = await signedInClient()
  const _csrf = await c.csrf('/profile')
  t.is((await c.postForm('/profile', { _csrf, name: 'Nombre Nuevo' })).statusCode, 303)
  const missing = await c.get('/no-existe')
  t.is(missing.statusCode, 404)
  t.false(missing.body.includes('Datos guardados.'))
  t.true(missing.body.includes(`name="_csrf" value="${_csrf}"`), 'the header\'s sign-out form carries the session\'s token')
  const page = await c.get('/profile')
  t.true(page.body.includes('Datos guardados.'))
  t.true(page.body.includes(`value="${_csrf}"`))
})
