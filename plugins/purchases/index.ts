import { fileURLToPath } from 'node:url'
import { definePlugin, mergeAdmin } from '../../core/plugin-api.js'
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
import { contractsPart, type ContractsService } from './contracts/index.js'

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
  /** MKL and subscriptions (contracts/): offers, contracts, `offersFor(em, distributorId, now)` for the catalog. */
  contracts: ContractsService
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
  // 'distributors': the contracts part charges with the CM's renewal ('distributors.renewal').
  dependsOn: ['clients', 'ledger', 'stamping', 'tools', 'distributors'],
  apiPaths: ['/catalog', '/orders', '/purchases', '/customers/:nic/points', ...contractsPart.apiPaths],
  unmodelledDdl: [...PURCHASES_ALLOWED_DRIFT, ...contractsPart.unmodelledDdl],
  entities: [PurchaseSaleSchema, PurchaseOrderSchema, ...contractsPart.entities],
  migrations: [...purchasesMigrations, ...contractsPart.migrations],
  entitlements: contractsPart.entitlements,
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
    return { sales, purchases, orders, payments, contracts: contractsPart.services(ctx, () => sales) }
  },
  bootstrap(ctx) {
    contractsPart.bootstrap(ctx, ctx.use('purchases').contracts)
  },
  routes: (ctx) => {
    const routes = purchasesRoutes(ctx, ctx.use('purchases'))
    contractsPart.routes(ctx, ctx.use('purchases').contracts, routes.api as never)
    return routes
  },
  pcc: (ctx) => purchasesPcc(ctx),
  demo: (ctx) => {
    const own = purchasesDemo(ctx)
    const contracts = contractsPart.demo(ctx, ctx.use('purchases').contracts)
    return { seed: async (em, d, o) => ({ ...await own.seed(em, d, o), ...await contracts.seed(em, d, o) }) }
  },
  // Imported when the admin is mounted: AdminJS is heavy and the CLI and API-only tests never mount it.
  admin: async (ctx) => {
    const [own, contracts] = await Promise.all([
      import('./admin/purchases.admin.js').then((m) => m.purchasesAdmin(ctx, ctx.use('purchases'))),
      contractsPart.admin(ctx, ctx.use('purchases').contracts)])
    return mergeAdmin([own, contracts])
  },
})
