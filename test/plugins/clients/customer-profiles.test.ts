import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'

// The owner rule ("Asignar Perfil Admin"), linked profiles in the PCC, and the PCC's own data page.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

let ip = 1
const auth = (d: DistributorFixture) => ({ authorization: `Bearer ${d.token}` })
const em = () => t0.app.kernel.orm.em.fork()
const rows = <T = Record<string, unknown>>(q: string, p: unknown[] = []) => sql<T[]>(em(), q, p)
async function customer(d: DistributorFixture, extra: Record<string, unknown> = {}) {
  const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: { legalName: `Cliente ${Math.random().toString(36).slice(2, 7)}`, rfc: 'EKU9003173C9', ...extra } })
  const c = res.json() as { nic: string, legalName: string }
  const [{ id }] = await rows<{ id: string }>('select id from clients_customer where nic = ?', [c.nic])
  return { ...c, id }
}
const assignOwner = (d: DistributorFixture, nic: string, payload: unknown) =>
  t0.inject({ method: 'POST', url: `/api/v1/customers/${nic}/owner`, headers: auth(d), payload: payload as object })
const links = (customerId: string) => rows<{ profile_id: string, role: string }>('select profile_id, role from clients_customer_profile where customer_id = ? order by role', [customerId])
async function signIn(p: { email: string, password: string }) {
  const c = t0.client({ remoteAddress: `203.0.113.${ip++}` })
  const res = await c.login(p.email, p.password)
  if (res.statusCode !== 303) throw new Error(`login ${res.statusCode}`)
  return c
}

// ── owner ───────────────────────────────────────────────────────────────────────────────────────

test('an existing profile (not a CM member) becomes the owner by e-mail + mobile, and can enter the PCC', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await customer(d)
  const p = await t0.fixtures.profile({ name: 'Dueña del Cliente' })
  // The mobile may be written in national format and the e-mail in another case.
  const res = await assignOwner(d, c.nic, { email: p.email.toUpperCase(), mobile: p.mobile.replace('+52 ', '').replace(/\s/g, '') })
  t.is(res.statusCode, 200, res.body)
  t.deepEqual(res.json(), { nic: c.nic, owner: { email: p.email, mobile: p.mobile.replace(/\s/g, ''), name: 'Dueña del Cliente' } })
  t.deepEqual(await links(c.id), [{ profile_id: p.id, role: 'owner' }])
  const browser = await signIn(p)
  t.is((await browser.get(`/pcc/${c.nic}/datos`)).statusCode, 200)
})

test('a profile that administers a CM is refused as owner: 422 owner_administers_cm, nothing linked', async (t) => {
  const d = await t0.fixtures.distributor()
  const elsewhere = await t0.fixtures.distributor()
  const c = await customer(d)
  const own = (await rows<{ email: string, mobile: string }>('select email, mobile from core_profile where id = ?', [d.profileId]))[0]
  const foreign = (await rows<{ email: string, mobile: string }>('select email, mobile from core_profile where id = ?', [elsewhere.profileId]))[0]
  const staff = await t0.fixtures.staff()
  for (const who of [own, foreign, { email: staff.email, mobile: staff.mobile }]) {
    const res = await assignOwner(d, c.nic, who)
    t.is(res.statusCode, 422, who.email)
    t.is(res.json().error.code, 'owner_administers_cm')
  }
  t.deepEqual(await links(c.id), [])
})

test('the owner must exist with exactly that e-mail and mobile; bad input is 422 naming the fields', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await customer(d)
  const a = await t0.fixtures.profile()
  const b = await t0.fixtures.profile()
  for (const payload of [{ email: a.email, mobile: b.mobile }, { email: 'nadie@example.mx', mobile: a.mobile }]) {
    const res = await assignOwner(d, c.nic, payload)
    t.is(res.statusCode, 422)
    t.is(res.json().error.code, 'profile_not_matched')
  }
  const bad = await assignOwner(d, c.nic, { email: 'no', mobile: '12' })
  t.is(bad.statusCode, 422)
  t.deepEqual(Object.keys(bad.json().error.fields).sort(), ['email', 'mobile'])
  t.is((await assignOwner(d, c.nic, {})).statusCode, 422)
  t.is((await t0.inject({ method: 'POST', url: `/api/v1/customers/${c.nic}/owner`, headers: { ...auth(d), 'content-type': 'application/json' }, payload: '[]' })).statusCode, 400)
  t.deepEqual(await links(c.id), [])
})

test('a new owner replaces the old one, who stays linked as a member; another distributor\'s NIC is 404', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const c = await customer(d)
  const first = await t0.fixtures.profile()
  const second = await t0.fixtures.profile()
  t.is((await assignOwner(d, c.nic, { email: first.email, mobile: first.mobile })).statusCode, 200)
  t.is((await assignOwner(d, c.nic, { email: second.email, mobile: second.mobile })).statusCode, 200)
  const now = await links(c.id)
  t.deepEqual(now.map((l) => [l.profile_id, l.role]).sort(), [[first.id, 'member'], [second.id, 'owner']].sort())
  // Assigning the current owner again changes nothing.
  t.is((await assignOwner(d, c.nic, { email: second.email, mobile: second.mobile })).statusCode, 200)
  t.is((await links(c.id)).filter((l) => l.role === 'owner').length, 1)
  const res = await assignOwner(other, c.nic, { email: first.email, mobile: first.mobile })
  t.is(res.statusCode, 404)
  t.is(res.json().error.code, 'customer_not_found')
  t.is((await links(c.id)).find((l) => l.role === 'owner')!.profile_id, second.id)
})

// ── linked profiles in the PCC ──────────────────────────────────────────────────────────────────

test('PCC: a linked profile links another by e-mail + mobile and unlinks it; the owner and the last profile stay', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await customer(d)
  const owner = await t0.fixtures.profile({ name: 'Perfil Principal' })
  const helper = await t0.fixtures.profile({ name: 'Ayudante <b>Uno</b>' })
  await assignOwner(d, c.nic, { email: owner.email, mobile: owner.mobile })
  const browser = await signIn(owner)
  const url = `/pcc/${c.nic}/perfiles`
  const page = await browser.get(url)
  t.is(page.statusCode, 200)
  t.true(page.body.includes('Perfil principal'))
  t.false(page.body.includes('Ayudante'))

  // A wrong pair is refused with a Spanish message; nothing linked.
  let _csrf = await browser.csrf(url)
  const wrong = await browser.postForm(url, { _csrf, action: 'link', email: helper.email, mobile: owner.mobile })
  t.is(wrong.statusCode, 422)
  t.regex(wrong.body, /No existe un perfil con ese correo y móvil/)
  t.is((await links(c.id)).length, 1)

  const linked = await browser.postForm(url, { _csrf, action: 'link', email: helper.email, mobile: helper.mobile })
  t.is(linked.statusCode, 303)
  const after = await browser.get(url)
  t.true(after.body.includes('Ayudante &lt;b&gt;Uno&lt;/b&gt;'))
  t.false(after.body.includes('<b>Uno</b>'))
  t.is((await browser.postForm(url, { _csrf, action: 'link', email: helper.email, mobile: helper.mobile })).statusCode, 422, 'already linked')

  // The helper now enters the PCC, and may link and unlink too; but not unlink the owner.
  const helperBrowser = await signIn(helper)
  t.is((await helperBrowser.get(url)).statusCode, 200)
  const hc = await helperBrowser.csrf(url)
  const ownerOut = await helperBrowser.postForm(url, { _csrf: hc, action: 'unlink', profileId: owner.id })
  t.is(ownerOut.statusCode, 422)
  t.regex(ownerOut.body, /perfil principal no se puede desvincular/)

  // The owner unlinks the helper, whose access ends.
  _csrf = await browser.csrf(url)
  t.is((await browser.postForm(url, { _csrf, action: 'unlink', profileId: helper.id })).statusCode, 303)
  t.deepEqual((await links(c.id)).map((l) => l.profile_id), [owner.id])
  t.is((await helperBrowser.get(url)).statusCode, 404)

  // Without CSRF nothing happens.
  t.is((await browser.postForm(url, { action: 'link', email: helper.email, mobile: helper.mobile })).statusCode, 403)
  t.is((await links(c.id)).length, 1)
})

test('PCC: the last linked profile cannot be unlinked; a member may leave while others remain', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await customer(d)
  const a = await t0.fixtures.profile()
  const b = await t0.fixtures.profile()
  const clients = t0.app.kernel.contexts.get('clients')!.use('clients').customers
  await clients.link(em(), c.id, a.id)
  const browser = await signIn(a)
  const url = `/pcc/${c.nic}/perfiles`
  const last = await browser.postForm(url, { _csrf: await browser.csrf(url), action: 'unlink', profileId: a.id })
  t.is(last.statusCode, 422)
  t.regex(last.body, /al menos un perfil vinculado/)
  await clients.link(em(), c.id, b.id)
  const leave = await browser.postForm(url, { _csrf: await browser.csrf(url), action: 'unlink', profileId: a.id })
  t.is(leave.statusCode, 303)
  t.is(leave.headers.location, '/pcc')
  t.deepEqual((await links(c.id)).map((l) => l.profile_id), [b.id])
  // A profile id of another customer's link is not found here.
  const other = await customer(d)
  await clients.link(em(), other.id, a.id)
  const bBrowser = await signIn(b)
  const foreign = await bBrowser.postForm(url, { _csrf: await bBrowser.csrf(url), action: 'unlink', profileId: a.id })
  t.is(foreign.statusCode, 422)
  t.is((await links(other.id)).length, 1)
})

// ── the PCC data page ───────────────────────────────────────────────────────────────────────────

test('PCC: the customer edits its fiscal and contact data, sees its balances; errors are shown, HTML escaped', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await customer(d, { stampPrice: '2.00', notes: 'Nota del distribuidor', category: 'favorite' })
  const p = await t0.fixtures.profile()
  await assignOwner(d, c.nic, { email: p.email, mobile: p.mobile })
  const browser = await signIn(p)
  const url = `/pcc/${c.nic}/datos`
  const page = await browser.get(url)
  t.is(page.statusCode, 200)
  t.regex(page.body, /Saldo de timbres/)
  t.regex(page.body, /Puntos/)
  const form = {
    legalName: 'Nueva Razón <script>alert(1)</script> SA', tradeName: 'Nuevo', rfc: 'EKU9003173C9', taxRegime: '626', postalCode: '44100',
    address: 'Calle 1', phone: '33 1234 5678', email: 'empresa@cliente.mx',
    'legalRepresentative.name': 'Ana', 'legalRepresentative.email': 'ana@cliente.mx', 'legalRepresentative.phones': '33 1111 2222, 33 1111 3333',
    'financialContact.name': '', 'financialContact.email': '', 'financialContact.phones': '',
    'technicalContact.name': 'Luis', 'technicalContact.email': '', 'technicalContact.phones': '81 2222 3333',
    // Not the customer's to change: ignored.
    stampPrice: '0.01', notes: 'hackeado', category: 'dropped', color: 'red',
  }
  const saved = await browser.postForm(url, { ...form, _csrf: await browser.csrf(url) })
  t.is(saved.statusCode, 303)
  const json = (await t0.inject({ method: 'GET', url: `/api/v1/customers/${c.nic}`, headers: auth(d) })).json()
  t.like(json, { legalName: form.legalName, taxRegime: '626', postalCode: '44100', email: 'empresa@cliente.mx', stampPrice: '2.00', notes: 'Nota del distribuidor', category: 'favorite', color: null })
  t.deepEqual(json.legalRepresentative, { name: 'Ana', email: 'ana@cliente.mx', phones: ['33 1111 2222', '33 1111 3333'] })
  t.deepEqual(json.financialContact, { name: null, email: null, phones: [] })
  t.deepEqual(json.technicalContact, { name: 'Luis', email: null, phones: ['81 2222 3333'] })
  const shown = await browser.get(`${url}?guardado=1`)
  t.regex(shown.body, /Datos guardados/)
  t.false(shown.body.includes('<script>alert(1)'))
  t.true(shown.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'))

  const bad = await browser.postForm(url, { ...form, rfc: 'MALO', 'legalRepresentative.email': 'x', _csrf: await browser.csrf(url) })
  t.is(bad.statusCode, 422)
  t.regex(bad.body, /RFC inválido/)
  t.regex(bad.body, /legalRepresentative\.email/)
  t.is((await t0.inject({ method: 'GET', url: `/api/v1/customers/${c.nic}`, headers: auth(d) })).json().rfc, 'EKU9003173C9')
})
