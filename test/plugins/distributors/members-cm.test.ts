import test from 'ava'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { adminPost, SAME_ORIGIN } from '../../security/support.js'
import { customerWithOwner, grantMkl, rows } from './helpers.js'

// The CM side: Herramientas → Usuarios (list, admit, remove), the "Enlace de alta" page and the
// "Convertir en distribuidor" action on a Clientes record — each scoped to the signed-in distributor.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

let ip = 1
async function cm(d: DistributorFixture): Promise<Client> {
  const c = t0.client({ remoteAddress: `203.0.113.${100 + ip++}` })
  await c.enterCm(d.login, d.password, d.id)
  return c
}
const R = '/admin/api/resources/DistributorUser'

test('Usuarios: lists the own members only, admits by e-mail + mobile, refuses the last removal, removes', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const c = await cm(d)
  const list = await c.get(`${R}/actions/list`)
  t.is(list.statusCode, 200)
  t.deepEqual(list.json().records.map((r: any) => r.id), [d.profileId])
  const p = await t0.fixtures.profile({ name: 'Beto Admitido' })
  const created = await adminPost(c, `${R}/actions/new`, { email: p.email, mobile: p.mobile })
  t.is(created.json().notice?.type, 'success', created.body.slice(0, 300))
  t.deepEqual((await c.get(`${R}/actions/list`)).json().records.map((r: any) => r.id).sort(), [d.profileId, p.id].sort())

  const bad = await adminPost(c, `${R}/actions/new`, { email: 'no', mobile: '1' })
  t.is(bad.json().notice?.type, 'error')
  t.truthy(bad.json().record?.errors?.email)

  // Another distributor's member is not a record here.
  const foreignShow = await c.get(`${R}/records/${other.profileId}/show`)
  t.is(foreignShow.json().record?.baseError?.type, 'NotFoundError')
  t.false(foreignShow.body.includes(other.login))
  t.not((await adminPost(c, `${R}/records/${other.profileId}/delete`)).json()?.notice?.type, 'success')
  t.is((await rows(t0, 'select 1 from core_distributor_member where distributor_id = ?', [other.id])).length, 1)

  const removed = await adminPost(c, `${R}/records/${p.id}/delete`)
  t.is(removed.json().notice?.type, 'success', removed.body.slice(0, 300))
  const last = await adminPost(c, `${R}/records/${d.profileId}/delete`)
  t.is(last.json().notice?.type, 'error')
  t.regex(last.json().notice.message, /último usuario/)
  t.deepEqual((await rows(t0, 'select profile_id from core_distributor_member where distributor_id = ?', [d.id])).map((r) => r.profile_id), [d.profileId])
})

test('Enlace de alta: needs MKL Multi-nivel; shows a working link; revoking (POST only) replaces it', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await cm(d)
  t.regex((await c.get('/admin/api/pages/signupLink')).json().error, /MKL Multi-nivel/)
  await grantMkl(t0, d)
  const first = (await c.get('/admin/api/pages/signupLink')).json()
  t.is(first.version, 1)
  t.is((await c.get('/admin/api/pages/signupLink')).json().url, first.url)
  t.is((await t0.inject({ method: 'GET', url: new URL(first.url).pathname })).statusCode, 200)
  // Without a same-origin header the CM refuses the POST (CSRF); with it, the link rotates.
  t.is((await adminPost(c, '/admin/api/pages/signupLink', {}, {})).statusCode, 403)
  const second = (await adminPost(c, '/admin/api/pages/signupLink', {}, SAME_ORIGIN)).json()
  t.is(second.version, 2)
  t.is((await t0.inject({ method: 'GET', url: new URL(first.url).pathname })).statusCode, 404)
  t.is((await t0.inject({ method: 'GET', url: new URL(second.url).pathname })).statusCode, 200)
})

test('Convertir en distribuidor: GET changes nothing, POST converts; another distributor\'s customer is out of reach', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const owner = await t0.fixtures.profile()
  const customer = await customerWithOwner(t0, d, owner, 'Cliente a Convertir SA')
  const c = await cm(d)
  const url = `/admin/api/resources/Customer/records/${customer.id}/convertToDistributor`
  t.is((await c.get(url)).statusCode, 200)
  t.is((await rows(t0, 'select 1 from distributors_customer_account where customer_id = ?', [customer.id])).length, 0)
  const res = await adminPost(c, url)
  t.is(res.json().notice?.type, 'success', res.body.slice(0, 300))
  t.regex(res.json().notice.message, /Cliente a Convertir SA/)
  t.is((await rows(t0, 'select 1 from distributors_customer_account where customer_id = ?', [customer.id])).length, 1)
  const again = await adminPost(c, url)
  t.is(again.json().notice?.type, 'error')

  const stranger = await t0.fixtures.distributor()
  await grantMkl(t0, stranger)
  const owner2 = await t0.fixtures.profile()
  const theirs = await customerWithOwner(t0, stranger, owner2)
  const foreign = await adminPost(c, `/admin/api/resources/Customer/records/${theirs.id}/convertToDistributor`)
  t.not(foreign.json()?.notice?.type, 'success')
  t.is((await rows(t0, 'select 1 from distributors_customer_account where customer_id = ?', [theirs.id])).length, 0)
})
