import { definePlugin } from '../../core/plugin-api.js'
import { PurchaseSaleSchema } from './entities/sale.js'
import { purchasesMigrations, PURCHASES_ALLOWED_DRIFT } from './migrations/index.js'
import { PurchaseSales } from './services/sales.js'
import { contractsPart, type ContractsService } from './contracts/index.js'

export type { PurchaseSale, BuyerType, SaleAsset } from './entities/sale.js'
export type { SaleInput, SaleJson } from './services/sales.js'

export interface PurchasesServices {
  /** Sale rows: `sales.record(em, row)` in the caller's transaction; `sales.list(em, distributorId, { role })`. */
  sales: PurchaseSales
  /** MKL and subscriptions (contracts/): offers, contracts, `offersFor(em, distributorId, now)` for the catalog. */
  contracts: ContractsService
}

declare module '../../core/plugin-api.js' {
  interface PluginServices { purchases: PurchasesServices }
}

/**
 * Compras: distributors buy stamps (with points) and points (with money, through a payment provider)
 * from their parent — staff's root distributor for top-level ones —; distributors give points to
 * customers; customers buy in the PCC. Every purchase and transfer is a sale row.
 */
export default definePlugin({
  id: 'purchases',
  title: 'Compras',
  version: '0.1.0',
  dependsOn: ['clients', 'ledger', 'stamping', 'distributors'],
  apiPaths: [...contractsPart.apiPaths],
  unmodelledDdl: [...PURCHASES_ALLOWED_DRIFT, ...contractsPart.unmodelledDdl],
  entities: [PurchaseSaleSchema, ...contractsPart.entities],
  migrations: [...purchasesMigrations, ...contractsPart.migrations],
  entitlements: contractsPart.entitlements,
  services: (ctx): PurchasesServices => {
    const sales = new PurchaseSales()
    return { sales, contracts: contractsPart.services(ctx, () => sales) }
  },
  bootstrap(ctx) {
    contractsPart.bootstrap(ctx, ctx.use('purchases').contracts)
  },
  routes: (ctx) => ({ api: contractsPart.routes(ctx, ctx.use('purchases').contracts, ctx.http.apiRouter()) }),
  demo: (ctx) => contractsPart.demo(ctx, ctx.use('purchases').contracts),
  admin: (ctx) => contractsPart.admin(ctx, ctx.use('purchases').contracts),
})
