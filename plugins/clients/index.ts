import { fileURLToPath } from 'node:url'
import { definePlugin, sql } from '../../core/plugin-api.js'
import { CustomerSchema, CustomerProfileSchema, CustomerSearchKeySchema, CustomerSearchTextSchema } from './entities/customer.js'
import { clientsMigrations } from './migrations/index.js'
import { CLIENTS_ALLOWED_DRIFT } from './migrations/unmodelled.js'
import { clientsRoutes } from './routes.js'
import { clientsDemo } from './demo.js'
import { CustomersService } from './services/customers.js'
import { clientsPccPages } from './pcc.js'
import { CUSTOMER_CREATED_DETAILS, CUSTOMER_FIGURES, CUSTOMER_SEARCH } from './figures.js'

export type { CustomerCreatedDetails, CustomerFigureSource, CustomerFigureKey, CustomerSearchSource } from './figures.js'
export { CUSTOMER_CREATED_DETAILS, CUSTOMER_FIGURES, CUSTOMER_SEARCH } from './figures.js'
export { isValidRfc, normalizeRfc } from './rfc.js'
/** Refusals other plugins raise on clients' events. */
export { CustomerHasMovementsError } from './errors.js'

export interface ClientsServices { customers: CustomersService }

declare module '../../core/plugin-api.js' {
  interface PluginServices { clients: ClientsServices }
}

export default definePlugin({
  id: 'clients',
  title: 'Clientes',
  version: '0.1.0',
  apiPaths: ['/customers'],
  unmodelledDdl: CLIENTS_ALLOWED_DRIFT,
  entities: [CustomerSchema, CustomerProfileSchema, CustomerSearchKeySchema, CustomerSearchTextSchema],
  migrations: clientsMigrations,
  views: fileURLToPath(new URL('./views', import.meta.url)),
  services: (ctx): ClientsServices => {
    // Declared before any bootstrap runs, so dependants contribute from theirs.
    ctx.extensions.declare('clients', CUSTOMER_FIGURES)
    ctx.extensions.declare('clients', CUSTOMER_SEARCH)
    ctx.extensions.declare('clients', CUSTOMER_CREATED_DETAILS)
    return { customers: new CustomersService(ctx.events, ctx.identity, ctx.extensions, ctx.log, ctx.pluginsOf) }
  },
  bootstrap(ctx) {
    ctx.extensions.contribute('clients', 'cm.dashboard', {
      key: 'customers', label: 'Clientes', href: '/admin/resources/Customer',
      value: async (em, distributorId) => (await sql<{ n: number }[]>(em, 'select count(*)::int as n from clients_customer where distributor_id = ?', [distributorId]))[0].n.toLocaleString('es-MX'),
    })
    // A purged distributor's customers (with their NICs and search rows) become its parent's.
    ctx.events.on('core.distributorPurged', async ({ distributorId, parentId }, em) => {
      if (!parentId) return
      for (const table of ['clients_customer', 'clients_customer_search_key', 'clients_customer_search']) {
        await sql(em, `update ${table} set distributor_id = ? where distributor_id = ?`, [parentId, distributorId])
      }
    })
    // Core's sign-in asks which customers' PCC a profile may enter; it never reads our tables.
    ctx.registerPortal({
      portal: 'pcc',
      targetsFor: async (profileId, em) => (await ctx.use('clients').customers.linkedTo(em, profileId)).map((c) => ({
        portal: 'pcc', id: c.id, slug: c.nic, name: c.legalName, label: `Panel del cliente · ${c.legalName} (NIC ${c.nic})`, distributorId: c.distributorId, url: `/pcc/${c.nic}`,
      })),
      // The owner rule the other way: a customer's main profile is not admitted to a CM.
      // `except`: the customer a "convert into a distributor" makes the new distributor's own account.
      refuseMember: async (profileId, em, except) => (await em.count(CustomerProfileSchema, { profileId, role: 'owner', ...(except ? { customerId: { $ne: except } } : {}) }))
        ? 'Ese perfil es el perfil principal de un cliente, y un perfil principal no puede administrar una Cuenta Maestra. Use otro perfil o asigne otro perfil principal al cliente.'
        : null,
    })
  },
  demo: (ctx) => clientsDemo(ctx.use('clients').customers, ctx.identity),
  routes: (ctx) => clientsRoutes(ctx, ctx.use('clients').customers),
  // Imported here, not at the top: AdminJS is heavy and the CLI and API-only tests never mount it.
  admin: async (ctx) => {
    const { clientsAdminComponents, clientsAdminLocaleWith, customerResource } = await import('./admin/customer.resource.js')
    const { customers } = ctx.use('clients')
    return { resources: [customerResource(ctx, customers)], locale: clientsAdminLocaleWith(customers), components: clientsAdminComponents }
  },
  pcc: (ctx) => ({ pages: clientsPccPages(ctx.use('clients').customers) }),
})
