import type { EntityManager } from '@mikro-orm/postgresql'
import type { AdminContribution, DemoSeeder, PluginContext, PluginRouter } from '../../../core/plugin-api.js'
import { contractsRoutes } from './routes.js'
import { CONTRACTS_ALLOWED_DRIFT, contractsMigrations, PurchaseContractSchema, PurchaseOfferSchema } from './schema.js'
import { ContractsService, MKL_LICENSES, type SaleRecorder } from './service.js'
import { contractsDemo } from './demo.js'

export { ContractsService, MKL_LICENSES, OFFER_ENTITLEMENTS } from './service.js'
export type { CatalogOffer, ContractJson, ContractOutcome, OfferJson } from './service.js'
export { monthsLeft, prorate, proratedPoints } from './proration.js'

/**
 * MKL and subscriptions, as one part of the purchases plugin: what its definition spreads in. The
 * plugin's `dependsOn` must list 'distributors' (this part contributes to 'distributors.renewal')
 * and its `apiPaths` '/contracts'.
 */
export const contractsPart = {
  entities: [PurchaseOfferSchema, PurchaseContractSchema],
  migrations: contractsMigrations,
  unmodelledDdl: CONTRACTS_ALLOWED_DRIFT,
  apiPaths: ['/contracts'],
  /** This part's entitlement ("MKL Multi-nivel" is the distributors plugin's). */
  entitlements: { [MKL_LICENSES]: 'MKL Licencias', 'suscripcion-soporte': 'Suscripción: soporte prioritario' },
  services: (ctx: PluginContext<any>, sales: () => SaleRecorder | null) => new ContractsService(ctx, sales),
  /** In the plugin's bootstrap: the CM's renewal charges every active contract with it. */
  bootstrap(ctx: PluginContext<any>, contracts: ContractsService) {
    ctx.extensions.contribute(ctx.id, 'distributors.renewal', (em: EntityManager, r) => contracts.renew(em, r))
    // GET /api/v1/catalog's `offers`: every active offer with the caller's prorated price today.
    ctx.extensions.contribute(ctx.id, 'purchases.catalogOffers', async (em: EntityManager, distributorId: string) => (await contracts.offersFor(em, distributorId)) as unknown as Record<string, unknown>[])
  },
  routes: (ctx: PluginContext<any>, contracts: ContractsService, api: PluginRouter) => contractsRoutes(ctx, contracts, api),

  /** Imported when the admin is mounted (AdminJS is heavy). */
  admin: async (ctx: PluginContext<any>, contracts: ContractsService): Promise<AdminContribution> => (await import('./admin.js')).contractsAdmin(ctx, contracts),
  demo: (ctx: PluginContext<any>, contracts: ContractsService): DemoSeeder => contractsDemo(ctx, contracts),
}
