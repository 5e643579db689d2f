import test from 'ava'
import type { Response } from 'light-my-request'
import { startTestApp, uniqueMobile, type Client, type TestApp } from '../helpers/app.js'
import { adminPost, api, apiCustomer, customersOf, reduxState, rows, XSS_IMG, XSS_SCRIPT } from './support.js'

// Tier gate (API, CM, caching), staff-only resources, and what user data can do to the /admin page.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

const NO_TIER = 'nivel-inexistente'
const setTier = (id: string, tier: string) => rows(t0, 'update core_distributor set tier = ? where id = ?', [tier, id])
const resourceOf = (state: any, id: string) => state.resources.find((r: any) => r.id === id)
const isForbiddenNotice = (res: Response) =>
  res.statusCode === 403 || (res.statusCode === 200 && res.json().notice?.type === 'error' && /forbidden/i.test(res.json().notice.message))

async function cm(login: string, password: string, distributorId: string): Promise<Client> {
  const c = t0.client()
  await c.enterCm(login, password, distributorId)
  return c
}

test.serial('a tier change reaches the API within a minute even without invalidating the cache', async (t) => {
  const d = await t0.fixtures.distributor()
  t.is((await api(t0, d, 'GET', '/api/v1/customers')).statusCode, 200)
  await setTier(d.id, NO_TIER)
  const realNow = Date.now
  Date.now = () => realNow() + 60_000
  let res
  try {
    res = await api(t0, d, 'GET', '/api/v1/customers')
  } finally {
    Date.now = realNow
  }
  t.is(res.statusCode, 403)
  t.is(res.json().error.code, 'plugin_not_in_tier')
})

test('a tier that enables nothing: API 403 plugin_not_in_tier, /me still works, and the CM hides and refuses Customer — without signing in again', async (t) => {
  const d = await t0.fixtures.distributor({ tier: 'basico' })
  const mine = await apiCustomer(t0, d, 'Cliente Nivel SA')
  const c = await cm(d.login, d.password, d.id)
  // With 'basico' (clients enabled) everything is there.
  t.truthy(resourceOf(reduxState((await c.get('/admin')).body), 'Customer').href)
  t.is((await c.get('/admin/api/resources/Customer/actions/list')).json().records.length, 1)

  await setTier(d.id, NO_TIER)
  t0.app.http.directory.invalidate(d.id)

  const list = await api(t0, d, 'GET', '/api/v1/customers')
  t.is(list.statusCode, 403)
  t.is(list.json().error.code, 'plugin_not_in_tier')
  for (const [method, url, body] of [['GET', `/api/v1/customers/${mine.nic}`], ['POST', '/api/v1/customers', { legalName: 'Fuera de nivel SA', rfc: 'XAXX010101000' }]] as const) {
    const res = await api(t0, d, method, url, body)
    t.is(res.statusCode, 403, url)
    t.is(res.json().error.code, 'plugin_not_in_tier')
  }
  const me = await api(t0, d, 'GET', '/api/v1/me')
  t.is(me.statusCode, 200)
  t.is(me.json().tier, NO_TIER)
  t.deepEqual(me.json().plugins, [])

  // Same session, no new sign-in: the sidebar loses Customer and every action refuses.
  const state = reduxState((await c.get('/admin')).body)
  t.is(state.session.tier, NO_TIER)
  t.falsy(resourceOf(state, 'Customer')?.href)
  const listCm = await c.get('/admin/api/resources/Customer/actions/list')
  t.true(isForbiddenNotice(listCm))
  t.false(listCm.body.includes('Cliente Nivel SA'))
  t.true(isForbiddenNotice(await c.get(`/admin/api/resources/Customer/records/${mine.id}/show`)))
  t.false((await c.get(`/admin/api/resources/Customer/records/${mine.id}/show`)).body.includes('Cliente Nivel SA'))
  t.true(isForbiddenNotice(await c.get('/admin/api/resources/Customer/actions/search/Cliente')))
  const before = await customersOf(t0, d.id)
  t.true(isForbiddenNotice(await adminPost(c, '/admin/api/resources/Customer/actions/new', { legalName: 'Fuera de nivel SA', rfc: 'XAXX010101000' })))
  t.true(isForbiddenNotice(await adminPost(c, `/admin/api/resources/Customer/records/${mine.id}/edit`, { legalName: 'Editado fuera de nivel' })))
  t.true(isForbiddenNotice(await adminPost(c, `/admin/api/resources/Customer/records/${mine.id}/delete`)))
  t.true(isForbiddenNotice(await adminPost(c, `/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${mine.id}`)))
  t.deepEqual(await customersOf(t0, d.id), before)

  // And back: restoring the tier restores access, again without signing in.
  await setTier(d.id, 'basico')
  t0.app.http.directory.invalidate(d.id)
  t.truthy(resourceOf(reduxState((await c.get('/admin')).body), 'Customer').href)
  t.is((await api(t0, d, 'GET', '/api/v1/customers')).statusCode, 200)
})

test('a distributor member cannot list, show, edit or create Distributor or Tier records', async (t) => {
  const d = await t0.fixtures.distributor({ tier: 'basico' })
  const other = await t0.fixtures.distributor({ name: 'Otro Distribuidor Secreto' })
  const c = await cm(d.login, d.password, d.id)
  const state = reduxState((await c.get('/admin')).body)
  t.false(state.session.isStaff)
  t.falsy(resourceOf(state, 'Distributor')?.href)
  t.falsy(resourceOf(state, 'Tier')?.href)
  const snapshot = () => rows(t0, 'select id, name, tier, state, parent_id, cm_expires_at from core_distributor where id in (?, ?) order by id', [d.id, other.id])
  const before = await snapshot()

  for (const url of [
    '/admin/api/resources/Distributor/actions/list',
    `/admin/api/resources/Distributor/actions/list?filters.name=Otro`,
    '/admin/api/resources/Distributor/actions/search/Otro',
    `/admin/api/resources/Distributor/records/${d.id}/show`,
    `/admin/api/resources/Distributor/records/${other.id}/show`,
    `/admin/api/resources/Distributor/records/${d.id}/edit`,
    '/admin/api/resources/Tier/actions/list',
    '/admin/api/resources/Tier/records/completo/show',
  ]) {
    const res = await c.get(url)
    t.true(isForbiddenNotice(res), `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    t.false(res.body.includes('Otro Distribuidor Secreto'), url)
    t.false(res.body.includes('"plugins"'), url)
  }
  for (const [url, form] of [
    [`/admin/api/resources/Distributor/records/${d.id}/edit`, { tier: 'completo', state: 'active', name: 'Ascendido' }],
    [`/admin/api/resources/Distributor/records/${other.id}/edit`, { state: 'cancelled' }],
    ['/admin/api/resources/Distributor/actions/new', { name: 'Distribuidor pirata', tier: 'completo', memberEmail: 'pirata@example.mx', memberMobile: uniqueMobile(), memberPassword: 'contraseña-pirata' }],
    [`/admin/api/resources/Distributor/records/${other.id}/delete`, {}],
    ['/admin/api/resources/Tier/actions/new', { id: 'pirata', name: 'Pirata', plugins: 'clients' }],
    ['/admin/api/resources/Tier/records/basico/edit', { plugins: 'clients,ledger' }],
  ] as [string, Record<string, string>][]) {
    const res = await adminPost(c, url, form)
    t.true(isForbiddenNotice(res), `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`)
  }
  t.deepEqual(await snapshot(), before)
  t.is((await rows(t0, 'select 1 from core_distributor where name = ?', ['Distribuidor pirata'])).length, 0)
  t.is((await rows(t0, 'select 1 from core_profile where email = ?', ['pirata@example.mx'])).length, 0)
  t.deepEqual((await rows(t0, 'select id, plugins from core_tier order by id')).map((r) => r.id), ['basico', 'completo'])
})

test('staff create a distributor with its first member in the console; that member can then sign in to its CM', async (t) => {
  const staff = await t0.fixtures.staff()
  const [root] = await rows(t0, 'select id from core_distributor where is_root')
  const c = await cm(staff.login, staff.password, root.id)
  t.true(reduxState((await c.get('/admin')).body).session.isStaff)
  t.truthy(resourceOf(reduxState((await c.get('/admin')).body), 'Distributor').href)

  const email = `primer-usuario-${Math.random().toString(36).slice(2)}@example.mx`
  const mobile = uniqueMobile()
  // A new profile needs a valid password: nothing is created without one (one transaction).
  const invalid = await adminPost(c, '/admin/api/resources/Distributor/actions/new', { name: 'Distribuidora Nueva', tier: 'basico', memberName: 'Primera Persona', memberEmail: email, memberMobile: mobile, memberPassword: '' })
  t.is(invalid.json().notice?.type, 'error')
  t.is((await rows(t0, 'select 1 from core_distributor where name = ?', ['Distribuidora Nueva'])).length, 0)
  t.is((await rows(t0, 'select 1 from core_profile where email = ?', [email])).length, 0)

  const res = await adminPost(c, '/admin/api/resources/Distributor/actions/new', { name: 'Distribuidora Nueva', tier: 'basico', memberName: 'Primera Persona', memberEmail: email, memberMobile: mobile, memberPassword: 'contraseña-inicial' })
  t.is(res.statusCode, 200)
  t.is(res.json().notice?.type, 'success', res.body.slice(0, 300))
  const [created] = await rows(t0, 'select id, tier, state, parent_id from core_distributor where name = ?', ['Distribuidora Nueva'])
  t.is(created.tier, 'basico')
  t.is(created.state, 'active')
  t.is(created.parent_id, root.id)
  const [member] = await rows(t0, 'select p.id from core_profile p join core_distributor_member m on m.profile_id = p.id where p.email = ? and m.distributor_id = ?', [email, created.id])
  t.truthy(member)

  const newcomer = t0.client()
  const login = await newcomer.login(email, 'contraseña-inicial')
  t.is(login.statusCode, 303)
  t.is(login.headers.location, '/admin')
  const state = reduxState((await newcomer.get('/admin')).body)
  t.is(state.session.distributorId, created.id)
  t.false(state.session.isStaff)
  t.falsy(resourceOf(state, 'Distributor')?.href)
  t.is((await newcomer.get('/admin/api/resources/Customer/actions/list')).statusCode, 200)
})

test('names with HTML or </script> never break out in the /admin page; the JSON answers carry them as data', async (t) => {
  const d = await t0.fixtures.distributor({ name: `Distribuidora ${XSS_SCRIPT}` })
  const profileName = `${XSS_IMG} ${XSS_SCRIPT} & \u2028`
  await rows(t0, 'update core_profile set name = ? where id = ?', [profileName, d.profileId])
  const customer = await apiCustomer(t0, d, `${XSS_IMG} Cliente`, { tradeName: XSS_SCRIPT })
  const c = await cm(d.login, d.password, d.id)
  for (const url of ['/admin', '/admin/resources/Customer', `/admin/resources/Customer/records/${customer.id}/show`]) {
    const res = await c.get(url)
    t.is(res.statusCode, 200, url)
    t.regex(String(res.headers['content-type']), /text\/html/)
    t.false(res.body.includes('<script>alert(1)'), url)
    t.false(res.body.includes('</script><script>'), url)
    t.false(res.body.includes(XSS_IMG), url)
    // Exactly one closing tag per script element the template has, none from data.
    t.is(res.body.split('</script>').length - 1, (res.body.match(/<script\b/g) ?? []).length, url)
    const state = reduxState(res.body)
    t.is(state.session.name, profileName)
    t.is(state.session.title, `Distribuidora ${XSS_SCRIPT}`)
  }
  const list = await c.get('/admin/api/resources/Customer/actions/list')
  t.regex(String(list.headers['content-type']), /application\/json/)
  t.is(list.json().records[0].params.legalName, `${XSS_IMG} Cliente`)
  t.is(list.json().records[0].params.tradeName, XSS_SCRIPT)
})

test('suspending a distributor or removing a member closes the CM and the API without signing out', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await cm(d.login, d.password, d.id)
  t.is((await c.get('/admin/api/resources/Customer/actions/list')).statusCode, 200)
  await rows(t0, `update core_distributor set state = 'suspended' where id = ?`, [d.id])
  t0.app.http.directory.invalidate(d.id)
  const closed = await c.get('/admin/api/resources/Customer/actions/list')
  t.is(closed.statusCode, 303)
  t.is(closed.headers.location, '/')
  // Issue 13: a token of a distributor that is not active answers 403 distributor_inactive.
  const me = await api(t0, d, 'GET', '/api/v1/me')
  t.is(me.statusCode, 403)
  t.is(me.json().error.code, 'distributor_inactive')

  const e = await t0.fixtures.distributor()
  const c2 = await cm(e.login, e.password, e.id)
  t.is((await c2.get('/admin')).statusCode, 200)
  await rows(t0, 'delete from core_distributor_member where distributor_id = ? and profile_id = ?', [e.id, e.profileId])
  t.is((await c2.get('/admin')).statusCode, 303)
  t.is((await c2.get('/admin/api/resources/Customer/actions/list')).statusCode, 303)
  t.is((await api(t0, e, 'GET', '/api/v1/customers')).statusCode, 401)
})
