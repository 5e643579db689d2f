import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { auth, customerPoints, distributor, em, inventory, ledger, mint, pair, pkg, rows } from './helpers.js'

// Stamps paid with points, from the parent (POST /purchases), and points given to customers
// (POST /customers/:nic/points): all or nothing, idempotent, 422 naming what is missing, tenancy.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())
test.afterEach.always(async (t) => { t.deepEqual(await ledger(t0).verify(em(t0)), [], 'ledger verify') })

const buy = (d: { token: string }, payload: Record<string, unknown>) => t0.inject({ method: 'POST', url: '/api/v1/purchases', headers: auth(d), payload })

test('a distributor buys its parent\'s stamps package with points: one operation, a sale row, the catalogue lists it; a replay answers the same purchase', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { stamps: 5000 })
  await mint(t0, buyer.id, { points: 2000_00 })
  const p = await pkg(t0, seller.id, { asset: 'stamps', quantity: 1000, price: '800.00' })
  await pkg(t0, seller.id, { asset: 'stamps', quantity: 10, price: '10.00', forDistributors: false })
  const catalog = await t0.inject({ method: 'GET', url: '/api/v1/catalog', headers: auth(buyer) })
  t.is(catalog.statusCode, 200, catalog.body)
  t.deepEqual(catalog.json(), { packages: [{ id: p.id, asset: 'stamps', quantity: 1000, price: '800.00', description: 'Paquete stamps 1000', forDistributors: true }], offers: [] })

  const res = await buy(buyer, { package: p.id, count: 2, idempotencyKey: 'k1' })
  t.is(res.statusCode, 201, res.body)
  const body = res.json()
  t.is(body.purchase.quantity, 2000)
  t.is(body.purchase.price, '1600.00')
  t.is(body.points, '1600.00')
  t.deepEqual(body.inventory, { stamps: 2000, points: '400.00' })
  t.deepEqual(await inventory(t0, seller.id), [3000, 1600_00])
  t.deepEqual(await inventory(t0, buyer.id), [2000, 400_00])
  const [sale] = await rows(t0, 'select seller_id, buyer_type, buyer_id, buyer_distributor_id, asset, quantity::int as q, amount::int as a, points::int as p, transfer_id, invoice_ref from purchases_sale where id = ?', [body.purchase.id])
  t.like(sale, { seller_id: seller.id, buyer_type: 'distributor', buyer_id: buyer.id, buyer_distributor_id: buyer.id, asset: 'stamps', q: 2000, a: 1600_00, p: 1600_00, invoice_ref: null })
  t.truthy(sale.transfer_id)

  const again = await buy(buyer, { package: p.id, count: 2, idempotencyKey: 'k1' })
  t.is(again.statusCode, 200, again.body)
  t.is(again.json().purchase.id, body.purchase.id)
  t.deepEqual(await inventory(t0, buyer.id), [2000, 400_00])
  const other = await buy(buyer, { package: p.id, count: 1, idempotencyKey: 'k1' })
  t.is(other.statusCode, 409, other.body)
  t.is(other.json().error.code, 'idempotency_conflict')
  t.is((await rows(t0, 'select count(*)::int as n from purchases_sale where buyer_id = ?', [buyer.id]))[0].n, 1)
})

test('short of points: 422 insufficient_points with what is missing, nothing moves', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { stamps: 5000 })
  await mint(t0, buyer.id, { points: 680_00 })
  const p = await pkg(t0, seller.id, { asset: 'stamps', quantity: 1000, price: '800.00' })
  const res = await buy(buyer, { package: p.id, count: 1, idempotencyKey: 'short' })
  t.is(res.statusCode, 422, res.body)
  t.is(res.json().error.code, 'insufficient_points')
  t.deepEqual(res.json().error.details, { asset: 'points', missing: '120.00' })
  t.deepEqual(await inventory(t0, seller.id), [5000, 0])
  t.deepEqual(await inventory(t0, buyer.id), [0, 680_00])
  t.is((await rows(t0, 'select count(*)::int as n from purchases_sale where buyer_id = ?', [buyer.id]))[0].n, 0)
})

test('the seller short of stamps: 422 seller_insufficient_stamps with what is missing, nothing moves', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { stamps: 700 })
  await mint(t0, buyer.id, { points: 5000_00 })
  const p = await pkg(t0, seller.id, { asset: 'stamps', quantity: 1000, price: '800.00' })
  const res = await buy(buyer, { package: p.id, count: 1, idempotencyKey: 'short-stamps' })
  t.is(res.statusCode, 422, res.body)
  t.is(res.json().error.code, 'seller_insufficient_stamps')
  t.deepEqual(res.json().error.details, { asset: 'stamps', missing: 300 })
  t.deepEqual(await inventory(t0, seller.id), [700, 0])
  t.deepEqual(await inventory(t0, buyer.id), [0, 5000_00])
})

test('only the parent\'s live stamps packages for distributors are for sale; bad input is named before SQL', async (t) => {
  const { seller, buyer } = await pair(t0)
  const stranger = await distributor(t0)
  await mint(t0, buyer.id, { points: 5000_00 })
  const foreign = await pkg(t0, stranger.id, { asset: 'stamps', quantity: 10, price: '8.00' })
  const forCustomers = await pkg(t0, seller.id, { asset: 'stamps', quantity: 10, price: '8.00', forDistributors: false })
  const points = await pkg(t0, seller.id, { asset: 'points', quantity: '100.00', price: '90.00' })
  for (const id of [foreign.id, forCustomers.id]) t.is((await buy(buyer, { package: id, count: 1, idempotencyKey: `x${id}` })).statusCode, 404)
  const wrong = await buy(buyer, { package: points.id, count: 1, idempotencyKey: 'pts' })
  t.is(wrong.statusCode, 422)
  t.is(wrong.json().error.code, 'package_asset_mismatch')
  const nul = await buy(buyer, { package: 'x\u0000', count: 1, idempotencyKey: 'nul' })
  t.is(nul.statusCode, 422)
  t.deepEqual(Object.keys(nul.json().error.fields), ['package'])
  const bad = await buy(buyer, { package: 'nope', count: 0, idempotencyKey: 'a'.repeat(151) })
  t.is(bad.statusCode, 422)
  t.deepEqual(Object.keys(bad.json().error.fields).sort(), ['count', 'idempotencyKey', 'package'])
  t.deepEqual(await inventory(t0, buyer.id), [0, 5000_00])
})

test('two purchases racing for the last points: exactly one', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { stamps: 10_000 })
  await mint(t0, buyer.id, { points: 1000_00 })
  const p = await pkg(t0, seller.id, { asset: 'stamps', quantity: 100, price: '600.00' })
  const results = await Promise.all([buy(buyer, { package: p.id, count: 1, idempotencyKey: 'race-a' }), buy(buyer, { package: p.id, count: 1, idempotencyKey: 'race-b' })])
  t.deepEqual(results.map((r) => r.statusCode).sort(), [201, 422], results.map((r) => r.body).join(' | '))
  t.deepEqual(await inventory(t0, buyer.id), [100, 400_00])
  t.deepEqual(await inventory(t0, seller.id), [9900, 600_00])
  t.is((await rows(t0, 'select count(*)::int as n from purchases_sale where buyer_id = ?', [buyer.id]))[0].n, 1)
})

test('points to a customer: a sale row, idempotent; another distributor\'s customer is 404; short of points is 422', async (t) => {
  const d = await distributor(t0)
  const stranger = await distributor(t0)
  await mint(t0, d.id, { points: 1000_00 })
  const created = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: { legalName: 'Abarrotes Puntos SA', rfc: 'EKU9003173C9' } })
  const nic = created.json().nic
  const [{ id: customerId }] = await rows(t0, 'select id from clients_customer where nic = ?', [nic])
  const give = (who: { token: string }, payload: Record<string, unknown>) => t0.inject({ method: 'POST', url: `/api/v1/customers/${nic}/points`, headers: auth(who), payload })
  const res = await give(d, { quantity: '300.00', amount: '330.00', idempotencyKey: 'p1' })
  t.is(res.statusCode, 201, res.body)
  t.like(res.json(), { transfer: { customer: nic, quantity: '300.00', amount: '330.00' }, points: '700.00' })
  t.is(await customerPoints(t0, customerId), 300_00)
  t.is((await give(d, { quantity: '300.00', amount: '330.00', idempotencyKey: 'p1' })).statusCode, 200)
  t.is(await customerPoints(t0, customerId), 300_00)
  const [sale] = await rows(t0, 'select buyer_type, buyer_id, asset, quantity::int as q, amount::int as a from purchases_sale where seller_id = ?', [d.id])
  t.deepEqual(sale, { buyer_type: 'customer', buyer_id: customerId, asset: 'points', q: 300_00, a: 330_00 })
  const foreign = await give(stranger, { quantity: '1.00', amount: '1.00', idempotencyKey: 'p2' })
  t.is(foreign.statusCode, 404)
  const short = await give(d, { quantity: '800.00', amount: '800.00', idempotencyKey: 'p3' })
  t.is(short.statusCode, 422, short.body)
  t.deepEqual(short.json().error.details, { asset: 'points', missing: '100.00' })
  t.is(await customerPoints(t0, customerId), 300_00)
})

test('the platform itself has no one to buy from', async (t) => {
  const root = (await rows(t0, 'select id from core_distributor where is_root'))[0].id
  await t.throwsAsync(() => t0.app.kernel.contexts.get('purchases')!.use('purchases').purchases.catalog(em(t0), root), { message: /mint/ })
})
