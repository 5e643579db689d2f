import type { Kernel } from '../kernel/boot.js'
import { FieldValidationError } from '../kernel/errors.js'
import { EntitlementSchema, JobSchema, type Entitlement } from '../kernel/entities.js'
import { DistributorSchema } from '../identity/entities.js'
import { ScopedResource } from './scoped-resource.js'

const STAFF_NAV = { name: 'Staff', icon: 'Shield' }
const readOnly = { new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false } }
const date = (v: unknown) => (v ? new Date(String(v)) : undefined)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Staff console: the jobs' last runs (read-only) and entitlements (grant, list, change or end their validity). */
export function kernelServiceResources(kernel: Kernel) {
  const labels: Record<string, string> = Object.assign({}, ...kernel.plugins.map((p) => p.plugin.entitlements ?? {}))
  const jobs = {
    resource: new ScopedResource(kernel.orm, { entity: JobSchema, scope: 'staff', writable: [], deletable: false }),
    options: { navigation: STAFF_NAV, listProperties: ['name', 'lastFinishedAt', 'lastResult', 'lastError', 'runs'], actions: readOnly },
  }
  const entitlements = {
    resource: new ScopedResource<Entitlement>(kernel.orm, {
      entity: EntitlementSchema, scope: 'staff', writable: ['distributorId', 'key', 'since', 'until'], deletable: false,
      async create({ em, params }) {
        const distributorId = String(params.distributorId ?? '')
        if (!UUID.test(distributorId) || !(await em.count(DistributorSchema, { id: distributorId }))) throw new FieldValidationError({ distributorId: 'Elija un distribuidor' })
        const key = String(params.key ?? '')
        if (Object.keys(labels).length && !labels[key]) throw new FieldValidationError({ key: 'Elija un derecho de la lista' })
        const row = await kernel.entitlements.grant(em, { distributorId, key, since: date(params.since), until: date(params.until), source: 'staff' })
        return em.findOneOrFail(EntitlementSchema, row.id)
      },
      // Only the end of the validity changes (set it to now to end the entitlement); nothing is deleted.
      async update({ em, entity, params }) {
        const until = date(params.until) ?? null
        if (until && (Number.isNaN(until.getTime()) || until <= entity.since)) throw new FieldValidationError({ until: 'Debe ser posterior al inicio' })
        entity.until = until
        await em.flush()
        return entity
      },
    }),
    options: {
      navigation: STAFF_NAV,
      listProperties: ['distributorId', 'key', 'since', 'until', 'source'],
      editProperties: ['distributorId', 'key', 'since', 'until'],
      filterProperties: ['distributorId', 'key', 'source'],
      properties: {
        distributorId: { reference: 'Distributor' },
        ...(Object.keys(labels).length ? { key: { availableValues: Object.entries(labels).map(([value, label]) => ({ value, label })) } } : {}),
      },
      actions: { delete: { isAccessible: false }, bulkDelete: { isAccessible: false } },
    },
  }
  return [jobs, entitlements]
}
