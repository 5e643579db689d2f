import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ kernel: { jobs: false } }) })
test.after.always(() => t0?.close())

test('smoke', async (t) => {
  const d = await t0.fixtures.distributor()
  const em = t0.app.kernel.orm.em.fork()
  const tools = t0.app.kernel.contexts.get('tools')!.use('tools')
  const p = await tools.packages.create(em, d.id, { asset: 'stamps', quantity: 1000, price: '1500', description: 'Mil timbres' })
  t.deepEqual(tools.packages.json(p), { id: p.id, asset: 'stamps', quantity: 1000, price: '1500.00', description: 'Mil timbres', forDistributors: false })
  t.is((await tools.packages.list(em, d.id)).length, 1)
  t.deepEqual(await tools.settings.get(em, d.id), { bulkStampPrice: '0.00', pccStampPurchase: false, pccPointsPurchase: false })
  t.is((await tools.settings.update(em, d.id, { pccStampPurchase: true, bulkStampPrice: '0.5' })).bulkStampPrice, '0.50')
  t.deepEqual(await tools.packages.archive(em, d.id, p.id), { pccStampPurchaseOff: true })
  t.is(await tools.packages.get(em, p.id), null)
})
