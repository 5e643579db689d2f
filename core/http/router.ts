import express, { Router, type RequestHandler } from 'express'
import type { z } from 'zod'
import { parameterGuard } from './request.js'

/** A route's entry in /api/v1/openapi.json: zod schemas of its query (path parameters come from the path), body and answers by status (`type`: not JSON). */
export interface RouteDoc {
  summary: string, description?: string, query?: z.ZodObject, body?: z.ZodType, bodyExample?: unknown
  responses: Record<number, { description: string, schema?: z.ZodType, example?: unknown, type?: string }>
}
export interface RouteOptions { bodyLimit?: string | number, doc?: RouteDoc }
type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete'
export interface ApiOperation { method: Verb, path: string, auth: 'bearer' | 'none', owner: string, doc?: RouteDoc }
/** Routes as their routers declared them, and each kernel's mounted API (filled when /api/v1 is built). */
export const declaredRoutes = new WeakMap<object, { method: Verb, path: string, doc?: RouteDoc }[]>()
export const mountedOperations = new WeakMap<object, ApiOperation[]>()
/** An express Router whose verbs also accept `(path, { bodyLimit }, ...handlers)`. */
export type PluginRouter = Router & { [V in Verb]: (path: string, options: RouteOptions, ...handlers: RequestHandler[]) => PluginRouter }
const VERBS: Verb[] = ['get', 'post', 'put', 'patch', 'delete']

const parsers = new Map<string | number, RequestHandler>()
const jsonParser = (limit: string | number) => {
  let p = parsers.get(limit)
  if (!p) { p = express.json({ limit, strict: false }); parsers.set(limit, p) }
  return p
}

/**
 * An express Router whose routes each get the JSON body parser (1 MiB unless the route passes
 * `{ bodyLimit }` as its first handler), the parameter guard (query and path parameters are text
 * PostgreSQL can take: a 400 naming them) and, for authenticated API routers, the plugin's gate.
 * The gate sits on each route, not on the router, so a plugin's gate never answers another's path.
 */
export function pluginRouter(gate?: RequestHandler, defaultLimit: string | number = '1mb'): PluginRouter {
  const router = Router()
  const declared: { method: Verb, path: string, doc?: RouteDoc }[] = []
  for (const verb of VERBS) {
    const original = (router[verb] as (...args: unknown[]) => Router).bind(router)
    ;(router as unknown as Record<Verb, unknown>)[verb] = (path: string, ...rest: unknown[]) => {
      let limit = defaultLimit
      let doc: RouteDoc | undefined
      if (rest[0] && typeof rest[0] === 'object' && !Array.isArray(rest[0]) && typeof rest[0] !== 'function') {
        ;({ bodyLimit: limit = defaultLimit, doc } = rest.shift() as RouteOptions)
      }
      declared.push({ method: verb, path, doc })
      return original(path, ...(gate ? [gate] : []), parameterGuard, jsonParser(limit), ...rest)
    }
  }
  declaredRoutes.set(router, declared)
  return router as PluginRouter
}

export const isPluginRouter = (r: unknown) => typeof r === 'function' && declaredRoutes.has(r as object)
