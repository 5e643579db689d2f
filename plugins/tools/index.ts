import { definePlugin } from '../../core/plugin-api.js'
import { ToolsPackageSchema } from './entities/package.js'
import { TOOLS_ALLOWED_DRIFT, toolsMigrations } from './migrations/index.js'
import { PackagesService } from './services/packages.js'
import { SettingsService, toolsSettingsSchema } from './services/settings.js'
import { toolsRoutes } from './routes.js'

export type { PackageAsset, ToolsPackage } from './entities/package.js'
export type { Actor, PackageFilter, PackageInput, PackageJson, PackagesService } from './services/packages.js'
export type { SettingsPatch, SettingsService, ToolsSettings } from './services/settings.js'

export interface ToolsServices { packages: PackagesService, settings: SettingsService }

declare module '../../core/plugin-api.js' {
  interface PluginServices { tools: ToolsServices }
}

/**
 * Herramientas: Precios (stamp and points packages a distributor sells to its customers and, with
 * "MKL Multi-nivel", to its sub-distributors; staff's are the platform's catalogue) and
 * Configuración global (bulk stamp price, PCC stamp and points purchase), per distributor.
 */
export default definePlugin({
  id: 'tools',
  title: 'Herramientas',
  version: '0.1.0',
  // stamping: its 'stamping.defaultStampPrice' point takes the bulk stamp price; distributors: the "MKL Multi-nivel" check.
  dependsOn: ['stamping', 'distributors'],
  entities: [ToolsPackageSchema],
  migrations: toolsMigrations,
  unmodelledDdl: TOOLS_ALLOWED_DRIFT,
  settings: toolsSettingsSchema,
  apiPaths: ['/packages', '/settings'],
  services: (ctx): ToolsServices => {
    const audit = ctx.audit
    let settings: SettingsService | undefined
    const packages = new PackagesService({
      assertMultilevel: (em, distributorId) => ctx.use('distributors').distributors.assertMultilevel(em, distributorId),
      lock: (em, distributorId) => settings!.lock(em, distributorId),
      changed: (em, distributorId, actor) => settings!.packagesChanged(em, distributorId, actor),
      audit,
    })
    settings = new SettingsService(ctx.settings as never, packages, async (em, distributorId) => {
      const d = await ctx.directory.get(em, distributorId)
      return !!d && ctx.directory.isUsable(d)
    }, audit)
    return { packages, settings }
  },
  bootstrap(ctx) {
    // A transfer without an amount, to a customer without a stamp price of its own: quantity × the bulk stamp price.
    const { settings } = ctx.use('tools')
    ctx.extensions.contribute('tools', 'stamping.defaultStampPrice', (em, distributorId) => settings.bulkStampPrice(em, distributorId))
  },
  // Imported when the admin is mounted: AdminJS is heavy and the CLI and API-only tests never mount it.
  admin: async (ctx) => (await import('./admin/tools.admin.js')).toolsAdmin(ctx, ctx.use('tools')),
  routes: (ctx) => ({ api: toolsRoutes(ctx, ctx.use('tools')) }),
})

