/** The contracts API as /api/v1/openapi.json shows it (routes.ts passes each entry as `{ doc }`). */
import { z } from 'zod'
import type { RouteDoc } from '../../../core/plugin-api.js'

const hundredths = (what: string) => z.string().regex(/^\d+\.\d{2}$/).describe(what)
const party = z.object({ id: z.uuid(), name: z.string() })

export const contractSchema = z.object({
  id: z.uuid(),
  offer: z.object({ id: z.uuid(), kind: z.enum(['mkl', 'subscription']), name: z.string() }),
  buyer: party.describe('El distribuidor que contrata'),
  seller: party.describe('Quien le vende: su distribuidor (la plataforma para los de primer nivel)'),
  state: z.enum(['active', 'cancelled']).describe('active (vigente) o cancelled (terminó al vencer, cancelado por su vendedor)'),
  startedAt: z.iso.datetime(),
  expiresAt: z.iso.date().describe('Vencimiento de la Cuenta Maestra hasta el que está pagado; se extiende con cada renovación'),
  cancelAtExpiry: z.boolean().describe('Cancelado por el vendedor o la plataforma: termina al vencer y no se renueva'),
  cancelledAt: z.iso.datetime().nullable(),
  yearlyPoints: hundredths('Precio anual en puntos (se cobra completo en cada renovación de la Cuenta Maestra)'),
  createdAt: z.iso.datetime(),
})

const contractExample = {
  id: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', offer: { id: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', kind: 'mkl', name: 'MKL Multi-nivel' },
  buyer: { id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', name: 'Distribuidora del Norte SA de CV' }, seller: { id: '0b9e8d7c-6f5a-4b3c-9d2e-1f0a9b8c7d6e', name: 'Plataforma' },
  state: 'active', startedAt: '2026-07-10T16:02:11.000Z', expiresAt: '2026-12-04', cancelAtExpiry: false, cancelledAt: null, yearlyPoints: '1200.00', createdAt: '2026-07-10T16:02:11.000Z',
}

const tenancy = 'Solo contratos que usted tiene o vende (la plataforma: todos); cualquier otro es 404.'

export const contractsApiDocs: Record<'list' | 'create' | 'cancel', RouteDoc> = {
  list: {
    summary: 'Sus contratos de MKL y suscripciones',
    description: `Con role=seller, los que sus distribuidores le contrataron a usted. ${tenancy}`,
    query: z.object({ role: z.enum(['buyer', 'seller']).optional().describe('buyer (por omisión): los suyos; seller: los de sus compradores') }),
    responses: { 200: { description: 'Contratos', schema: z.object({ items: z.array(contractSchema) }), example: { items: [contractExample] } } },
  },
  create: {
    summary: 'Contratar una MKL o suscripción',
    description: 'Cobra al momento, en puntos, el precio anual prorrateado por los meses que faltan para el vencimiento de su Cuenta Maestra (un mes empezado cuenta completo; de 1 a 12): de sus puntos a los de su distribuidor. Otorga el derecho hasta ese vencimiento; en cada renovación de la Cuenta Maestra se cobra el precio anual completo. Es irreversible. Sin puntos suficientes: 422 contract_points_short (nada se mueve); Cuenta Maestra vencida o sin vencimiento: 422 cm_renewal_required; ya contratada: 409 contract_exists.',
    body: z.object({ offer: z.uuid().describe('Id de la oferta (GET /api/v1/catalog)') }),
    bodyExample: { offer: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' },
    responses: {
      201: {
        description: 'Contratado y cobrado',
        schema: z.object({ contract: contractSchema, charged: hundredths('Puntos cobrados'), months: z.number().int().min(1).max(12).describe('Meses cobrados'), points: hundredths('Su saldo de puntos después del cargo') }),
        example: { contract: contractExample, charged: '500.00', months: 5, points: '700.00' },
      },
      404: { description: 'La oferta no existe o no está a la venta' },
      409: { description: 'Ya tiene un contrato activo de esa oferta' },
      422: { description: 'Puntos insuficientes, o su Cuenta Maestra debe renovarse antes' },
    },
  },
  cancel: {
    summary: 'Cancelar un contrato al vencimiento (su vendedor o la plataforma)',
    description: `Solo quien lo vende (el distribuidor del comprador) o la plataforma; el comprador recibe 403. Surte efecto al vencimiento: no se renueva y el derecho dura hasta entonces. ${tenancy}`,
    responses: {
      200: { description: 'Marcado para terminar al vencimiento', schema: contractSchema, example: { ...contractExample, cancelAtExpiry: true, cancelledAt: '2026-08-01T10:00:00.000Z' } },
      403: { description: 'El comprador no puede cancelar' },
      404: { description: 'No es un contrato suyo' },
    },
  },
}
