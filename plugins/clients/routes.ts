import type { Request } from 'express'
import { BadRequestError } from '../../core/kernel/errors.js'
import type { PluginContext, PluginRoutes } from '../../core/kernel/plugin.js'
import { customerJson, type CustomersService } from './services/customers.js'

const MAX_PER_PAGE = 100

/** page ≥ 1 and perPage in 1..100 (larger values are clamped); anything unparsable is a 400. */
export function pagination(req: Request): { page: number, perPage: number } {
  const parse = (name: string, fallback: number) => {
    const raw = req.query[name]
    if (raw === undefined || raw === '') return fallback
    if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new BadRequestError(`'${name}' must be a positive integer`)
    return Number(raw)
  }
  return { page: parse('page', 1), perPage: Math.min(parse('perPage', 20), MAX_PER_PAGE) }
}

export function clientsRoutes(ctx: PluginContext, customers: CustomersService): PluginRoutes {
  const api = ctx.http.apiRouter()
  const em = () => ctx.em()

  api.get('/customers', async (req, res) => {
    const { page, perPage } = pagination(req)
    const { items, total } = await customers.list(em(), req.actor!.distributorId, page, perPage)
    res.json({ items: items.map(customerJson), total })
  })

  api.get('/customers/:nic', async (req, res) => {
    res.json(customerJson(await customers.getByNic(em(), req.actor!.distributorId, String(req.params.nic))))
  })

  api.post('/customers', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new BadRequestError('The body must be a JSON object')
    const c = await customers.create(em(), req.actor!.distributorId, req.body)
    res.status(201).json(customerJson(c))
  })

  return { api }
}
