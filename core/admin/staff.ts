import type { Kernel } from '../kernel/boot.js'
import { EntitlementSchema, JobSchema, type Entitlement } from '../kernel/entities.js'
import { FieldValidationError } from '../kernel/errors.js'
import { ApiTokenSchema, AuditEntrySchema, DISTRIBUTOR_STATES, DistributorSchema, ProfileSchema, TierSchema, type ApiToken, type Distributor } from '../identity/entities.js'
import { audit, isUuid } from '../identity/directory.js'
import { normalizeEmail, normalizeMobile } from '../identity/normalize.js'
import { ScopedResource } from './scoped-resource.js'
import { DISTRIBUTOR_STATE_LABELS } from './locale.js'
import { pluginsOfTier } from '../kernel/tiers.js'

const STAFF_NAV = { name: 'Staff', icon: 'Shield' }
const STATE_BADGES: Record<string, string> = { unvalidated: 'info', inactive: 'light', active: 'success', suspended: 'secondary', cancelled: 'danger', expired: 'primary' }
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '')
const readOnly = { new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false } }
const date = (v: unknown) => (v ? new Date(String(v)) : undefined)

/** Staff console: distributors (with their first member), tiers, the audit log, jobs, entitlements; and each member's API tokens. */
export function coreAdminResources(kernel: Kernel) {
  const { orm, identity, directory: dir, config: { tiers } } = kernel
  const distributors = new ScopedResource<Distributor>(orm, {
    entity: DistributorSchema,
    scope: 'staff',
    writable: ['name', 'tier', 'state', 'cmExpiresAt', 'parentId', 'memberName', 'memberEmail', 'memberMobile', 'memberPassword'],
    deletable: false,
    async create({ em, params, actor }) {
      const fields: Record<string, string> = {}
      const name = str(params.name)
      if (!name) fields.name = 'El nombre es obligatorio'
      const tier = str(params.tier)
      if (!tiers[tier]) fields.tier = 'Elija un nivel'
      const email = normalizeEmail(str(params.memberEmail))
      if (!email) fields.memberEmail = 'Correo inválido'
      const mobile = normalizeMobile(str(params.memberMobile))
      if (!mobile) fields.memberMobile = 'Móvil inválido'
      if (Object.keys(fields).length) throw new FieldValidationError(fields)
      return em.transactional(async (tx) => {
        let profile = await tx.findOne(ProfileSchema, { email: email! })
        if (profile && profile.mobile !== mobile) throw new FieldValidationError({ memberMobile: 'Ese correo pertenece a un perfil con otro móvil' })
        if (!profile) {
          if (await tx.count(ProfileSchema, { mobile: mobile! })) throw new FieldValidationError({ memberMobile: 'Ese móvil pertenece a otro perfil' })
          profile = await identity.createProfile(tx, { email: email!, mobile: mobile!, name: str(params.memberName) || name, password: str(params.memberPassword) })
        }
        const d = await dir.create(tx, {
          name, tier, parentId: str(params.parentId) || null, actorProfileId: actor.profileId,
          cmExpiresAt: params.cmExpiresAt ? new Date(String(params.cmExpiresAt)) : null,
          state: DISTRIBUTOR_STATES.includes(params.state as never) ? params.state as Distributor['state'] : 'active',
        })
        await identity.addMember(tx, d.id, profile.id, { actorProfileId: actor.profileId }).catch((e) => {
          throw e instanceof FieldValidationError && e.fields.email ? new FieldValidationError({ memberEmail: e.fields.email }) : e
        })
        return tx.findOneOrFail(DistributorSchema, { id: d.id })
      })
    },
    async update({ em, entity, params, actor }) {
      if ('tier' in params && !tiers[str(params.tier)]) throw new FieldValidationError({ tier: 'Nivel desconocido' })
      if ('state' in params && !DISTRIBUTOR_STATES.includes(params.state as never)) throw new FieldValidationError({ state: 'Estado desconocido' })
      const refusal = 'state' in params && params.state !== entity.state ? kernel.extensions.list('kernel.stateChange').map((guard) => guard(entity.state, String(params.state))).find(Boolean) : null
      if (refusal) throw new FieldValidationError({ state: refusal })
      const { memberName, memberEmail, memberMobile, memberPassword, state, parentId, ...rest } = params
      void memberName; void memberEmail; void memberMobile; void memberPassword
      // State and parent go through the directory (events, audit, the tree); the rest is audited here.
      const before = Object.fromEntries(Object.keys(rest).map((k) => [k, (entity as any)[k]]))
      em.assign(entity, rest as never)
      await em.flush()
      await audit(em, { action: 'core.distributorUpdated', subject: entity.id, distributorId: entity.id, actorProfileId: actor.profileId, before, after: rest })
      if (!entity.isRoot && state) await dir.setState(em, entity.id, state as Distributor['state'], { actorProfileId: actor.profileId })
      if (!entity.isRoot && str(parentId) && parentId !== entity.parentId) await dir.move(em, entity.id, str(parentId), { actorProfileId: actor.profileId })
      await em.refresh(entity)
      await dir.changed(em, entity.id)
      await dir.invalidate(entity.id, em)
      return entity
    },
  })
  const memberOnly = { isVisible: { list: false, filter: false, show: false, edit: true } }
  const distributorResource = {
    resource: distributors,
    options: {
      navigation: STAFF_NAV,
      listProperties: ['name', 'state', 'tier', 'cmExpiresAt', 'createdAt'],
      showProperties: ['name', 'state', 'tier', 'cmExpiresAt', 'parentId', 'isRoot', 'createdAt'],
      editProperties: ['name', 'tier', 'state', 'cmExpiresAt', 'memberName', 'memberEmail', 'memberMobile', 'memberPassword'],
      filterProperties: ['name', 'state', 'tier'],
      properties: {
        tier: { availableValues: Object.entries(tiers).map(([value, t]) => ({ value, label: t.name })) },
        state: { availableValues: DISTRIBUTOR_STATES.map((value) => ({ value, label: DISTRIBUTOR_STATE_LABELS[value], variant: STATE_BADGES[value] })) },
        memberName: { type: 'string', ...memberOnly },
        memberEmail: { type: 'string', ...memberOnly },
        memberMobile: { type: 'string', ...memberOnly },
        memberPassword: { type: 'password', ...memberOnly },
      },
      actions: { delete: { isAccessible: false }, bulkDelete: { isAccessible: false } },
    },
  }
  // A tier's modules: the installed plugins it enables, by their Spanish titles.
  const titles = new Map(kernel.plugins.map(({ plugin: p }) => [p.id, p.title ?? p.id]))
  const withModules = (r: any) => { if (r) r.params.modules = pluginsOfTier(tiers, r.params.id, [...titles.keys()]).map((id) => titles.get(id)).join(', ') || '—' }
  const tierResource = {
    resource: new ScopedResource(orm, { entity: TierSchema, scope: 'staff', writable: [], deletable: false }),
    options: {
      navigation: STAFF_NAV,
      properties: { plugins: { isVisible: false }, modules: { type: 'string', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false } } },
      actions: {
        new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
        list: { after: (res: any) => { res.records?.forEach(withModules); return res } }, show: { after: (res: any) => { withModules(res.record); return res } },
      },
    },
  }
  const auditResource = {
    resource: new ScopedResource(orm, { entity: AuditEntrySchema, scope: 'staff', writable: [], deletable: false }),
    options: {
      navigation: STAFF_NAV,
      sort: { sortBy: 'at', direction: 'desc' },
      listProperties: ['at', 'action', 'subject', 'distributorId', 'actorProfileId'],
      showProperties: ['at', 'action', 'subject', 'distributorId', 'actorProfileId', 'detail'],
      filterProperties: ['action', 'subject', 'distributorId', 'actorProfileId'],
      actions: readOnly,
    },
  }
  const tokens = new ScopedResource<ApiToken>(orm, { entity: ApiTokenSchema, scope: 'tenant', writable: ['label'], deletable: false })
  const tokenResource = {
    resource: tokens,
    options: {
      navigation: { name: 'Cuenta', icon: 'Key' },
      listProperties: ['label', 'prefix', 'createdAt', 'revokedAt'],
      showProperties: ['label', 'prefix', 'createdAt', 'revokedAt', 'lastUsedAt'],
      editProperties: ['label'],
      filterProperties: ['label'],
      properties: { tokenHash: { isVisible: false } },
      actions: {
        edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
        new: {
          // The token is generated here and answered once (the component keeps it on screen); only its hash is stored.
          component: 'ApiTokenNew',
          handler: async (request: any, _response: unknown, context: any) => {
            if (request.method !== 'post') return {}
            const actor = context.currentAdmin
            const label = str(request.payload?.label).slice(0, 100)
            const { token, id } = await identity.createApiToken(orm.em.fork(), actor.email, actor.distributorId, label)
            const record = await tokens.findOne(id, context)
            return { record: record!.toJSON(actor), token, notice: { message: 'tokenCreated', type: 'success' } }
          },
        },
        revoke: {
          actionType: 'record', icon: 'Trash', guard: 'revokeConfirm', component: false,
          handler: async (request: any, _response: unknown, context: any) => {
            const { record, currentAdmin } = context
            if (request.method !== 'post') return { record: record.toJSON(currentAdmin) }
            await orm.em.fork().nativeUpdate(ApiTokenSchema, { id: record.id(), distributorId: currentAdmin.distributorId, revokedAt: null }, { revokedAt: new Date() })
            return {
              record: (await tokens.findOne(record.id(), context))!.toJSON(currentAdmin),
              redirectUrl: context.h.resourceUrl({ resourceId: 'ApiToken' }),
              notice: { message: 'tokenRevoked', type: 'success' },
            }
          },
        },
      },
    },
  }
  // The jobs' last runs (read-only) and entitlements (grant, list, change or end their validity).
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
        if (!isUuid(distributorId) || !(await em.count(DistributorSchema, { id: distributorId }))) throw new FieldValidationError({ distributorId: 'Elija un distribuidor' })
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
  return {
    staff: [distributorResource, tierResource, auditResource, jobs, entitlements],
    member: [tokenResource],
  }
}
