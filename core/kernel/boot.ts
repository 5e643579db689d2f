import path from 'node:path'
import { pluginsOfTier } from './tiers.js'
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql'
import { coreEntities } from '../identity/entities.js'
import { coreMigrations } from '../migrations/index.js'
import type { EmbeddedDatabase } from '../db/embedded.js'
import { migrate, openOrm, type ConnectionOptions } from '../db/orm.js'
import { PluginBootTimeoutError, PluginNotAccessibleError } from './errors.js'
import { EventBus } from './events.js'
import { Extensions } from './extensions.js'
import { createLogger, type Logger } from './logger.js'
import { Entitlements } from './entitlements.js'
import { Jobs } from './jobs.js'
import { Outbox } from './outbox.js'
import { pluginSettings } from './settings.js'
import { LocalFileStorage } from './storage.js'
import type { InstalledPlugin, PluginContext, PortalProvider, Transport } from './plugin.js'
import { resolvePlugins, type ResolvedPlugin } from './registry.js'
import { mountedOperations, pluginRouter } from '../http/router.js'
import { tierGate } from '../http/gates.js'
import { OutboxTransport } from '../identity/transport.js'
import { audit, DistributorDirectory } from '../identity/directory.js'
import { IdentityService } from '../identity/service.js'
import { CachePeers } from './peers.js'
import type { TierConfig } from '../../config/tiers.js'

export interface KernelConfig {
  plugins: readonly InstalledPlugin[]
  tiers: TierConfig
  /** Unset: embedded PGlite in dataDir. */
  databaseUrl?: string
  dataDir: string
  /** Tests: start the embedded database in memory, empty or from a migrated snapshot. */
  embeddedSnapshot?: Blob | 'empty'
  migrateOnStart?: boolean
  poolSize?: number
  log?: Logger
  transport?: Transport
  bootTimeoutMs?: number
  /** Spanish strings of the CM that override the core's and the plugins' (AdminJS locale shape). */
  adminLocale?: Record<string, unknown>
  /** Business time for jobs, entitlements and the outbox (default: the system clock). */
  clock?: () => Date
  /** Run jobs and the outbox on timers (default true); tests pass false and call run/deliver. */
  jobs?: boolean
}

export interface Kernel {
  readonly config: KernelConfig
  readonly orm: MikroORM
  readonly database: 'embedded' | 'postgresql'
  readonly plugins: readonly ResolvedPlugin[]
  readonly contexts: ReadonlyMap<string, PluginContext<any>>
  readonly events: EventBus
  readonly extensions: Extensions
  readonly directory: DistributorDirectory
  readonly peers: CachePeers
  readonly identity: IdentityService
  readonly portals: readonly PortalProvider[]
  readonly log: Logger
  readonly transport: Transport
  readonly installedIds: readonly string[]
  pluginsOf(distributorId: string): Promise<readonly string[]>
  readonly clock: () => Date
  readonly jobs: Jobs
  readonly outbox: Outbox
  readonly entitlements: Entitlements
  /** The embedded PGlite instance (tests dump it as a snapshot). */
  readonly embedded?: EmbeddedDatabase
  /** Registers a closer to run at shutdown (before plugins are destroyed). */
  onClose(fn: () => Promise<void> | void): void
  close(): Promise<void>
}

const CORE_ENTITY_OWNERS = Object.fromEntries(coreEntities.map((e) => [e.meta.className, 'core']))

/** Resolves plugins, opens the database, runs migrations, builds services and bootstraps plugins. */
export async function bootKernel(config: KernelConfig): Promise<Kernel> {
  const log = config.log ?? createLogger()
  const plugins = resolvePlugins(config.plugins, CORE_ENTITY_OWNERS)
  const closers: (() => Promise<void> | void)[] = []

  let embedded: EmbeddedDatabase | undefined
  let connection: ConnectionOptions
  if (config.databaseUrl) {
    connection = { clientUrl: config.databaseUrl }
  } else {
    // Imported only here: a process on a PostgreSQL server never loads PGlite.
    const { startEmbedded } = await import('../db/embedded.js')
    embedded = await startEmbedded(config.embeddedSnapshot === 'empty' ? { memory: true } : config.embeddedSnapshot ? { snapshot: config.embeddedSnapshot } : { dataDir: config.dataDir })
    connection = embedded.connection
  }
  closers.push(() => embedded?.close())

  let orm: MikroORM
  try {
    orm = await openOrm({
      connection,
      singleConnection: !!embedded,
      poolSize: config.poolSize,
      entities: [...coreEntities, ...plugins.flatMap((p) => p.plugin.entities ?? [])],
      migrations: [...coreMigrations, ...plugins.flatMap((p) => p.plugin.migrations ?? [])],
    })
  } catch (e) {
    await embedded?.close()
    throw e
  }
  closers.push(() => orm.close(true))
  try {
    if (config.migrateOnStart !== false) {
      const ran = await migrate(orm, config.databaseUrl)
      if (ran.length) log.info(`migrations applied: ${ran.join(', ')}`)
    }
  } catch (e) {
    for (const c of closers.reverse()) await c()
    throw e
  }

  const events = new EventBus()
  const peers = new CachePeers(config.databaseUrl, log.child('peers'))
  try { await peers.start() } catch (e) { for (const c of closers.reverse()) await c(); throw e }
  closers.push(() => peers.close())
  const directory = new DistributorDirectory(events, orm, config.tiers, plugins.map((p) => p.plugin.id), peers)
  const portals: PortalProvider[] = []
  const identity = new IdentityService(portals)
  const extensions = new Extensions()
  extensions.declare('kernel', 'cm.dashboard')
  extensions.declare('kernel', 'kernel.stateChange')
  const transport = config.transport ?? new OutboxTransport(config.dataDir, log.child('outbox'))
  const services = new Map<string, unknown>()
  const contexts = new Map<string, PluginContext<any>>()
  const clock = config.clock ?? (() => new Date())
  const jobs = new Jobs(orm, clock)
  const outbox = new Outbox(orm, clock, log.child('outbox'))
  const entitlements = new Entitlements(clock)

  const kernel: Kernel = {
    config, orm, plugins, contexts, events, extensions, directory, identity, portals, log, transport, clock, jobs, outbox, entitlements, peers,
    database: embedded ? 'embedded' : 'postgresql',
    embedded,
    installedIds: plugins.map((p) => p.plugin.id),
    pluginsOf: async (distributorId) => pluginsOfTier(config.tiers, await directory.tierOf(orm.em.fork(), distributorId) ?? '', kernel.installedIds),
    onClose: (fn) => { closers.push(fn) },
    close: async () => {
      const failures: unknown[] = []
      for (const closer of closers.splice(0).reverse()) {
        try { await closer() } catch (e) { failures.push(e) }
      }
      if (failures.length) throw new AggregateError(failures, 'close_failed')
    },
  }

  try {
    for (const { plugin, options } of plugins) {
      const allowed = new Set([...(plugin.dependsOn ?? []), plugin.id])
      const ctx: PluginContext<any> = {
        id: plugin.id,
        options,
        dataDir: config.dataDir,
        orm,
        em: (): EntityManager => orm.em.fork(),
        use: ((id: string) => {
          if (!allowed.has(id)) throw new PluginNotAccessibleError(plugin.id, id)
          return services.get(id)
        }) as PluginContext['use'],
        events, extensions, directory, identity, audit, peers,
        log: log.child(plugin.id),
        transport,
        registerPortal: (provider) => { portals.push(provider) },
        tierEnables: (tier) => !!tier && pluginsOfTier(config.tiers, tier, kernel.installedIds).includes(plugin.id),
        pluginsOf: kernel.pluginsOf,
        http: { apiRouter: () => pluginRouter(tierGate(plugin.id)), publicRouter: () => pluginRouter(), operations: () => mountedOperations.get(kernel) ?? [] },
        onClose: (fn) => { closers.push(fn) },
        clock,
        outbox: { emit: (em, name, payload) => outbox.emit(em, name, payload), on: (name, handler) => outbox.on(plugin.id, name, handler) },
        storage: new LocalFileStorage(path.join(config.dataDir, 'files', plugin.id)),
        settings: pluginSettings(plugin.id, plugin.settings),
        entitled: (distributorId, key, em) => entitlements.entitled(em ?? orm.em.fork(), distributorId, key),
        entitlements,
      }
      contexts.set(plugin.id, ctx)
      services.set(plugin.id, plugin.services?.(ctx))
    }
    for (const { plugin } of plugins) {
      const ctx = contexts.get(plugin.id)!
      if (plugin.destroy) closers.push(() => plugin.destroy!(ctx))
      if (plugin.bootstrap) await withTimeout(plugin.bootstrap(ctx), config.bootTimeoutMs ?? 30_000, () => new PluginBootTimeoutError(plugin.id))
      for (const [name, job] of Object.entries(plugin.jobs?.(ctx) ?? {})) jobs.add(`${plugin.id}.${name}`, job, ctx.log)
    }
    if (config.jobs !== false) closers.push(jobs.start(), outbox.start(2_000))
  } catch (e) {
    await kernel.close().catch(() => {})
    throw e
  }
  return kernel
}

async function withTimeout<T>(work: Promise<T> | T, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      Promise.resolve(work),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(error()), ms) }),
    ])
  } finally { clearTimeout(timer) }
}
