import { Router, type RequestHandler } from 'express'
import { sql } from '../db/sql.js'
import { ApiTokenSchema } from '../identity/entities.js'
import { sha256 } from '../identity/service.js'
import { DistributorInactiveError, NotFoundError, PluginClashError, PluginInvalidError, UnauthenticatedError } from '../kernel/errors.js'
import type { Kernel } from '../kernel/boot.js'
import type { PluginRoutes } from '../kernel/plugin.js'
import type { DistributorDirectory as Directory } from '../identity/directory.js'
import { apiErrorHandler } from './errors.js'
import { declaredRoutes, isPluginRouter, mountedOperations, pluginRouter, type ApiOperation } from './router.js'
import { z } from 'zod'

/** Bearer API token → req.actor (the token's profile acting for the token's distributor). */
export function bearerAuth(kernel: Kernel, directory: Directory): RequestHandler {
  return async (req, _res, next) => {
    try {
      const header = req.get('authorization') ?? ''
      const match = /^Bearer\s+(\S+)$/i.exec(header)
      if (!match) return next(new UnauthenticatedError())
      const token = await kernel.orm.em.fork().findOne(ApiTokenSchema, { tokenHash: sha256(match[1]), revokedAt: null })
      if (!token) return next(new UnauthenticatedError())
      const actor = await directory.actor(token.profileId, token.distributorId)
      const d = actor ? null : await directory.distributor(token.distributorId)
      if (!actor) return next(d && !directory.isUsable(d) ? new DistributorInactiveError() : new UnauthenticatedError())
      // Last use to the minute: at most one write per token and minute, not one per request.
      if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
        await sql(kernel.orm.em.fork(), `update core_api_token set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`, [token.id])
      }
      req.actor = actor
      next()
    } catch (e) { next(e) }
  }
}

export const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}.`)
const routePaths = (router: Router): string[] => router.stack.flatMap((l: any) => l.route ? [l.route.path].flat() : [])

/**
 * Where each plugin's routers mount: under /api/v1/<id>, or at the top for the paths it claims
 * (`apiPaths`). Refuses a route outside the plugin's paths and a path two owners claim, so one
 * plugin's public route can never shadow another's.
 */
export function apiMounts(kernel: Kernel, routes: Map<string, PluginRoutes>, corePaths: readonly string[]) {
  const claims = corePaths.map((path) => ({ path, owner: 'core' }))
  return [...routes].map(([id, r]) => {
    const { apiPaths: declared, dependsOn: deps } = kernel.plugins.find((p) => p.plugin.id === id)?.plugin ?? {}
    for (const path of declared ?? [`/${id}`]) {
      // Inside another plugin's path only below one of its records ('/customers/:nic/points'), for a plugin that
      // depends on that owner: a literal there ('/customers/export') would shadow the owner's '/customers/:nic'.
      const underRecord = (c: { path: string, owner: string }) => path.startsWith(`${c.path}/:`) && !!deps?.includes(c.owner)
      const clash = claims.find((c) => (within(path, c.path) && !underRecord(c)) || within(c.path, path))
      if (clash) throw new PluginClashError(`API path '${path}'`, clash.owner, id)
      claims.push({ path, owner: id })
    }
    for (const router of [r.public, r.api]) {
      if (router && !isPluginRouter(router)) throw new Error(`Plugin '${id}' must build its routers with ctx.http.apiRouter()/publicRouter()`)
      for (const path of router && declared ? routePaths(router) : []) {
        if (!declared!.some((p) => within(path, p))) throw new PluginInvalidError(id, `API route '${path}' is outside its apiPaths (${declared!.join(', ')})`)
      }
    }
    return { id, base: declared ? '/' : `/${id}`, ...r }
  })
}

/** /api/v1: public plugin routes, then bearer auth, /me, and each plugin's gated routes. */
export function apiRouter(kernel: Kernel, directory: Directory, routes: Map<string, PluginRoutes>): Router {
  const api = Router()
  const mounts = apiMounts(kernel, routes, ['/me'])
  for (const m of mounts) if (m.public) api.use(m.base, m.public)
  api.use(bearerAuth(kernel, directory))
  const core = pluginRouter()
  const me = z.object({ profile: z.object({ id: z.uuid(), email: z.string(), mobile: z.string(), name: z.string() }), distributor: z.object({ id: z.uuid(), name: z.string(), parentId: z.uuid().nullable(), state: z.string() }), tier: z.string(), plugins: z.array(z.string()) })
  core.get('/me', { doc: { summary: 'El perfil y el distribuidor del token', responses: { 200: { description: 'Quién llama', schema: me } } } }, (req, res) => {
    const a = req.actor!
    res.json({
      profile: { id: a.profileId, email: a.email, mobile: a.mobile, name: a.name },
      distributor: { id: a.distributorId, name: a.distributorName, parentId: a.distributorParentId, state: a.distributorState },
      tier: a.tier,
      plugins: a.plugins,
    })
  })
  api.use(core)
  const ops = (router: unknown, base: string, auth: ApiOperation['auth'], owner: string) => (declaredRoutes.get(router as object) ?? []).map((r) => ({ ...r, path: base.replace(/^\/$/, '') + r.path, auth, owner }))
  mountedOperations.set(kernel, [...ops(core, '', 'bearer', 'core'), ...mounts.flatMap((m) => [...ops(m.public, m.base, 'none', m.id), ...ops(m.api, m.base, 'bearer', m.id)])])
  for (const m of mounts) if (m.api) api.use(m.base, m.api)
  api.use((_req, _res, next) => next(new NotFoundError('La ruta')))
  api.use(apiErrorHandler(kernel.log))
  return api
}
