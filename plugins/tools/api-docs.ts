/**
 * The tools API as /api/v1/openapi.json shows it: each route in routes.ts passes its entry here as
 * `{ doc }`. The schemas describe what services/packages.ts and services/settings.ts accept and
 * what `packageJson` and the settings return; test/plugins/openapi/ sends every request example to
 * the live route.
 */
import { z } from 'zod'
import type { RouteDoc } from '../../core/plugin-api.js'

const money = z.string().regex(/^\d{1,10}(\.\d{1,2})?$/)
const asset = z.enum(['stamps', 'points']).describe('stamps (timbres) o points (puntos)')
const packageSchema = z.object({
  id: z.uuid(),
  asset,
  quantity: z.union([z.int().min(1), money]).describe('Timbres: un entero (1000); puntos: un importe con dos decimales ("1000.00")'),
  price: money.describe('Precio del paquete en MXN con IVA, p. ej. "1500.00"'),
  description: z.string().max(200),
  forDistributors: z.boolean().describe('Casilla "Distribuidor": el paquete es para sus subdistribuidores; si no, para sus clientes'),
})
const packageExample = { id: '3d5f7a91-2b4c-4e6d-8f10-a1b2c3d4e5f6', asset: 'stamps', quantity: 1000, price: '1500.00', description: 'Paquete de 1,000 timbres', forDistributors: false }
const packageBody = z.object({
  asset,
  quantity: z.union([z.int().min(1).max(10_000_000), money]).describe('Timbres: entero de 1 a 10,000,000; puntos: mayor que cero, hasta dos decimales'),
  price: z.union([money, z.number().positive()]).describe('MXN con IVA, mayor que cero, hasta dos decimales'),
  description: z.string().min(1).max(200).describe('Descripción que verá el comprador'),
  forDistributors: z.boolean().optional().describe('Para subdistribuidores (requiere "MKL Multi-nivel"); predeterminado: false'),
})
const settingsSchema = z.object({
  bulkStampPrice: money.describe('Precio general de timbre a granel (MXN con IVA): el importe de una transferencia sin importe es cantidad × este precio cuando el cliente no tiene precio propio'),
  pccStampPurchase: z.boolean().describe('Permitir la compra de timbres a través del PCC'),
  pccPointsPurchase: z.boolean().describe('Permitir la compra de puntos a través del PCC'),
})
const settingsExample = { bulkStampPrice: '0.50', pccStampPurchase: false, pccPointsPurchase: false }
const own = 'Solo sus propios paquetes: el de otro distribuidor, o uno eliminado, es 404.'
const multilevel = 'Marcar "Distribuidor" (`forDistributors`) requiere el derecho "MKL Multi-nivel" (403 multilevel_not_entitled); el personal de la plataforma no lo necesita: sus paquetes "Distribuidor" son los que compran los distribuidores de primer nivel.'

export const toolsApiDocs = {
  listPackages: {
    summary: 'Lista sus paquetes (Precios)',
    description: 'Los paquetes de timbres y de puntos que usted vende: primero timbres, luego por cantidad y precio. Los eliminados no aparecen.',
    query: z.object({
      asset: asset.optional(),
      forDistributors: z.enum(['true', 'false']).optional().describe('true: solo los de subdistribuidores; false: solo los de clientes'),
    }),
    responses: { 200: { description: 'Sus paquetes', schema: z.object({ items: z.array(packageSchema), total: z.int() }), example: { items: [packageExample], total: 1 } } },
  },
  createPackage: {
    summary: 'Agrega un paquete',
    description: `Cantidad, precio (MXN con IVA) y descripción. ${multilevel}`,
    body: packageBody,
    bodyExample: { asset: 'stamps', quantity: 1000, price: '1500.00', description: 'Paquete de 1,000 timbres' },
    responses: { 201: { description: 'El paquete creado', schema: packageSchema, example: packageExample } },
  },
  updatePackage: {
    summary: 'Cambia un paquete',
    description: `Cantidad, precio, descripción o la casilla "Distribuidor"; el tipo (\`asset\`) no cambia. Las compras ya hechas conservan lo que pagaron. ${multilevel} ${own}`,
    body: packageBody.partial(),
    bodyExample: { price: '1400.00' },
    responses: { 200: { description: 'El paquete', schema: packageSchema, example: { ...packageExample, price: '1400.00' } } },
  },
  deletePackage: {
    summary: 'Elimina un paquete',
    description: `Deja de ofrecerse (las compras que lo usaron lo conservan). Si era su último paquete de timbres para clientes, la compra de timbres en el PCC se desactiva. ${own}`,
    responses: { 204: { description: 'Eliminado' } },
  },
  getSettings: {
    summary: 'Su configuración global',
    responses: { 200: { description: 'La configuración', schema: settingsSchema, example: settingsExample } },
  },
  updateSettings: {
    summary: 'Cambia su configuración global',
    description: 'Solo los campos dados. Permitir la compra de timbres en el PCC requiere al menos un paquete de timbres para clientes y que su compra automática de timbres esté habilitada (su cuenta activa); si no, 422 con el motivo en `fields.pccStampPurchase`. La compra de puntos en el PCC puede permitirse siempre: cada pedido se rechaza si sus puntos no lo cubren.',
    body: z.object({
      bulkStampPrice: z.union([money, z.number().min(0)]).optional().describe('De 0 a 100000.00, hasta dos decimales'),
      pccStampPurchase: z.boolean().optional(),
      pccPointsPurchase: z.boolean().optional(),
    }),
    bodyExample: { bulkStampPrice: '0.50', pccPointsPurchase: true },
    responses: { 200: { description: 'La configuración', schema: settingsSchema, example: { ...settingsExample, pccPointsPurchase: true } } },
  },
} satisfies Record<string, RouteDoc>
