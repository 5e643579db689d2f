import test from 'ava'
import { startTestApp, uniqueMobile, type TestApp } from '../../helpers/app.js'
import { rows, uniqueIp } from '../../security/support.js'

// The accounts plugin's public pages on the theme: a way back to sign-in, a reset link judged before
// its form is shown, password confirmation, errors under their fields. (Their security — CSRF,
// throttles, sessions ended by a reset or a password change — is in test/security.)

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0]

test('/forgot and /reset lead back to sign-in; both use the theme\'s one stylesheet and labels its inputs', async (t) => {
  for (const url of ['/forgot', '/signup']) {
    const res = await t0.inject({ method: 'GET', url })
    t.is(res.statusCode, 200, url)
    t.is((res.body.match(/<link rel="stylesheet"[^>]*>/g) ?? []).join(), '<link rel="stylesheet" href="/assets/site.css">', url)
    t.false(/https?:\/\/(?!localhost)/.test(res.body.replace(/<svg[\s\S]*?<\/svg>/g, '')), `${url}: nothing from another host`)
    // Every visible input has a label pointing at it.
    for (const [, id] of res.body.matchAll(/<input(?![^>]*type="hidden")[^>]*id="([^"]+)"/g)) t.true(res.body.includes(`<label for="${id}">`), `${url} #${id}`)
  }
  t.regex(main((await t0.inject({ method: 'GET', url: '/forgot' })).body), /<a href="\/login">[^<]*Volver a iniciar sesión<\/a>/)
})

test('a bad, used or expired reset link shows a clear message and no form; a good one shows the form with a confirmation', async (t) => {
  const p = await t0.fixtures.profile()
  const identity = t0.app.kernel.identity
  const em = () => t0.app.kernel.orm.em.fork()
  const used = await identity.issueOneTimeToken(em(), p.id, 'reset_password', 3_600_000)
  await identity.consumeOneTimeToken(em(), used, 'reset_password')
  const expired = await identity.issueOneTimeToken(em(), p.id, 'reset_password', 3_600_000)
  await rows(t0, `update core_one_time_token set expires_at = now() - interval '1 minute' where profile_id = ? and used_at is null`, [p.id])
  const otherPurpose = await identity.issueOneTimeToken(em(), p.id, 'verify_email', 3_600_000)
  for (const token of ['', 'inventado', used, expired, otherPurpose, 'x'.repeat(500)]) {
    const res = await t0.inject({ method: 'GET', url: `/reset?token=${token}` })
    t.is(res.statusCode, 400, token)
    t.true(res.body.includes('El enlace no es válido o ya expiró'), token)
    t.false(res.body.includes('name="password"'), token)
    t.regex(res.body, /<a href="\/forgot">Solicitar un enlace nuevo<\/a>/)
  }
  // Looking does not use the link up.
  const good = await identity.issueOneTimeToken(em(), p.id, 'reset_password', 3_600_000)
  for (let i = 0; i < 2; i++) {
    const res = await t0.inject({ method: 'GET', url: `/reset?token=${good}` })
    t.is(res.statusCode, 200)
    t.true(res.body.includes('name="passwordConfirmation"'))
  }
  t.is((await rows(t0, 'select used_at from core_one_time_token where profile_id = ? and purpose = ? and expires_at > now() and used_at is null', [p.id, 'reset_password'])).length, 1)
})

test('reset: a confirmation that does not match is refused under its field and leaves the link usable', async (t) => {
  const p = await t0.fixtures.profile()
  const token = await t0.app.kernel.identity.issueOneTimeToken(t0.app.kernel.orm.em.fork(), p.id, 'reset_password', 3_600_000)
  const c = t0.client({ remoteAddress: uniqueIp() })
  const _csrf = await c.csrf(`/reset?token=${token}`)
  const res = await c.postForm('/reset', { _csrf, token, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-2' })
  t.is(res.statusCode, 422)
  t.regex(res.body, /id="passwordConfirmation"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error" id="passwordConfirmation-error">La confirmación no coincide con la contraseña<\/p>/)
  t.is((await c.postForm('/reset', { _csrf, token, password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1' })).statusCode, 303)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(p.email, 'contraseña-nueva-1')).statusCode, 303)
})

test('sign-up: the confirmation must match; its error and the others show under their fields, and no profile is made', async (t) => {
  const c = t0.client({ remoteAddress: uniqueIp() })
  const _csrf = await c.csrf('/signup')
  const email = `alta-${Math.random().toString(36).slice(2)}@example.mx`
  const res = await c.postForm('/signup', { _csrf, name: 'Persona Nueva', email: 'no-es-correo', mobile: uniqueMobile(), password: 'contraseña-larga', passwordConfirmation: 'otra-contraseña' })
  t.is(res.statusCode, 422)
  t.regex(res.body, /id="email"[^>]*>\s*<p class="field-error" id="email-error">Correo electrónico inválido<\/p>/)
  t.regex(res.body, /id="passwordConfirmation"[^>]*>\s*<p class="field-error" id="passwordConfirmation-error">La confirmación no coincide con la contraseña<\/p>/)
  // What was typed stays, except the passwords.
  t.true(res.body.includes('value="Persona Nueva"'))
  t.false(res.body.includes('contraseña-larga'))
  const mismatch = await c.postForm('/signup', { _csrf, name: 'Persona Nueva', email, mobile: uniqueMobile(), password: 'contraseña-larga', passwordConfirmation: 'otra-contraseña' })
  t.is(mismatch.statusCode, 422)
  t.is((await rows(t0, 'select 1 from core_profile where email = ?', [email])).length, 0)
  const ok = await c.postForm('/signup', { _csrf, name: 'Persona Nueva', email, mobile: uniqueMobile(), password: 'contraseña-larga', passwordConfirmation: 'contraseña-larga' })
  t.is(ok.statusCode, 303)
  t.is((await rows(t0, 'select 1 from core_profile where email = ?', [email])).length, 1)
})
