import { objectBody, type PluginContext, type PluginRouter } from '../../../core/plugin-api.js'
import { contractsApiDocs as docs } from './api-docs.js'
import type { ContractsService } from './service.js'

/** /api/v1/contracts: the caller's contracts (and, as seller, its buyers'); anyone else's is 404. */
export function contractsRoutes(ctx: PluginContext<any>, service: ContractsService, api: PluginRouter): PluginRouter {
  const caller = (req: { actor?: { distributorId: string, profileId: string } }) => ({ distributorId: req.actor!.distributorId, profileId: req.actor!.profileId })

  api.get('/contracts', { doc: docs.list }, async (req, res) => {
    res.json({ items: await service.list(ctx.em(), caller(req), req.query.role ?? 'buyer') })
  })

  api.post('/contracts', { doc: docs.create }, async (req, res) => {
    res.status(201).json(await service.contract(ctx.em(), caller(req), objectBody(req).offer))
  })

  api.post('/contracts/:id/cancel', { doc: docs.cancel }, async (req, res) => {
    res.json(await service.cancel(ctx.em(), caller(req), String(req.params.id)))
  })

  return api
}
