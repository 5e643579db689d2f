/**
 * The stamping API as /api/v1/openapi.json shows it: each route in routes.ts passes its entry here
 * as `{ doc }`. The schemas describe what the validators (services/ctis.ts, sales.ts, stamp.ts)
 * accept and what the routes answer; test/plugins/openapi/ sends the request examples to the live
 * routes and checks the answers against the documented responses.
 */
import { z } from 'zod'
import type { RouteDoc } from '../../core/plugin-api.js'

const ctiId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{3,39}$/).describe('Id de la CTI: de 4 a 40 letras, dígitos, punto, guion o guion bajo')
const money = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/).describe('Importe en MXN con IVA, hasta dos decimales, p. ej. "150.00"')
const quantity = z.int().min(1).max(10_000_000).describe('Timbres')
const optionalAmount = money.optional().describe('Importe en MXN con IVA; si se omite: cantidad × el precio de timbre propio del cliente o, si no tiene, el precio general de timbres a granel del distribuidor (Herramientas → Configuración global); sin ninguno de los dos, 422')
const idempotencyKey = z.string().min(1).max(150).describe('Clave de idempotencia: repetir la petición con la misma clave responde lo ya hecho (200), sin cobrar otra vez')
const password = z.string().min(8).max(100)

const autoSaleOut = z.object({ minimum: z.int(), quantity: z.int(), amount: z.string(), warning: z.string().nullable() })
const cti = z.object({
  id: z.string(), customer: z.string().describe('NIC del cliente'), type: z.enum(['standard', 'unlimited']), active: z.boolean(),
  balance: z.int().nullable().describe('Timbres (null en una CTI ilimitada)'),
  validUntil: z.iso.datetime().nullable().describe('Vigencia de una CTI ilimitada'),
  rfc: z.string().nullable().describe('RFC emisor al que se restringe una CTI ilimitada'),
  autoSale: autoSaleOut.nullable().describe('Venta automática configurada'),
})
const ctiExample = { id: 'CTI1000001', customer: '100001', type: 'standard', active: true, balance: 300, validUntil: null, rfc: null, autoSale: null }
const transfer = z.object({ id: z.string(), cti: z.string(), quantity: z.int(), amount: z.string(), createdAt: z.iso.datetime() })
const transferExample = { id: 'b0f4c0de-5a1e-4c1a-9d1e-0a1b2c3d4e5f', cti: 'CTI1000001', quantity: 300, amount: '450.00', createdAt: '2026-12-04T18:25:03.284Z' }
const massAnswer = z.object({ transfer: z.object({ id: z.string(), items: z.array(transfer) }), balances: z.record(z.string(), z.int()).describe('Saldo de cada CTI'), inventory: z.int() })
const massExample = {
  transfer: { id: 'c1d2e3f4-0000-4000-8000-000000000001', items: [{ ...transferExample, quantity: 100, amount: '150.00' }, { ...transferExample, cti: 'CTI1000002', quantity: 50, amount: '75.00' }] },
  balances: { CTI1000001: 100, CTI1000002: 50 }, inventory: 99850,
}
const credentials = { cti: z.string().max(40).describe('Id de la CTI'), password: z.string().max(200).describe('Contraseña de la CTI') }

export const stampingApiDocs = {
  inventory: {
    summary: 'El inventario del distribuidor: timbres y puntos',
    responses: { 200: { description: 'Inventario', schema: z.object({ stamps: z.int(), points: z.string() }), example: { stamps: 99700, points: '1500.00' } } },
  },
  listCtis: {
    summary: 'Lista las CTI del distribuidor',
    query: z.object({
      customer: z.string().max(200).optional().describe('NIC: solo las CTI de ese cliente'),
      q: z.string().max(200).optional().describe('Busca como la búsqueda de clientes (NIC, nombre, RFC, teléfono, contacto, id de CTI)'),
      page: z.string().regex(/^\d+$/).optional(), perPage: z.string().regex(/^\d+$/).optional(),
    }),
    responses: { 200: { description: 'Una página de CTI, las más recientes primero', schema: z.object({ items: z.array(cti), total: z.int() }), example: { items: [ctiExample], total: 1 } } },
  },
  getCti: { summary: 'Una CTI', responses: { 200: { description: 'La CTI', schema: cti, example: ctiExample } } },
  createCti: {
    summary: 'Crea una CTI para un cliente',
    description: 'Estándar (con saldo de timbres) o ilimitada (anual, se paga con puntos del distribuidor; sin puntos suficientes no se crea). Sin `id`, se asigna uno.',
    body: z.object({
      customer: z.string().min(1).max(200).describe('NIC del cliente'),
      type: z.enum(['standard', 'unlimited']).default('standard'),
      id: ctiId.optional(),
      password, passwordConfirmation: password.optional().describe('Si se da, debe coincidir'),
      validUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}/).optional().describe('Solo ilimitada: vigencia futura AAAA-MM-DD (predeterminado: un año)'),
      rfc: z.string().max(13).optional().describe('Solo ilimitada: RFC emisor único permitido'),
    }),
    bodyExample: { customer: '100001', type: 'standard', id: 'TIENDA-CENTRO', password: 'clave-segura-1', passwordConfirmation: 'clave-segura-1' },
    responses: { 201: { description: 'La CTI creada', schema: cti, example: { ...ctiExample, id: 'TIENDA-CENTRO', balance: 0 } } },
  },
  resetPassword: {
    summary: 'Restablece la contraseña de una CTI', description: 'Las aplicaciones que usan la CTI deben configurarse con la nueva.',
    body: z.object({ password, passwordConfirmation: password.optional() }), bodyExample: { password: 'nueva-clave-1', passwordConfirmation: 'nueva-clave-1' },
    responses: { 204: { description: 'Restablecida' } },
  },
  block: { summary: 'Bloquea una CTI (no timbra hasta reactivarla)', responses: { 204: { description: 'Bloqueada' } } },
  unblock: { summary: 'Reactiva una CTI bloqueada', responses: { 204: { description: 'Reactivada' } } },
  transfer: {
    summary: 'Transfiere timbres del inventario a una CTI estándar (irreversible)',
    description: 'Registra una venta por `amount` (MXN con IVA; si se omite, cantidad × el precio de timbre del cliente, o el precio a granel). Con la misma `idempotencyKey` responde la transferencia ya hecha con 200; con otra cantidad o importe, 409 (si omite el importe y el precio cambió entre el intento y su repetición, también 409).',
    body: z.object({ quantity, amount: optionalAmount, idempotencyKey }),
    bodyExample: { quantity: 300, amount: '450.00', idempotencyKey: 'venta-2026-12-04-1' },
    responses: {
      201: { description: 'Transferida', schema: z.object({ transfer, balance: z.int().describe('Saldo de la CTI'), inventory: z.int().describe('Timbres que le quedan al distribuidor') }), example: { transfer: transferExample, balance: 300, inventory: 99700 } },
      200: { description: 'Ya se había hecho con esa clave: la misma respuesta', schema: z.object({ transfer, balance: z.int(), inventory: z.int() }), example: { transfer: transferExample, balance: 300, inventory: 99700 } },
    },
  },
  mass: {
    summary: 'Transferencia masiva: timbres a varias CTI en una sola operación',
    description: 'Se aplica completa o no se aplica (hasta 1000 CTI, sin repetir). Cada renglón registra su venta; un renglón sin `amount` toma cantidad × el precio de timbre de su cliente, o el precio a granel.',
    body: z.object({ idempotencyKey, items: z.array(z.object({ cti: z.string().min(1), quantity, amount: optionalAmount })).min(1).max(1000) }),
    bodyExample: { idempotencyKey: 'masiva-2026-12', items: [{ cti: 'CTI1000001', quantity: 100, amount: '150.00' }, { cti: 'CTI1000002', quantity: 50, amount: '75.00' }] },
    responses: {
      201: { description: 'Aplicada', schema: massAnswer, example: massExample },
      200: { description: 'Ya aplicada con esa clave: la misma respuesta', schema: massAnswer, example: massExample },
    },
  },
  setAutoSale: {
    summary: 'Configura la venta automática de una CTI estándar',
    description: 'Cuando el saldo queda en `minimum` o menos, se transfieren `quantity` timbres por `amount` (una vez por cruce, y nunca si el inventario no alcanza). Si el saldo ya está en el mínimo o debajo, la venta se hace al configurarla.',
    body: z.object({ minimum: z.int().min(0).max(10_000_000), quantity, amount: money }),
    bodyExample: { minimum: 10, quantity: 100, amount: '150.00' },
    responses: { 200: { description: 'La CTI con su venta automática', schema: cti, example: { ...ctiExample, autoSale: { minimum: 10, quantity: 100, amount: '150.00', warning: null } } } },
  },
  deleteAutoSale: { summary: 'Quita la venta automática de una CTI', responses: { 204: { description: 'Quitada' } } },
  stamp: {
    summary: 'Timbra un CFDI 4.0 con las credenciales de una CTI',
    description: 'Sin token: autentican la CTI y su contraseña. Exactamente una vez por CTI: el mismo `idd`, o el mismo documento, responde el TFD original sin cobrar otra vez (`replayed: true`). El PAC de pruebas exige un Sello no vacío y una Fecha dentro de las 72 h anteriores (ver docs/sample-cfdi.xml).',
    body: z.object({
      ...credentials,
      xml: z.string().max(8 * 1024 * 1024).describe('El CFDI 4.0 en base64'),
      idd: z.string().max(100).optional().describe('Id del documento en su sistema: repetirlo responde el timbre ya emitido'),
      app: z.string().max(100).optional().describe('Aplicación que timbra (las CTI ilimitadas solo aceptan Induxsoft V10+ y FactuDesk Web)'),
    }),
    bodyExample: { cti: 'CTI1000001', password: 'nueva-clave-1', xml: 'PD94bWwgdmVyc2lvbj0iMS4wIj8+PGNmZGk6Q29tcHJvYmFudGUgLi4uLz4=', idd: 'F-1' },
    responses: {
      200: {
        description: 'El CFDI timbrado (base64) con su TFD 1.1',
        schema: z.object({ uuid: z.string(), xml: z.string().describe('CFDI timbrado en base64'), stampedAt: z.iso.datetime(), balance: z.int().nullable().describe('Timbres que quedan (null en una ilimitada)'), replayed: z.boolean() }),
        example: { uuid: '6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B', xml: 'PD94bWwgdmVyc2lvbj0iMS4wIj8+Li4u', stampedAt: '2026-12-04T18:25:03.000Z', balance: 299, replayed: false },
      },
    },
  },
  balance: {
    summary: 'El saldo de una CTI, con sus credenciales',
    body: z.object(credentials), bodyExample: { cti: 'CTI1000001', password: 'nueva-clave-1' },
    responses: {
      200: {
        description: 'Estándar: su saldo; ilimitada: su vigencia y RFC',
        schema: z.union([
          z.object({ type: z.literal('standard'), balance: z.int(), active: z.boolean() }),
          z.object({ type: z.literal('unlimited'), validUntil: z.iso.datetime().nullable(), rfc: z.string().nullable(), active: z.boolean() }),
        ]),
        example: { type: 'standard', balance: 299, active: true },
      },
    },
  },
  certificate: { summary: 'El certificado (PEM) con que el PAC de pruebas firma los TFD', responses: { 200: { description: 'Certificado X.509', type: 'application/x-pem-file' } } },
} satisfies Record<string, RouteDoc>
