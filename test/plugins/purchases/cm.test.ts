import test from 'ava'
import { startTestApp, type Client, type TestApp } from '../../helpers/app.js'
import { adminPost, reduxState } from '../../security/support.js'
import { customerPoints, distributor, em, inventory, ledger, mint, pair, pkg, rows, svc, type Node } from './helpers.js'

// The CM's Compras (Timbres CFDI, Puntos) and Clientes → Abonar puntos, over HTTP as AdminJS calls
// them, in Spanish; and the mass points transfer: all customers or none.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true, kernel: { jobs: false } }) })
test.after.always(() => t0?.close())
test.afterEach.always(async (t) => { t.deepEqual(await ledger(t0).verify(em(t0)), [], 'ledger verify') })

let ip = 1
async function cm(d: Node): Promise<Client> {
  const c = t0.client({ remoteAddress: `203.0.113.${10 + ip++}` })
  await c.enterCm(d.login, d.password, d.id)
  return c
}
const S = '/admin/api/resources/PurchaseStamps/actions'
const P = '/admin/api/resources/PurchasePoints/actions'
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:/
const customers = () => t0.app.kernel.contexts.get('clients')!.use('clients').customers

test('Compras in the sidebar: Timbres CFDI and Puntos, in Spanish', async (t) => {
  const { buyer } = await pair(t0)
  const state = reduxState((await (await cm(buyer)).get('/admin')).body)
  for (const id of ['PurchaseStamps', 'PurchasePoints']) {
    const r = state.resources.find((x: any) => x.id === id)
    t.is(r?.navigation?.name, 'Compras', id)
    t.truthy(r.href, id)
  }
  const locale = JSON.stringify(state.locale)
  for (const s of ['"PurchaseStamps":"Timbres CFDI"', '"PurchasePoints":"Puntos"', '"givePoints":"Abonar puntos"', '"givePointsMass":"Abonar puntos"']) t.true(locale.includes(s), s)
})

test('Timbres CFDI: the parent\'s packages; a purchase gives the new inventory and points; short of points, the missing points and nothing moves', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { stamps: 10_000 })
  await mint(t0, buyer.id, { points: 1_500_00 })
  const p = await pkg(t0, seller.id, { asset: 'stamps', quantity: 1000, price: '1200.00', description: 'Mil timbres' })
  await pkg(t0, seller.id, { asset: 'stamps', quantity: 50, price: '50.00', description: 'Para clientes', forDistributors: false })
  const c = await cm(buyer)
  const page = (await c.get(`${S}/list`)).json()
  t.deepEqual(page.packages.map((x: any) => x.description), ['Mil timbres'])
  t.like(page.packages[0], { quantityText: '1,000 timbres', priceText: '$1,200.00', quantity: 1000, price: 1_200_00 })
  t.like(page.inventory, { stampsText: '0 timbres', pointsText: '1,500.00 puntos' })
  t.truthy(page.idempotencyKey)

  const bought = (await adminPost(c, `${S}/buy`, { package: p.id, count: '1', idempotencyKey: page.idempotencyKey })).json()
  t.is(bought.notice.type, 'success', JSON.stringify(bought))
  t.like(bought.result, { stampsText: '1,000 timbres', pointsText: '1,200.00 puntos' })
  t.like(bought.result.inventory, { stampsText: '1,000 timbres', pointsText: '300.00 puntos' })
  t.notRegex(JSON.stringify(bought.result), ISO)
  // The same form sent again buys once.
  const again = (await adminPost(c, `${S}/buy`, { package: p.id, count: '1', idempotencyKey: page.idempotencyKey })).json()
  t.regex(again.notice.message, /ya se había hecho/)
  t.deepEqual(await inventory(t0, buyer.id), [1000, 300_00])

  const short = (await adminPost(c, `${S}/buy`, { package: p.id, count: '2', idempotencyKey: 'otra' })).json()
  t.is(short.notice.type, 'error')
  t.is(short.notice.message, 'Sus puntos no alcanzan: le faltan 2,100.00 puntos. No se movió nada.')
  t.deepEqual(await inventory(t0, buyer.id), [1000, 300_00])

})

test('Puntos: the buyer orders (pending), the seller confirms once with the payment reference, the buyer cancels another; rows in words', async (t) => {
  const { seller, buyer } = await pair(t0)
  await mint(t0, seller.id, { points: 5_000_00 })
  const p = await pkg(t0, seller.id, { asset: 'points', quantity: '1000.00', price: '900.00', description: 'Mil puntos' })
  const b = await cm(buyer)
  const s = await cm(seller)
  const page = (await b.get(`${P}/list`)).json()
  t.like(page.packages[0], { description: 'Mil puntos', quantityText: '1,000.00 puntos', priceText: '$900.00' })
  t.false(page.isSeller)

  const ordered = (await adminPost(b, `${P}/order`, { package: p.id, count: '2' })).json()
  t.is(ordered.notice.type, 'success', JSON.stringify(ordered.notice))
  t.regex(ordered.notice.message, /2,000\.00 puntos por \$1,800\.00/)
  t.like(ordered.mine[0], { stateText: 'Por confirmar', pointsText: '2,000.00 puntos', amountText: '$1,800.00', description: 'Mil puntos', count: 2 })
  const shown = Object.entries(ordered.mine[0]).filter(([k]) => k !== 'id' && k !== 'state').map(([, v]) => String(v)).join(' ')
  t.notRegex(shown, UUID)
  t.notRegex(shown, ISO)
  await adminPost(b, `${P}/order`, { package: p.id, count: '1' })

  const sellerPage = (await s.get(`${P}/list`)).json()
  t.true(sellerPage.isSeller)
  t.is(sellerPage.sold.length, 2)
  const [second, first] = sellerPage.sold
  t.regex(first.buyer, /^Sub /)
  // The buyer cannot confirm its own order.
  t.is((await adminPost(b, `${P}/confirm`, { id: first.id, reference: 'SPEI 1' })).json().notice.type, 'error')
  const confirmed = (await adminPost(s, `${P}/confirm`, { id: first.id, reference: 'SPEI 0123' })).json()
  t.is(confirmed.notice.message, 'Pedido confirmado: se entregaron 2,000.00 puntos al comprador.')
  t.like(confirmed.sold.find((o: any) => o.id === first.id), { stateText: 'Pagado y entregado', reference: 'SPEI 0123' })
  const twice = (await adminPost(s, `${P}/confirm`, { id: first.id, reference: 'SPEI 0123' })).json()
  t.is(twice.notice.type, 'error')
  t.regex(twice.notice.message, /ya fue confirmado/)
  t.deepEqual(await inventory(t0, buyer.id), [0, 2_000_00])

  const cancelled = (await adminPost(b, `${P}/cancel`, { id: second.id })).json()
  t.is(cancelled.notice.message, 'Pedido cancelado.')
  t.is(cancelled.mine.find((o: any) => o.id === second.id).stateText, 'Cancelado')
  // Another distributor's order is not found.
  const stranger = await cm(await distributor(t0))
  t.is((await adminPost(stranger, `${P}/cancel`, { id: first.id })).json().notice.type, 'error')
})

test('Abonar puntos on a customer and on a selection: the result names customers by NIC; short of points nothing moves', async (t) => {
  const d = await distributor(t0)
  await mint(t0, d.id, { points: 1_000_00 })
  const one = await customers().create(em(t0), d.id, { legalName: 'Abarrotes Uno SA', rfc: 'EKU9003173C9' })
  const two = await customers().create(em(t0), d.id, { legalName: 'Ferretería Dos SA', rfc: 'EKU9003173C9' })
  const c = await cm(d)
  const read = (await c.get(`/admin/api/resources/Customer/records/${one.id}/givePoints`)).json()
  t.is(read.points, '1,000.00 puntos')
  const single = (await adminPost(c, `/admin/api/resources/Customer/records/${one.id}/givePoints`, { quantity: '100.50', amount: '100.50', idempotencyKey: 'uno' })).json()
  t.is(single.notice.type, 'success', JSON.stringify(single.notice))
  t.deepEqual(single.result, { lines: [`100.50 puntos al cliente NIC ${one.nic} por $100.50`], points: '899.50 puntos' })

  const bulkUrl = `/admin/api/resources/Customer/bulk/givePointsMass?recordIds=${one.id},${two.id}`
  const mass = (await adminPost(c, bulkUrl, {
    'items.0.customerId': one.id, 'items.0.quantity': '200', 'items.0.amount': '180.00',
    'items.1.customerId': two.id, 'items.1.quantity': '300', 'items.1.amount': '270.00', idempotencyKey: 'masa',
  })).json()
  t.is(mass.notice.type, 'success', JSON.stringify(mass.notice))
  t.deepEqual(mass.result.lines, [`200.00 puntos al cliente NIC ${one.nic} por $180.00`, `300.00 puntos al cliente NIC ${two.nic} por $270.00`])
  t.is(mass.result.points, '399.50 puntos')
  t.notRegex(JSON.stringify(mass.result), UUID)

  const short = (await adminPost(c, bulkUrl, {
    'items.0.customerId': one.id, 'items.0.quantity': '200', 'items.0.amount': '0',
    'items.1.customerId': two.id, 'items.1.quantity': '300', 'items.1.amount': '0', idempotencyKey: 'corta',
  })).json()
  t.is(short.notice.type, 'error')
  t.regex(short.notice.message, /le faltan 100\.50 puntos/)
  t.is(await customerPoints(t0, one.id), 300_50)
  t.is(await customerPoints(t0, two.id), 300_00)
})

test('pointsToCustomers is all or none: one customer of another distributor, a bad row or points short move nothing; a replay gives once', async (t) => {
  const d = await distributor(t0)
  const other = await distributor(t0)
  await mint(t0, d.id, { points: 1_000_00 })
  const a = await customers().create(em(t0), d.id, { legalName: 'Cliente A SA', rfc: 'EKU9003173C9' })
  const b = await customers().create(em(t0), d.id, { legalName: 'Cliente B SA', rfc: 'EKU9003173C9' })
  const theirs = await customers().create(em(t0), other.id, { legalName: 'Ajeno SA', rfc: 'EKU9003173C9' })
  const give = (items: { customerId: string, quantity: unknown, amount: unknown }[], key: string) => svc(t0).purchases.pointsToCustomers(em(t0), d.id, items, key)
  const sales = async () => Number((await rows(t0, 'select count(*)::int as n from purchases_sale where seller_id = ?', [d.id]))[0].n)
  const nothingMoved = async () => {
    t.is(await customerPoints(t0, a.id), 0)
    t.is(await customerPoints(t0, b.id), 0)
    t.deepEqual((await inventory(t0, d.id))[1], 1_000_00)
    t.is(await sales(), 0)
  }

  await t.throwsAsync(give([{ customerId: a.id, quantity: '10', amount: '10' }, { customerId: theirs.id, quantity: '10', amount: '10' }], 'k1'), { code: 'not_found' } as never)
  await nothingMoved()
  const bad = await t.throwsAsync(give([{ customerId: a.id, quantity: '10', amount: '10' }, { customerId: b.id, quantity: '-1', amount: '10' }], 'k2'))
  t.deepEqual(Object.keys((bad as any).fields), ['items[1].quantity'])
  await nothingMoved()
  const short = await t.throwsAsync(give([{ customerId: a.id, quantity: '600', amount: '0' }, { customerId: b.id, quantity: '500', amount: '0' }], 'k3'))
  t.is((short as any).code, 'insufficient_points')
  t.is((short as any).missing, 100_00)
  await nothingMoved()

  const items = [{ customerId: a.id, quantity: '600', amount: '550.00' }, { customerId: b.id, quantity: '400', amount: '380.00' }]
  const out = await give(items, 'k4')
  t.deepEqual(out.items.map((i) => [i.customer, i.quantity, i.amount]), [[a.nic, '600.00', '550.00'], [b.nic, '400.00', '380.00']])
  t.is(out.points, '0.00')
  const replay = await give(items, 'k4')
  t.true(replay.replayed)
  t.is(await customerPoints(t0, a.id), 600_00)
  t.is(await customerPoints(t0, b.id), 400_00)
  t.is(await sales(), 2)
})
