import test from 'ava'
import clients from '../../../plugins/clients/index.js'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { adminPost, apiCustomer, reduxState, rows, uniqueIp } from '../../security/support.js'

// One-click classification in the CM's Clientes list: the list's buttons POST the `classify` record
// action; a GET changes nothing, a cross-site POST is refused, another distributor's customer is not found.

let t0: TestApp
test.before(async () => {
  t0 = await startTestApp({ admin: true, kernel: { plugins: [{ plugin: clients }] } })
})
test.after.always(() => t0?.close())

const R = '/admin/api/resources/Customer'
const classification = async (id: string) => (await rows<{ category: string | null, color: string | null }>(t0, 'select category, color from clients_customer where id = ?', [id]))[0]

async function cm(d: DistributorFixture): Promise<Client> {
  const c = t0.client({ remoteAddress: uniqueIp() })
  await c.enterCm(d.login, d.password, d.id)
  return c
}

test('a POST sets category and colour one at a time; the same value again, or an empty one, clears it', async (t) => {
  const d = await t0.fixtures.distributor()
  const a = await apiCustomer(t0, d, 'Clasificable SA')
  const c = await cm(d)
  const url = `${R}/records/${a.id}/classify`
  let res = await adminPost(c, url, { category: 'favorite' })
  t.is(res.statusCode, 200, res.body)
  t.is(res.json().notice.type, 'success')
  t.is(res.json().record.params.category, 'favorite')
  t.deepEqual(await classification(a.id), { category: 'favorite', color: null })
  res = await adminPost(c, url, { color: 'green' })
  t.deepEqual(await classification(a.id), { category: 'favorite', color: 'green' }) // the other field stays
  res = await adminPost(c, url, { category: 'dropped' })
  t.deepEqual(await classification(a.id), { category: 'dropped', color: 'green' })
  res = await adminPost(c, url, { color: '' })
  t.deepEqual(await classification(a.id), { category: 'dropped', color: null })
  // A value outside the palette is refused with a notice, nothing changes.
  res = await adminPost(c, url, { color: 'pink' })
  t.is(res.json().notice.type, 'error')
  t.deepEqual(await classification(a.id), { category: 'dropped', color: null })
  // The API shows it.
  const api = await t0.inject({ method: 'GET', url: `/api/v1/customers/${a.nic}`, headers: { authorization: `Bearer ${d.token}` } })
  t.like(api.json(), { category: 'dropped', color: null })
})

test('a GET of the action changes nothing, even with the values in the query', async (t) => {
  const d = await t0.fixtures.distributor()
  const a = await apiCustomer(t0, d, 'Solo Lectura SA')
  const c = await cm(d)
  const res = await c.get(`${R}/records/${a.id}/classify?category=favorite&color=red`)
  t.not(res.json().notice?.type, 'success')
  t.deepEqual(await classification(a.id), { category: null, color: null })
})

test('a cross-site POST is refused by CSRF and changes nothing', async (t) => {
  const d = await t0.fixtures.distributor()
  const a = await apiCustomer(t0, d, 'Sin Forja SA')
  const c = await cm(d)
  for (const headers of [{}, { origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
    const res = await adminPost(c, `${R}/records/${a.id}/classify`, { category: 'favorite', color: 'red' }, headers)
    t.false(/"type":"success"/.test(res.body), JSON.stringify(headers))
  }
  t.deepEqual(await classification(a.id), { category: null, color: null })
})

test('another distributor\'s customer is refused and stays as it was', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const theirs = await apiCustomer(t0, other, 'Ajeno SA')
  const c = await cm(d)
  const res = await adminPost(c, `${R}/records/${theirs.id}/classify`, { category: 'dropped', color: 'purple' })
  t.false(/"type":"success"/.test(res.body))
  t.false(res.body.includes('Ajeno SA'))
  t.deepEqual(await classification(theirs.id), { category: null, color: null })
})

test('the list shows the classification column with its buttons\' component; the action is no button of its own', async (t) => {
  const d = await t0.fixtures.distributor()
  const a = await apiCustomer(t0, d, 'Con Botones SA', { category: 'favorite', color: 'blue' })
  const c = await cm(d)
  const list = await c.get(`${R}/actions/list?perPage=10`)
  const rec = list.json().records.find((r: any) => r.id === a.id)
  t.like(rec.params, { category: 'favorite', color: 'blue' })
  t.false(rec.recordActions.some((x: any) => x.name === 'classify'))
  const page = await c.get('/admin/resources/Customer/actions/list')
  const resource = reduxState(page.body).resources.find((r: any) => r.id === 'Customer')
  const prop = resource.listProperties.find((p: any) => p.name === 'classification')
  t.truthy(prop)
  t.is(prop.components.list, 'ClientsClassify')
})
