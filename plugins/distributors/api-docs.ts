/**
 * The distributors API as /api/v1/openapi.json shows it: routes.ts, members/routes.ts and
 * convert/routes.ts pass their entry here as `{ doc }`. The schemas describe what the hand-written
 * parsers (services/distributors.ts, members/service.ts) accept and what `distributorJson` and the
 * members' JSON return; test/plugins/openapi/ sends every request example to the live route.
 */
import { z } from 'zod'
import type { RouteDoc } from '../../core/plugin-api.js'
import { STATE_ORDER, TRANSITIONS, type TransitionName } from './transitions.js'

const states = z.enum(STATE_ORDER as [string, ...string[]])
  .describe('unvalidated (Sin validar), inactive (Sin activar), active (Activo), suspended (Suspendido), expired (Vencido), cancelled (Cancelado)')

export const distributorSchema = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable().describe('El distribuidor del que depende'),
  legalName: z.string().describe('Razón social'),
  rfc: z.string().nullable(),
  state: states,
  cmExpiresAt: z.iso.date().nullable().describe('Vencimiento de la Cuenta Maestra (AAAA-MM-DD); se fija al activarla por primera vez'),
  createdAt: z.iso.datetime(),
})

export const distributorExample = {
  id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', parentId: '0b9e8d7c-6f5a-4b3c-9d2e-1f0a9b8c7d6e', legalName: 'Distribuidora del Norte SA de CV',
  rfc: 'EKU9003173C9', state: 'unvalidated', cmExpiresAt: null, createdAt: '2026-12-04T18:25:03.284Z',
}

const newDistributor = z.object({
  email: z.email().max(254).describe('Correo del perfil que administrará la cuenta (si no existe, se le invita)'),
  mobile: z.string().max(30).describe('Móvil de ese perfil'),
  legalName: z.string().min(1).max(300).describe('Razón social'),
  rfc: z.string().min(12).max(20).describe('RFC con dígito verificador válido'),
  contactName: z.string().max(200).nullable().optional().describe('Nombre del contacto'),
  contactEmail: z.email().max(254).nullable().optional(),
  contactPhone: z.string().max(30).nullable().optional(),
})

const listQuery = z.object({
  state: states.optional(),
  q: z.string().max(200).optional().describe('Busca por razón social, nombre o RFC'),
  page: z.string().regex(/^\d+$/).optional().describe('Página, desde 1'),
  perPage: z.string().regex(/^\d+$/).optional().describe('Filas por página (máximo 100)'),
})

const memberSchema = z.object({
  id: z.uuid().describe('Id del perfil'), name: z.string(), email: z.string(), mobile: z.string(),
  emailVerified: z.boolean(), mobileVerified: z.boolean(),
})
const memberExample = {
  id: '2c4e6a80-1b3d-4f5a-8c7e-9d0f1a2b3c4d', name: 'Marta Ibarra', email: 'marta@distribuidora-sur.mx', mobile: '+528112345678',
  emailVerified: false, mobileVerified: false,
}

const multilevel = 'Requiere el derecho "MKL Multi-nivel" (403 multilevel_not_entitled); el personal de la plataforma no lo necesita.'
const scope = 'Solo distribuidores de su árbol (usted excluido); cualquier otro es 404.'

const transition = (name: TransitionName): RouteDoc => {
  const t = TRANSITIONS[name]
  const from = t.from.join(', ')
  return {
    summary: `${t.label} una cuenta de distribuidor`,
    description: `${t.confirm} Desde: ${from}; a: ${t.to}. Otro estado: 409 invalid_transition. ${multilevel} ${scope}`,
    responses: { 200: { description: t.done, schema: distributorSchema, example: { ...distributorExample, state: t.to, cmExpiresAt: t.to === 'active' ? '2027-12-04' : null } } },
  }
}

export const distributorsApiDocs = {
  list: {
    summary: 'Lista los subdistribuidores', description: `Todo su árbol, a cualquier profundidad, del más reciente al más antiguo. ${scope}`,
    query: listQuery,
    responses: { 200: { description: 'Una página de distribuidores', schema: z.object({ items: z.array(distributorSchema), total: z.int(), page: z.int(), perPage: z.int() }), example: { items: [distributorExample], total: 1, page: 1, perPage: 20 } } },
  },
  get: { summary: 'Un subdistribuidor por su id', description: scope, responses: { 200: { description: 'El distribuidor', schema: distributorSchema, example: distributorExample } } },
  create: {
    summary: 'Da de alta un subdistribuidor',
    description: `El correo y el móvil son los del perfil que lo administrará: si ese perfil no existe se le invita y la cuenta queda Sin validar hasta que verifique correo y móvil; si existe y ya está verificado, queda Sin activar. No pueden ser los de un usuario de su propia cuenta ni los del perfil principal de un cliente. ${multilevel}`,
    body: newDistributor,
    bodyExample: { email: 'direccion@distribuidora-norte.mx', mobile: '+52 81 2345 6789', legalName: 'Distribuidora del Norte SA de CV', rfc: 'EKU9003173C9', contactName: 'Ricardo Treviño', contactPhone: '81 2345 6789' },
    responses: { 201: { description: 'El distribuidor creado', schema: distributorSchema, example: distributorExample } },
  },
  activate: transition('activate'),
  suspend: transition('suspend'),
  reactivate: transition('reactivate'),
  renew: transition('renew'),
  cancel: transition('cancel'),
  convert: {
    summary: 'Convierte un cliente en distribuidor',
    description: `El cliente (por su NIC) pasa a ser la cuenta propia de un subdistribuidor nuevo cuyo primer usuario es su perfil principal; sigue siendo su cliente, con sus CTI y saldos. Sin perfil principal, o ya convertido: 409. ${multilevel}`,
    body: z.object({ nic: z.string().min(1).max(100).describe('NIC del cliente') }),
    bodyExample: { nic: '100001' },
    responses: {
      201: {
        description: 'El distribuidor creado y el NIC del cliente', schema: distributorSchema.extend({ customerNic: z.string() }),
        example: { ...distributorExample, legalName: 'Abarrotes Lupita SA de CV', customerNic: '100001' },
      },
    },
  },
  members: {
    summary: 'Los usuarios de su Cuenta Maestra',
    responses: { 200: { description: 'Los perfiles admitidos', schema: z.object({ items: z.array(memberSchema), total: z.int() }), example: { items: [memberExample], total: 1 } } },
  },
  admit: {
    summary: 'Da acceso a un usuario', description: 'Por correo y móvil; si el perfil no existe, se crea y se le invita (invited: true). Un perfil principal de cliente no puede administrar una Cuenta Maestra.',
    body: z.object({ email: z.email().max(254), mobile: z.string().max(30), name: z.string().max(200).optional().describe('Nombre, para un perfil nuevo') }),
    bodyExample: { email: 'marta@distribuidora-sur.mx', mobile: '+52 81 1234 5678', name: 'Marta Ibarra' },
    responses: { 201: { description: 'El usuario admitido', schema: memberSchema.extend({ invited: z.boolean().describe('Si se creó e invitó un perfil nuevo') }), example: { ...memberExample, invited: true } } },
  },
  removeMember: {
    summary: 'Quita el acceso a un usuario', description: 'Sus sesiones y tokens de API para esta cuenta terminan. No se puede quitar al último usuario (409 last_member).',
    responses: { 204: { description: 'Acceso retirado' } },
  },
} satisfies Record<string, RouteDoc>
