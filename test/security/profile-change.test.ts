import test from 'ava'
import { startTestApp, uniqueMobile, type TestApp } from '../helpers/app.js'
import { rows, uniqueIp } from './support.js'

// The profile page while signed in: a password change needs the current password and ends the
// profile's other sessions; a new e-mail or mobile takes effect only when the link sent to it comes
// back, to the same profile, once.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const hashOf = async (id: string) => (await rows(t0, 'select password_hash from core_profile where id = ?', [id]))[0].password_hash as string
const profileRow = async (id: string) => (await rows(t0, 'select email, mobile, email_verified_at, mobile_verified_at from core_profile where id = ?', [id]))[0]
const linkIn = (body: string) => { const u = new URL(/(https?:\/\/\S+)/.exec(body)![1]); return u.pathname + u.search }
/** What a person reads: tags stripped. */
const text = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0].replace(/<[^>]+>/g, ' ')

async function signedIn(p: { email: string, password: string }) {
  const c = t0.client({ remoteAddress: uniqueIp() })
  const res = await c.login(p.email, p.password)
  if (res.statusCode !== 303) throw new Error(`login ${res.statusCode}`)
  return c
}

test('password change: the current password is required, the confirmation must match, and the other sessions end', async (t) => {
  const p = await t0.fixtures.profile()
  const [c, other] = [await signedIn(p), await signedIn(p)]
  const before = await hashOf(p.id)
  const _csrf = await c.csrf('/profile')

  const wrong = await c.postForm('/profile/password', { _csrf, currentPassword: 'no-es-la-mia-1', password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1' })
  t.is(wrong.statusCode, 422)
  // The message sits under the field it is about, in Spanish; never the field's key.
  t.regex(wrong.body, /id="currentPassword"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error" id="currentPassword-error">La contraseña actual no es correcta<\/p>/)
  t.false(text(wrong.body).includes('currentPassword'))
  const mismatch = await c.postForm('/profile/password', { _csrf, currentPassword: p.password, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-2' })
  t.is(mismatch.statusCode, 422)
  t.true(mismatch.body.includes('La confirmación no coincide con la contraseña nueva'))
  t.is((await c.postForm('/profile/password', { _csrf, currentPassword: p.password, password: 'corta', passwordConfirmation: 'corta' })).statusCode, 422)
  t.is(await hashOf(p.id), before)
  t.is((await other.get('/profile')).statusCode, 200, 'nothing ended yet')

  const ok = await c.postForm('/profile/password', { _csrf, currentPassword: p.password, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1' })
  t.is(ok.statusCode, 303)
  t.is(ok.headers.location, '/profile')
  t.true((await c.get('/profile')).body.includes('Contraseña cambiada'))
  t.is((await other.get('/profile')).statusCode, 303, 'the other session ended')
  t.is((await rows(t0, `select count(*)::int as n from core_session where sess->>'profileId' = ?`, [p.id]))[0].n, 1)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(p.email, p.password)).statusCode, 401)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(p.email, 'contraseña-nueva-1')).statusCode, 303)
  t.is((await rows(t0, `select count(*)::int as n from core_audit_log where action = 'core.passwordChanged' and subject = ?`, [p.id]))[0].n, 1)
})

test('password change: guesses of the current password are throttled like sign-in (the 6th is refused even when right)', async (t) => {
  const p = await t0.fixtures.profile()
  const c = await signedIn(p)
  const _csrf = await c.csrf('/profile')
  const before = await hashOf(p.id)
  for (let i = 0; i < 5; i++) t.is((await c.postForm('/profile/password', { _csrf, currentPassword: `adivinanza-${i}`, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1' })).statusCode, 422)
  const sixth = await c.postForm('/profile/password', { _csrf, currentPassword: p.password, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1' })
  t.is(sixth.statusCode, 429)
  t.true(sixth.body.includes('Demasiados intentos fallidos'))
  t.is(await hashOf(p.id), before)
})

test('e-mail change: nothing changes until the link sent to the new address is opened by the same profile; it works once', async (t) => {
  const a = await t0.fixtures.profile()
  const b = await t0.fixtures.profile()
  const [ca, cb] = [await signedIn(a), await signedIn(b)]
  const newEmail = `nuevo-${Math.random().toString(36).slice(2)}@example.mx`
  const sent = t0.outbox.length
  const res = await ca.postForm('/profile/email', { _csrf: await ca.csrf('/profile'), email: `  ${newEmail.toUpperCase()} ` })
  t.is(res.statusCode, 303)
  t.true((await ca.get('/profile')).body.includes(`Le enviamos un enlace a ${newEmail}`))
  // (Other tests of this file send meanwhile: only messages to a's addresses, old or new, count.)
  const messages = t0.outbox.slice(sent).filter((m) => [newEmail, a.email, a.mobile.replace(/\s/g, '')].includes(m.to))
  t.deepEqual(messages.map((m) => [m.channel, m.to]), [['email', newEmail]], 'only to the new address')
  t.is((await profileRow(a.id)).email, a.email, 'not changed yet')
  const link = linkIn(messages[0].body)

  // Another profile holding the link: refused, and the link stays good for its owner.
  const stolen = await cb.get(link)
  t.is(stolen.statusCode, 400)
  t.true(stolen.body.includes('El enlace no es válido'))
  t.is((await profileRow(b.id)).email, b.email)
  // The address in the link bent to another one: refused too.
  const bent = await ca.get(link.replace(encodeURIComponent(newEmail), encodeURIComponent(`otro-${newEmail}`)))
  t.is(bent.statusCode, 400)
  t.is((await profileRow(a.id)).email, a.email)
  // Not signed in: to sign-in first, then back.
  const anonymous = await t0.client({ remoteAddress: uniqueIp() }).get(link)
  t.is(anonymous.statusCode, 303)
  t.true(anonymous.headers.location!.startsWith('/login?next='))

  const ok = await ca.get(link)
  t.is(ok.statusCode, 200)
  t.true(ok.body.includes(`Su correo ahora es ${newEmail}`))
  const row = await profileRow(a.id)
  t.is(row.email, newEmail)
  t.truthy(row.email_verified_at)
  // Replay: refused, nothing changes again.
  t.is((await ca.get(link)).statusCode, 400)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(newEmail, a.password)).statusCode, 303)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(a.email, a.password)).statusCode, 401)
})

test('mobile change: the SMS link confirms it; an earlier pending link dies with the change; a taken address fails on either side', async (t) => {
  const a = await t0.fixtures.profile()
  const b = await t0.fixtures.profile()
  const c = await signedIn(a)
  const _csrf = await c.csrf('/profile')
  const [first, second] = [uniqueMobile(), uniqueMobile()]
  const links: string[] = []
  for (const mobile of [first, second]) {
    const sent = t0.outbox.length
    t.is((await c.postForm('/profile/mobile', { _csrf, mobile })).statusCode, 303)
    const sms = t0.outbox.slice(sent).filter((m) => m.channel === 'sms')
    t.is(sms.length, 1)
    t.is(sms[0].channel, 'sms')
    t.is(sms[0].to, mobile.replace(/\s/g, ''))
    links.push(linkIn(sms[0].body))
  }
  t.is((await c.get(links[1])).statusCode, 200)
  const row = await profileRow(a.id)
  t.is(row.mobile, second.replace(/\s/g, ''))
  t.truthy(row.mobile_verified_at)
  t.is((await c.get(links[0])).statusCode, 400, 'the older pending change is void')
  t.is((await profileRow(a.id)).mobile, second.replace(/\s/g, ''))

  // Taken when asked: a field error, nothing sent.
  const sent = t0.outbox.length
  const taken = await c.postForm('/profile/email', { _csrf, email: b.email })
  t.is(taken.statusCode, 422)
  t.true(taken.body.includes('Ya existe otro perfil con ese correo'))
  for (const bad of ['no-es-correo', 'a\u0000b@example.mx', `${'x'.repeat(250)}@example.mx`]) t.is((await c.postForm('/profile/email', { _csrf, email: bad })).statusCode, 422, bad)
  t.is((await c.postForm('/profile/mobile', { _csrf, mobile: '12' })).statusCode, 422)
  // (Other tests of this file send meanwhile: only messages for these attempts count.)
  t.deepEqual(t0.outbox.slice(sent).filter((m) => m.channel === 'sms' || m.to === b.email || m.to.includes('\u0000') || m.to.startsWith('xxxx')), [])
  // Taken after the link was sent: 409 when it comes back, and the profile keeps its e-mail.
  const wanted = `disputado-${Math.random().toString(36).slice(2)}@example.mx`
  t.is((await c.postForm('/profile/email', { _csrf, email: wanted })).statusCode, 303)
  const link = linkIn(t0.outbox.find((m) => m.to === wanted)!.body)
  await rows(t0, 'update core_profile set email = ? where id = ?', [wanted, b.id])
  const late = await c.get(link)
  t.is(late.statusCode, 409)
  t.true(late.body.includes('Otro perfil ya usa ese correo'))
  t.is((await profileRow(a.id)).email, a.email)
})

test('the name: saved when given, refused under its field when empty, too long or with control characters', async (t) => {
  const p = await t0.fixtures.profile({ name: 'Nombre Original' })
  const c = await signedIn(p)
  const _csrf = await c.csrf('/profile')
  for (const name of ['   ', 'x'.repeat(201), 'Ana\u0000Ruiz']) {
    const res = await c.postForm('/profile', { _csrf, name })
    t.is(res.statusCode, 422, JSON.stringify(name))
    t.regex(res.body, /id="name"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error" id="name-error">Escriba su nombre/)
  }
  t.is((await rows(t0, 'select name from core_profile where id = ?', [p.id]))[0].name, 'Nombre Original')
  t.is((await c.postForm('/profile', { _csrf, name: ' Ana Ruiz ' })).statusCode, 303)
  t.is((await rows(t0, 'select name from core_profile where id = ?', [p.id]))[0].name, 'Ana Ruiz')
})

test('profile forms without a valid CSRF token: 403 and nothing changes', async (t) => {
  const p = await t0.fixtures.profile()
  const c = await signedIn(p)
  const before = await hashOf(p.id)
  const sent = t0.outbox.length
  t.is((await c.postForm('/profile/password', { currentPassword: p.password, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1' })).statusCode, 403)
  t.is((await c.postForm('/profile/email', { email: 'csrf@example.mx' })).statusCode, 403)
  t.is(await hashOf(p.id), before)
  t.false(t0.outbox.slice(sent).some((m) => m.to === 'csrf@example.mx'))
})
