// The "members" branch's index: wires members/, signup/ and convert/. The lead merges it with the
// "dist" branch's index (the plugin's distributors resource, transitions, jobs and API).
import { definePlugin, type AdminContribution } from '../../core/plugin-api.js'
import { ConvertService, MKL_MULTINIVEL } from './convert/service.js'
import { CustomerAccountSchema, convertMigration } from './convert/schema.js'
import { convertRoutes } from './convert/routes.js'
import { MembersService } from './members/service.js'
import { membersRoutes } from './members/routes.js'
import { SignupLinkSchema, SignupSchema, signupMigration } from './signup/schema.js'
import { SignupService } from './signup/service.js'
import { signupPages } from './signup/routes.js'

export interface DistributorsServices { members: MembersService, signup: SignupService, convert: ConvertService }

declare module '../../core/plugin-api.js' {
  interface PluginServices { distributors: DistributorsServices }
}

/** Several contributions as one (resources, pages, components, actions on others' resources, locale). */
const mergeAdmin = (parts: AdminContribution[]): AdminContribution => ({
  resources: parts.flatMap((p) => p.resources ?? []),
  pages: Object.assign({}, ...parts.map((p) => p.pages ?? {})),
  components: Object.assign({}, ...parts.map((p) => p.components ?? {})),
  actionsFor: Object.assign({}, ...parts.map((p) => p.actionsFor ?? {})),
  locale: parts.reduce((acc, p) => ({ ...acc, ...p.locale, resources: { ...acc.resources, ...p.locale?.resources }, labels: { ...acc.labels, ...p.locale?.labels } }), {} as Record<string, any>),
})

export default definePlugin({
  id: 'distributors',
  version: '0.1.0',
  dependsOn: ['clients'],
  apiPaths: ['/distributors', '/members'],
  entities: [CustomerAccountSchema, SignupLinkSchema, SignupSchema],
  migrations: [convertMigration, signupMigration],
  entitlements: { [MKL_MULTINIVEL]: 'MKL Multi-nivel' },
  services: (ctx): DistributorsServices => {
    const convert = new ConvertService(ctx)
    return { convert, members: new MembersService(ctx, convert), signup: new SignupService(ctx) }
  },
  routes: (ctx) => {
    const s = ctx.use('distributors')
    const api = membersRoutes(ctx, s.members)
    convertRoutes(ctx, s.convert, api)
    return { api, pages: signupPages(ctx, s.signup) }
  },
  admin: async (ctx) => {
    const s = ctx.use('distributors')
    const [{ membersAdmin }, { signupAdmin }, { convertAdmin }] = await Promise.all([import('./members/admin.js'), import('./signup/admin.js'), import('./convert/admin.js')])
    return mergeAdmin([membersAdmin(ctx, s.members), signupAdmin(ctx, s.signup), convertAdmin(s.convert, () => ctx.em())])
  },
  jobs: (ctx) => ({
    // External sign-ups whose profile verified e-mail and mobile: "Sin validar" → "Sin activar".
    signupVerified: { everyMs: 60_000, run: async ({ em }) => `${await ctx.use('distributors').signup.promoteVerified(em)} altas validadas` },
  }),
})
