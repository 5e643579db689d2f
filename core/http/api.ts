import { Router, type RequestHandler } from 'express'
import { sql } from '../db/sql.js'
import { ApiTokenSchema } from '../identity/entities.js'
import { sha256 } from '../identity/service.js'
import { NotFoundError, UnauthenticatedError } from '../kernel/errors.js'
import type { Kernel } from '../kernel/boot.js'
import type { PluginRoutes } from '../kernel/plugin.js'
import type { Directory } from './directory.js'
import { apiErrorHandler } from './errors.js'
import { isPluginRouter, pluginRouter } from './router.js'

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
      if (!actor) return next(new UnauthenticatedError())
      // Last use to the minute: at most one write per token and minute, not one per request.
      if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
        await sql(kernel.orm.em.fork(), `update core_api_token set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`, [token.id])
      }
      req.actor = actor
      next()
    } catch (e) { next(e) }
  }
}

/** /api/v1: public plugin routes, then bearer auth, /me, and each plugin's gated routes. */
export function apiRouter(kernel: Kernel, directory: Directory, routes: Map<string, PluginRoutes>): Router {
  const api = Router()
  for (const [id, r] of routes) {
    for (const router of [r.public, r.api]) {
      if (router && !isPluginRouter(router)) throw new Error(`Plugin '${id}' must build its routers with ctx.http.apiRouter()/publicRouter()`)
    }
    if (r.public) api.use(r.public)
  }
  api.use(bearerAuth(kernel, directory))
  const core = pluginRouter()
  core.get('/me', (req, res) => {
    const a = req.actor!
    res.json({
      profile: { id: a.profileId, email: a.email, mobile: a.mobile, name: a.name },
      distributor: { id: a.distributorId, name: a.distributorName },
      tier: a.tier,
      plugins: a.plugins,
    })
  })
  api.use(core)
  for (const r of routes.values()) if (r.api) api.use(r.api)
  api.use((_req, _res, next) => next(new NotFoundError('Route')))
  api.use(apiErrorHandler(kernel.log))
  return api
}
