import { sql, type DemoSeeder, type PluginContext } from '../../../core/plugin-api.js'
import { MKL_LICENSES, type ContractsService } from './service.js'

/** Staff's catalogue: created once (by name), whatever number of times seed-demo runs. */
export const DEMO_OFFERS = [
  { kind: 'mkl' as const, name: 'MKL Multi-nivel', yearlyPoints: 1_200_00, entitlementKey: 'mkl-multinivel' },
  { kind: 'mkl' as const, name: 'MKL Licencias', yearlyPoints: 2_400_00, entitlementKey: MKL_LICENSES },
  { kind: 'subscription' as const, name: 'Soporte prioritario', yearlyPoints: 600_00, entitlementKey: 'suscripcion-soporte' },
]

/**
 * The offers, and one contract in each demo network: its first sub-distributor with a CM expiry
 * gets 5,000.00 points minted and contracts "MKL Licencias" (prorated to its expiry).
 */
export const contractsDemo = (ctx: PluginContext<any>, contracts: ContractsService): DemoSeeder => ({
  async seed(em, top) {
    for (const o of DEMO_OFFERS) {
      const [found] = await sql(em, 'select 1 from purchases_offer where kind = ? and name = ?', [o.kind, o.name])
      if (!found) await contracts.createOffer(em, o)
    }
    const ids = (await ctx.directory.subtreeIds(em, top.id)).filter((id) => id !== top.id)
    for (const id of ids) {
      const d = await ctx.directory.get(em, id)
      if (!d?.cmExpiresAt || d.state !== 'active') continue
      await ctx.use('ledger').mint(em, { distributorId: id, points: 5_000_00, memo: 'demo' })
      const [offer] = await sql<{ id: string }[]>(em, `select id from purchases_offer where name = 'MKL Licencias' and active`)
      const out = await contracts.contract(em, { distributorId: id }, offer.id)
      return { contract: { buyer: d.name, offer: out.contract.offer.name, charged: out.charged, months: out.months, expiresAt: out.contract.expiresAt } }
    }
    return {}
  },
})
