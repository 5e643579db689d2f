import type { Request } from 'express'
import { BadRequestError } from '../kernel/errors.js'

const MAX_PER_PAGE = 100

/** page ≥ 1 and perPage in 1..100 (larger values are clamped); anything unparsable is a 400. */
export function pagination(req: Request, defaultPerPage = 20): { page: number, perPage: number } {
  const parse = (name: string, fallback: number) => {
    const raw = req.query[name]
    if (raw === undefined || raw === '') return fallback
    if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new BadRequestError(`'${name}' must be a positive integer`)
    return Number(raw)
  }
  return { page: parse('page', 1), perPage: Math.min(parse('perPage', defaultPerPage), MAX_PER_PAGE) }
}

/** The JSON body as an object, or a 400. */
export function objectBody(req: Request): Record<string, unknown> {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BadRequestError('The body must be a JSON object')
  return req.body as Record<string, unknown>
}
