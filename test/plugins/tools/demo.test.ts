import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import toolsPlugin from '../../../plugins/tools/index.js'
import { DISTRIBUTOR_PACKAGES, STAFF_PACKAGES } from '../../../plugins/tools/demo.js'
import { call, em, grantMkl } from './helpers.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ kernel: { jobs: false } }) })
test.after.always(() => t0?.close())

test('seed-demo: staff\'s catalogue once, each distributor its packages, bulk price and PCC stamp purchase on', async (t) => {
  const seeder = toolsPlugin.demo!(t0.app.kernel.contexts.get('tools')! as never)
  const a = await t0.fixtures.distributor()
  const b = await t0.fixtures.distributor()
  await grantMkl(t0, a.id)
  const first = await seeder.seed(em(t0), { id: a.id }, { customers: 0 }) as any
  const second = await seeder.seed(em(t0), { id: b.id }, { customers: 0 }) as any
  t.deepEqual(Object.keys(first).sort(), ['packages', 'staffPackages', 'toolsSettings'])
  t.is(first.staffPackages.length, STAFF_PACKAGES.length)
  t.deepEqual(second.staffPackages, first.staffPackages, 'the catalogue is created once')
  t.true(first.staffPackages.every((p: any) => p.forDistributors))
  t.is(first.packages.length, DISTRIBUTOR_PACKAGES.length)
  t.is(second.packages.length, DISTRIBUTOR_PACKAGES.length - 1, 'no "Distribuidor" package without MKL Multi-nivel')
  t.deepEqual(first.toolsSettings, { bulkStampPrice: '1.70', pccStampPurchase: true, pccPointsPurchase: false })
  const byId = (x: any[]) => [...x].sort((p, q) => p.id.localeCompare(q.id))
  t.deepEqual(byId((await call(t0, a, 'GET', '/api/v1/packages')).json().items), byId(first.packages))
  t.deepEqual((await call(t0, b, 'GET', '/api/v1/settings')).json(), first.toolsSettings)
})
