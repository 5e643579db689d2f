import express, { Router, type Request, type Response, type NextFunction } from 'express'
import type { Kernel } from '../kernel/boot.js'
import type { PccPage, PortalTarget } from '../kernel/plugin.js'
import { NotFoundError, PluginNotInTierError } from '../kernel/errors.js'
import type { DistributorDirectory as Directory } from '../identity/directory.js'
import { csrf, csrfProtection } from '../http/csrf.js'
import { renderPage, requireProfile } from '../http/pages.js'
import { redirectAfterSave } from '../http/session.js'
import type { ViewEngine } from '../views/engine.js'

const form = express.urlencoded({ extended: false, limit: '256kb' })

/**
 * The customer panel: pages contributed by plugins, for the customers linked to the signed-in
 * profile (as the portal providers report them), gated by the tier of the customer's distributor.
 */
export function pccRouter(kernel: Kernel, directory: Directory, views: ViewEngine, pages: { pluginId: string, page: PccPage }[]): Router {
  const r = Router()
  const deps = { kernel, views }
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next)

  const targetsOf = async (profileId: string): Promise<PortalTarget[]> => {
    const em = kernel.orm.em.fork()
    const out: PortalTarget[] = []
    for (const p of kernel.portals) if (p.portal === 'pcc') out.push(...await p.targetsFor(profileId, em))
    return out
  }

  const resolve = async (req: Request) => {
    const target = (await targetsOf(req.session.profileId!)).find((t) => (t.slug ?? t.id) === req.params.customer)
    if (!target) throw new NotFoundError('El cliente')
    const d = await directory.distributor(target.distributorId)
    const enabled = d ? directory.pluginsFor(d) : []
    const visible = pages.filter((p) => enabled.includes(p.pluginId))
    return { target, visible, enabled, base: `/pcc/${encodeURIComponent(target.slug ?? target.id)}` }
  }

  const show = async (req: Request, res: Response, { target, visible, base }: { target: PortalTarget, visible: typeof pages, base: string }, current: string, view: string, data: Record<string, unknown> = {}, status = 200) => {
    const nav = visible.map((p) => ({ href: `${base}/${p.page.path}`, title: p.page.title, active: p.page.path === current }))
    await renderPage(deps, req, res, 'pcc/shell', { title: target.label, target, nav, inner: views.render(view, { ...data, target, base, csrfToken: csrf.generateToken(req) }, ''), ...data }, status)
  }

  r.use('/pcc', requireProfile)

  r.get('/pcc', wrap(async (req, res) => {
    const targets = await targetsOf(req.session.profileId!)
    if (targets.length === 1) return res.redirect(303, targets[0].url)
    await renderPage(deps, req, res, 'pcc/choose', { title: 'Panel de Control del Cliente', targets })
  }))

  r.get('/pcc/:customer', wrap(async (req, res) => {
    const resolved = await resolve(req)
    if (resolved.visible.length) return res.redirect(303, `${resolved.base}/${resolved.visible[0].page.path}`)
    await show(req, res, resolved, '', 'pcc/empty')
  }))

  const pageFor = async (req: Request) => {
    const resolved = await resolve(req)
    const entry = pages.find((p) => p.page.path === req.params.page)
    if (!entry) throw new NotFoundError('La página')
    if (!resolved.enabled.includes(entry.pluginId)) throw new PluginNotInTierError(entry.pluginId)
    const pcc = { profileId: req.session.profileId!, customerId: resolved.target.id, distributorId: resolved.target.distributorId, base: resolved.base, em: kernel.orm.em.fork() }
    return { ...resolved, entry, pcc }
  }

  r.get('/pcc/:customer/:page', wrap(async (req, res) => {
    const { entry, pcc, ...resolved } = await pageFor(req)
    const result = await entry.page.get(req, pcc)
    await show(req, res, resolved, entry.page.path, result.view, result.data)
  }))

  r.post('/pcc/:customer/:page', form, csrfProtection, wrap(async (req, res) => {
    const { entry, pcc, ...resolved } = await pageFor(req)
    if (!entry.page.post) throw new NotFoundError('La página')
    const result = await entry.page.post(req, res, pcc)
    // The page may have left a notice in the session for the page it redirects to.
    if ('redirect' in result) return redirectAfterSave(req, res, result.redirect)
    await show(req, res, resolved, entry.page.path, result.view, result.data, 422)
  }))

  return r
}
