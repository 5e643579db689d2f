/**
 * The purchases API as /api/v1/openapi.json shows it: routes.ts passes each entry as `{ doc }`.
 * The schemas describe what the hand-written parsers (services/common.ts) accept and what the
 * routes answer.
 */
import { z } from 'zod'
import type { RouteDoc } from '../../core/plugin-api.js'

const money = z.string().regex(/^\d{1,13}(\.\d{1,2})?$/).describe('Importe en MXN con IVA (o puntos), hasta dos decimales, p. ej. "1500.00"')
const idempotencyKey = z.string().min(1).max(150).describe('Clave de idempotencia: repetir la petición con la misma clave responde lo ya hecho, sin cobrar otra vez')
const count = z.int().min(1).max(1000).describe('Cuántos paquetes')
const packageId = z.uuid().describe('Id del paquete (GET /catalog)')

const pkg = z.object({
  id: z.uuid(), asset: z.enum(['stamps', 'points']), quantity: z.union([z.int(), z.string()]).describe('Timbres (entero) o puntos ("1000.00")'),
  price: money, description: z.string(), forDistributors: z.boolean(),
})
const order = z.object({
  id: z.uuid(), state: z.enum(['pending', 'confirmed', 'cancelled']).describe('pending (por confirmar), confirmed (pagado y entregado), cancelled'),
  buyer: z.object({ type: z.enum(['distributor', 'customer']), id: z.uuid() }), seller: z.uuid(),
  package: z.object({ id: z.uuid(), description: z.string(), quantity: money, price: money }).describe('El paquete como era al pedirlo'),
  count: z.int(), quantity: money.describe('Puntos que se entregan'), amount: money.describe('Importe a pagar (MXN)'),
  reference: z.string().nullable().describe('Referencia del pago, al confirmar'),
  createdAt: z.iso.datetime(), confirmedAt: z.iso.datetime().nullable(), cancelledAt: z.iso.datetime().nullable(),
})
const orderExample = {
  id: '3a1c5e7f-2b4d-4c6e-8a0b-1c2d3e4f5a6b', state: 'pending', buyer: { type: 'distributor', id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b' },
  seller: '0b9e8d7c-6f5a-4b3c-9d2e-1f0a9b8c7d6e', package: { id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', description: 'Paquete 1000 puntos', quantity: '1000.00', price: '900.00' },
  count: 2, quantity: '2000.00', amount: '1800.00', reference: null, createdAt: '2026-12-04T18:25:03.284Z', confirmedAt: null, cancelledAt: null,
}
const purchase = z.object({
  id: z.uuid(), package: z.uuid().nullable(), description: z.string(), count: z.int(), quantity: z.int().describe('Timbres recibidos'),
  price: money.describe('Total (MXN = puntos)'), points: money.describe('Puntos cobrados'), createdAt: z.iso.datetime(),
})
const short = 'Puntos o timbres insuficientes: 422 con `details.missing` (insufficient_points, seller_insufficient_stamps); no se mueve nada.'

export const purchasesApiDocs = {
  catalog: {
    summary: 'Lo que usted puede comprar a su proveedor',
    description: 'Los paquetes para distribuidores de su distribuidor padre (los de la plataforma si usted es de primer nivel) y las ofertas de MKL y suscripciones.',
    responses: { 200: { description: 'El catálogo', schema: z.object({ packages: z.array(pkg), offers: z.array(z.looseObject({})) }) } },
  },
  listOrders: {
    summary: 'Pedidos de puntos: los suyos y los de sus compradores',
    query: z.object({ role: z.enum(['buyer', 'seller']).optional().describe('buyer: los que usted hizo; seller: los que le hicieron'), state: z.enum(['pending', 'confirmed', 'cancelled']).optional(), page: z.string().regex(/^\d+$/).optional(), perPage: z.string().regex(/^\d+$/).optional() }),
    responses: { 200: { description: 'Una página, los más recientes primero', schema: z.object({ items: z.array(order), total: z.int() }), example: { items: [orderExample], total: 1 } } },
  },
  getOrder: { summary: 'Un pedido (de usted o de uno de sus compradores; otro: 404)', responses: { 200: { description: 'El pedido', schema: z.object({ order }), example: { order: orderExample } } } },
  createOrder: {
    summary: 'Pide un paquete de puntos a su proveedor',
    description: 'Queda pendiente hasta que su proveedor reciba el pago y lo confirme; entonces se abonan los puntos.',
    body: z.object({ package: packageId, count }), bodyExample: { package: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', count: 2 },
    responses: { 201: { description: 'El pedido, pendiente', schema: z.object({ order, instructions: z.string().optional() }), example: { order: orderExample } } },
  },
  confirmOrder: {
    summary: 'Confirma el pago de un pedido que le hicieron (solo el vendedor) y entrega los puntos',
    description: 'Una sola vez: confirmar de nuevo es 409 order_already_confirmed. Sin puntos suficientes: 422 seller_insufficient_points con lo que falta.',
    body: z.object({ reference: z.string().min(1).max(100).describe('Referencia del pago') }), bodyExample: { reference: 'SPEI 0123456789' },
    responses: { 200: { description: 'El pedido, confirmado', schema: z.object({ order }), example: { order: { ...orderExample, state: 'confirmed', reference: 'SPEI 0123456789', confirmedAt: '2026-12-04T19:00:00.000Z' } } } },
  },
  cancelOrder: {
    summary: 'Cancela un pedido pendiente (comprador o vendedor)',
    description: 'Un pedido confirmado es definitivo: 409 order_already_confirmed.',
    responses: { 200: { description: 'El pedido, cancelado', schema: z.object({ order }) } },
  },
  purchase: {
    summary: 'Compra un paquete de timbres a su proveedor, pagado con puntos',
    description: `Los timbres pasan del inventario del proveedor al suyo y los puntos del suyo al del proveedor, en una sola operación irreversible. ${short}`,
    body: z.object({ package: packageId, count, idempotencyKey }), bodyExample: { package: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b', count: 1, idempotencyKey: 'compra-2026-12-04-1' },
    responses: {
      201: { description: 'La compra', schema: z.object({ purchase, inventory: z.object({ stamps: z.int(), points: money }), points: money.describe('Puntos cobrados') }) },
      200: { description: 'La misma compra, repetida con la misma clave', schema: z.object({ purchase, inventory: z.object({ stamps: z.int(), points: money }), points: money }) },
    },
  },
  customerPoints: {
    summary: 'Abona puntos a un cliente',
    description: 'Salen de sus puntos; se registra la venta por el importe indicado. Sin puntos suficientes: 422 insufficient_points con lo que falta.',
    body: z.object({ quantity: money.describe('Puntos'), amount: money.describe('Importe cobrado al cliente (MXN)'), idempotencyKey }),
    bodyExample: { quantity: '500.00', amount: '500.00', idempotencyKey: 'puntos-100001-1' },
    responses: {
      201: { description: 'El abono', schema: z.object({ transfer: z.object({ id: z.uuid(), customer: z.string(), quantity: money, amount: money, createdAt: z.iso.datetime() }), points: money.describe('Sus puntos restantes') }) },
      200: { description: 'El mismo abono, repetido con la misma clave', schema: z.object({ transfer: z.looseObject({}), points: money }) },
    },
  },
} satisfies Record<string, RouteDoc>
