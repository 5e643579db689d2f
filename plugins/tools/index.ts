import { definePlugin } from '../../core/plugin-api.js'
import { ToolsPackageSchema } from './entities/package.js'
import { TOOLS_ALLOWED_DRIFT, toolsMigrations } from './migrations/index.js'
import { PackagesService } from './services/packages.js'
import { SettingsService, toolsSettingsSchema } from './services/settings.js'

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
  dependsOn: ['distributors'],
  entities: [ToolsPackageSchema],
  migrations: toolsMigrations,
  unmodelledDdl: TOOLS_ALLOWED_DRIFT,
  settings: toolsSettingsSchema,
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
})

