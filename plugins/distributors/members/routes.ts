import { objectBody, type PluginContext, type PluginRouter } from '../../../core/plugin-api.js'
import type { MembersService } from './service.js'
import { distributorsApiDocs as docs } from '../api-docs.js'

/** GET/POST /api/v1/members, DELETE /api/v1/members/:id: the caller's own distributor's members. */
export function membersRoutes(ctx: PluginContext<any>, members: MembersService, api: PluginRouter = ctx.http.apiRouter()): PluginRouter {
  api.get('/members', { doc: docs.members }, async (req, res) => {
    const items = await members.list(ctx.em(), req.actor!.distributorId)
    res.json({ items, total: items.length })
  })
  api.post('/members', { doc: docs.admit }, async (req, res) => {
    const body = objectBody(req, 1000)
    const { member, invited } = await members.admit(ctx.em(), req.actor!.distributorId, body, req.actor!.profileId)
    res.status(201).json({ ...member, invited })
  })
  api.delete('/members/:id', { doc: docs.removeMember }, async (req, res) => {
    await members.remove(ctx.em(), req.actor!.distributorId, String(req.params.id), req.actor!.profileId)
    res.status(204).end()
  })
  return api
}
