import { definePlugin } from '../../core/plugin-api.js'
import { PurchaseSaleSchema } from './entities/sale.js'
import { purchasesMigrations, PURCHASES_ALLOWED_DRIFT } from './migrations/index.js'
import { PurchaseSales } from './services/sales.js'

export type { PurchaseSale, BuyerType, SaleAsset } from './entities/sale.js'
export type { SaleInput, SaleJson } from './services/sales.js'

export interface PurchasesServices {
  /** Sale rows: `sales.record(em, row)` in the caller's transaction; `sales.list(em, distributorId, { role })`. */
  sales: PurchaseSales
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
  dependsOn: ['clients', 'ledger', 'stamping'],
  unmodelledDdl: PURCHASES_ALLOWED_DRIFT,
  entities: [PurchaseSaleSchema],
  migrations: purchasesMigrations,
  services: (): PurchasesServices => ({ sales: new PurchaseSales() }),
})
