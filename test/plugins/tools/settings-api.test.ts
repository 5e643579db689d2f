import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { apiCustomer } from '../../security/support.js'
import type { LedgerService } from '../../../plugins/ledger/index.js'
import { NO_PACKAGE, NOT_SELLING } from '../../../plugins/tools/services/settings.js'
import { call, em, grantMkl, stamps1000, stateOf, tools } from './helpers.js'

// Herramientas → Configuración global over /api/v1/settings: per distributor (the kernel's
// core_distributor_setting), every precondition of the manual, and the bulk stamp price as the
// default amount of a stamp transfer.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ kernel: { jobs: false } }) })
test.after.always(() => t0?.close())

const ledger = (): LedgerService => t0.app.kernel.contexts.get('ledger')!.use('ledger')

test('defaults, a patch of some fields, per distributor, stored in core_distributor_setting', async (t) => {
  const a = await t0.fixtures.distributor()
  const b = await t0.fixtures.distributor()
  t.deepEqual((await call(t0, a, 'GET', '/api/v1/settings')).json(), { bulkStampPrice: '0.00', pccStampPurchase: false, pccPointsPurchase: false })
  const res = await call(t0, a, 'PATCH', '/api/v1/settings', { bulkStampPrice: '0.5', pccPointsPurchase: true })
  t.is(res.statusCode, 200, res.body)
  t.deepEqual(res.json(), { bulkStampPrice: '0.50', pccStampPurchase: false, pccPointsPurchase: true })
  t.deepEqual((await call(t0, a, 'PATCH', '/api/v1/settings', { bulkStampPrice: 1.25 })).json(), { bulkStampPrice: '1.25', pccStampPurchase: false, pccPointsPurchase: true })
  t.deepEqual((await call(t0, a, 'GET', '/api/v1/settings')).json(), { bulkStampPrice: '1.25', pccStampPurchase: false, pccPointsPurchase: true })
  t.deepEqual((await call(t0, b, 'GET', '/api/v1/settings')).json(), { bulkStampPrice: '0.00', pccStampPurchase: false, pccPointsPurchase: false }, 'another distributor keeps its own')
  const [row] = await t0.app.kernel.orm.em.fork().getConnection().execute(`select value from core_distributor_setting where distributor_id = ? and plugin = 'tools'`, [a.id])
  t.is(row.value.bulkStampPrice, '1.25')
  t.is((await t0.app.kernel.orm.em.fork().getConnection().execute(`select count(*)::int as n from core_setting where key like '%tools%'`))[0]?.n ?? 0, 0)
})

test('bad fields: 422 naming them, nothing stored', async (t) => {
  const d = await t0.fixtures.distributor()
  const before = await stateOf(t0, d.id)
  for (const [body, field] of [
    [{ bulkStampPrice: '-1' }, 'bulkStampPrice'], [{ bulkStampPrice: '0.001' }, 'bulkStampPrice'], [{ bulkStampPrice: 'gratis' }, 'bulkStampPrice'],
    [{ bulkStampPrice: '100000.01' }, 'bulkStampPrice'], [{ bulkStampPrice: '1\u0000' }, 'bulkStampPrice'],
    [{ pccStampPurchase: 'true' }, 'pccStampPurchase'], [{ pccPointsPurchase: 1 }, 'pccPointsPurchase'], [{ color: 'rojo' }, 'color'],
    [{ bulkStampPrice: '1.00', pccPointsPurchase: 'no' }, 'pccPointsPurchase'],
  ] as const) {
    const res = await call(t0, d, 'PATCH', '/api/v1/settings', body)
    t.is(res.statusCode, 422, `${JSON.stringify(body)} → ${res.body}`)
    t.true(field in res.json().error.fields, res.body)
  }
  t.deepEqual(await stateOf(t0, d.id), before)
})

test('PCC stamp purchase: refused without a customer stamps package (a points or "Distribuidor" one does not count), accepted with one', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d.id)
  const refuse = async (why: string) => {
    const before = await stateOf(t0, d.id)
    const res = await call(t0, d, 'PATCH', '/api/v1/settings', { pccStampPurchase: true, bulkStampPrice: '0.80' })
    t.is(res.statusCode, 422, why)
    t.is(res.json().error.fields.pccStampPurchase, NO_PACKAGE, why)
    t.deepEqual(await stateOf(t0, d.id), before, `${why}: nothing stored, the bulk price neither`)
  }
  await refuse('no package')
  await call(t0, d, 'POST', '/api/v1/packages', { asset: 'points', quantity: 100, price: 100, description: 'Cien puntos' })
  await refuse('points package only')
  const forDistributors = (await call(t0, d, 'POST', '/api/v1/packages', { ...stamps1000, forDistributors: true })).json()
  await refuse('"Distribuidor" stamps package only')
  const archived = (await call(t0, d, 'POST', '/api/v1/packages', stamps1000)).json()
  await call(t0, d, 'DELETE', `/api/v1/packages/${archived.id}`)
  await refuse('an archived customer package')
  // Untick "Distribuidor": now a customer stamps package.
  t.is((await call(t0, d, 'PATCH', `/api/v1/packages/${forDistributors.id}`, { forDistributors: false })).statusCode, 200)
  const ok = await call(t0, d, 'PATCH', '/api/v1/settings', { pccStampPurchase: true })
  t.is(ok.statusCode, 200, ok.body)
  t.true(ok.json().pccStampPurchase)
  // Switching it off is always allowed.
  t.false((await call(t0, d, 'PATCH', '/api/v1/settings', { pccStampPurchase: false })).json().pccStampPurchase)
})

test('PCC stamp purchase: refused while the distributor is not active (its automatic sales are paused); staff always may', async (t) => {
  const d = await t0.fixtures.distributor()
  await call(t0, d, 'POST', '/api/v1/packages', stamps1000)
  await t0.app.kernel.directory.setState(em(t0), d.id, 'suspended')
  const before = await stateOf(t0, d.id)
  const e = await t.throwsAsync(tools(t0).settings.update(em(t0), d.id, { pccStampPurchase: true }))
  t.deepEqual((e as any).fields, { pccStampPurchase: NOT_SELLING })
  t.deepEqual(await stateOf(t0, d.id), before)
  // Other settings still change while it is suspended (e.g. by staff on its behalf).
  t.is((await tools(t0).settings.update(em(t0), d.id, { pccPointsPurchase: true })).pccPointsPurchase, true)
  await t0.app.kernel.directory.setState(em(t0), d.id, 'active')
  t.true((await tools(t0).settings.update(em(t0), d.id, { pccStampPurchase: true })).pccStampPurchase)

  const root = (await t0.app.kernel.directory.root(em(t0)))!
  await tools(t0).packages.create(em(t0), root.id, { asset: 'stamps', quantity: 100, price: '100', description: 'Cien timbres' })
  t.true((await tools(t0).settings.update(em(t0), root.id, { pccStampPurchase: true })).pccStampPurchase)
})

test('deleting the last customer stamps package switches PCC stamp purchase off (audited); another package keeps it on', async (t) => {
  const d = await t0.fixtures.distributor()
  const p1 = (await call(t0, d, 'POST', '/api/v1/packages', stamps1000)).json()
  const p2 = (await call(t0, d, 'POST', '/api/v1/packages', { ...stamps1000, quantity: 500, price: '800' })).json()
  t.is((await call(t0, d, 'PATCH', '/api/v1/settings', { pccStampPurchase: true })).statusCode, 200)
  t.deepEqual(await tools(t0).packages.archive(em(t0), d.id, p1.id), { pccStampPurchaseOff: false })
  t.true((await call(t0, d, 'GET', '/api/v1/settings')).json().pccStampPurchase)
  t.is((await call(t0, d, 'DELETE', `/api/v1/packages/${p2.id}`)).statusCode, 204)
  t.false((await call(t0, d, 'GET', '/api/v1/settings')).json().pccStampPurchase)
  const audit = await t0.app.kernel.orm.em.fork().getConnection().execute(`select detail from core_audit_log where distributor_id = ? and action = 'tools.settingsUpdated' order by at`, [d.id])
  t.false(audit.at(-1)!.detail.after.pccStampPurchase)
})

test('a transfer without amount: quantity × the customer\'s stamp price, else × the bulk price; an explicit amount wins', async (t) => {
  const d = await t0.fixtures.distributor()
  await ledger().mint(em(t0), { distributorId: d.id, stamps: 10_000 })
  const priced = await apiCustomer(t0, d, 'Cliente con precio SA', { stampPrice: '1.75' })
  const plain = await apiCustomer(t0, d, 'Cliente sin precio SA')
  const ctiOf = async (nic: string) => (await call(t0, d, 'GET', `/api/v1/ctis?customer=${nic}`)).json().items[0].id as string
  const [c1, c2] = [await ctiOf(priced.nic), await ctiOf(plain.nic)]
  const transfer = (cti: string, body: Record<string, unknown>) => call(t0, d, 'POST', `/api/v1/ctis/${cti}/transfers`, body)

  // Bulk price not set: "0.00", so the sale is for 0.00.
  t.is((await transfer(c2, { quantity: 10, idempotencyKey: 'k0' })).json().transfer.amount, '0.00')
  await call(t0, d, 'PATCH', '/api/v1/settings', { bulkStampPrice: '0.90' })
  t.is((await transfer(c1, { quantity: 100, idempotencyKey: 'k1' })).json().transfer.amount, '175.00', 'the customer\'s price wins')
  t.is((await transfer(c2, { quantity: 100, idempotencyKey: 'k2' })).json().transfer.amount, '90.00', 'else the bulk price')
  t.is((await transfer(c2, { quantity: 100, amount: null, idempotencyKey: 'k3' })).json().transfer.amount, '90.00')
  t.is((await transfer(c2, { quantity: 100, amount: '12.00', idempotencyKey: 'k4' })).json().transfer.amount, '12.00', 'an explicit amount wins')
  // The same key again replays (200) with the amount it had.
  const replay = await transfer(c2, { quantity: 100, idempotencyKey: 'k2' })
  t.is(replay.statusCode, 200, replay.body)
  t.is(replay.json().transfer.amount, '90.00')

  const mass = await call(t0, d, 'POST', '/api/v1/transfers/mass', { idempotencyKey: 'm1', items: [{ cti: c1, quantity: 10 }, { cti: c2, quantity: 20 }, { cti: (await ctiOf((await apiCustomer(t0, d, 'Otro SA')).nic)), quantity: 5, amount: '3.00' }] })
  t.is(mass.statusCode, 201, mass.body)
  t.deepEqual(mass.json().transfer.items.map((i: any) => i.amount), ['17.50', '18.00', '3.00'])
  const sales = await t0.app.kernel.orm.em.fork().getConnection().execute('select cti_id, amount::int as amount from stamping_sale where transfer_id = ? order by amount', [mass.json().transfer.id])
  t.deepEqual(sales.map((s: any) => s.amount), [300, 1750, 1800], 'the sale rows carry the amounts')
})

test('without a default price (tools not in the tier) an omitted amount is a 422 and nothing moves', async (t) => {
  const stamping = t0.app.kernel.contexts.get('stamping')!.use('stamping')
  const d = await t0.fixtures.distributor()
  await ledger().mint(em(t0), { distributorId: d.id, stamps: 100 })
  const c = await apiCustomer(t0, d, 'Cliente Básico SA')
  const cti = (await call(t0, d, 'GET', `/api/v1/ctis?customer=${c.nic}`)).json().items[0].id
  // The tier no longer enables tools: its bulk price does not count (stamping itself stays).
  t0.app.kernel.config.tiers.sinHerramientas = { name: 'Sin herramientas', plugins: ['clients', 'ledger', 'stamping', 'distributors'] }
  await t0.app.kernel.orm.em.fork().getConnection().execute(`update core_distributor set tier = 'sinHerramientas' where id = ?`, [d.id])
  t0.app.kernel.directory.invalidate(d.id)
  const e = await t.throwsAsync(stamping.sales.transferToCti(em(t0), d.id, cti, { quantity: 5, idempotencyKey: 'sin-precio' }))
  t.truthy((e as any).fields?.amount, String(e))
  t.is((await stamping.sales.inventory(em(t0), d.id)).stamps, 100)
})
