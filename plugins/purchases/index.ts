import { fileURLToPath } from 'node:url'
import { definePlugin } from '../../core/plugin-api.js'
import { PurchaseOrderSchema } from './entities/order.js'
import { PurchaseSaleSchema } from './entities/sale.js'
import { purchasesMigrations, PURCHASES_ALLOWED_DRIFT } from './migrations/index.js'
import { purchasesRoutes } from './routes.js'
import { OrdersService } from './services/orders.js'
import { ManualPaymentProvider, type PaymentProvider } from './services/payment.js'
import { PurchasesService, type CatalogOffers } from './services/purchases.js'
import { PurchaseSales } from './services/sales.js'
import { purchasesPcc } from './views/pcc.js'
import { purchasesDemo } from './demo.js'

export type { PurchaseSale, BuyerType, SaleAsset } from './entities/sale.js'
export type { PurchaseOrder, OrderState } from './entities/order.js'
export type { SaleInput, SaleJson } from './services/sales.js'
export type { PaymentProvider } from './services/payment.js'
export type { CatalogOffers } from './services/purchases.js'
export { sellerOf } from './services/purchases.js'
export * from './errors.js'

/** The extension point GET /catalog reads its `offers` from (the contracts part contributes MKL and subscriptions). */
export const CATALOG_OFFERS = 'purchases.catalogOffers'

export interface PurchasesServices {
  /** Sale rows: `sales.record(em, row)` in the caller's transaction; `sales.list(em, distributorId, { role })`. */
  sales: PurchaseSales
  purchases: PurchasesService
  orders: OrdersService
  /** The payment provider orders use; `payments.provider = …` replaces the default (manual confirmation by the seller). */
  payments: { provider: PaymentProvider }
}

declare module '../../core/plugin-api.js' {
  interface PluginServices { purchases: PurchasesServices }
  interface ExtensionPointTypes { 'purchases.catalogOffers': CatalogOffers }
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
  dependsOn: ['clients', 'ledger', 'stamping', 'tools'],
  apiPaths: ['/catalog', '/orders', '/purchases', '/customers/:nic/points'],
  unmodelledDdl: PURCHASES_ALLOWED_DRIFT,
  entities: [PurchaseSaleSchema, PurchaseOrderSchema],
  migrations: purchasesMigrations,
  views: fileURLToPath(new URL('./views', import.meta.url)),
  services: (ctx): PurchasesServices => {
    ctx.extensions.declare('purchases', CATALOG_OFFERS)
    const sales = new PurchaseSales()
    const payments = { provider: new ManualPaymentProvider() as PaymentProvider }
    const tools = () => ctx.use('tools')
    const purchases = new PurchasesService(ctx.use('ledger'), ctx.directory, () => ctx.use('clients'), () => ctx.use('stamping'),
      () => tools().packages, () => tools().settings, sales,
      async (distributorId) => ctx.extensions.list(CATALOG_OFFERS, await ctx.pluginsOf(distributorId)))
    const orders = new OrdersService(ctx.use('ledger'), ctx.directory, purchases, () => tools().settings, sales, () => payments.provider)
    return { sales, purchases, orders, payments }
  },
  routes: (ctx) => purchasesRoutes(ctx, ctx.use('purchases')),
  // Imported when the admin is mounted: AdminJS is heavy and the CLI and API-only tests never mount it.
  admin: async (ctx) => (await import('./admin/purchases.admin.js')).purchasesAdmin(ctx, ctx.use('purchases')),
  pcc: (ctx) => purchasesPcc(ctx),
  demo: (ctx) => purchasesDemo(ctx),
})
