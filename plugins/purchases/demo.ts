import type { DemoSeeder, PluginContext } from '../../core/plugin-api.js'
import { sellerOf } from './services/purchases.js'

/**
 * Each demo distributor buys from the platform (staff's root distributor): staff's packages exist
 * (created once), staff's points and stamps are minted, the distributor orders points and staff
 * confirm the order, then it buys a stamps package with those points and gives points to its first
 * customer. Runs on a database with data: every key is the distributor's own.
 */
export const purchasesDemo = (ctx: PluginContext<any>): DemoSeeder => ({
  async seed(em, distributor) {
    const { orders, purchases } = ctx.use('purchases')
    const { packages } = ctx.use('tools')
    const root = await sellerOf(ctx.directory, em, distributor.id)
    const own = await packages.list(em, root, { forDistributors: true })
    const points = own.find((p) => p.asset === 'points') ?? await packages.create(em, root, { asset: 'points', quantity: '10000.00', price: '9000.00', description: 'Paquete 10,000 puntos', forDistributors: true })
    const stamps = own.find((p) => p.asset === 'stamps') ?? await packages.create(em, root, { asset: 'stamps', quantity: 1000, price: '800.00', description: 'Paquete 1,000 timbres', forDistributors: true })
    await ctx.use('ledger').mint(em, { distributorId: root, points: 2_000_000_00, stamps: 100_000, memo: 'demo' })
    const { order } = await orders.create(em, { type: 'distributor', id: distributor.id }, { package: points.id, count: 2 })
    await orders.confirm(em, root, order.id, `DEMO-SPEI-${order.id.slice(0, 8)}`)
    const bought = await purchases.buyStamps(em, distributor.id, { package: stamps.id, count: 1, idempotencyKey: `demo-${distributor.id}` })
    const [first] = (await ctx.use('clients').customers.list(em, distributor.id, {} as never, 1, 1)).items
    if (first) await purchases.pointsToCustomer(em, distributor.id, first.customer.nic, { quantity: '500.00', amount: '500.00', idempotencyKey: `demo-${distributor.id}` })
    return { purchases: { pointsBought: '20000.00', stampsBought: bought.purchase.quantity, pointsToCustomer: first ? { nic: first.customer.nic, points: '500.00' } : null } }
  },
})
