import test from 'ava'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { adminPost, reduxState } from '../../security/support.js'
import { NO_PACKAGE } from '../../../plugins/tools/services/settings.js'
import { call, grantMkl, stamps1000, stateOf } from './helpers.js'

// The CM's Herramientas → Precios and Configuración global (AdminJS over HTTP), in Spanish, scoped
// to the signed-in distributor.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true, kernel: { jobs: false } }) })
test.after.always(() => t0?.close())

let ip = 1
async function cm(d: DistributorFixture): Promise<Client> {
  const c = t0.client({ remoteAddress: `203.0.113.${150 + ip++}` })
  await c.enterCm(d.login, d.password, d.id)
  return c
}
const P = '/admin/api/resources/ToolsPackage'
const S = '/admin/api/resources/ToolsSetting'
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:/

test('Herramientas in the sidebar with Precios and Configuración global, in Spanish', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await cm(d)
  const state = reduxState((await c.get('/admin')).body)
  for (const id of ['ToolsPackage', 'ToolsSetting']) {
    const r = state.resources.find((x: any) => x.id === id)
    t.is(r?.navigation?.name, 'Herramientas', id)
    t.truthy(r.href, id)
  }
  t.regex(state.resources.find((x: any) => x.id === 'ToolsSetting').href, /ToolsSetting\/records\/global\/show/)
  const locale = JSON.stringify(state.locale)
  for (const s of ['"ToolsPackage":"Precios"', '"ToolsSetting":"Configuración global"', '"forDistributors":"Distribuidor"', '"new":"Agregar paquete"',
    '"pccStampPurchase":"Permitir compra de timbres a través del PCC"', '"bulkStampPrice":"Precio general de timbres a granel (MXN, IVA incluido)"']) {
    t.true(locale.includes(s), s)
  }
  const page = await c.get('/admin/resources/ToolsPackage')
  t.is(page.statusCode, 200)
  t.is((await c.get('/admin/resources/ToolsSetting/records/global/show')).statusCode, 200)
})

test('Precios: add, list ($1,500.00, no ids or ISO dates shown), edit, bad fields beside the field, delete; another distributor\'s package is not found', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const theirs = (await call(t0, other, 'POST', '/api/v1/packages', stamps1000)).json()
  const c = await cm(d)
  const created = await adminPost(c, `${P}/actions/new`, { asset: 'stamps', quantity: '1000', price: '$1,500.00', description: 'Mil timbres', forDistributors: 'false' })
  t.is(created.json().notice?.type, 'success', created.body.slice(0, 400))
  await adminPost(c, `${P}/actions/new`, { asset: 'points', quantity: '2500.5', price: '2000', description: 'Puntos', forDistributors: 'false' })
  const list = (await c.get(`${P}/actions/list`)).json()
  t.is(list.records.length, 2)
  const [stamps, points] = list.records
  t.like(stamps.params, { description: 'Mil timbres', assetText: 'Timbres', quantityText: '1,000 timbres', priceText: '$1,500.00', buyer: 'Sus clientes' })
  t.like(points.params, { assetText: 'Puntos', quantityText: '2,500.50 puntos', priceText: '$2,000.00' })
  const shown = ['description', 'assetText', 'quantityText', 'priceText', 'buyer'].map((k) => String(stamps.params[k])).join(' ')
  t.notRegex(shown, UUID)
  t.notRegex(shown, ISO)

  const edited = await adminPost(c, `${P}/records/${stamps.id}/edit`, { asset: 'stamps', quantity: '1200', price: '1700', description: 'Mil doscientos', forDistributors: 'false' })
  t.is(edited.json().notice?.type, 'success', edited.body.slice(0, 400))
  t.like((await c.get(`${P}/records/${stamps.id}/show`)).json().record.params, { quantityText: '1,200 timbres', priceText: '$1,700.00', description: 'Mil doscientos' })

  const before = await stateOf(t0, d.id)
  const bad = await adminPost(c, `${P}/actions/new`, { asset: 'stamps', quantity: '0', price: '-3', description: 'x'.repeat(201), forDistributors: 'false' })
  t.is(bad.json().notice?.type, 'error')
  for (const f of ['quantity', 'price', 'description']) t.regex(bad.json().record?.errors?.[f]?.message ?? '', /[a-z]/, f)
  const noMkl = await adminPost(c, `${P}/actions/new`, { ...stamps1000, quantity: '1000', forDistributors: 'true' })
  t.is(noMkl.json().notice?.type, 'error', noMkl.body.slice(0, 600))
  t.regex(JSON.stringify(noMkl.json()), /MKL Multi-nivel/)
  t.deepEqual(await stateOf(t0, d.id), before)
  await grantMkl(t0, d.id)
  t.is((await adminPost(c, `${P}/actions/new`, { ...stamps1000, quantity: '1000', forDistributors: 'true' })).json().notice?.type, 'success')

  // Someone else's package: not a record here, nothing changes.
  t.is((await c.get(`${P}/records/${theirs.id}/show`)).json().record?.baseError?.type, 'NotFoundError')
  t.not((await adminPost(c, `${P}/records/${theirs.id}/delete`)).json()?.notice?.type, 'success')
  t.not((await adminPost(c, `${P}/records/${theirs.id}/edit`, { price: '1' })).json()?.notice?.type, 'success')
  t.is((await call(t0, other, 'GET', '/api/v1/packages')).json().items[0].price, '1500.00')

  const removed = await adminPost(c, `${P}/records/${points.id}/delete`)
  t.is(removed.json().notice?.type, 'success', removed.body.slice(0, 300))
  t.false((await c.get(`${P}/actions/list`)).json().records.some((r: any) => r.id === points.id))
})

test('Configuración global: shows the three settings, edits them, and says why PCC stamp purchase is refused', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await cm(d)
  const shown = (await c.get(`${S}/records/global/show`)).json().record.params
  t.like(shown, { bulkStampPriceText: '$0.00 por timbre', pccStampPurchaseText: 'No permitida', pccPointsPurchaseText: 'No permitida' })
  const refused = await adminPost(c, `${S}/records/global/edit`, { bulkStampPrice: '0.75', pccStampPurchase: 'true', pccPointsPurchase: 'true' })
  t.is(refused.json().notice?.type, 'error')
  t.is(refused.json().record?.errors?.pccStampPurchase?.message, NO_PACKAGE)
  t.deepEqual((await call(t0, d, 'GET', '/api/v1/settings')).json(), { bulkStampPrice: '0.00', pccStampPurchase: false, pccPointsPurchase: false })

  await call(t0, d, 'POST', '/api/v1/packages', stamps1000)
  const ok = await adminPost(c, `${S}/records/global/edit`, { bulkStampPrice: '$1.5', pccStampPurchase: 'true', pccPointsPurchase: 'false' })
  t.is(ok.json().notice?.type, 'success', ok.body.slice(0, 400))
  t.like((await c.get(`${S}/records/global/show`)).json().record.params, { bulkStampPriceText: '$1.50 por timbre', pccStampPurchaseText: 'Permitida', pccPointsPurchaseText: 'No permitida' })
  // Deleting the last customer stamps package in the CM tells that the PCC purchase went off.
  const pkg = (await c.get(`${P}/actions/list`)).json().records[0]
  const removed = await adminPost(c, `${P}/records/${pkg.id}/delete`)
  t.regex(removed.json().notice?.message ?? '', /se desactivó la compra de timbres en el PCC/)
  t.false((await call(t0, d, 'GET', '/api/v1/settings')).json().pccStampPurchase)
  t.not((await adminPost(c, `${S}/actions/new`, {})).json()?.notice?.type, 'success')
})
