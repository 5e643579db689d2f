import express, { Router, type Request, type Response, type NextFunction } from 'express'
import type { MikroORM } from '@mikro-orm/postgresql'
import { isCatalogedError } from '../kernel/errors.js'
import type { Kernel } from '../kernel/boot.js'
import type { Destination, SitePages } from '../kernel/plugin.js'
import { ProfileSchema } from '../identity/entities.js'
import { normalizeLogin } from '../identity/normalize.js'
import type { IdentityService } from '../identity/service.js'
import type { ViewEngine } from '../views/engine.js'
import { csrf, csrfProtection, formCsrfToken } from './csrf.js'
import type { DistributorDirectory as Directory } from '../identity/directory.js'
import { destroySession, redirectAfterSave, regenerate, saveSession } from './session.js'
import type { LoginThrottle } from './throttle.js'

const form = express.urlencoded({ extended: false, limit: '64kb' })

export interface PageDeps {
  kernel: Kernel
  views: ViewEngine
  identity: IdentityService
  directory: Directory
  throttle: LoginThrottle
  baseUrl: () => string
}

/** Renders a page in the theme's layout, with the CSRF token, the flash notice and the signed-in profile. */
export async function renderPage(deps: Pick<PageDeps, 'views' | 'kernel'>, req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200) {
  const flash = req.session?.flash
  if (flash) delete req.session.flash
  await sendPage(deps, req, res, view, { csrfToken: formCsrfToken(req, res), flash, ...data }, status)
}

/**
 * An error page leaves the session as it was: no token minted, no notice taken. The browser asks
 * for such pages on its own (a missing icon, a prefetch) while the user's page loads; were they to
 * write the session, that write could replace the page's token or take the notice meant for it. The
 * header's sign-out form has the token the session got at sign-in.
 */
export async function renderErrorPage(deps: Pick<PageDeps, 'views' | 'kernel'>, req: Request, res: Response, status: number, heading: string, message: string) {
  await sendPage(deps, req, res, 'pages/error', { csrfToken: (req.session && csrf.getTokenFromState(req)) ?? '', heading, message }, status)
}

async function sendPage(deps: Pick<PageDeps, 'views' | 'kernel'>, req: Request, res: Response, view: string, data: Record<string, unknown>, status: number) {
  let me: unknown
  if (req.session?.profileId) me = await deps.kernel.orm.em.fork().findOne(ProfileSchema, { id: req.session.profileId })
  res.status(status).type('html').send(deps.views.render(view, { me, ...data }))
}

const safeNext = (next: unknown) => (typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '')
const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** Where a profile can go: staff console, each CM it is a member of, each customer's PCC. */
export async function destinationsOf(deps: Pick<PageDeps, 'kernel' | 'identity' | 'directory'>, profileId: string): Promise<Destination[]> {
  const em = deps.kernel.orm.em.fork()
  const out: Destination[] = []
  for (const d of await deps.identity.memberships(em, profileId)) {
    if (!deps.directory.isUsable(d)) continue
    out.push({ target: `cm:${d.id}`, label: d.isRoot ? 'Consola de personal' : `Cuenta Maestra · ${d.name}`, url: '/admin' })
  }
  for (const provider of deps.kernel.portals) {
    for (const t of await provider.targetsFor(profileId, em)) out.push({ target: `${t.portal}:${t.id}`, label: t.label, url: t.url })
  }
  return out
}

/** Enters a destination: for a CM, the session remembers the chosen distributor. */
async function enter(deps: PageDeps, req: Request, res: Response, target: string) {
  const destinations = await destinationsOf(deps, req.session.profileId!)
  const d = destinations.find((x) => x.target === target)
  if (!d) return res.redirect(303, '/')
  if (target.startsWith('cm:')) {
    req.session.distributorId = target.slice(3)
    delete req.session.adminUser
    await saveSession(req)
  }
  res.redirect(303, d.url)
}

export function requireProfile(req: Request, res: Response, next: NextFunction) {
  if (req.session?.profileId) return next()
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`)
}

/** What plugins' own top-level pages get from the site (routes' second argument). */
export const sitePages = (deps: PageDeps): SitePages => ({
  render: (req, res, view, data, status) => renderPage(deps, req, res, view, data, status),
  csrf: csrfProtection, requireProfile, throttle: deps.throttle, redirectAfterSave, baseUrl: deps.baseUrl,
  signIn: async (req, profileId) => { await regenerate(req); req.session.profileId = profileId },
  destinations: (profileId) => destinationsOf(deps, profileId),
})

export function pageRoutes(deps: PageDeps): Router {
  const r = Router()
  const em = () => deps.kernel.orm.em.fork()
  const render = (req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200) => renderPage(deps, req, res, view, data, status)
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next)

  r.get('/login', wrap(async (req, res) => render(req, res, 'pages/login', { title: 'Iniciar sesión', next: safeNext(req.query.next) })))

  r.post('/login', form, csrfProtection, wrap(async (req, res) => {
    const login = str(req.body.login).trim()
    const password = str(req.body.password)
    const next = safeNext(req.body.next)
    const norm = normalizeLogin(login)
    const known = await deps.identity.findByLogin(em(), login)
    // Counted per profile, so its e-mail and its mobile share one limit; unknown logins per spelling.
    const account = known ? `profile:${known.id}` : norm ? ('email' in norm ? norm.email : norm.mobile) : login.toLowerCase().slice(0, 200)
    const ip = req.ip ?? 'unknown'
    if (!await deps.throttle.attempt(account, ip)) {
      return render(req, res, 'pages/login', { title: 'Iniciar sesión', login, next, error: 'Demasiados intentos fallidos. Espere 15 minutos antes de volver a intentarlo.' }, 429)
    }
    const profile = await deps.identity.checkPassword(known, password)
    if (!profile) {
      return render(req, res, 'pages/login', { title: 'Iniciar sesión', login, next, error: 'El usuario o la contraseña no son correctos.' }, 401)
    }
    await deps.throttle.succeeded(account, ip)
    // A new session id at login: a fixated or stolen pre-login id is worth nothing afterwards.
    await regenerate(req)
    req.session.profileId = profile.id
    await saveSession(req)
    if (next) return res.redirect(303, next)
    const destinations = await destinationsOf(deps, profile.id)
    if (destinations.length === 1) return enter(deps, req, res, destinations[0].target)
    res.redirect(303, destinations.length ? '/' : '/profile')
  }))

  r.post('/logout', form, csrfProtection, wrap(async (req, res) => {
    await destroySession(req)
    res.clearCookie('cm.sid')
    res.redirect(303, '/login')
  }))

  r.get('/', requireProfile, wrap(async (req, res) => {
    const destinations = await destinationsOf(deps, req.session.profileId!)
    if (destinations.length === 0) return res.redirect(303, '/profile')
    render(req, res, 'pages/landing', { title: 'Inicio', destinations })
  }))

  r.post('/switch', requireProfile, form, csrfProtection, wrap(async (req, res) => enter(deps, req, res, str(req.body.target))))

  return r
}

/** Error page for non-API routes: Spanish, no stack. */
export function pageErrorHandler(deps: Pick<PageDeps, 'views' | 'kernel'>) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    // AdminJS's own errors (a record id that is not in the tenant…) carry a 4xx statusCode.
    const adminStatus = (err as { statusCode?: unknown })?.statusCode
    const status = isCatalogedError(err) ? err.status : typeof adminStatus === 'number' && adminStatus >= 400 && adminStatus < 500 ? adminStatus : 500
    if (status >= 500) deps.kernel.log.error('page error', { error: String((err as Error)?.stack ?? err) })
    const message = status === 403 ? 'No tiene permiso para esta acción, o el formulario expiró. Recargue la página e inténtelo de nuevo.'
      : status === 404 ? 'La página no existe.' : 'Ocurrió un error. Inténtelo de nuevo.'
    renderErrorPage(deps, req, res, status, status === 403 ? 'Acceso denegado' : status === 404 ? 'No encontrado' : 'Error', message)
      .catch(() => res.status(status).send('Error'))
  }
}

export type { MikroORM }
