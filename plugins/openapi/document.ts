import { z } from 'zod'
import type { ApiOperation, RouteDoc } from '../../core/plugin-api.js'

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema; `input` for what a client sends. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...out } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>
  return out
}

const errorSchema = {
  type: 'object', required: ['error'],
  properties: {
    error: {
      type: 'object', required: ['code', 'message', 'retryable'],
      properties: {
        code: { type: 'string', description: 'Código estable en snake_case (p. ej. insufficient_stamps)' },
        message: { type: 'string', description: 'Mensaje en español' },
        retryable: { type: 'boolean', description: 'Si repetir la misma petición más tarde puede dar otro resultado' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: '422: cada campo inválido con su mensaje' },
      },
    },
  },
}
const error = (description: string, code: string, message: string, fields?: Record<string, string>) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code, message, retryable: false, ...(fields ? { fields } : {}) } } } },
})

/** '/ctis/:id/transfers' → '/ctis/{id}/transfers' and its parameter names. */
const openapiPath = (path: string) => ({ path: path.replace(/:(\w+)/g, '{$1}'), params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]) })
const operationId = (op: ApiOperation) => `${op.method}${op.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`

function operation(op: ApiOperation, doc: RouteDoc | undefined, params: string[]) {
  const parameters: Record<string, unknown>[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', maxLength: 200 } }))
  const query = doc?.query ? jsonSchema(doc.query, 'input') : undefined
  const required = new Set((query?.required as string[] | undefined) ?? [])
  for (const [name, schema] of Object.entries((query?.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    const { description, ...rest } = schema
    parameters.push({ name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest })
  }
  const responses: Record<string, unknown> = {}
  for (const [status, r] of Object.entries(doc?.responses ?? { 200: { description: 'Sin documentar' } })) {
    const content = r.schema
      ? { 'application/json': { schema: jsonSchema(r.schema, 'output'), ...(r.example !== undefined ? { example: r.example } : {}) } }
      : r.type ? { [r.type]: { schema: { type: r.type.endsWith('json') ? 'object' : 'string' } } } : undefined
    responses[status] = { description: r.description, ...(content ? { content } : {}) }
  }
  if (params.length || query) responses['400'] ??= error('Parámetro inválido', 'invalid_parameter', "'sort' debe ser una clave de orden")
  if (op.auth === 'bearer') {
    responses['401'] ??= error('Sin token, o token inválido o revocado', 'unauthenticated', 'Se requiere autenticación')
    if (op.owner !== 'core') responses['403'] ??= error('El nivel del distribuidor no incluye este módulo', 'plugin_not_in_tier', "Su nivel de servicio no incluye 'stamping'")
  }
  if (params.length) responses['404'] ??= error('No existe, o es de otro distribuidor', 'not_found', 'El recurso no existe')
  if (doc?.body) responses['422'] ??= error('Campos inválidos, cada uno con su mensaje', 'validation_failed', 'Campos no válidos: quantity', { quantity: 'La cantidad debe ser un número entero positivo' })
  return {
    operationId: operationId(op),
    summary: doc?.summary ?? `${op.method.toUpperCase()} ${op.path} (sin documentar)`,
    ...(doc?.description ? { description: doc.description } : {}),
    tags: [op.owner],
    security: op.auth === 'bearer' ? [{ bearer: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(doc?.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body, 'input'), ...(doc.bodyExample !== undefined ? { example: doc.bodyExample } : {}) } } } } : {}),
    responses,
    ...(doc ? {} : { 'x-undocumented': true }),
  }
}

/** The OpenAPI 3.1 document of the mounted API, from each route's own `doc`. */
export function openapiDocument(ops: readonly ApiOperation[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of ops) {
    const { path, params } = openapiPath(op.path)
    ;(paths[path] ??= {})[op.method] = operation(op, op.doc, params)
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cuenta Maestra API', version,
      description: 'API JSON de Cuenta Maestra. Las rutas de distribuidor piden `Authorization: Bearer <token>` (npm run cm -- token create); las de timbrado se autentican con las credenciales de la CTI. Errores: `{ "error": { "code", "message", "retryable" } }` con el estado HTTP real.',
    },
    servers: [{ url: '/api/v1' }],
    tags: [...new Set(ops.map((o) => o.owner))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token de API de un perfil que actúa por un distribuidor' } },
      schemas: { Error: errorSchema },
    },
  }
}
