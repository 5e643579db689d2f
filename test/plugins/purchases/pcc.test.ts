import test from 'ava'
import { csrfTokenOf, startTestApp, type TestApp } from '../../helpers/app.js'
import { auth, customerPoints, distributor, em, ledger, mint, pkg, rows, tools } from './helpers.js'

// The PCC "Comprar" page: a customer buys its distributor's customer stamps package with its points
// into a CTI it chooses (confirmation page first), orders points that the distributor confirms;
// both refused while the distributor's setting is off.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())
test.afterEach.always(async (t) => { t.deepEqual(await ledger(t0).verify(em(t0)), [], 'ledger verify') })

let ip = 1
const text = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? ''

async function shop() {
  const d = await distributor(t0)
  await mint(t0, d.id, { stamps: 1000, points: 1000_00 })
  const created = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: { legalName: 'Papelería El Lápiz SA', rfc: 'EKU9003173C9' } })
  const { nic, cti } = created.json()
  const [{ id: customerId }] = await rows(t0, 'select id from clients_customer where nic = ?', [nic])
  const given = await t0.inject({ method: 'POST', url: `/api/v1/customers/${nic}/points`, headers: auth(d), payload: { quantity: '200.00', amount: '200.00', idempotencyKey: `seed-${nic}` } })
  if (given.statusCode !== 201) throw new Error(given.body)
  const p = await t0.fixtures.profile()
  await t0.app.kernel.contexts.get('clients')!.use('clients').customers.link(em(t0), customerId, p.id)
  const c = t0.client({ remoteAddress: `10.9.0.${ip++}` })
  if ((await c.login(p.email, p.password)).statusCode !== 303) throw new Error('login')
  return { d, nic, cti: cti.id as string, customerId, c, url: `/pcc/${nic}/compras` }
}

test('with the setting off nothing is for sale and a forged purchase is refused; on, a package is bought into the chosen CTI after a confirmation page', async (t) => {
  const { d, cti, customerId, c, url } = await shop()
  const p = await pkg(t0, d.id, { asset: 'stamps', quantity: 50, price: '40.00', forDistributors: false, description: 'Paquete 50 timbres' })
  const off = await c.get(url)
  t.is(off.statusCode, 200)
  t.regex(text(off.body), /no ofrece compras/)
  const _csrf = csrfTokenOf(off.body)!
  const forged = await c.postForm(url, { _csrf, action: 'buy-stamps', package: p.id, count: '1', cti, idempotencyKey: 'forged' })
  t.is(forged.statusCode, 422)
  t.regex(text(forged.body), /no permite comprar timbres/)
  t.is(await customerPoints(t0, customerId), 200_00)

  await tools(t0).settings.update(em(t0), d.id, { pccStampPurchase: true })
  const on = await c.get(url)
  t.regex(on.body, /Paquete 50 timbres/)
  const review = await c.get(`${url}?review=stamps&package=${p.id}&count=2&cti=${cti}`)
  t.is(review.statusCode, 200)
  t.regex(text(review.body), /no se puede cancelar ni revertir/)
  t.regex(text(review.body), /100 timbres/)
  t.regex(text(review.body), /\$80\.00/)
  const form = { _csrf, action: 'buy-stamps', package: p.id, count: '2', cti, idempotencyKey: hidden(review.body, 'idempotencyKey') }
  const done = await c.postForm(url, form)
  t.is(done.statusCode, 303, done.body)
  // The same confirmation sent twice (a double click) buys once.
  t.is((await c.postForm(url, form)).statusCode, 303)
  t.is(await customerPoints(t0, customerId), 120_00)
  const [{ balance }] = await rows(t0, 'select a.balance::int as balance from stamping_cti c join ledger_account a on a.id = c.account_id where c.id = ?', [cti])
  t.is(balance, 100)
  const [fig] = await rows(t0, 'select stamp_balance::int as b, last_stamp_purchase_at from stamping_customer_figures where customer_id = ?', [customerId])
  t.is(fig.b, 100)
  t.truthy(fig.last_stamp_purchase_at)
  const sales = await rows(t0, 'select kind, cti_id, quantity::int as q, points::int as p from purchases_sale where buyer_id = ? order by created_at', [customerId])
  t.deepEqual(sales.filter((s) => s.kind === 'pcc_stamps'), [{ kind: 'pcc_stamps', cti_id: cti, q: 100, p: 80_00 }])
  t.regex(text((await c.get(url)).body), /120\.00/)
})

test('PCC points: an order the distributor confirms; refused when the distributor\'s own points do not cover it, and while the setting is off', async (t) => {
  const { d, customerId, c, url } = await shop()
  const small = await pkg(t0, d.id, { asset: 'points', quantity: '100.00', price: '100.00', forDistributors: false, description: 'Cien puntos' })
  const big = await pkg(t0, d.id, { asset: 'points', quantity: '5000.00', price: '5000.00', forDistributors: false, description: 'Cinco mil puntos' })
  const _csrf = csrfTokenOf((await c.get(url)).body)!
  t.regex(text((await c.postForm(url, { _csrf, action: 'order-points', package: small.id, count: '1' })).body), /no permite comprar puntos/)
  await tools(t0).settings.update(em(t0), d.id, { pccPointsPurchase: true })
  const review = await c.get(`${url}?review=points&package=${big.id}&count=1`)
  t.regex(text(review.body), /Confirme su compra/)
  t.regex(text((await c.postForm(url, { _csrf, action: 'order-points', package: big.id, count: '1' })).body), /no tiene puntos suficientes/)
  t.is((await c.postForm(url, { _csrf, action: 'order-points', package: small.id, count: '1' })).statusCode, 303)
  const list = await t0.inject({ method: 'GET', url: '/api/v1/orders?role=seller', headers: auth(d) })
  const [order] = list.json().items
  t.like(order, { state: 'pending', buyer: { type: 'customer', id: customerId }, quantity: '100.00' })
  t.regex(text((await c.get(url)).body), /Por confirmar/)
  const ok = await t0.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/confirm`, headers: auth(d), payload: { reference: 'Efectivo 1' } })
  t.is(ok.statusCode, 200, ok.body)
  t.is(await customerPoints(t0, customerId), 300_00)
  t.regex(text((await c.get(url)).body), /Pagado y entregado/)
})
