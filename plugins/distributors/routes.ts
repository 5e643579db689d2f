import { objectBody, pagination, type PluginContext, type PluginRouter } from '../../core/plugin-api.js'
import { distributorJson, parseListQuery, type DistributorsService } from './services/distributors.js'
import { TRANSITION_NAMES, type TransitionName } from './transitions.js'
import { distributorsApiDocs as docs } from './api-docs.js'

/**
 * /api/v1/distributors: the caller's subtree, itself excluded; anything outside it is 404, as in the
 * customers API. Writes need the "MKL Multi-nivel" entitlement (staff always).
 */
export function distributorsRoutes(ctx: PluginContext, service: DistributorsService): PluginRouter {
  const api = ctx.http.apiRouter()
  const caller = (req: { actor?: { distributorId: string, profileId: string } }) => ({ distributorId: req.actor!.distributorId, profileId: req.actor!.profileId })

  api.get('/distributors', { doc: docs.list }, async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>)
    const { page, perPage } = pagination(req)
    const { items, total } = await service.list(ctx.em(), req.actor!.distributorId, query, page, perPage)
    res.json({ items: items.map(distributorJson), total, page, perPage })
  })

  api.get('/distributors/:id', { doc: docs.get }, async (req, res) => {
    res.json(distributorJson(await service.get(ctx.em(), req.actor!.distributorId, String(req.params.id))))
  })

  api.post('/distributors', { doc: docs.create }, async (req, res) => {
    const body = objectBody(req)
    res.status(201).json(distributorJson(await service.create(ctx.em(), caller(req), body)))
  })

  for (const name of TRANSITION_NAMES) {
    api.post(`/distributors/:id/${name}`, { doc: docs[name] }, async (req, res) => {
      res.json(distributorJson(await service.transition(ctx.em(), caller(req), String(req.params.id), name as TransitionName)))
    })
  }

  return api
}
