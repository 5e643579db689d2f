import express, { Router, type RequestHandler } from 'express'
import { parameterGuard } from './request.js'

export interface RouteOptions { bodyLimit?: string | number }
type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete'
/** An express Router whose verbs also accept `(path, { bodyLimit }, ...handlers)`. */
export type PluginRouter = Router & { [V in Verb]: (path: string, options: RouteOptions, ...handlers: RequestHandler[]) => PluginRouter }
const VERBS: Verb[] = ['get', 'post', 'put', 'patch', 'delete']

const parsers = new Map<string | number, RequestHandler>()
const jsonParser = (limit: string | number) => {
  let p = parsers.get(limit)
  if (!p) { p = express.json({ limit, strict: false }); parsers.set(limit, p) }
  return p
}

const made = new WeakSet<object>()

/**
 * An express Router whose routes each get the JSON body parser (1 MiB unless the route passes
 * `{ bodyLimit }` as its first handler), the parameter guard (query and path parameters are text
 * PostgreSQL can take: a 400 naming them) and, for authenticated API routers, the plugin's gate.
 * The gate sits on each route, not on the router, so a plugin's gate never answers another's path.
 */
export function pluginRouter(gate?: RequestHandler, defaultLimit: string | number = '1mb'): PluginRouter {
  const router = Router()
  for (const verb of VERBS) {
    const original = (router[verb] as (...args: unknown[]) => Router).bind(router)
    ;(router as unknown as Record<Verb, unknown>)[verb] = (path: string, ...rest: unknown[]) => {
      let limit = defaultLimit
      if (rest[0] && typeof rest[0] === 'object' && !Array.isArray(rest[0]) && typeof rest[0] !== 'function') {
        limit = (rest.shift() as RouteOptions).bodyLimit ?? defaultLimit
      }
      return original(path, ...(gate ? [gate] : []), parameterGuard, jsonParser(limit), ...rest)
    }
  }
  made.add(router)
  return router as PluginRouter
}

export const isPluginRouter = (r: unknown) => typeof r === 'function' && made.has(r as object)
