import test from 'ava'
import type { TestApp } from '../../helpers/app.js'
import { adminPost } from '../../security/support.js'
import { em, ledger, monthsAhead, network, pointsOf, purchases, rows, setExpiry, startTestApp } from './contracts-helpers.js'

// CM "Compras": MKL and Suscripciones (offers with today's charge, Contratar, own contracts, the
// buyers' with Cancelar) and staff's "Ofertas"; Spanish money and dates, no ids or ISO dates shown.

let t0: TestApp
let offer = ''
test.before(async () => {
  t0 = await startTestApp({ admin: true, kernel: { jobs: false } })
  offer = (await purchases(t0).contracts.createOffer(em(t0), { kind: 'mkl', name: `MKL Licencias CM ${Math.random().toString(36).slice(2, 6)}`, yearlyPoints: 2_400_00, entitlementKey: 'mkl-licencias' })).id
})
test.afterEach.always(async (t) => { if (t0) t.deepEqual(await ledger(t0).verify(em(t0)), [], 'ledger verify') })
test.after.always(() => t0?.close())

const MKL = '/admin/api/resources/PurchaseMkl/actions/list'

test('a sub-distributor sees the MKL offers with today\'s charge, contracts one, and its seller cancels it at expiry', async (t) => {
  const { top, sub } = await network(t0, 3_000_00)
  await setExpiry(t0, sub.id, monthsAhead(6))
  const c = t0.client()
  await c.enterCm(sub.login, sub.password, sub.id)
  const page = (await c.get(MKL)).json()
  const o = page.offers.find((x: { id: string }) => x.id === offer)
  t.like(o, { yearly: '2,400.00 puntos', charge: '1,200.00 puntos', months: 6, contracted: false })
  const res = await adminPost(c, MKL, { op: 'contract', offer })
  t.is(res.statusCode, 200, res.body)
  const after = res.json()
  t.is(after.notice.type, 'success', after.notice.message)
  t.regex(after.notice.message, /Se cobraron 1,200\.00 puntos \(6 meses\); vigente hasta el \d{1,2} de \w+ de \d{4}/)
  t.is(await pointsOf(t0, sub.id), 1_800_00)
  const mine = after.mine.find((m: { offer: string }) => m.offer === o.name)
  t.like(mine, { state: 'Vigente', yearly: '2,400.00 puntos' })
  t.notRegex(JSON.stringify(after.mine.map(({ id, ...rest }: any) => rest)), /\d{4}-\d{2}-\d{2}/)
  // The buyer has no "sold" contracts; it cannot cancel its own through the page.
  t.deepEqual(after.sold, [])
  t.is((await adminPost(c, MKL, { op: 'cancel', contract: mine.id })).json().notice.type, 'error')

  const seller = t0.client()
  await seller.enterCm(top.login, top.password, top.id)
  const sold = (await seller.get(MKL)).json().sold
  t.is(sold.length, 1)
  t.true(sold[0].cancellable)
  const cancel = (await adminPost(seller, MKL, { op: 'cancel', contract: sold[0].id })).json()
  t.is(cancel.notice.type, 'success', cancel.notice.message)
  t.regex(cancel.notice.message, /terminará al vencer/)
  t.like(cancel.sold[0], { state: 'Termina al vencer', cancellable: false })
  const [row] = await rows(t0, 'select cancel_at_expiry from purchases_contract where distributor_id = ?', [sub.id])
  t.true(row.cancel_at_expiry)
  // A GET changes nothing; the page renders.
  t.is((await c.get('/admin/resources/PurchaseMkl')).statusCode, 200)
})

test('staff manage the offers; a distributor cannot reach them', async (t) => {
  const staff = await t0.fixtures.staff()
  const [root] = await rows(t0, 'select id from core_distributor where is_root')
  const s = t0.client()
  await s.enterCm(staff.login, staff.password, root.id)
  const created = await adminPost(s, '/admin/api/resources/PurchaseOffer/actions/new', { kind: 'subscription', name: 'Timbrado anual CM', price: '999.50', entitlementKey: 'suscripcion-soporte' })
  t.is(created.statusCode, 200, created.body)
  const [o] = await rows(t0, `select yearly_points::int as p, active from purchases_offer where name = 'Timbrado anual CM'`)
  t.deepEqual(o, { p: 99_950, active: true })
  const bad = await adminPost(s, '/admin/api/resources/PurchaseOffer/actions/new', { kind: 'subscription', name: 'Mala', price: 'mucho', entitlementKey: 'otra' })
  t.regex(bad.body, /precio anual|derecho de la lista/)
  const list = (await s.get('/admin/api/resources/PurchaseOffer/actions/list')).json()
  t.true(list.records.some((r: any) => r.params.priceText === '999.50 puntos'))

  const { sub } = await network(t0)
  const c = t0.client()
  await c.enterCm(sub.login, sub.password, sub.id)
  const denied = await c.get('/admin/api/resources/PurchaseOffer/actions/list')
  t.false(/Pirata|priceText/.test(denied.body), denied.body.slice(0, 300))
  t.deepEqual(denied.json().records, [])
  t.is(denied.json().notice.message, 'forbiddenError')
  const pirate = await adminPost(c, '/admin/api/resources/PurchaseOffer/actions/new', { kind: 'mkl', name: 'Pirata', price: '1.00', entitlementKey: 'mkl-licencias' })
  t.regex(pirate.body, /forbidden/i)
  t.deepEqual(await rows(t0, `select 1 from purchases_offer where name = 'Pirata'`), [])
})
