import type { DemoSeeder, PluginContext } from '../../core/plugin-api.js'
import type { PackageInput } from './services/packages.js'
import type { ToolsServices } from './index.js'

/** Staff's catalogue for top-level distributors (created once: a database that has one keeps it). */
export const STAFF_PACKAGES: PackageInput[] = [
  { asset: 'stamps', quantity: 1000, price: '1200.00', description: '1,000 timbres para distribuidor', forDistributors: true },
  { asset: 'stamps', quantity: 10000, price: '10000.00', description: '10,000 timbres para distribuidor', forDistributors: true },
  { asset: 'points', quantity: '1000.00', price: '900.00', description: '1,000 puntos para distribuidor', forDistributors: true },
  { asset: 'points', quantity: '10000.00', price: '8500.00', description: '10,000 puntos para distribuidor', forDistributors: true },
]
/** Each demo distributor's own prices: for its customers, and one for its sub-distributors (it has "MKL Multi-nivel" in the demo). */
export const DISTRIBUTOR_PACKAGES: PackageInput[] = [
  { asset: 'stamps', quantity: 100, price: '180.00', description: '100 timbres' },
  { asset: 'stamps', quantity: 500, price: '850.00', description: '500 timbres' },
  { asset: 'stamps', quantity: 1000, price: '1600.00', description: '1,000 timbres' },
  { asset: 'points', quantity: '500.00', price: '500.00', description: '500 puntos' },
  { asset: 'stamps', quantity: 5000, price: '6500.00', description: '5,000 timbres para subdistribuidor', forDistributors: true },
]

/**
 * Packages and settings for the demo network: staff's catalogue (once), and for each demo
 * distributor its customer and sub-distributor packages, a bulk stamp price and PCC stamp purchase on.
 * JSON: `packages` (its own, as the API shows them), `staffPackages`, `toolsSettings`.
 */
export const toolsDemo = (ctx: PluginContext<any>, s: ToolsServices): DemoSeeder => ({
  async seed(em, distributor) {
    const root = await ctx.directory.root(em)
    let staff = root ? await s.packages.list(em, root.id, { forDistributors: true }) : []
    if (root && !staff.length) {
      for (const p of STAFF_PACKAGES) await s.packages.create(em, root.id, p)
      staff = await s.packages.list(em, root.id, { forDistributors: true })
    }
    const own = []
    for (const p of DISTRIBUTOR_PACKAGES) {
      // Without "MKL Multi-nivel" (the distributors plugin grants it in its demo) the sub-distributor package is left out.
      if (p.forDistributors && !await ctx.entitled(distributor.id, 'mkl-multinivel', em)) continue
      own.push(await s.packages.create(em, distributor.id, p))
    }
    const toolsSettings = await s.settings.update(em, distributor.id, { bulkStampPrice: '1.70', pccStampPurchase: true })
    return { packages: own.map((p) => s.packages.json(p)), staffPackages: staff.map((p) => s.packages.json(p)), toolsSettings }
  },
})
