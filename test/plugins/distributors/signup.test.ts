import test from 'ava'
import { startTestApp, uniqueMobile, type TestApp } from '../../helpers/app.js'
import { em, grantMkl, rows, services } from './helpers.js'

// External sign-up: a signed, revocable link per distributor; the public page creates a profile and
// a "Sin validar" sub-distributor. Abuse: forged and revoked links, honeypot, cross-site posts, rate limit.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

let ip = 10
const nextIp = () => `192.0.2.${ip++}`
const pathOf = (url: string) => new URL(url).pathname
const formOf = (html: string) => /name="form" value="([^"]+)"/.exec(html)?.[1] ?? ''
async function parentWithLink() {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const { url } = await services(t0).signup.link(em(t0), d.id)
  return { d, path: pathOf(url) }
}
function submit(path: string, fields: Record<string, string>, remoteAddress: string, headers: Record<string, string> = {}) {
  return t0.inject({ method: 'POST', url: path, remoteAddress, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })
}
const good = (form: string, extra: Record<string, string> = {}) => ({
  form, legalName: 'Nueva Distribuidora SA', rfc: 'EKU9003173C9', name: 'Nora Nueva', email: `alta-${Math.random().toString(36).slice(2)}@example.mx`,
  mobile: uniqueMobile(), password: 'una-clave-larga', passwordConfirmation: 'una-clave-larga', website: '', ...extra,
})
const childrenOf = async (id: string) => rows(t0, 'select id, state, name from core_distributor where parent_id = ?', [id])

test('the page creates an unverified profile and a "Sin validar" sub-distributor; verifying both moves it to "Sin activar"', async (t) => {
  const { d, path } = await parentWithLink()
  const page = await t0.inject({ method: 'GET', url: path })
  t.is(page.statusCode, 200)
  t.true(page.body.includes('Alta de distribuidor') && page.body.includes(d.name))
  const before = t0.outbox.length
  const fields = good(formOf(page.body))
  const res = await submit(path, fields, nextIp())
  t.is(res.statusCode, 201, res.body)
  t.regex(res.body, /Cuenta creada/)
  const [child] = await childrenOf(d.id)
  t.like(child, { state: 'unvalidated', name: 'Nueva Distribuidora SA' })
  const [profile] = await rows(t0, 'select id, email_verified_at from core_profile where email = ?', [fields.email])
  t.is(profile.email_verified_at, null)
  t.deepEqual((await rows(t0, 'select profile_id from core_distributor_member where distributor_id = ?', [child.id])).map((r) => r.profile_id), [profile.id])
  t.is((await rows(t0, `select 1 from core_audit_log where action = 'distributors.signedUp' and subject = ?`, [child.id])).length, 1)

  // Not yet verified: the job leaves it alone.
  await t0.app.kernel.jobs.run('distributors.expiry')
  t.is((await childrenOf(d.id))[0].state, 'unvalidated')
  // The account carries the RFC given on the form.
  t.is((await rows(t0, 'select rfc from distributors_account where id = ?', [child.id]))[0].rfc, 'EKU9003173C9')
  const links = t0.outbox.slice(before).map((m) => /\/verify\?[^\s]+/.exec(m.body)![0])
  t.is(links.length, 2)
  for (const link of links) t.is((await t0.inject({ method: 'GET', url: link })).statusCode, 200)
  const run = await t0.app.kernel.jobs.run('distributors.expiry')
  t.regex(String(run.result), /\b1 validadas/)
  t.is((await childrenOf(d.id))[0].state, 'inactive')
})

test('forged, altered and revoked links are 404 with a Spanish page; the new link works', async (t) => {
  const { d, path } = await parentWithLink()
  const token = path.split('/').pop()!
  const [hex, version, sig] = token.split('.')
  const other = await t0.fixtures.distributor()
  await grantMkl(t0, other)
  const forged = [
    `${hex}.${version}.${'A'.repeat(32)}`,
    `${hex}.${Number(version) + 1}.${sig}`,
    `${other.id.replaceAll('-', '')}.${version}.${sig}`,
    'cualquier-cosa', `${hex}.${version}.${sig}x`,
  ]
  for (const f of forged) {
    const res = await t0.inject({ method: 'GET', url: `/distributors/alta/${encodeURIComponent(f)}` })
    t.is(res.statusCode, 404, f)
    t.regex(res.body, /Este enlace de alta no existe o ya no es válido/)
  }
  const page = await t0.inject({ method: 'GET', url: path })
  const { url: rotated } = await services(t0).signup.rotate(em(t0), d.id, d.profileId)
  t.is((await t0.inject({ method: 'GET', url: path })).statusCode, 404)
  // A form served before the revocation is refused too, and creates nothing.
  t.is((await submit(path, good(formOf(page.body)), nextIp())).statusCode, 404)
  t.is((await t0.inject({ method: 'GET', url: pathOf(rotated) })).statusCode, 200)
  t.is((await childrenOf(d.id)).length, 0)
  t.is((await rows(t0, `select 1 from core_audit_log where action = 'distributors.signupLinkRotated' and subject = ?`, [d.id])).length, 1)
})

test('honeypot, a stale or missing form token and a cross-site post are refused with a message; nothing is created', async (t) => {
  const { d, path } = await parentWithLink()
  const form = formOf((await t0.inject({ method: 'GET', url: path })).body)
  const honeypot = await submit(path, good(form, { website: 'http://spam.example' }), nextIp())
  t.is(honeypot.statusCode, 400)
  t.regex(honeypot.body, /No se pudo procesar la solicitud/)
  const stale = `${Date.now() - 3 * 3600_000}.${form.split('.')[1]}`
  for (const f of ['', stale, `${Date.now()}.${'B'.repeat(32)}`]) {
    const res = await submit(path, good(f), nextIp())
    t.is(res.statusCode, 400, f)
    t.regex(res.body, /formulario venció o no es válido/)
  }
  const cross = await submit(path, good(form), nextIp(), { origin: 'https://atacante.example' })
  t.is(cross.statusCode, 403)
  t.regex(cross.body, /debe enviarse desde esta misma página/)
  const fetchSite = await submit(path, good(form), nextIp(), { 'sec-fetch-site': 'cross-site' })
  t.is(fetchSite.statusCode, 403)
  t.is((await childrenOf(d.id)).length, 0)
})

test('rate limit: the 6th post from one IP within the hour is 429, even a good one; another IP goes on', async (t) => {
  const { d, path } = await parentWithLink()
  const form = formOf((await t0.inject({ method: 'GET', url: path })).body)
  const address = nextIp()
  for (let i = 0; i < 5; i++) t.is((await submit(path, good(form, { password: 'x' }), address)).statusCode, 422)
  const limited = await submit(path, good(form), address)
  t.is(limited.statusCode, 429)
  t.regex(limited.body, /Demasiados intentos/)
  t.is((await childrenOf(d.id)).length, 0)
  t.is((await submit(path, good(form), nextIp())).statusCode, 201)
  t.is((await childrenOf(d.id)).length, 1)
})

test('bad fields re-render the form with Spanish messages; a taken e-mail is 409; an inactive or unentitled parent takes no sign-ups', async (t) => {
  const { d, path } = await parentWithLink()
  const form = formOf((await t0.inject({ method: 'GET', url: path })).body)
  const bad = await submit(path, good(form, { rfc: 'EKU9003173C8', passwordConfirmation: 'otra-distinta', legalName: '', email: 'x\u0000@example.mx' }), nextIp())
  t.is(bad.statusCode, 422)
  for (const m of [/El RFC no es válido/, /La confirmación no coincide/, /razón social/, /carácter nulo/]) t.regex(bad.body, m)
  const taken = await submit(path, good(form, { email: d.login }), nextIp())
  t.is(taken.statusCode, 409)
  t.regex(taken.body, /Ya existe un perfil con ese correo o ese móvil/)
  t.is((await childrenOf(d.id)).length, 0)

  await t0.app.kernel.directory.setState(em(t0), d.id, 'suspended')
  const closed = await t0.inject({ method: 'GET', url: path })
  t.is(closed.statusCode, 403)
  t.regex(closed.body, /no puede recibir altas/)
  const noMkl = await t0.fixtures.distributor()
  await t.throwsAsync(services(t0).signup.link(em(t0), noMkl.id), { message: /MKL Multi-nivel/ })
})
