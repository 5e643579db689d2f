import { fileURLToPath } from 'node:url'
import { raw } from '@mikro-orm/postgresql'
import { ScopedResource } from '../../../core/plugin-api-admin.js'
import { FieldValidationError, isCatalogedError, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import { DistributorAccountSchema, type DistributorAccount } from '../entities/account.js'
import type { DistributorsService } from '../services/distributors.js'
import { allows, STATE_LABELS, STATE_NAME, STATE_ORDER, TRANSITION_NAMES, TRANSITIONS, type State } from '../transitions.js'

const RESOURCE = 'DistributorAccount'
const TABS = 'DistributorsTabs'
const TRANSITION = 'DistributorTransition'
const HISTORY = 'DistributorHistory'
const NEW = 'DistributorNew'
const DATA = ['legalName', 'rfc', 'contactName', 'contactEmail', 'contactPhone']

/** The action's answer when the service refused: its Spanish message as an error notice. */
const refusal = (e: unknown) => {
  if (e instanceof FieldValidationError) return Object.values(e.fields).join(' · ')
  if (isCatalogedError(e) && e.status < 500) return e.message
  throw e
}

/**
 * CM "Distribuidores": the distributors of the signed-in distributor's subtree (itself excluded; the
 * platform's staff see the whole tree). Every read goes through the scoped resource, so a sibling's or
 * an ancestor's record is "not found" in the list, show, edit and every record action.
 */
export function distributorsAdmin(ctx: PluginContext, service: DistributorsService): AdminContribution {
  const resource = new ScopedResource<DistributorAccount>(ctx.orm, {
    entity: DistributorAccountSchema,
    scope: 'tenant',
    tenantWhere: (distributorId) => {
      const [where, params] = service.scopeSql('__a', distributorId)
      return { [raw((alias: string) => where.replaceAll('__a.', `${alias}.`), params)]: [] }
    },
    writable: ['email', 'mobile', ...DATA],
    filterable: ['state', 'legalName', 'rfc', 'createdAt'],
    deletable: false,
    // The service answers plain rows; the admin wants the entity.
    create: async ({ em, distributorId, params, actor }) => em.findOneOrFail(DistributorAccountSchema, (await service.create(em, { distributorId, profileId: actor.profileId }, params)).id),
    update: async ({ em, distributorId, entity, params, actor }) => {
      await service.update(em, { distributorId, profileId: actor.profileId }, entity.id, params)
      await em.refresh(entity)
      return entity
    },
  })

  const transitionActions = Object.fromEntries(TRANSITION_NAMES.map((name) => [name, {
    actionType: 'record',
    // Its page is the one confirmation (what will happen) and its button the one POST.
    component: TRANSITION,
    custom: { confirm: TRANSITIONS[name].confirm, button: `${TRANSITIONS[name].label} la cuenta` },
    icon: { activate: 'Play', suspend: 'Pause', reactivate: 'RotateCcw', renew: 'RefreshCw', cancel: 'XCircle' }[name],
    // Offered only where the table allows it; the handler checks again against the current state.
    isAccessible: ({ record }: any) => !record || allows(name, record.params?.state as State),
    handler: async (request: any, _response: unknown, context: any) => {
      const { record, currentAdmin, h } = context as { record: any, currentAdmin: AdminUser, h: any }
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) }
      try {
        await service.transition(ctx.em(), { distributorId: currentAdmin.distributorId, profileId: currentAdmin.profileId }, String(record.id()), name)
      } catch (e) {
        return { record: record.toJSON(currentAdmin), notice: { message: refusal(e), type: 'error' } }
      }
      const fresh = await resource.findOne(String(record.id()), context)
      return {
        record: fresh!.toJSON(currentAdmin),
        redirectUrl: h.recordActionUrl({ resourceId: RESOURCE, recordId: record.id(), actionName: 'show' }),
        notice: { message: TRANSITIONS[name].done, type: 'success' },
      }
    },
  }]))

  return {
    resources: [{
      resource,
      options: {
        navigation: { icon: 'GitBranch' },
        titleProperty: 'legalName',
        listProperties: ['legalName', 'rfc', 'state', 'cmExpiresAt', 'createdAt'],
        showProperties: ['legalName', 'rfc', 'state', 'cmExpiresAt', 'contactName', 'contactEmail', 'contactPhone', 'parentName', 'createdAt'],
        editProperties: DATA,
        filterProperties: ['legalName', 'rfc', 'state', 'createdAt'],
        sort: { sortBy: 'createdAt', direction: 'desc' },
        properties: {
          id: { isVisible: false },
          name: { isVisible: false },
          invitedProfileId: { isVisible: false },
          stateChangedAt: { isVisible: false },
          purgedAt: { isVisible: { list: false, show: true, edit: false, filter: false } },
          parentId: { isVisible: false },
          // The parent by its name (the caller itself or a distributor of its subtree), not its id.
          parentName: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
          legalName: { isTitle: true, isRequired: true },
          rfc: { isRequired: true },
          state: { availableValues: STATE_ORDER.map((value) => ({ value, label: STATE_NAME[value] })), isVisible: { list: true, show: true, edit: false, filter: true } },
          cmExpiresAt: { isVisible: { list: true, show: true, edit: false, filter: false } },
          // Asked first when adding: the first member's e-mail and mobile (an invitation when new).
          email: { type: 'string', isRequired: true, isVisible: { list: false, show: false, edit: true, filter: false } },
          mobile: { type: 'string', isRequired: true, isVisible: { list: false, show: false, edit: true, filter: false } },
        },
        actions: {
          list: { component: TABS },
          show: {
            after: async (response: any) => {
              const parentId = response.record?.params?.parentId
              const parent = parentId ? await ctx.directory.get(ctx.em(), String(parentId)) : null
              if (response.record) response.record.params.parentName = parent?.name ?? null
              return response
            },
          },
          // Two steps in one page: the administrator's e-mail and mobile (checked by `checkAdministrator`), then the data.
          new: { component: NEW },
          checkAdministrator: {
            actionType: 'resource', component: false, isVisible: false,
            handler: async (request: any, _response: unknown, context: any) => {
              if (request.method !== 'post') return {}
              try {
                const found = await service.checkAdministrator(ctx.em(), (context.currentAdmin as AdminUser).distributorId, request.payload ?? {})
                return {
                  ...found,
                  message: !found.existing ? 'No hay un perfil con ese correo y ese móvil: le enviaremos una invitación, y la cuenta quedará "Sin validar" hasta que confirme sus datos.'
                    : found.verified ? 'El perfil existe y está verificado: la cuenta quedará "Sin activar".'
                      : 'El perfil existe pero aún no confirma su correo y su móvil: la cuenta quedará "Sin validar" hasta que lo haga.',
                }
              } catch (e) {
                if (e instanceof FieldValidationError) return { fields: e.fields }
                return { notice: { message: refusal(e), type: 'error' } }
              }
            },
          },
          edit: { layout: DATA },
          delete: { isAccessible: false },
          bulkDelete: { isAccessible: false },
          // The tabs' counts (read by the list component); changes nothing.
          counts: {
            actionType: 'resource', component: false, isVisible: false,
            handler: async (_request: any, _response: unknown, context: any) => {
              const counts = await service.counts(ctx.em(), (context.currentAdmin as AdminUser).distributorId)
              return { counts, labels: STATE_LABELS, order: STATE_ORDER }
            },
          },
          ...transitionActions,
          // The account's audit log (transitions with who, before, after and when); read-only.
          history: {
            actionType: 'record', icon: 'Clock', component: HISTORY,
            handler: async (_request: any, _response: unknown, context: any) => {
              const { record, currentAdmin } = context as { record: any, currentAdmin: AdminUser }
              const entries = await service.history(ctx.em(), currentAdmin.distributorId, String(record.id()))
              return { record: record.toJSON(currentAdmin), entries }
            },
          },
        },
      },
    }],
    components: {
      [TABS]: fileURLToPath(new URL('./components/tabs.jsx', import.meta.url)),
      [TRANSITION]: fileURLToPath(new URL('./components/transition.jsx', import.meta.url)),
      [HISTORY]: fileURLToPath(new URL('./components/history.jsx', import.meta.url)),
      [NEW]: fileURLToPath(new URL('./components/new.jsx', import.meta.url)),
    },
    locale: {
      labels: { [RESOURCE]: 'Distribuidores' },
      resources: {
        [RESOURCE]: {
          properties: {
            legalName: 'Razón social', rfc: 'RFC', state: 'Estado', cmExpiresAt: 'Vencimiento del CM', createdAt: 'Alta', parentName: 'Distribuidor padre',
            contactName: 'Contacto', contactEmail: 'Correo del contacto', contactPhone: 'Teléfono del contacto', purgedAt: 'Depurado',
            email: 'Correo del administrador', mobile: 'Móvil del administrador',
            ...Object.fromEntries(STATE_ORDER.map((s) => [`state.${s}`, STATE_NAME[s]])),
          },
          actions: { list: 'Distribuidores', new: 'Agregar distribuidor', edit: 'Editar datos', history: 'Historial', History: 'Historial', ...Object.fromEntries(TRANSITION_NAMES.flatMap((n) => [[n, TRANSITIONS[n].label], [n[0].toUpperCase() + n.slice(1), TRANSITIONS[n].label]])) },
        },
      },
    },
  }
}
