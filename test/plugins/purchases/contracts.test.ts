import test from 'ava'
import type { TestApp } from '../../helpers/app.js'
import { api, child, em, entitlementsOf, grant, ledger, monthsAhead, network, pointsOf, purchases, rows, setExpiry, startTestApp } from './contracts-helpers.js'

// MKL and subscriptions: contracting (prorated to the CM expiry, paid with points, entitlement
// granted, a sale row), refusals that move nothing, the full yearly charge with the CM's renewal,
// cancellation by the seller at expiry, and the tenancy of every route. The books balance after each.

let t0: TestApp
const offers: Record<'multi' | 'licenses' | 'support', string> = { multi: '', licenses: '', support: '' }
test.before(async () => {
  t0 = await startTestApp({ kernel: { jobs: false } })
  const c = purchases(t0).contracts
  const suffix = Math.random().toString(36).slice(2, 7)
  offers.multi = (await c.createOffer(em(t0), { kind: 'mkl', name: `MKL Multi-nivel ${suffix}`, yearlyPoints: 1_200_00, entitlementKey: 'mkl-multinivel' })).id
  offers.licenses = (await c.createOffer(em(t0), { kind: 'mkl', name: `MKL Licencias ${suffix}`, yearlyPoints: 2_400_00, entitlementKey: 'mkl-licencias' })).id
  offers.support = (await c.createOffer(em(t0), { kind: 'subscription', name: `Soporte ${suffix}`, yearlyPoints: 600_00, entitlementKey: 'suscripcion-soporte' })).id
})
test.afterEach.always(async (t) => { if (t0) t.deepEqual(await ledger(t0).verify(em(t0)), [], 'ledger verify') })
test.after.always(() => t0?.close())

const sales = (buyerId: string) => rows(t0, 'select kind, seller_id, amount::int as amount, points::int as points from purchases_sale where buyer_id = ? order by created_at', [buyerId])
const contractRows = (buyerId: string) => rows(t0, 'select * from purchases_contract where distributor_id = ? order by created_at', [buyerId])

test('a sub-distributor contracts MKL Multi-nivel prorated to its CM expiry: points to its parent, a sale row, the entitlement until the expiry; then it can add sub-distributors', async (t) => {
  const { top, sub } = await network(t0, 2_000_00)
  const expiry = monthsAhead(5)
  await setExpiry(t0, sub.id, expiry)
  // Without the entitlement, no sub-distributors.
  t.is((await api(t0, sub, 'POST', '/api/v1/distributors', { email: 'x@example.mx', mobile: '+52 55 1111 2222', legalName: 'Nieto SA', rfc: 'EKU9003173C9' })).statusCode, 403)

  const topBefore = await pointsOf(t0, top.id)
  const res = await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.multi })
  t.is(res.statusCode, 201, res.body)
  const body = res.json()
  t.is(body.months, 5)
  t.is(body.charged, '500.00')
  t.is(body.points, '1500.00')
  t.is(body.contract.expiresAt, expiry)
  t.is(body.contract.seller.id, top.id)
  t.is(body.contract.buyer.id, sub.id)
  t.is(body.contract.state, 'active')
  t.is(await pointsOf(t0, sub.id), 1_500_00)
  t.is(await pointsOf(t0, top.id), topBefore + 500_00)
  t.deepEqual(await sales(sub.id), [{ kind: 'mkl_contract', seller_id: top.id, amount: 500_00, points: 500_00 }])
  const [ent] = await entitlementsOf(t0, sub.id, 'mkl-multinivel')
  t.is(new Date(ent.until!).toISOString(), new Date(Date.parse(`${expiry}T00:00:00Z`) + 86_400_000).toISOString())
  t.is(ent.source, `contract:${body.contract.id}`)

  // Now it can add sub-distributors.
  const grandchild = await child(t0, sub)
  t.truthy(grandchild.id)

  // A second contract of the same offer: 409, nothing charged.
  const again = await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.multi })
  t.is(again.statusCode, 409, again.body)
  t.is(again.json().error.code, 'contract_exists')
  t.is(await pointsOf(t0, sub.id), 1_500_00)
  t.is((await contractRows(sub.id)).length, 1)
})

test('a top-level distributor buys from the platform (the root is the seller)', async (t) => {
  const top = await t0.fixtures.distributor()
  await setExpiry(t0, top.id, monthsAhead(12))
  await ledger(t0).mint(em(t0), { distributorId: top.id, points: 1_000_00 })
  const res = await api(t0, top, 'POST', '/api/v1/contracts', { offer: offers.support })
  t.is(res.statusCode, 201, res.body)
  t.is(res.json().months, 12)
  t.is(res.json().charged, '600.00')
  const [root] = await rows(t0, 'select id from core_distributor where is_root')
  t.is(res.json().contract.seller.id, root.id)
})

test('short of points: 422 saying what is missing, and nothing moves', async (t) => {
  const { top, sub } = await network(t0, 100_00)
  await setExpiry(t0, sub.id, monthsAhead(6))
  const topBefore = await pointsOf(t0, top.id)
  const res = await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.licenses })
  t.is(res.statusCode, 422, res.body)
  t.is(res.json().error.code, 'contract_points_short')
  t.regex(res.json().error.message, /1,200\.00 puntos.*100\.00 puntos.*faltan 1,100\.00 puntos/)
  t.is(await pointsOf(t0, sub.id), 100_00)
  t.is(await pointsOf(t0, top.id), topBefore)
  t.deepEqual(await contractRows(sub.id), [])
  t.deepEqual(await entitlementsOf(t0, sub.id, 'mkl-licencias'), [])
  t.deepEqual(await sales(sub.id), [])
})

test('a CM without expiry, or expired: 422, the CM must be renewed first; bad bodies', async (t) => {
  const { sub } = await network(t0, 5_000_00)
  await setExpiry(t0, sub.id, null)
  const none = await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.support })
  t.is(none.statusCode, 422)
  t.is(none.json().error.code, 'cm_renewal_required')
  t.regex(none.json().error.message, /renovarse/)
  // Past its expiry its token no longer works (the kernel); the service says why all the same.
  await setExpiry(t0, sub.id, monthsAhead(0, -1))
  const past = await purchases(t0).contracts.contract(em(t0), { distributorId: sub.id }, offers.support).catch((e) => e)
  t.is(past.code, 'cm_renewal_required')
  t.regex(past.message, /vencida: renuévela/)
  await setExpiry(t0, sub.id, monthsAhead(3))
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', {})).statusCode, 422)
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', { offer: 'nope' })).statusCode, 404)
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', { offer: '00000000-0000-4000-8000-000000000000' })).statusCode, 404)
  t.is(await pointsOf(t0, sub.id), 5_000_00)
})

test('renewal with points: the full yearly price of each contract is charged with it, entitlements extended to the new expiry', async (t) => {
  const { top, sub } = await network(t0, 10_000_00)
  await setExpiry(t0, sub.id, monthsAhead(2))
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.multi })).statusCode, 201)
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.support })).statusCode, 201)
  const afterContracts = await pointsOf(t0, sub.id)
  const topBefore = await pointsOf(t0, top.id)
  t.is((await api(t0, top, 'POST', `/api/v1/distributors/${sub.id}/suspend`)).statusCode, 200)
  const renewed = await api(t0, top, 'POST', `/api/v1/distributors/${sub.id}/renew`)
  t.is(renewed.statusCode, 200, renewed.body)
  const to = renewed.json().cmExpiresAt
  t.is(to, monthsAhead(14))
  t.is(await pointsOf(t0, sub.id), afterContracts - 1_800_00)
  t.is(await pointsOf(t0, top.id), topBefore + 1_800_00)
  for (const c of await contractRows(sub.id)) t.is(String(c.expires_at instanceof Date ? c.expires_at.toISOString() : c.expires_at).slice(0, 10), to)
  const ents = await entitlementsOf(t0, sub.id, 'mkl-multinivel')
  t.is(new Date(ents.at(-1)!.until!).toISOString().slice(0, 10), monthsAhead(14, 1))
  t.deepEqual((await sales(sub.id)).map((s) => s.kind).sort(), ['mkl_contract', 'mkl_renewal', 'subscription_contract', 'subscription_renewal'])
})

test('renewal short of points: refused with a Spanish 422 naming what is missing; the expiry, the state and the points stay', async (t) => {
  const { top, sub } = await network(t0, 1_400_00)
  const offer = (await purchases(t0).contracts.createOffer(em(t0), { kind: 'mkl', name: `MKL cara ${sub.id.slice(0, 6)}`, yearlyPoints: 1_500_00, entitlementKey: 'mkl-multinivel' })).id
  await setExpiry(t0, sub.id, monthsAhead(1))
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', { offer })).statusCode, 201)   // 125.00
  t.is(await pointsOf(t0, sub.id), 1_275_00)
  t.is((await api(t0, top, 'POST', `/api/v1/distributors/${sub.id}/suspend`)).statusCode, 200)
  const before = await rows(t0, 'select state, cm_expires_at from core_distributor where id = ?', [sub.id])
  const topBefore = await pointsOf(t0, top.id)
  const salesBefore = (await sales(sub.id)).length
  const res = await api(t0, top, 'POST', `/api/v1/distributors/${sub.id}/renew`)
  t.is(res.statusCode, 422, res.body)
  t.is(res.json().error.code, 'renewal_points_short')
  t.regex(res.json().error.message, /No se puede renovar.*1,500\.00 puntos.*1,275\.00 puntos; faltan 225\.00 puntos/)
  await rows(t0, 'update purchases_offer set active = false where id = ?', [offer])
  t.deepEqual(await rows(t0, 'select state, cm_expires_at from core_distributor where id = ?', [sub.id]), before)
  t.is(await pointsOf(t0, sub.id), 1_275_00)
  t.is(await pointsOf(t0, top.id), topBefore)
  t.is((await sales(sub.id)).length, salesBefore)
  t.is((await entitlementsOf(t0, sub.id, 'mkl-multinivel')).length, 1)
})

test('cancellation by the seller takes effect at expiry: not charged at the next renewal, entitlement kept until then; the buyer cannot cancel', async (t) => {
  const { top, sub } = await network(t0, 10_000_00)
  const expiry = monthsAhead(3)
  await setExpiry(t0, sub.id, expiry)
  const contract = (await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.licenses })).json().contract
  const byBuyer = await api(t0, sub, 'POST', `/api/v1/contracts/${contract.id}/cancel`)
  t.is(byBuyer.statusCode, 403)
  t.is(byBuyer.json().error.code, 'contract_cancel_forbidden')
  const bySeller = await api(t0, top, 'POST', `/api/v1/contracts/${contract.id}/cancel`)
  t.is(bySeller.statusCode, 200, bySeller.body)
  t.true(bySeller.json().cancelAtExpiry)
  t.is(bySeller.json().state, 'active')
  t.is((await api(t0, top, 'POST', `/api/v1/contracts/${contract.id}/cancel`)).statusCode, 200)
  const [ent] = await entitlementsOf(t0, sub.id, 'mkl-licencias')
  t.true(await t0.app.kernel.entitlements.entitled(em(t0), sub.id, 'mkl-licencias'))

  const points = await pointsOf(t0, sub.id)
  await api(t0, top, 'POST', `/api/v1/distributors/${sub.id}/suspend`)
  t.is((await api(t0, top, 'POST', `/api/v1/distributors/${sub.id}/renew`)).statusCode, 200)
  t.is(await pointsOf(t0, sub.id), points)
  const [row] = await contractRows(sub.id)
  t.is(row.state, 'cancelled')
  const ents = await entitlementsOf(t0, sub.id, 'mkl-licencias')
  t.is(ents.length, 1)
  t.deepEqual(ents[0].until, ent.until)
  t.is((await api(t0, top, 'POST', `/api/v1/contracts/${contract.id}/cancel`)).statusCode, 409)
  // Ended, it can be contracted again.
  t.is((await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.licenses })).statusCode, 201)
})

test('tenancy: a buyer sees its own, a seller its buyers\' (role=seller), strangers nothing (404 on cancel)', async (t) => {
  const { top, sub } = await network(t0, 5_000_00)
  const other = await network(t0, 5_000_00)
  await setExpiry(t0, sub.id, monthsAhead(4))
  await setExpiry(t0, other.sub.id, monthsAhead(4))
  const mine = (await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.support })).json().contract
  const theirs = (await api(t0, other.sub, 'POST', '/api/v1/contracts', { offer: offers.support })).json().contract
  const ids = async (d: { token: string }, q = '') => (await api(t0, d, 'GET', `/api/v1/contracts${q}`)).json().items.map((c: { id: string }) => c.id)
  t.deepEqual(await ids(sub), [mine.id])
  t.deepEqual(await ids(sub, '?role=seller'), [])
  t.deepEqual(await ids(top), [])
  t.deepEqual(await ids(top, '?role=seller'), [mine.id])
  t.deepEqual(await ids(other.top, '?role=seller'), [theirs.id])
  t.is((await api(t0, sub, 'GET', '/api/v1/contracts?role=boss')).statusCode, 400)
  for (const [who, id] of [[other.top, mine.id], [other.sub, mine.id], [top, theirs.id], [sub, theirs.id], [top, 'not-a-uuid']] as const) {
    const res = await api(t0, who, 'POST', `/api/v1/contracts/${id}/cancel`)
    t.is(res.statusCode, 404, res.body)
  }
  t.false((await contractRows(sub.id))[0].cancel_at_expiry)
  t.false((await contractRows(other.sub.id))[0].cancel_at_expiry)
  // A grandparent is not the seller: 404 as well.
  await grant(t0, sub.id)
  const grandchild = await child(t0, sub)
  await setExpiry(t0, grandchild.id, monthsAhead(4))
  await ledger(t0).mint(em(t0), { distributorId: grandchild.id, points: 1_000_00 })
  const g = (await api(t0, grandchild, 'POST', '/api/v1/contracts', { offer: offers.support })).json().contract
  t.is(g.seller.id, sub.id)
  t.is((await api(t0, top, 'POST', `/api/v1/contracts/${g.id}/cancel`)).statusCode, 404)
  t.deepEqual(await ids(top, '?role=seller'), [mine.id])
})

test('the catalog: active offers with the prorated price today and whether contracted', async (t) => {
  const { sub } = await network(t0, 5_000_00)
  await setExpiry(t0, sub.id, monthsAhead(5))
  await api(t0, sub, 'POST', '/api/v1/contracts', { offer: offers.support })
  const list = await purchases(t0).contracts.offersFor(em(t0), sub.id, new Date())
  const byId = new Map(list.map((o) => [o.id, o]))
  t.deepEqual(byId.get(offers.multi), { id: offers.multi, kind: 'mkl', name: byId.get(offers.multi)!.name, yearlyPoints: '1200.00', points: '500.00', months: 5, contracted: false })
  t.true(byId.get(offers.support)!.contracted)
  // Through GET /api/v1/catalog (the purchases plugin's extension point).
  const catalog = await api(t0, sub, 'GET', '/api/v1/catalog')
  t.is(catalog.statusCode, 200, catalog.body)
  t.like(catalog.json().offers.find((o: { id: string }) => o.id === offers.licenses), { kind: 'mkl', yearlyPoints: '2400.00', points: '1000.00', months: 5, contracted: false })
  t.true(catalog.json().offers.find((o: { id: string }) => o.id === offers.support).contracted)
  await setExpiry(t0, sub.id, null)
  const none = await purchases(t0).contracts.offersFor(em(t0), sub.id, new Date())
  t.is(none.find((o) => o.id === offers.multi)!.points, null)
})
