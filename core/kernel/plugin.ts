import type { EntitySchema, EntityManager, MikroORM } from '@mikro-orm/postgresql'
import type { Migration } from '@mikro-orm/migrations'
import type { Router, Request, Response, RequestHandler } from 'express'
import type { z } from 'zod'
import type { EventBus } from './events.js'
import type { Extensions } from './extensions.js'
import type { Entitlements } from './entitlements.js'
import type { JobDefinition } from './jobs.js'
import type { OutboxHandler } from './outbox.js'
import type { PluginSettings } from './settings.js'
import type { FileStorage } from './storage.js'
import type { Logger } from './logger.js'
import type { CachePeers } from './peers.js'
import type { ApiOperation, PluginRouter } from '../http/router.js'
import type { audit, DistributorDirectory } from '../identity/directory.js'
import type { IdentityService } from '../identity/service.js'

/** Profiles and memberships, for plugins (never core_profile or core_distributor_member directly). */
export type Identity = Pick<IdentityService, 'profile' | 'profiles' | 'profileByLogin' | 'profileByEmailAndMobile' | 'isMember'
  | 'memberDistributorIds' | 'members' | 'addMember' | 'removeMember' | 'createProfile' | 'issueOneTimeToken' | 'consumeOneTimeToken'
  | 'isTokenUsable' | 'verifyPassword' | 'setPassword' | 'updateProfile'>

/**
 * Services a plugin exposes to the plugins that depend on it. Each plugin augments this interface:
 *   declare module '../../core/plugin-api.js' { interface PluginServices { clients: ClientsServices } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PluginServices {}

export interface MigrationEntry { name: string, class: new (...args: any[]) => Migration }

/** Mail and SMS delivery; the default writes to the log and to CM_DATA_DIR/outbox. */
export interface Message { channel: 'email' | 'sms', to: string, subject: string, body: string }
export interface Transport { send(message: Message): Promise<void> }

/** A place a signed-in profile can enter besides CM and the staff console (e.g. a customer's PCC). */
/** `slug` names the target in its URLs (a customer's NIC; the UUID id stays inside); `name` heads its pages. */
export interface PortalTarget { portal: string, id: string, slug?: string, name?: string, label: string, distributorId: string, url: string }
export interface PortalProvider {
  portal: string
  targetsFor(profileId: string, em: EntityManager): Promise<PortalTarget[]>
  /** Asked before a profile is admitted to a CM: a Spanish reason to refuse it (e.g. it owns a customer but `except`), or null. */
  refuseMember?(profileId: string, em: EntityManager, except?: string): Promise<string | null>
}

export interface PluginContext<O = unknown, St = any> {
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
  /** Distributors, their tree (ltree path) and state; writes emit core.distributor* events. */
  readonly directory: DistributorDirectory
  /** A plugin's per-process cache kept in step across processes: `on('x', drop)`, `publish(em, 'x', key)`. */
  readonly peers: CachePeers
  readonly identity: Identity
  /** Writes core_audit_log in the caller's transaction: `ctx.audit(em, { action, subject, before, after })`. */
  readonly audit: typeof audit
  readonly log: Logger
  readonly transport: Transport
  registerPortal(provider: PortalProvider): void
  /** Whether a distributor's tier enables this plugin (public routes follow the tier of the row's owner). */
  tierEnables(tier: string | null | undefined): boolean
  /** The plugins a distributor's tier enables (cached for a few seconds; [] for an unknown one). */
  pluginsOf(distributorId: string): Promise<readonly string[]>
  /**
   * Routers for `routes(ctx)`: each route gets a JSON body parser (1 MiB unless the route passes
   * `{ bodyLimit }` first); apiRouter routes also get the bearer-token tier gate of this plugin.
   */
  readonly http: { apiRouter(): PluginRouter, publicRouter(): PluginRouter, /** every mounted API route with its `doc`, once /api/v1 is built */ operations(): readonly ApiOperation[] }
  /** Release what bootstrap acquired; runs in reverse boot order. */
  onClose(fn: () => Promise<void> | void): void
  /** The kernel's clock (injected in tests): business time comes from here, not `new Date()`. */
  clock(): Date
  /**
   * Durable events: `emit` records one row per subscriber in the caller's transaction (em); after
   * commit the kernel delivers them, retrying with back-off. Register handlers in bootstrap.
   */
  readonly outbox: { emit(em: EntityManager, name: string, payload: unknown): Promise<void>, on(name: string, handler: OutboxHandler): void }
  /** This plugin's files, content-addressed (CM_DATA_DIR/files/<id>/ by default). */
  readonly storage: FileStorage
  /** This plugin's settings per distributor (its definition's `settings` schema). */
  readonly settings: PluginSettings<St>
  /** Whether the distributor holds the entitlement at clock(); inside a transaction pass its em. */
  entitled(distributorId: string, key: string, em?: EntityManager): Promise<boolean>
  readonly entitlements: Entitlements
}

/**
 * A CM page of its own (AdminJS `pages`): `component` is a name from the contribution's `components`;
 * `handler` answers the component's ApiClient.getPage() (GET reads, POST writes: check the method).
 * The sidebar lists it under `label`; it shows only when the plugin is in the distributor's tier.
 */
export interface AdminPage { label: string, component: string, icon?: string, handler?: (request: any, response: any, context: any) => Promise<unknown> }

/** What a plugin adds to the CM (AdminJS). Resources are ResourceWithOptions objects. */
export interface AdminContribution {
  resources?: any[]
  /** Page name (unique across plugins) → page. */
  pages?: Record<string, AdminPage>
  /** Spanish strings merged into AdminJS's `es` locale (resources, actions, labels, messages). */
  locale?: Record<string, any>
  /** Component name → file path: new names are added, names AdminJS ships replace its own. */
  components?: Record<string, string>
  /**
   * Actions this plugin adds to another plugin's resource (resource id → action name → AdminJS
   * action), e.g. a link from a customer to its stamping accounts. They append, never replace an
   * action the owner defined, and are shown only when both plugins are in the distributor's tier.
   */
  actionsFor?: Record<string, Record<string, any>>
}

/** Several contributions as one (a plugin whose parts each contribute to the CM). */
export const mergeAdmin = (parts: AdminContribution[]): AdminContribution => ({
  resources: parts.flatMap((p) => p.resources ?? []),
  pages: Object.assign({}, ...parts.map((p) => p.pages ?? {})),
  components: Object.assign({}, ...parts.map((p) => p.components ?? {})),
  actionsFor: Object.assign({}, ...parts.map((p) => p.actionsFor ?? {})),
  locale: parts.reduce((acc, p) => ({ ...acc, ...p.locale, resources: { ...acc.resources, ...p.locale?.resources }, labels: { ...acc.labels, ...p.locale?.labels } }), {} as Record<string, any>),
})

export interface PccPageResult { view: string, data?: Record<string, unknown> }
/** `base` is the customer's panel URL (`/pcc/<nic>`), for links and redirects. */
export interface PccRequestContext { profileId: string, customerId: string, distributorId: string, base: string, em: EntityManager }
export interface PccPage {
  /** Path under /pcc/:customer/, e.g. 'datos'. */
  path: string
  title: string
  get(req: Request, pcc: PccRequestContext): Promise<PccPageResult>
  /** Form submissions; the kernel has checked CSRF. Returns a redirect target or a page to render. */
  post?(req: Request, res: Response, pcc: PccRequestContext): Promise<PccPageResult | { redirect: string }>
}

/**
 * A plugin's API routers, mounted under /api/v1/<plugin id>, or under /api/v1 itself when the plugin
 * claims top-level paths (`apiPaths`); the kernel refuses at boot a route outside them or a path two
 * plugins claim.
 */
export interface PluginRoutes {
  /** Behind a bearer token and the tier gate for this plugin. */
  api?: Router
  /** Without authentication (the plugin enforces its own rules). */
  public?: Router
  /**
   * HTML pages without authentication (e.g. a form behind a signed link), mounted at /<plugin id>/
   * before sessions; with `pagePaths`, at those paths after sessions (the router sees no other path).
   */
  pages?: Router
}

/** Where a signed-in profile can go (CM, staff console, a customer's PCC…). */
export interface Destination { target: string, label: string, url: string }

/** The site's page machinery for a plugin's `pagePaths` pages (routes' second argument), so they behave as the kernel's own. */
export interface SitePages {
  /** A view in the theme's layout, with the CSRF token (`{{> csrf}}`), the flash notice and the signed-in profile. */
  render(req: Request, res: Response, view: string, data?: Record<string, unknown>, status?: number): Promise<void>
  /** Checks a form's CSRF token (the session's, or a visitor's signed double-submit one). */
  readonly csrf: RequestHandler
  /** Redirects to /login (and back afterwards) unless a profile is signed in. */
  readonly requireProfile: RequestHandler
  /** Sign-in throttling, per account and IP: count an attempt before checking a password, clear it on success. */
  readonly throttle: { attempt(account: string, ip: string): Promise<boolean>, succeeded(account: string, ip: string): Promise<void> }
  /** Signs the profile in under a new session id (a fixated pre-login id is worth nothing afterwards). */
  signIn(req: Request, profileId: string): Promise<void>
  /** Stores the session (a flash notice), then redirects with 303. */
  redirectAfterSave(req: Request, res: Response, url: string): Promise<void>
  destinations(profileId: string): Promise<Destination[]>
  /** Public base URL for links in messages. */
  baseUrl(): string
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

type Ctx<S extends z.ZodType, T> = PluginContext<z.output<S>, T extends z.ZodObject ? z.output<T> : any>

export interface PluginDefinition<S extends z.ZodType = z.ZodType, T extends z.ZodObject = any> {
  id: string
  /** Its name in Spanish, for people (the staff console's tiers). */
  title?: string
  version: string
  dependsOn?: readonly string[]
  options?: S
  entities?: EntitySchema<any, any>[]
  migrations?: MigrationEntry[]
  /**
   * Top-level API paths this plugin owns (e.g. ['/customers']): its routes mount under /api/v1 and
   * each must start with one of them. Without it, routes mount under /api/v1/<id>.
   */
  apiPaths?: readonly string[]
  /** Top-level page paths this plugin owns (e.g. ['/signup']): its `pages` router mounts at the top, after sessions. */
  pagePaths?: readonly string[]
  /** DDL its migrations write that MikroORM cannot model (CHECKs, partial or expression indexes): the schema-drift check accepts exactly these statements. */
  unmodelledDdl?: readonly string[]
  /** Folder with Handlebars views and partials, registered under `<id>/…`. */
  views?: string
  services?: (ctx: Ctx<S, T>) => unknown
  /** May return a promise, so that a plugin imports its AdminJS code only when the admin is mounted. */
  admin?: (ctx: Ctx<S, T>) => AdminContribution | Promise<AdminContribution>
  routes?: (ctx: Ctx<S, T>, site: SitePages) => PluginRoutes
  pcc?: (ctx: Ctx<S, T>) => { pages: PccPage[] }
  commands?: (ctx: Ctx<S, T>) => Record<string, CliCommand>
  demo?: (ctx: Ctx<S, T>) => DemoSeeder
  bootstrap?: (ctx: Ctx<S, T>) => Promise<void> | void
  destroy?: (ctx: Ctx<S, T>) => Promise<void> | void
  /** Settings per distributor; every field needs a `.default()`. Read with ctx.settings. */
  settings?: T
  /** Scheduled jobs, named '<id>.<key>'; one process runs each at a time. */
  jobs?: (ctx: Ctx<S, T>) => Record<string, JobDefinition>
  /** Entitlement keys this plugin checks → Spanish labels for the staff console. */
  entitlements?: Record<string, string>
}

/** Typed identity function: the one public API of the kernel for plugin authors. */
export function definePlugin<S extends z.ZodType, T extends z.ZodObject = any>(plugin: PluginDefinition<S, T>): PluginDefinition<S, T> {
  return Object.freeze({ ...plugin })
}

/** An installed plugin: its definition and the raw options from config/app.ts. */
export interface InstalledPlugin { plugin: PluginDefinition<any, any>, options?: unknown }
