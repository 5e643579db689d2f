import { objectBody, FieldValidationError, type PluginContext, type PluginRouter } from '../../../core/plugin-api.js'
import { distributorsApiDocs as docs } from '../api-docs.js'
import { distributorJson, type DistributorsService } from '../services/distributors.js'
import type { ConvertService } from './service.js'

/** POST /api/v1/distributors/convert {"nic"}: the CM action "Convertir en distribuidor" for integrators; answers the distributor as the other routes do. */
export function convertRoutes(ctx: PluginContext<any>, convert: ConvertService, distributors: DistributorsService, api: PluginRouter = ctx.http.apiRouter()): PluginRouter {
  api.post('/distributors/convert', { doc: docs.convert }, async (req, res) => {
    const body = objectBody(req, 100)
    if (typeof body.nic !== 'string' || !body.nic.trim()) throw new FieldValidationError({ nic: 'Indique el NIC del cliente' })
    const { distributor: d, nic } = await convert.convert(ctx.em(), req.actor!.distributorId, body.nic.trim(), req.actor!.profileId)
    res.status(201).json({ ...distributorJson(await distributors.get(ctx.em(), req.actor!.distributorId, d.id)), customerNic: nic })
  })
  return api
}
