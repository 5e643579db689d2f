import type { Request, RequestHandler } from 'express'
import { BadRequestError, FieldValidationError, InvalidParameterError } from '../kernel/errors.js'

const MAX_PER_PAGE = 100
/** Longest query or path parameter accepted anywhere (a search box, an id). */
export const MAX_PARAMETER = 500

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
/**
 * Why a text cannot be stored or searched (PostgreSQL refuses a NUL and text that is not Unicode,
 * and a column has its length), in Spanish for the field's message; null when it can.
 */
export function textProblem(v: string, max = Infinity): string | null {
  if (v.length > max) return `admite a lo sumo ${max} caracteres`
  if (v.includes('\u0000')) return 'contiene un carácter nulo'
  if (LONE_SURROGATE.test(v)) return 'contiene caracteres Unicode no válidos'
  return null
}

/** The first unusable text in a parsed value (keys included), as [path, problem]; null when none. */
export function findBadText(value: unknown, max: number, path = ''): [string, string] | null {
  if (typeof value === 'string') {
    const problem = textProblem(value, max)
    return problem ? [path || 'valor', problem] : null
  }
  if (!value || typeof value !== 'object') return null
  for (const [k, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k
    const bad = textProblem(k, MAX_PARAMETER) ? [at, 'tiene un nombre no válido'] as [string, string] : findBadText(v, max, at)
    if (bad) return bad
  }
  return null
}

/** Every route of a plugin router: query and path parameters are usable text, or a 400 naming them. */
export const parameterGuard: RequestHandler = (req, _res, next) => {
  const bad = findBadText(req.params, MAX_PARAMETER) ?? findBadText(req.query, MAX_PARAMETER)
  next(bad ? new InvalidParameterError({ [bad[0]]: bad[1] }) : undefined)
}

/** page ≥ 1 and perPage in 1..100 (larger values are clamped); anything unparsable is a 400. */
export function pagination(req: Request, defaultPerPage = 20): { page: number, perPage: number } {
  const parse = (name: string, fallback: number) => {
    const raw = req.query[name]
    if (raw === undefined || raw === '') return fallback
    if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new BadRequestError(`'${name}' debe ser un entero positivo`)
    return Number(raw)
  }
  return { page: parse('page', 1), perPage: Math.min(parse('perPage', defaultPerPage), MAX_PER_PAGE) }
}

/**
 * The JSON body as an object whose texts are all storable, or a 400 (not an object) / 422 (naming
 * the field). Each field's own length is its validator's; `maxText` only bounds what any may be.
 */
export function objectBody(req: Request, maxText = 100_000): Record<string, unknown> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BadRequestError('El cuerpo debe ser un objeto JSON')
  const bad = findBadText(req.body, maxText)
  if (bad) throw new FieldValidationError({ [bad[0]]: bad[1] })
  return req.body as Record<string, unknown>
}
