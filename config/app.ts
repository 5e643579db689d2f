import path from 'node:path'
import type { KernelConfig } from '../core/kernel/boot.js'
import type { HttpOptions } from '../core/http/app.js'
import type { InstalledPlugin } from '../core/kernel/plugin.js'
import { defaultTheme } from '../themes/default/theme.js'
import { tiers } from './tiers.js'
import accounts from '../plugins/accounts/index.js'
import clients from '../plugins/clients/index.js'
import ledger from '../plugins/ledger/index.js'
import stamping from '../plugins/stamping/index.js'
import distributors from '../plugins/distributors/index.js'
import openapi from '../plugins/openapi/index.js'
import tools from '../plugins/tools/index.js'
import purchases from '../plugins/purchases/index.js'

/** The installed plugins and their options. Order is a tie-breaker only: dependsOn decides. */
export const installedPlugins: InstalledPlugin[] = [
  // Always installed: sign-up, e-mail and mobile verification, password reset, the profile page.
  { plugin: accounts },
  { plugin: clients },
  { plugin: ledger },
  { plugin: stamping },
  { plugin: distributors },
  { plugin: tools },
  { plugin: purchases },
  { plugin: openapi },
]

/**
 * CM strings this installation words differently: merged over the core's and every plugin's Spanish
 * (AdminJS locale shape), e.g. { resources: { Customer: { properties: { nic: 'Número de cliente' } } } }.
 */
export const adminLocale: Record<string, unknown> = {}

export interface AppSettings { kernel: KernelConfig, http: HttpOptions, port: number }

/** Configuration from the environment (see README: Configuración). */
export function appSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<KernelConfig> = {}): AppSettings {
  const trustProxy = env.CM_TRUST_PROXY
  return {
    port: Number(env.PORT ?? 3000),
    kernel: {
      plugins: installedPlugins,
      tiers,
      databaseUrl: env.DATABASE_URL || undefined,
      dataDir: path.resolve(env.CM_DATA_DIR ?? './data'),
      poolSize: env.CM_DB_POOL ? Number(env.CM_DB_POOL) : undefined,
      adminLocale,
      ...overrides,
    },
    http: {
      theme: defaultTheme,
      trustProxy: trustProxy === undefined ? false : /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' ? true : trustProxy,
      baseUrl: env.CM_BASE_URL,
    },
  }
}
