import type { EntityManager } from '@mikro-orm/postgresql'
import { definePlugin, mergeAdmin, type JobDefinition } from '../../core/plugin-api.js'
import { DistributorAccountSchema } from './entities/account.js'
import { distributorsMigrations } from './migrations/index.js'
import { distributorsRoutes } from './routes.js'
import { distributorsDemo } from './demo.js'
import { deliverInvitations } from './invitations.js'
import { DistributorsService, MULTILEVEL } from './services/distributors.js'
import { ConvertService } from './convert/service.js'
import { CustomerAccountSchema, convertMigration } from './convert/schema.js'
import { convertRoutes } from './convert/routes.js'
import { MembersService } from './members/service.js'
import { membersRoutes } from './members/routes.js'
import { SignupLinkSchema, SignupSchema, signupMigration } from './signup/schema.js'
import { SignupService } from './signup/service.js'
import { signupPages } from './signup/routes.js'

export type { DistributorJson } from './services/distributors.js'
export { TRANSITIONS, STATE_LABELS } from './transitions.js'
import { allows, STATE_NAME, TRANSITION_NAMES, TRANSITIONS, type State } from './transitions.js'
export { invite } from './invitations.js'

declare module '../../core/plugin-api.js' {
  interface PluginServices { distributors: DistributorsServices }
  interface ExtensionPointTypes { 'distributors.renewal': RenewalHook }
}

/**
 * 'distributors.renewal': called inside the `renew` transition's transaction, before the CM expiry
 * moves from `from` to `to` ('YYYY-MM-DD'). A contributor charges what renews with the CM (e.g.
 * yearly contracts) in that transaction; throwing (a cataloged error with a Spanish message) refuses
 * the renewal and nothing of it is applied.
 */
export type RenewalHook = (em: EntityManager, renewal: { distributorId: string, from: string | null, to: string, actorProfileId: string | null }) => Promise<void>
export const RENEWAL = 'distributors.renewal'

export interface DistributorsServices { distributors: DistributorsService, members: MembersService, signup: SignupService, convert: ConvertService }

/**
 * Multi-level distributors: sub-distributors at any depth, the manual's states and transitions,
 * expiry and the 30-day purge, members, the external sign-up link and customers converted into
 * distributors. Enabled by tier; each distributor also needs "MKL Multi-nivel".
 */
export default definePlugin({
  id: 'distributors',
  title: 'Distribuidores multinivel',
  version: '0.1.0',
  dependsOn: ['clients', 'ledger'],
  apiPaths: ['/distributors', '/members'],
  entities: [DistributorAccountSchema, CustomerAccountSchema, SignupLinkSchema, SignupSchema],
  migrations: [...distributorsMigrations, convertMigration, signupMigration],
  entitlements: { [MULTILEVEL]: 'MKL Multi-nivel' },
  services: (ctx): DistributorsServices => {
    // Declared before any bootstrap runs, so dependants contribute from theirs.
    ctx.extensions.declare('distributors', RENEWAL)
    const distributors = new DistributorsService(ctx)
    const convert = new ConvertService(ctx, distributors)
    return { distributors, convert, members: new MembersService(ctx, convert), signup: new SignupService(ctx, distributors) }
  },
  async bootstrap(ctx) {
    const { distributors } = ctx.use('distributors')
    deliverInvitations(ctx)
    // Staff setting a state by hand in the console go through the same table as every other path.
    ctx.extensions.contribute('distributors', 'kernel.stateChange', (from, to) => TRANSITION_NAMES.some((n) => TRANSITIONS[n].to === to && allows(n, from as State))
      ? null : `Un distribuidor no pasa de ${STATE_NAME[from as State] ?? from} a ${STATE_NAME[to as State] ?? to}: use las acciones de Distribuidores (activar, suspender, reactivar, renovar, cancelar)`)
    // The read model follows the kernel's row inside the writer's transaction.
    ctx.events.on('core.distributorCreated', ({ distributor }, em) => distributors.sync(em, distributor))
    ctx.events.on('core.distributorStateChanged', ({ distributor }, em) => distributors.sync(em, distributor))
    ctx.events.on('core.distributorUpdated', ({ distributor }, em) => distributors.sync(em, distributor))
    const n = await distributors.backfill(ctx.em())
    if (n) ctx.log.info(`${n} distributor account(s) added to the read model`)
  },
  routes: (ctx) => {
    const s = ctx.use('distributors')
    const api = distributorsRoutes(ctx, s.distributors)
    membersRoutes(ctx, s.members, api)
    convertRoutes(ctx, s.convert, s.distributors, api)
    return { api, pages: signupPages(ctx, s.signup) }
  },
  demo: (ctx) => distributorsDemo(ctx, ctx.use('distributors').distributors),
  jobs: (ctx): Record<string, JobDefinition> => {
    const { distributors } = ctx.use('distributors')
    return {
      // Active past the CM expiry → Vencido; invited profiles verified (created, signed up or converted) → Sin activar.
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
  admin: async (ctx) => {
    const s = ctx.use('distributors')
    const [{ distributorsAdmin }, { membersAdmin }, { signupAdmin }, { convertAdmin }] = await Promise.all([
      import('./admin/distributor.resource.js'), import('./members/admin.js'), import('./signup/admin.js'), import('./convert/admin.js')])
    return mergeAdmin([distributorsAdmin(ctx, s.distributors), membersAdmin(ctx, s.members), signupAdmin(ctx, s.signup), convertAdmin(s.convert, () => ctx.em())])
  },
})
