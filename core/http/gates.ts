import type { RequestHandler } from 'express'
import { PluginNotInTierError, UnauthenticatedError } from '../kernel/errors.js'

/** API routes of a plugin answer only actors whose distributor's tier enables that plugin. */
export function tierGate(pluginId: string): RequestHandler {
  return (req, _res, next) => {
    if (!req.actor) return next(new UnauthenticatedError())
    if (!req.actor.plugins.includes(pluginId)) return next(new PluginNotInTierError(pluginId))
    next()
  }
}
