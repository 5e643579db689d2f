import { BadRequestError, objectBody, type PluginContext, type PluginRouter } from '../../core/plugin-api.js'
import type { PackageFilter } from './services/packages.js'
import type { ToolsServices } from './index.js'
import { toolsApiDocs as docs } from './api-docs.js'

function listFilter(query: Record<string, unknown>): PackageFilter {
  const out: PackageFilter = {}
  if (query.asset !== undefined && query.asset !== '') {
    if (query.asset !== 'stamps' && query.asset !== 'points') throw new BadRequestError("'asset' debe ser stamps o points")
    out.asset = query.asset
  }
  if (query.forDistributors !== undefined && query.forDistributors !== '') {
    if (query.forDistributors !== 'true' && query.forDistributors !== 'false') throw new BadRequestError("'forDistributors' debe ser true o false")
    out.forDistributors = query.forDistributors === 'true'
  }
  return out
}

/** /api/v1/packages (the caller's own packages; any other id is 404) and /api/v1/settings. */
export function toolsRoutes(ctx: PluginContext, s: ToolsServices): PluginRouter {
  const api = ctx.http.apiRouter()
  const em = () => ctx.em()
  const actor = (req: { actor?: { profileId: string } }) => ({ profileId: req.actor!.profileId })

  api.get('/packages', { doc: docs.listPackages }, async (req, res) => {
    const items = await s.packages.list(em(), req.actor!.distributorId, listFilter(req.query as Record<string, unknown>))
    res.json({ items: items.map((p) => s.packages.json(p)), total: items.length })
  })
  api.post('/packages', { doc: docs.createPackage }, async (req, res) => {
    res.status(201).json(s.packages.json(await s.packages.create(em(), req.actor!.distributorId, objectBody(req), actor(req))))
  })
  api.patch('/packages/:id', { doc: docs.updatePackage }, async (req, res) => {
    res.json(s.packages.json(await s.packages.update(em(), req.actor!.distributorId, String(req.params.id), objectBody(req), actor(req))))
  })
  api.delete('/packages/:id', { doc: docs.deletePackage }, async (req, res) => {
    await s.packages.archive(em(), req.actor!.distributorId, String(req.params.id), actor(req))
    res.status(204).end()
  })

  api.get('/settings', { doc: docs.getSettings }, async (req, res) => {
    res.json(await s.settings.get(em(), req.actor!.distributorId))
  })
  api.patch('/settings', { doc: docs.updateSettings }, async (req, res) => {
    res.json(await s.settings.update(em(), req.actor!.distributorId, objectBody(req), actor(req)))
  })
  return api
}
