import { definePlugin, type JobDefinition } from '../../core/plugin-api.js'
import { DistributorAccountSchema } from './entities/account.js'
import { distributorsMigrations } from './migrations/index.js'
import { distributorsRoutes } from './routes.js'
import { distributorsDemo } from './demo.js'
import { deliverInvitations } from './invitations.js'
import { DistributorsService, MULTILEVEL } from './services/distributors.js'

export type { DistributorJson } from './services/distributors.js'
export { TRANSITIONS, STATE_LABELS } from './transitions.js'
export { invite } from './invitations.js'

export interface DistributorsServices { distributors: DistributorsService }

declare module '../../core/plugin-api.js' {
  interface PluginServices { distributors: DistributorsServices }
}

/**
 * Multi-level distributors: sub-distributors at any depth, the manual's states and transitions,
 * expiry and the 30-day purge. Enabled by tier; each distributor also needs "MKL Multi-nivel".
 */
export default definePlugin({
  id: 'distributors',
  version: '0.1.0',
  dependsOn: ['clients', 'ledger'],
  apiPaths: ['/distributors'],
  entities: [DistributorAccountSchema],
  migrations: distributorsMigrations,
  entitlements: { [MULTILEVEL]: 'MKL Multi-nivel' },
  services: (ctx): DistributorsServices => ({ distributors: new DistributorsService(ctx) }),
  async bootstrap(ctx) {
    const { distributors } = ctx.use('distributors')
    deliverInvitations(ctx)
    // The read model follows the kernel's row inside the writer's transaction.
    ctx.events.on('core.distributorCreated', ({ distributor }, em) => distributors.sync(em, distributor))
    ctx.events.on('core.distributorStateChanged', ({ distributor }, em) => distributors.sync(em, distributor))
    ctx.events.on('core.distributorUpdated', ({ distributor }, em) => distributors.sync(em, distributor))
    const n = await distributors.backfill(ctx.em())
    if (n) ctx.log.info(`${n} distributor account(s) added to the read model`)
  },
  routes: (ctx) => distributorsRoutes(ctx, ctx.use('distributors').distributors),
  demo: (ctx) => distributorsDemo(ctx, ctx.use('distributors').distributors),
  jobs: (ctx): Record<string, JobDefinition> => {
    const { distributors } = ctx.use('distributors')
    return {
      // Active past the CM expiry → Vencido; invited profiles verified → Sin activar.
      expiry: {
        everyMs: 60_000,
        run: async ({ em, now }) => {
          const expired = await distributors.expire(em, now)
          const validated = await distributors.validate(em)
          return `${expired} vencidas, ${validated} validadas`
        },
      },
      // Cancelled 30 natural days ago → purged.
      purge: {
        everyMs: 3600_000,
        run: async ({ em, now }) => `${await distributors.purge(em, now)} cuentas depuradas`,
      },
    }
  },
  admin: async (ctx) => (await import('./admin/distributor.resource.js')).distributorsAdmin(ctx, ctx.use('distributors').distributors),
})
