import { sql } from '../db/sql.js'
import express, { type Express, type RequestHandler, type Router } from 'express'
import helmet from 'helmet'
import cookieParser from 'cookie-parser'
import path from 'node:path'
import type { Kernel } from '../kernel/boot.js'
import type { AdminContribution, PccPage, PluginRoutes } from '../kernel/plugin.js'
import { SettingSchema, TierSchema } from '../identity/entities.js'
import { randomToken } from '../identity/service.js'
import { PluginClashError } from '../kernel/errors.js'
import { ViewEngine } from '../views/engine.js'
import { pccRouter } from '../pcc/router.js'
import type { Theme } from '../../themes/default/theme.js'
import { apiRouter, within } from './api.js'
import type { DistributorDirectory } from '../identity/directory.js'
import { pageErrorHandler, pageRoutes, renderErrorPage, renderPage, requireProfile, sitePages } from './pages.js'
import { sessionMiddleware } from './session.js'
import { LoginThrottle } from './throttle.js'

/** The site's own top-level paths: no plugin's pages may take them. */
const CORE_TOP_PATHS = ['admin', 'api', 'assets', 'healthz', 'login', 'logout', 'signout', 'switch', 'pcc', 'staff']

export interface HttpOptions {
  theme: Theme
  /** express 'trust proxy' setting: which proxies may tell us the client's IP and protocol. */
  trustProxy?: boolean | number | string
  /** Mount the AdminJS CM (tests that do not need it skip its cost). */
  admin?: boolean
  /** Public base URL for links in messages; default: from the request. */
  baseUrl?: string
}

export interface Http { app: Express, directory: DistributorDirectory, admin?: unknown }

/**
 * Security headers (helmet): no framing, no MIME sniffing, same-origin referrers, and a CSP. Our
 * pages have no inline script or style; AdminJS inlines its state in a script and styled-components
 * writes style tags, so /admin also allows inline scripts and styles (eval stays blocked). Fonts and
 * everything else only from this origin (AdminJS's Google Fonts link falls back to system fonts).
 */
function securityHeaders(): RequestHandler {
  const directives = {
    defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"], objectSrc: ["'none'"], baseUri: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], upgradeInsecureRequests: null,
  }
  const common = { frameguard: { action: 'deny' as const }, referrerPolicy: { policy: 'same-origin' as const }, crossOriginEmbedderPolicy: false }
  const pages = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives } })
  const admin = helmet({ ...common, contentSecurityPolicy: { useDefaults: false, directives: { ...directives, scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"] } } })
  return (req, res, next) => (req.path === '/admin' || req.path.startsWith('/admin/') ? admin : pages)(req, res, next)
}

/** Mirrors config/tiers.ts into core_tier so staff can see and choose tiers. */
async function syncTiers(kernel: Kernel) {
  const em = kernel.orm.em.fork()
  const ids = Object.keys(kernel.config.tiers)
  for (const [id, t] of Object.entries(kernel.config.tiers)) {
    await em.upsert(TierSchema, { id, name: t.name, plugins: t.plugins === '*' ? [...kernel.installedIds] : [...t.plugins] })
  }
  await em.nativeDelete(TierSchema, { id: { $nin: ids } })
}

/** The session secret lives in the database: every process behind a balancer signs alike. */
async function sessionSecret(kernel: Kernel): Promise<string> {
  const em = kernel.orm.em.fork()
  await sql(em, `insert into core_setting (key, value) values ('session_secret', ?) on conflict (key) do nothing`, [randomToken(48)])
  return (await em.findOneOrFail(SettingSchema, { key: 'session_secret' })).value
}

export async function buildHttp(kernel: Kernel, opts: HttpOptions): Promise<Http> {
  await syncTiers(kernel)
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', opts.trustProxy ?? false)
  app.use(securityHeaders())
  const directory = kernel.directory
  const identity = kernel.identity

  const routes = new Map<string, PluginRoutes>()
  const adminContributions = new Map<string, AdminContribution>()
  const pccPages: { pluginId: string, page: PccPage }[] = []
  // The theme owns the pages and the PCC's frame; plugins bring their own views.
  const views = new ViewEngine(opts.theme.dir, [{ prefix: '', dir: path.join(opts.theme.dir, 'views') },
    ...kernel.plugins.flatMap(({ plugin: p }) => (p.views ? [{ prefix: p.id, dir: p.views }] : []))])
  const deps = {
    kernel, views, identity, directory,
    throttle: new LoginThrottle(kernel.orm),
    baseUrl: () => opts.baseUrl ?? `http://localhost:${process.env.PORT ?? 3000}`,
  }
  const site = sitePages(deps)
  for (const { plugin } of kernel.plugins) {
    const ctx = kernel.contexts.get(plugin.id)!
    if (plugin.routes) routes.set(plugin.id, plugin.routes(ctx, site))
    if (plugin.admin && opts.admin !== false) adminContributions.set(plugin.id, await plugin.admin(ctx))
    for (const page of plugin.pcc?.(ctx).pages ?? []) {
      const clash = pccPages.find((p) => p.page.path === page.path)
      if (clash) throw new PluginClashError(`PCC page '${page.path}'`, clash.pluginId, plugin.id)
      pccPages.push({ pluginId: plugin.id, page })
    }
  }

  // Ok only when the database answers `select 1` within a second; one check at a time, however
  // many pollers ask while it is slow.
  let probe: Promise<void> | undefined
  app.get('/healthz', async (_req, res) => {
    probe ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000)
      kernel.orm.em.getConnection().execute('select 1').then(() => resolve(), reject).finally(() => clearTimeout(timer))
    }).finally(() => { probe = undefined })
    try {
      await probe
      res.json({ status: 'ok', database: kernel.database, plugins: kernel.installedIds })
    } catch (e) {
      res.status(503).json({ status: 'unavailable', database: kernel.database, reason: `database: ${(e as Error)?.message ?? e}`.slice(0, 300) })
    }
  })
  app.use('/assets', express.static(path.join(opts.theme.dir, 'assets'), { maxAge: '1h', index: false }))
  // Browsers and crawlers ask for it unprompted: answered here, before sessions, it never touches one.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/logo.svg'))
  app.use('/api/v1', apiRouter(kernel, directory, routes))
  // Plugins' public pages (a sign-up form behind a link…) under /<id>/, before sessions like the API's
  // public routes; those at the top-level paths a plugin claims (`pagePaths`) after sessions, below.
  const claims = CORE_TOP_PATHS.map((p) => ({ path: `/${p}`, owner: 'core' }))
  const topPages: { router: Router, paths: readonly string[] }[] = []
  for (const [id, r] of routes) {
    const paths = kernel.plugins.find((p) => p.plugin.id === id)!.plugin.pagePaths
    for (const path of r.pages ? paths ?? [`/${id}`] : []) {
      const clash = claims.find((c) => within(path, c.path) || within(c.path, path))
      if (clash) throw new PluginClashError(`Path '${path}'`, clash.owner, id)
      claims.push({ path, owner: id })
    }
    if (r.pages && paths) topPages.push({ router: r.pages, paths })
    else if (r.pages) app.use(`/${id}`, r.pages)
  }

  const secret = await sessionSecret(kernel)
  const session = sessionMiddleware(kernel.orm, secret, kernel.log.child('session'))
  kernel.onClose(session.close)
  app.use(cookieParser(secret))
  app.use(session.middleware)
  // No body parser here: AdminJS parses its own (multipart) bodies, and a parser mounted before
  // its router hangs its requests on express 5. Our form routes parse their own bodies.
  app.use(pageRoutes(deps))
  for (const { router, paths } of topPages) app.use((req, res, next) => (paths.some((p) => within(req.path, p)) ? router(req, res, next) : next()))
  app.get('/signout', requireProfile, (req, res, next) => { renderPage(deps, req, res, 'pages/logout', { title: 'Cerrar sesión' }).catch(next) })
  app.use(pccRouter(kernel, directory, views, pccPages))
  let admin: unknown
  if (opts.admin !== false) {
    // Loaded only when mounted: importing AdminJS costs seconds, which the CLI and most tests skip.
    const { buildAdmin } = await import('../admin/build.js')
    const built = buildAdmin(kernel, directory, opts.theme, adminContributions)
    admin = built.admin
    app.use(built.router)
  }
  app.use((req, res, next) => { renderErrorPage(deps, req, res, 404, 'No encontrado', 'La página no existe.').catch(next) })
  app.use(pageErrorHandler(deps))
  return { app, directory, admin }
}
