import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { auth, distributor, em, inventory, ledger, mint, pair, pkg, rows } from './helpers.js'

// Points bought with money: an order the seller confirms with the payment's reference. Delivery is
// exactly once (sequential and concurrent confirmations), cancellation only while pending, and
// every route is the seller's and the buyer's only.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())
test.afterEach.always(async (t) => { t.deepEqual(await ledger(t0).verify(em(t0)), [], 'ledger verify') })

const call = (who: { token: string }, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
  t0.inject({ method, url: `/api/v1${url}`, headers: auth(who), ...(payload ? { payload } : {}) })

async function ordered() {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { points: 10_000_00 })
  const p = await pkg(t0, seller.id, { asset: 'points', quantity: '1000.00', price: '900.00' })
  const res = await call(buyer, 'POST', '/orders', { package: p.id, count: 2 })
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`)
  return { seller, buyer, order: res.json().order, p }
}

test('an order is pending until the seller confirms it with a reference; then the points move once, with a sale row', async (t) => {
  const { seller, buyer, order } = await ordered()
  t.like(order, { state: 'pending', count: 2, quantity: '2000.00', amount: '1800.00', reference: null, seller: seller.id, buyer: { type: 'distributor', id: buyer.id } })
  t.deepEqual(await inventory(t0, buyer.id), [0, 0])
  const noRef = await call(seller, 'POST', `/orders/${order.id}/confirm`, { reference: '' })
  t.is(noRef.statusCode, 422)
  const ok = await call(seller, 'POST', `/orders/${order.id}/confirm`, { reference: 'SPEI 123' })
  t.is(ok.statusCode, 200, ok.body)
  t.like(ok.json().order, { state: 'confirmed', reference: 'SPEI 123' })
  t.deepEqual(await inventory(t0, buyer.id), [0, 2000_00])
  t.deepEqual(await inventory(t0, seller.id), [0, 8000_00])
  const again = await call(seller, 'POST', `/orders/${order.id}/confirm`, { reference: 'SPEI 123' })
  t.is(again.statusCode, 409)
  t.is(again.json().error.code, 'order_already_confirmed')
  const cancel = await call(buyer, 'POST', `/orders/${order.id}/cancel`)
  t.is(cancel.statusCode, 409)
  t.is(cancel.json().error.code, 'order_already_confirmed')
  t.deepEqual(await inventory(t0, buyer.id), [0, 2000_00])
  const sales = await rows(t0, 'select kind, quantity::int as q, amount::int as a, points::int as p, order_id from purchases_sale where buyer_id = ?', [buyer.id])
  t.deepEqual(sales, [{ kind: 'points_order', q: 2000_00, a: 1800_00, p: 0, order_id: order.id }])
})

test('two concurrent confirmations deliver once', async (t) => {
  const { seller, buyer, order } = await ordered()
  const results = await Promise.all([1, 2].map(() => call(seller, 'POST', `/orders/${order.id}/confirm`, { reference: 'REF' })))
  t.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409], results.map((r) => r.body).join(' | '))
  t.deepEqual(await inventory(t0, buyer.id), [0, 2000_00])
  t.is((await rows(t0, 'select count(*)::int as n from purchases_sale where order_id = ?', [order.id]))[0].n, 1)
})

test('the seller short of points at confirmation: 422 with what is missing; the order stays pending', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { points: 1500_00 })
  const p = await pkg(t0, seller.id, { asset: 'points', quantity: '1000.00', price: '900.00' })
  const order = (await call(buyer, 'POST', '/orders', { package: p.id, count: 2 })).json().order
  const res = await call(seller, 'POST', `/orders/${order.id}/confirm`, { reference: 'R' })
  t.is(res.statusCode, 422, res.body)
  t.is(res.json().error.code, 'seller_insufficient_points')
  t.deepEqual(res.json().error.details, { asset: 'points', missing: '500.00' })
  t.is((await call(buyer, 'GET', `/orders/${order.id}`)).json().order.state, 'pending')
  t.deepEqual(await inventory(t0, buyer.id), [0, 0])
})

test('cancel while pending (buyer or seller); a cancelled order is neither confirmed nor cancelled again', async (t) => {
  const { seller, buyer, order } = await ordered()
  const res = await call(buyer, 'POST', `/orders/${order.id}/cancel`)
  t.is(res.statusCode, 200, res.body)
  t.is(res.json().order.state, 'cancelled')
  t.is((await call(seller, 'POST', `/orders/${order.id}/confirm`, { reference: 'R' })).json().error.code, 'order_cancelled')
  t.is((await call(seller, 'POST', `/orders/${order.id}/cancel`)).statusCode, 409)
  const second = (await call(buyer, 'POST', '/orders', { package: order.package.id, count: 1 })).json().order
  t.is((await call(seller, 'POST', `/orders/${second.id}/cancel`)).json().order.state, 'cancelled')
  t.deepEqual(await inventory(t0, buyer.id), [0, 0])
})

test('tenancy: a stranger gets 404 on every order route, the buyer cannot confirm its own order, lists are by role', async (t) => {
  const { seller, buyer, order } = await ordered()
  const stranger = await distributor(t0)
  const sibling = await distributor(t0, seller.id)
  for (const who of [stranger, sibling]) {
    t.is((await call(who, 'GET', `/orders/${order.id}`)).statusCode, 404)
    t.is((await call(who, 'POST', `/orders/${order.id}/confirm`, { reference: 'R' })).statusCode, 404)
    t.is((await call(who, 'POST', `/orders/${order.id}/cancel`)).statusCode, 404)
    t.deepEqual((await call(who, 'GET', '/orders')).json(), { items: [], total: 0 })
  }
  const own = await call(buyer, 'POST', `/orders/${order.id}/confirm`, { reference: 'R' })
  t.is(own.statusCode, 403)
  t.is(own.json().error.code, 'order_confirm_forbidden')
  t.is((await call(buyer, 'GET', '/orders?role=buyer')).json().total, 1)
  t.is((await call(buyer, 'GET', '/orders?role=seller')).json().total, 0)
  t.is((await call(seller, 'GET', '/orders?role=seller')).json().items[0].id, order.id)
  t.is((await call(seller, 'GET', '/orders?role=buyer')).json().total, 0)
  t.is((await call(seller, 'GET', '/orders?role=nadie')).statusCode, 400)
  t.is((await call(seller, 'GET', '/orders/not-a-uuid')).statusCode, 404)
  // A stranger's package, and a stamps package, cannot be ordered.
  const foreign = await pkg(t0, stranger.id, { asset: 'points', quantity: '10.00', price: '9.00' })
  t.is((await call(buyer, 'POST', '/orders', { package: foreign.id, count: 1 })).statusCode, 404)
  const stamps = await pkg(t0, seller.id, { asset: 'stamps', quantity: 10, price: '9.00' })
  t.is((await call(buyer, 'POST', '/orders', { package: stamps.id, count: 1 })).json().error.code, 'package_asset_mismatch')
  t.deepEqual(await inventory(t0, buyer.id), [0, 0])
})
