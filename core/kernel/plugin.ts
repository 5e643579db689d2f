import type { EntitySchema, EntityManager, MikroORM } from '@mikro-orm/postgresql'
import type { Migration } from '@mikro-orm/migrations'
import type { Router, Request, Response } from 'express'
import type { z } from 'zod'
import type { EventBus } from './events.js'
import type { Extensions } from './extensions.js'
import type { Logger } from './logger.js'
import type { PluginRouter } from '../http/router.js'

/**
 * Services a plugin exposes to the plugins that depend on it. Each plugin augments this interface:
 *   declare module '../../core/kernel/plugin.js' { interface PluginServices { clients: ClientsServices } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PluginServices {}

export interface MigrationEntry { name: string, class: new (...args: any[]) => Migration }

/** Mail and SMS delivery; the default writes to the log and to CM_DATA_DIR/outbox. */
export interface Message { channel: 'email' | 'sms', to: string, subject: string, body: string }
export interface Transport { send(message: Message): Promise<void> }

/** A place a signed-in profile can enter besides CM and the staff console (e.g. a customer's PCC). */
export interface PortalTarget { portal: string, id: string, label: string, distributorId: string, url: string }
export interface PortalProvider {
  portal: string
  targetsFor(profileId: string, em: EntityManager): Promise<PortalTarget[]>
  /** Asked before a profile is admitted to a CM: a Spanish reason to refuse it (e.g. it owns a customer), or null. */
  refuseMember?(profileId: string, em: EntityManager): Promise<string | null>
}

export interface PluginContext<O = unknown> {
  readonly id: string
  readonly options: O
  readonly dataDir: string
  readonly orm: MikroORM
  /** A fresh EntityManager for work outside a request transaction. */
  em(): EntityManager
  /** Services of a plugin listed in dependsOn, or the plugin's own (typed through PluginServices). */
  use<K extends keyof PluginServices>(id: K): PluginServices[K]
  readonly events: EventBus
  readonly extensions: Extensions
  readonly log: Logger
  readonly transport: Transport
  registerPortal(provider: PortalProvider): void
  /** Whether a distributor's tier enables this plugin (public routes follow the tier of the row's owner). */
  tierEnables(tier: string | null | undefined): boolean
  /**
   * Routers for `routes(ctx)`: each route gets a JSON body parser (1 MiB unless the route passes
   * `{ bodyLimit }` first); apiRouter routes also get the bearer-token tier gate of this plugin.
   */
  readonly http: { apiRouter(): PluginRouter, publicRouter(): PluginRouter }
  /** Release what bootstrap acquired; runs in reverse boot order. */
  onClose(fn: () => Promise<void> | void): void
}

/** What a plugin adds to the CM (AdminJS). Resources are ResourceWithOptions objects. */
export interface AdminContribution {
  resources?: any[]
  pages?: Record<string, any>
  /** Spanish strings merged into AdminJS's `es` locale (resources, actions, labels, messages). */
  locale?: Record<string, any>
  /** Component name → file path (AdminJS ComponentLoader). */
  components?: Record<string, string>
  /**
   * Actions this plugin adds to another plugin's resource (resource id → action name → AdminJS
   * action), e.g. a link from a customer to its stamping accounts. They append, never replace an
   * action the owner defined, and are shown only when both plugins are in the distributor's tier.
   */
  actionsFor?: Record<string, Record<string, any>>
}

export interface PccPageResult { view: string, data?: Record<string, unknown> }
export interface PccRequestContext { profileId: string, customerId: string, distributorId: string, em: EntityManager }
export interface PccPage {
  /** Path under /pcc/:customer/, e.g. 'datos'. */
  path: string
  title: string
  get(req: Request, pcc: PccRequestContext): Promise<PccPageResult>
  /** Form submissions; the kernel has checked CSRF. Returns a redirect target or a page to render. */
  post?(req: Request, res: Response, pcc: PccRequestContext): Promise<PccPageResult | { redirect: string }>
}

export interface PluginRoutes {
  /** Mounted under /api/v1, behind a bearer token and the tier gate for this plugin. */
  api?: Router
  /** Mounted under /api/v1 without authentication (the plugin enforces its own rules). */
  public?: Router
}

/** A CLI command a plugin adds: `npm run cm -- <name> …`. */
export interface CliCommand {
  description: string
  /** Returns the process exit code. */
  run(args: string[], io: { out(line: string): void, err(line: string): void }): Promise<number>
}

/** Demo data a plugin adds for each demo distributor; the returned fields join its JSON entry. */
export interface DemoSeeder {
  seed(em: EntityManager, distributor: { id: string }, options: { customers: number }): Promise<Record<string, unknown>>
}

export interface PluginDefinition<S extends z.ZodType = z.ZodType> {
  id: string
  version: string
  dependsOn?: readonly string[]
  options?: S
  entities?: EntitySchema<any, any>[]
  migrations?: MigrationEntry[]
  /** Folder with Handlebars views and partials, registered under `<id>/…`. */
  views?: string
  services?: (ctx: PluginContext<z.output<S>>) => unknown
  /** May return a promise, so that a plugin imports its AdminJS code only when the admin is mounted. */
  admin?: (ctx: PluginContext<z.output<S>>) => AdminContribution | Promise<AdminContribution>
  routes?: (ctx: PluginContext<z.output<S>>) => PluginRoutes
  pcc?: (ctx: PluginContext<z.output<S>>) => { pages: PccPage[] }
  commands?: (ctx: PluginContext<z.output<S>>) => Record<string, CliCommand>
  demo?: (ctx: PluginContext<z.output<S>>) => DemoSeeder
  bootstrap?: (ctx: PluginContext<z.output<S>>) => Promise<void> | void
  destroy?: (ctx: PluginContext<z.output<S>>) => Promise<void> | void
}

/** Typed identity function: the one public API of the kernel for plugin authors. */
export function definePlugin<S extends z.ZodType>(plugin: PluginDefinition<S>): PluginDefinition<S> {
  return Object.freeze({ ...plugin })
}

/** An installed plugin: its definition and the raw options from config/app.ts. */
export interface InstalledPlugin { plugin: PluginDefinition<any>, options?: unknown }
