/**
 * The customers API as /api/v1/openapi.json shows it: each route in routes.ts passes its entry here
 * as `{ doc }`. The schemas describe what the hand-written validators (services/validate.ts) accept
 * and what `customerJson` returns; test/plugins/openapi/ sends every request example to the live
 * route and checks the answer against the documented response.
 */
import { z } from 'zod'
import type { RouteDoc } from '../../core/plugin-api.js'
import { CATEGORIES, COLORS } from './entities/customer.js'

const contactIn = z.object({
  name: z.string().max(200).nullable().optional(),
  email: z.email().nullable().optional(),
  phones: z.array(z.string().max(30)).max(10).nullable().optional(),
}).nullable().describe('Contacto: nombre, correo y teléfonos (en una edición, los subcampos dados reemplazan a los anteriores)')
const contactOut = z.object({ name: z.string().nullable(), email: z.string().nullable(), phones: z.array(z.string()) })

const customerFields = {
  tradeName: z.string().max(300).nullable().optional().describe('Nombre comercial'),
  taxRegime: z.string().regex(/^\d{3}$/).nullable().optional().describe('Régimen fiscal (c_RegimenFiscal del SAT, p. ej. 601)'),
  postalCode: z.string().regex(/^\d{5}$/).nullable().optional(),
  address: z.string().max(500).nullable().optional(),
  phone: z.string().max(30).nullable().optional().describe('Teléfono de la empresa: de 7 a 30 dígitos, espacios y + ( ) -'),
  email: z.email().nullable().optional(),
  legalRepresentative: contactIn.optional(),
  financialContact: contactIn.optional(),
  technicalContact: contactIn.optional(),
  notes: z.string().max(2000).nullable().optional().describe('Otros datos'),
  stampPrice: z.string().regex(/^\d{1,8}(\.\d{1,2})?$/).nullable().optional().describe('Precio de timbre propio del cliente (MXN con IVA)'),
  category: z.enum(CATEGORIES).nullable().optional().describe('favorite (favorito) o dropped (baja)'),
  color: z.enum(COLORS).nullable().optional().describe('Etiqueta de color'),
}
const newCustomer = z.object({
  legalName: z.string().min(1).max(300).describe('Razón social'),
  rfc: z.string().min(12).max(13).describe('RFC con dígito verificador válido'),
  ...customerFields,
})
const customerPatch = z.object({ legalName: z.string().min(1).max(300).optional(), rfc: z.string().min(12).max(13).optional(), ...customerFields })

/** A customer as the API answers it; the figures of other plugins (per the distributor's tier) come as extra keys. */
export const customerSchema = z.looseObject({
  nic: z.string().describe('Número de Identificación de Cliente'),
  legalName: z.string(), tradeName: z.string().nullable(), rfc: z.string(), taxRegime: z.string().nullable(),
  postalCode: z.string().nullable(), address: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(),
  legalRepresentative: contactOut, financialContact: contactOut, technicalContact: contactOut,
  notes: z.string().nullable(), stampPrice: z.string().nullable(), category: z.enum(CATEGORIES).nullable(), color: z.enum(COLORS).nullable(),
  createdAt: z.iso.datetime(),
}).describe('Además, las cifras que aportan otros plugins según el nivel del distribuidor (stampBalance, points, lastStampPurchaseAt, lastStampedAt…)')

const contactExample = { name: 'Laura Méndez', email: 'laura@abarrotes-lupita.mx', phones: ['55 1234 5678'] }
const newCustomerExample = {
  legalName: 'Abarrotes Lupita SA de CV', rfc: 'EKU9003173C9', tradeName: 'Abarrotes Lupita', taxRegime: '601', postalCode: '06600',
  phone: '55 5555 0101', email: 'facturas@abarrotes-lupita.mx', legalRepresentative: contactExample, color: 'green',
}
export const customerExample = {
  nic: '100001', legalName: 'Abarrotes Lupita SA de CV', tradeName: 'Abarrotes Lupita', rfc: 'EKU9003173C9', taxRegime: '601', postalCode: '06600',
  address: null, phone: '55 5555 0101', email: 'facturas@abarrotes-lupita.mx',
  legalRepresentative: contactExample, financialContact: { name: null, email: null, phones: [] }, technicalContact: { name: null, email: null, phones: [] },
  notes: null, stampPrice: null, category: null, color: 'green', createdAt: '2026-12-04T18:25:03.284Z',
  stampBalance: 0, points: '0.00', lastStampPurchaseAt: null, lastStampedAt: null,
}

const nicText = z.string().max(200)
const listQuery = z.object({
  q: nicText.optional().describe('Busca por NIC, razón social, nombre comercial, RFC, teléfono, o nombre, correo o teléfono de un contacto (y por id de CTI)'),
  color: z.enum(COLORS).optional(),
  category: z.enum(CATEGORIES).optional(),
  sort: z.string().optional().describe("Clave de orden, con '-' delante para descendente: legalName, nic, createdAt (predeterminado: -createdAt), y las cifras del nivel: stampBalance, points, lastStampPurchaseAt, lastStampedAt"),
  page: z.string().regex(/^\d+$/).optional().describe('Página, desde 1'),
  perPage: z.string().regex(/^\d+$/).optional().describe('Filas por página (máximo 100)'),
})

/** What `clients.customerCreatedDetails` contributors add to the answer of POST /customers (e.g. the new CTI). */
const createdDetails = 'Las demás claves las añaden otros plugins del nivel del distribuidor: con timbrado, `cti` ({id, password}) es la CTI estándar del cliente nuevo; su contraseña generada se muestra esta única vez.'

export const clientsApiDocs = {
  list: {
    summary: 'Lista los clientes del distribuidor', query: listQuery,
    responses: { 200: { description: 'Una página de clientes', schema: z.object({ items: z.array(customerSchema), total: z.int(), page: z.int(), perPage: z.int() }), example: { items: [customerExample], total: 1, page: 1, perPage: 20 } } },
  },
  csv: {
    summary: 'Los clientes en CSV (mismos filtros y orden que la lista, todas las filas)', query: listQuery.omit({ page: true, perPage: true }),
    responses: { 200: { description: 'clientes.csv', type: 'text/csv' } },
  },
  get: { summary: 'Un cliente por su NIC', responses: { 200: { description: 'El cliente', schema: customerSchema, example: customerExample } } },
  create: {
    summary: 'Da de alta un cliente', description: `Solo legalName y rfc son obligatorios. ${createdDetails}`,
    body: newCustomer, bodyExample: newCustomerExample,
    responses: {
      201: {
        description: 'El cliente creado', schema: customerSchema.extend({ cti: z.object({ id: z.string(), password: z.string().nullable() }).optional().describe('CTI estándar creada con el cliente (plugin de timbrado); la contraseña se muestra una sola vez') }),
        example: { ...customerExample, cti: { id: 'CTI1000001', password: 'k7Hq-2mPz-Vx9c' } },
      },
    },
  },
  update: {
    summary: 'Modifica los datos de un cliente', description: 'Solo cambian los campos dados; null borra uno opcional.',
    body: customerPatch, bodyExample: { tradeName: 'Lupita Express', financialContact: { name: 'Jorge Ruiz', email: 'pagos@abarrotes-lupita.mx' } },
    responses: { 200: { description: 'El cliente', schema: customerSchema, example: { ...customerExample, tradeName: 'Lupita Express' } } },
  },
  owner: {
    summary: 'Asigna el perfil principal (perfil admin) del cliente', description: 'El perfil existente con ese correo y ese móvil pasa a ser el principal; el anterior queda vinculado. Un perfil que administra una Cuenta Maestra no puede serlo.',
    body: z.object({ email: z.email(), mobile: z.string().max(30) }), bodyExample: { email: 'lupita@abarrotes-lupita.mx', mobile: '+52 55 1234 5678' },
    responses: { 200: { description: 'El NIC y el perfil principal', schema: z.object({ nic: z.string(), owner: z.object({ email: z.string(), mobile: z.string(), name: z.string() }) }), example: { nic: '100001', owner: { email: 'lupita@abarrotes-lupita.mx', mobile: '+525512345678', name: 'Guadalupe Soto' } } } },
  },
} satisfies Record<string, RouteDoc>
