import AdminJS, { ComponentLoader } from 'adminjs'
import AdminJSExpress from '@adminjs/express'
import { Router, type Request, type Response, type NextFunction } from 'express'
import { isDeepStrictEqual } from 'node:util'
import type { Kernel } from '../kernel/boot.js'
import type { AdminContribution } from '../kernel/plugin.js'
import { PluginClashError } from '../kernel/errors.js'
import type { DistributorDirectory as Directory } from '../identity/directory.js'
import type { AdminUser } from '../http/types.js'
import { sameOriginOnly } from '../http/csrf.js'
import { PayloadTooLargeError } from '../kernel/errors.js'
import { requireProfile } from '../http/pages.js'
import { redirectAfterSave } from '../http/session.js'
import { findBadText, MAX_PARAMETER, textProblem } from '../http/request.js'
import { InvalidParameterError } from '../kernel/errors.js'
import type { Theme } from '../../themes/default/theme.js'
import { coreAdminLocale } from './locale.js'
import { coreComponents, dropStaleAdminBundle } from './bundle-dir.js'
import { coreAdminResources } from './staff.js'

type Gate = (admin: AdminUser | undefined) => boolean
const BUILT_IN_ACTIONS = ['list', 'show', 'new', 'edit', 'delete', 'bulkDelete', 'search']

const deepMerge = (a: any, b: any): any => {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return b ?? a
  const out = { ...(a ?? {}) }
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v)
  return out
}

/**
 * One AdminJS for CM and staff console, assembled only from contributions. After AdminJS merged each
 * resource's options, every action gets a last gate: plugin resources need the plugin in the
 * distributor's tier, staff resources need staff. A plugin's own isAccessible/isVisible still apply.
 */
export function buildAdmin(kernel: Kernel, directory: Directory, theme: Theme, contributions: Map<string, AdminContribution>) {
  const core = coreAdminResources(kernel)
  const gates = new Map<string, Gate>()
  const isStaff: Gate = (a) => !!a?.isStaff
  const signedIn: Gate = (a) => !!a?.distributorId
  const resources: any[] = []
  for (const r of core.staff) { resources.push(r); gates.set(r.resource.id(), isStaff) }
  for (const r of core.member) { resources.push(r); gates.set(r.resource.id(), signedIn) }
  let translations = deepMerge(theme.admin?.locale ?? {}, coreAdminLocale)
  const componentLoader = new ComponentLoader()
  for (const [name, file] of Object.entries(theme.admin?.components ?? {})) componentLoader.override(name, file)
  const shipped = (ComponentLoader as unknown as { defaultComponents: string[] }).defaultComponents
  const registered = new Map<string, string>()
  const pages: Record<string, any> = {}
  const pageOwners = new Map<string, string>()
  for (const [pluginId, c] of contributions) {
    for (const r of c.resources ?? []) {
      const id = (r.resource ?? r).id()
      if (gates.has(id)) throw new Error(`Admin resource '${id}' of plugin '${pluginId}' clashes with another resource`)
      gates.set(id, (a) => !!a?.plugins?.includes(pluginId))
      resources.push(r)
    }
    if (c.locale) translations = deepMerge(translations, c.locale)
    for (const [name, file] of Object.entries(c.components ?? {})) {
      if (registered.has(name)) throw new PluginClashError(`Admin component '${name}'`, registered.get(name)!, pluginId)
      registered.set(name, pluginId)
      if (shipped.includes(name)) componentLoader.override(name, file)
      else componentLoader.add(name, file)
    }
    for (const [name, page] of Object.entries(c.pages ?? {})) {
      if (pages[name]) throw new PluginClashError(`Admin page '${name}'`, pageOwners.get(name)!, pluginId)
      pageOwners.set(name, pluginId)
      pages[name] = { component: page.component, icon: page.icon, handler: page.handler, isAccessible: ({ currentAdmin }: any) => !!currentAdmin?.plugins?.includes(pluginId) }
      translations = deepMerge(translations, { pages: { [name]: page.label } })
    }
  }
  // Strings the installation overrides (config/app.ts `adminLocale`) win over every plugin's.
  translations = deepMerge(translations, kernel.config.adminLocale)
  // A list's title is its resource's name (AdminJS titled every list "Lista"), unless a locale words it.
  for (const id of gates.keys()) if (translations.labels?.[id]) translations.resources = deepMerge({ [id]: { actions: { list: translations.labels?.[id] } } }, translations.resources)

  // Actions plugins add to other plugins' resources: appended, and gated by the contributor's tier too.
  for (const [pluginId, c] of contributions) {
    for (const [resourceId, actions] of Object.entries(c.actionsFor ?? {})) {
      const target = resources.find((r) => (r.resource ?? r).id() === resourceId)
      if (!target?.resource) throw new Error(`Plugin '${pluginId}' adds actions to '${resourceId}', which no installed plugin defines`)
      target.options = { ...target.options, actions: { ...target.options?.actions } }
      for (const [name, action] of Object.entries(actions)) {
        if (target.options.actions[name] || BUILT_IN_ACTIONS.includes(name)) throw new Error(`Plugin '${pluginId}' adds action '${name}' to '${resourceId}', which already has one`)
        const own = action.isAccessible
        target.options.actions[name] = {
          ...action,
          isAccessible: (ctx: any) => !!ctx.currentAdmin?.plugins?.includes(pluginId) && (typeof own === 'function' ? own(ctx) : own ?? true),
        }
      }
    }
  }

  // The home page's look is the theme's (`admin.dashboard`); its figures are the kernel's.
  const components: Record<string, string> = { ...coreComponents, ...theme.admin?.components }
  if (theme.admin?.dashboard) components.CmDashboard = theme.admin.dashboard
  for (const c of contributions.values()) Object.assign(components, c.components ?? {})
  dropStaleAdminBundle(components)
  const dashboard = theme.admin?.dashboard ? componentLoader.add('CmDashboard', theme.admin.dashboard) : undefined
  componentLoader.add('ApiTokenNew', coreComponents.ApiTokenNew)
  const admin = new AdminJS({
    // The figures of the plugins the distributor's tier enables, in their order (sequential: embedded has one connection).
    dashboard: { component: dashboard, handler: async (_q: unknown, _r: unknown, { currentAdmin: a }: any) => {
      const figures = []
      for (const f of a?.distributorId ? kernel.extensions.list('cm.dashboard', a.plugins) : []) figures.push({ key: f.key, label: f.label, href: f.href, value: await f.value(kernel.orm.em.fork(), a.distributorId) })
      return { figures }
    } },
    rootPath: '/admin',
    loginPath: '/admin/login',
    logoutPath: '/admin/logout',
    resources,
    pages,
    componentLoader,
    branding: {
      companyName: theme.brand.companyName,
      logo: theme.brand.logo ?? false,
      withMadeWithLove: false,
      favicon: '/assets/logo.svg',
      theme: { colors: { primary100: theme.brand.primary }, ...(theme.brand.font ? { font: theme.brand.font } : {}) },
    } as any,
    locale: { language: 'es', availableLanguages: ['es'], localeDetection: false, translations: { es: translations } } as any,
  })

  // The gates, composed last so nothing a plugin or feature merged can replace them.
  for (const resource of admin.resources) {
    const gate = gates.get(resource.id())
    if (!gate) throw new Error(`Admin resource '${resource.id()}' has no owner`)
    const decorator = resource.decorate()
    const primaryKeys = resource.properties().filter((p: any) => p.isId()).map((p: any) => p.name() as string)
    for (const action of Object.values(decorator.actions) as any[]) {
      for (const key of ['isAccessible', 'isVisible'] as const) {
        const own = action.action[key]
        action.action[key] = (ctx: any) => gate(ctx.currentAdmin) && (typeof own === 'function' ? own(ctx) : own ?? true)
      }
      // AdminJS's record.update() merges the posted payload into the record before reading its id,
      // so a posted `id` would redirect an edit of one record to another. The URL names the record.
      if (action.name === 'edit' || action.name === 'new') {
        const own = action.action.before
        const stripKeys = (request: any) => {
          if (request?.payload) for (const pk of primaryKeys) delete request.payload[pk]
          return request
        }
        action.action.before = [stripKeys, ...(own ? (Array.isArray(own) ? own : [own]) : [])]
      }
    }
  }

  const router = Router()
  router.get('/admin/login', (req, res) => res.redirect(303, `/login?next=${encodeURIComponent('/admin')}`))
  router.use('/admin', getOrPostOnly, adminParameterGuard, requireProfile, cmGuard(directory), sameOriginOnly, safeInlineState)
  const adminRouter = AdminJSExpress.buildRouter(admin, undefined, FORM_OPTIONS as never)
  router.use('/admin', bodyLimit, adminRouter)
  return { admin, router }
}

/**
 * AdminJS parses its bodies with formidable, which wrote every file part to the system temp folder
 * and never removed it (60 MB from one request). No CM action takes a file: file parts are dropped
 * unread. A POST body must state its length (browsers do), at most 2 MiB, checked before parsing; so
 * formidable's own field cap (whose error it reports twice, into express's next) is never reached.
 */
const BODY_LIMIT = 2 * 1024 * 1024
const FORM_OPTIONS = {
  maxFieldsSize: BODY_LIMIT + 1,
  maxFields: BODY_LIMIT,
  onPart(this: { handlePart(part: unknown): void }, part: { filename?: string }) { if (part.filename === undefined) this.handlePart(part) },
}
function bodyLimit(req: Request, _res: Response, next: NextFunction) {
  // Without Content-Length or Transfer-Encoding a request has no body; a chunked one states no length.
  const length = req.get('transfer-encoding') ? NaN : Number(req.get('content-length') ?? 0)
  next(req.method !== 'POST' || (Number.isFinite(length) && length <= BODY_LIMIT) ? undefined : new PayloadTooLargeError())
}

/**
 * AdminJS actions tell reads from writes by `method === 'get'` (its delete deletes on HEAD, which
 * express routes to GET handlers and CSRF checks let through as safe), so only GET and POST reach it.
 */
function getOrPostOnly(req: Request, res: Response, next: NextFunction) {
  if (req.method === 'GET' || req.method === 'POST') return next()
  res.status(405).set('Allow', 'GET, POST').end()
}

/**
 * Query parameters (filters.*, sortBy, page…) and the path (the search action's text) are text
 * PostgreSQL can take, or a 400 naming them: a NUL in the customer search box was a 500.
 */
function adminParameterGuard(req: Request, _res: Response, next: NextFunction) {
  let path: string
  try { path = decodeURIComponent(req.path) } catch { return next(new InvalidParameterError({ ruta: 'no es una ruta válida' })) }
  const problem = textProblem(path, 2_000)
  const bad = problem ? ['ruta', problem] : findBadText(req.query, MAX_PARAMETER)
  next(bad ? new InvalidParameterError({ [bad[0]]: bad[1] }) : undefined)
}

/**
 * AdminJS inlines its state (with the signed-in profile's and distributor's names) as
 * `window.REDUX_STATE = <JSON.stringify>;` in a <script>, where a name holding `</script>` would end
 * the script. JSON never holds a raw newline, so each assignment ends at the first `;` + newline;
 * inside it `<`, `>`, `&` and the JS line separators become \u escapes, which parse to the same JSON.
 * AdminJS's page also links Roboto from Google's CDN: dropped, the theme's font stack is local.
 */
function safeInlineState(_req: Request, res: Response, next: NextFunction) {
  const send = res.send.bind(res)
  res.send = (body?: unknown) => send(typeof body === 'string' && body.includes('window.REDUX_STATE = ')
    ? body.replace(/(window\.(?:REDUX_STATE|THEME) = )([^\n]*?)(;\n)/g, (_m, head: string, json: string, tail: string) =>
      head + json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + tail)
      .replace(/<link [^>]*fonts\.googleapis\.com[^>]*>/, '')
    : body)
  next()
}

/**
 * The CM needs a chosen distributor the profile still belongs to, which can still use the CM. The
 * actor (tier, plugins) is recomputed on every request from a short cache, so changes apply within
 * a minute without signing in again.
 */
function cmGuard(directory: Directory) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (req.path === '/logout' && req.method === 'GET') return res.redirect(303, '/signout')
      const distributorId = req.session.distributorId
      const actor = distributorId ? await directory.actor(req.session.profileId!, distributorId) : null
      if (!actor) {
        delete req.session.distributorId
        delete req.session.adminUser
        return await redirectAfterSave(req, res, '/')
      }
      const adminUser: AdminUser = { ...actor, id: actor.profileId, title: actor.distributorName }
      if (!isDeepStrictEqual(req.session.adminUser, adminUser)) req.session.adminUser = adminUser
      next()
    } catch (e) { next(e) }
  }
}
