import { objectBody, pagination, type PluginContext, type PluginRoutes } from '../../core/plugin-api.js'
import { customersCsv } from './csv.js'
import { customerJson, parseFilters, type CustomerFigures, type CustomersService } from './services/customers.js'
import type { Customer } from './entities/customer.js'
import { clientsApiDocs as docs } from './api-docs.js'
import { CUSTOMER_CREATED_DETAILS } from './figures.js'

export function clientsRoutes(ctx: PluginContext, customers: CustomersService): PluginRoutes {
  const api = ctx.http.apiRouter()
  const em = () => ctx.em()

  api.get('/customers', { doc: docs.list }, async (req, res) => {
    const query = parseFilters(req.query as Record<string, unknown>)
    const { page, perPage } = pagination(req)
    const e = em()
    const { items, total } = await customers.list(e, req.actor!.distributorId, query, page, perPage)
    res.json({ items: items.map((i) => customerJsonOf(i)), total, page, perPage })
  })

  // Before /customers/:nic is irrelevant (different path), but kept first for the reader.
  api.get('/customers.csv', { doc: docs.csv }, async (req, res) => {
    const query = parseFilters(req.query as Record<string, unknown>)
    res.setHeader('content-type', 'text/csv; charset=utf-8')
    res.setHeader('content-disposition', 'attachment; filename="clientes.csv"')
    res.send(await customersCsv(customers.listAll(em(), req.actor!.distributorId, query), await customers.figureColumns(req.actor!.distributorId)))
  })

  api.get('/customers/:nic', { doc: docs.get }, async (req, res) => {
    const e = em()
    res.json(await customers.json(e, await customers.getByNic(e, req.actor!.distributorId, String(req.params.nic))))
  })

  api.post('/customers', { doc: docs.create }, async (req, res) => {
    const body = objectBody(req)
    const e = em()
    const c = await customers.create(e, req.actor!.distributorId, body)
    const json = await customers.json(e, c)
    // What other plugins of the tier say about the new customer (e.g. its CTI), under their own keys.
    for (const d of ctx.extensions.list(CUSTOMER_CREATED_DETAILS, await ctx.pluginsOf(c.distributorId))) {
      if (!(d.key in json)) json[d.key] = await d.details(e, c)
    }
    res.status(201).json(json)
  })

  api.patch('/customers/:nic', { doc: docs.update }, async (req, res) => {
    const body = objectBody(req)
    const e = em()
    const c = await customers.getByNic(e, req.actor!.distributorId, String(req.params.nic))
    res.json(await customers.json(e, await customers.update(e, c, body)))
  })

  api.post('/customers/:nic/owner', { doc: docs.owner }, async (req, res) => {
    const body = objectBody(req)
    const e = em()
    const c = await customers.getByNic(e, req.actor!.distributorId, String(req.params.nic))
    const owner = await customers.assignOwner(e, c, body)
    res.json({ nic: c.nic, owner })
  })

  return { api }
}

const customerJsonOf = (i: { customer: Customer, figures: CustomerFigures }) => customerJson(i.customer, i.figures)
