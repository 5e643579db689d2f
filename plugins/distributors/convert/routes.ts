import { objectBody, FieldValidationError, type PluginContext, type PluginRouter } from '../../../core/plugin-api.js'
import type { ConvertService } from './service.js'

/** POST /api/v1/distributors/convert {"nic"}: the CM action "Convertir en distribuidor" for integrators. */
export function convertRoutes(ctx: PluginContext<any>, convert: ConvertService, api: PluginRouter = ctx.http.apiRouter()): PluginRouter {
  api.post('/distributors/convert', async (req, res) => {
    const body = objectBody(req, 100)
    if (typeof body.nic !== 'string' || !body.nic.trim()) throw new FieldValidationError({ nic: 'Indique el NIC del cliente' })
    const { distributor: d, nic } = await convert.convert(ctx.em(), req.actor!.distributorId, body.nic.trim(), req.actor!.profileId)
    res.status(201).json({ id: d.id, parentId: d.parentId, legalName: d.name, rfc: null, state: d.state, cmExpiresAt: d.cmExpiresAt, createdAt: d.createdAt, customerNic: nic })
  })
  return api
}
