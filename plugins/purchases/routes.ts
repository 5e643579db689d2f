import type { Request } from 'express'
import { InvalidParameterError, objectBody as body, pagination, type PluginContext, type PluginRoutes } from '../../core/plugin-api.js'
import type { PurchasesServices } from './index.js'
import { purchasesApiDocs as docs } from './api-docs.js'
import { orderJson } from './services/orders.js'

const oneOf = <T extends string>(req: Request, name: string, values: readonly T[]): T | undefined => {
  const v = req.query[name]
  if (v === undefined || v === '') return undefined
  if (typeof v !== 'string' || !values.includes(v as T)) throw new InvalidParameterError({ [name]: `Debe ser ${values.join(' o ')}` })
  return v as T
}

export function purchasesRoutes(ctx: PluginContext, s: PurchasesServices): PluginRoutes {
  const em = () => ctx.em()
  const api = ctx.http.apiRouter()
  const me = (req: Request) => ({ type: 'distributor' as const, id: req.actor!.distributorId })
  const actor = (req: Request) => ({ profileId: req.actor!.profileId })

  api.get('/catalog', { doc: docs.catalog }, async (req, res) => {
    res.json(await s.purchases.catalogJson(em(), req.actor!.distributorId))
  })

  api.get('/orders', { doc: docs.listOrders }, async (req, res) => {
    const role = oneOf(req, 'role', ['buyer', 'seller'] as const)
    const state = oneOf(req, 'state', ['pending', 'confirmed', 'cancelled'] as const)
    const { page, perPage } = pagination(req)
    const { items, total } = await s.orders.list(em(), me(req), { role, state, page, perPage })
    res.json({ items: items.map(orderJson), total })
  })
  api.get('/orders/:id', { doc: docs.getOrder }, async (req, res) => {
    res.json({ order: orderJson(await s.orders.get(em(), me(req), String(req.params.id))) })
  })
  api.post('/orders', { doc: docs.createOrder }, async (req, res) => {
    const { order, instructions } = await s.orders.create(em(), me(req), body(req), actor(req))
    res.status(201).json({ order: orderJson(order), ...(instructions ? { instructions } : {}) })
  })
  api.post('/orders/:id/confirm', { doc: docs.confirmOrder }, async (req, res) => {
    res.json({ order: orderJson(await s.orders.confirm(em(), req.actor!.distributorId, String(req.params.id), body(req).reference, actor(req))) })
  })
  api.post('/orders/:id/cancel', { doc: docs.cancelOrder }, async (req, res) => {
    res.json({ order: orderJson(await s.orders.cancel(em(), me(req), String(req.params.id), actor(req))) })
  })

  api.post('/purchases', { doc: docs.purchase }, async (req, res) => {
    const { replayed, ...out } = await s.purchases.buyStamps(em(), req.actor!.distributorId, body(req), actor(req))
    res.status(replayed ? 200 : 201).json(out)
  })

  api.post('/customers/:nic/points', { doc: docs.customerPoints }, async (req, res) => {
    const { replayed, ...out } = await s.purchases.pointsToCustomer(em(), req.actor!.distributorId, String(req.params.nic), body(req), actor(req))
    res.status(replayed ? 200 : 201).json(out)
  })

  return { api }
}
