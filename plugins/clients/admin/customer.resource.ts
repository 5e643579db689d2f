import { fileURLToPath } from 'node:url'
import { BaseRecord, NotFoundError as AdminNotFoundError, ValidationError, flat, type Filter } from 'adminjs'
import { raw } from '@mikro-orm/postgresql'
import { ScopedResource } from '../../../core/plugin-api-admin.js'
import { FieldValidationError, ForbiddenError, isCatalogedError, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import { CATEGORIES, COLORS, CustomerSchema, type Customer, type CustomerCategory, type CustomerColor } from '../entities/customer.js'
import type { CustomerInput, CustomersService, ListQuery, SortKey } from '../services/customers.js'
import { CATEGORY_LABELS, COLOR_LABELS, TAX_REGIMES } from '../services/validate.js'

const CONTACT_KEYS = ['legalRepresentative', 'financialContact', 'technicalContact'] as const

/**
 * The admin names `otherData` (the column); the service takes the API's `notes`. A contact's phones
 * are one text field in the form ("55 1234 5678, 33 3615 0000"), a list for the service; a contact
 * left empty is cleared.
 */
const toInput = (params: Record<string, unknown>): CustomerInput => {
  const { otherData, ...rest } = params
  const out: Record<string, unknown> = otherData === undefined ? rest : { ...rest, notes: otherData }
  for (const k of CONTACT_KEYS) {
    const c = out[k]
    if (c === undefined || c === null || typeof c !== 'object' || Array.isArray(c)) continue
    const { name, email, phones } = c as Record<string, unknown>
    out[k] = {
      name: name === undefined ? undefined : name === '' ? null : name,
      email: email === undefined ? undefined : email === '' ? null : email,
      phones: typeof phones === 'string' ? phones.split(/[,;]/).map((p) => p.trim()).filter(Boolean) : phones,
    }
  }
  return out as CustomerInput
}

/** A contact's phones as one text field (the form's), instead of AdminJS's `phones.0`, `phones.1`… */
const phonesAsText = (params: Record<string, unknown>) => {
  for (const k of CONTACT_KEYS) {
    const keys = Object.keys(params).filter((p) => p.startsWith(`${k}.phones.`))
    const phones = keys.sort().map((p) => params[p]).filter((v) => typeof v === 'string' && v)
    for (const p of keys) delete params[p]
    if (keys.length || `${k}.name` in params) params[`${k}.phones`] = phones.join(', ')
  }
}

const CLASSIFY = 'ClientsClassify'
const classifyFile = fileURLToPath(new URL('./components/classify.jsx', import.meta.url))

/** `category` / `color` from the posted form: absent = unchanged, '' = cleared. */
const classification = (payload: Record<string, unknown>) => {
  const out: { category?: CustomerCategory | null, color?: CustomerColor | null } = {}
  for (const k of ['category', 'color'] as const) {
    if (!(k in payload)) continue
    const v = payload[k]
    out[k] = (v === '' || v === null ? null : v) as never
  }
  return out
}

const LIST = 'ClientsList'
const CELL = 'ClientsCell'
const SHOW = 'ClientsShow'
const EDIT = 'ClientsEdit'
const ASSIGN = 'ClientsAssignOwner'
const component = (file: string) => fileURLToPath(new URL(`./components/${file}`, import.meta.url))

/** The CM components this plugin adds (the kernel bundles them). */
export const clientsAdminComponents = {
  [CLASSIFY]: classifyFile, [LIST]: component('list.jsx'), [CELL]: component('cell.jsx'), [SHOW]: component('show.jsx'), [EDIT]: component('edit.jsx'), [ASSIGN]: component('assign-owner.jsx'),
  // Imported by the three above; registered too so that a change to it rebuilds the bundle (imports are not hashed).
  ClientsCustomerHeader: component('header.jsx'),
}

const SCALARS = ['legalName', 'tradeName', 'rfc', 'taxRegime', 'postalCode', 'address', 'phone', 'email', 'otherData', 'stampPrice', 'category', 'color']

/**
 * The Clientes list when the search box (or the pickers' name search) is used: the service's list,
 * which counts over the search tables and pages by index, instead of a generic count and sort over
 * every matching row (a word in 10,000 names took 94 ms that way). Other filters take the generic path.
 *
 * AdminJS's list action calls find(filter) and then count(filter) with the same Filter object, made
 * for that request: the total the service counted for the page is kept against that object (and
 * the tenant), so count() answers it instead of counting the same matches again. Nothing outlives
 * the request, so a customer created a moment ago is in the next list and its total.
 */
class CustomerResource extends ScopedResource<Customer> {
  private readonly totals = new WeakMap<Filter, { distributorId: string, total: number }>()

  constructor(private readonly pctx: PluginContext, private readonly customers: CustomersService, spec: ConstructorParameters<typeof ScopedResource<Customer>>[1]) {
    super(pctx.orm, spec)
  }

  private searched(filter: Filter | undefined, context: any, withoutSearch = false): { distributorId: string, query: ListQuery } | null {
    const f = filter?.filters ?? {}
    const value = (k: string) => { const v = (f[k] as { value?: unknown } | undefined)?.value; return typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined }
    const q = value('search') ?? value('legalName')
    const others = Object.keys(f).filter((k) => !['search', 'legalName', 'color', 'category'].includes(k))
    const distributorId = (context?.currentAdmin as AdminUser | undefined)?.distributorId
    if ((!q && !withoutSearch) || others.length || !distributorId || (value('search') && value('legalName'))) return null
    const color = value('color'), category = value('category')
    if ((color && !COLORS.includes(color as CustomerColor)) || (category && !CATEGORIES.includes(category as CustomerCategory))) return null
    return { distributorId, query: { q, color: color as CustomerColor | undefined, category: category as CustomerCategory | undefined } }
  }

  override async count(filter: Filter, context?: any): Promise<number> {
    const s = this.searched(filter, context)
    if (!s) return super.count(filter, context)
    const known = filter && this.totals.get(filter)
    if (known && known.distributorId === s.distributorId) return known.total
    return this.customers.countMatching(this.pctx.em(), s.distributorId, s.query)
  }

  /**
   * The service's list when it can answer (the search box, or a sort by a contributed figure, with
   * no filter but colour and category); otherwise the generic path. Either way each record carries
   * the figures the distributor's tier shows (contributed columns such as the stamp balance).
   */
  override async find(filter: Filter, params: { limit?: number, offset?: number, sort?: { sortBy?: string, direction?: 'asc' | 'desc' } } = {}, context?: any): Promise<BaseRecord[]> {
    const admin = context?.currentAdmin as AdminUser | undefined
    const figureSort = !!params.sort?.sortBy && this.customers.figureColumnsOf(admin?.plugins ?? []).some((f) => f.key === params.sort!.sortBy)
    // Every list the service can answer goes through it (the 12 orders, ties broken by NIC), not only searches.
    const s = this.searched(filter, context, true)
    const limit = Math.min(Math.max(Number(params.limit) || 10, 1), 500)
    const offset = Math.max(Number(params.offset) || 0, 0)
    if (!s || offset % limit !== 0) return this.withFigures(await super.find(filter, figureSort ? { ...params, sort: undefined } : params, context), admin)
    const key: SortKey = figureSort ? params.sort!.sortBy! : (['legalName', 'nic', 'createdAt'] as const).find((k) => k === params.sort?.sortBy) ?? 'createdAt'
    const sort = { key, desc: params.sort?.sortBy ? params.sort.direction === 'desc' : true }
    const { items, total } = await this.customers.list(this.pctx.em(), s.distributorId, { ...s.query, sort }, offset / limit + 1, limit)
    if (filter && s.query.q) this.totals.set(filter, { distributorId: s.distributorId, total })
    return items.map(({ customer, figures }) => new BaseRecord(flat.flatten({ ...customer, ...figures } as object), this))
  }

  override async findOne(id: string, context?: any): Promise<BaseRecord | null> {
    const record = await super.findOne(id, context)
    if (!record) return null
    phonesAsText(record.params)
    const owner = (await this.customers.linkedProfiles(this.pctx.em(), String(record.params.id))).find((p) => p.role === 'owner')
    record.params.owner = owner ? `${owner.name} · ${owner.email} · ${owner.mobile}` : ''
    return (await this.withFigures([record], context?.currentAdmin))[0]
  }

  private async withFigures(records: BaseRecord[], admin: AdminUser | undefined): Promise<BaseRecord[]> {
    if (!admin?.distributorId || !records.length) return records
    const figures = await this.customers.figuresFor(this.pctx.em(), records.map((r) => String(r.params.id)), admin.plugins)
    for (const r of records) Object.assign(r.params, figures.get(String(r.params.id)))
    return records
  }

  /** Figure columns show only to distributors whose tier enables the plugin that contributes them. */
  override assignDecorator(admin: any, options: any = {}): void {
    super.assignDecorator(admin, options)
    const decorator = this.decorate() as any
    const toJSON = decorator.toJSON.bind(decorator)
    const all = this.customers.figureColumnsOf().map((f) => f.key)
    decorator.toJSON = (admin: AdminUser | undefined) => {
      const json = toJSON(admin)
      const shown = new Set(this.customers.figureColumnsOf(admin?.plugins ?? []).map((f) => f.key))
      const keep = (p: { name: string }) => !all.includes(p.name) || shown.has(p.name)
      for (const k of ['listProperties', 'showProperties']) json[k] = json[k].filter(keep)
      return json
    }
  }

  /** Through the service: a customer with movements is refused with its reason (a notice, not a 500). */
  override async delete(id: string | number, context?: any): Promise<void> {
    const distributorId = (context?.currentAdmin as AdminUser | undefined)?.distributorId
    if (!distributorId) throw new ForbiddenError('No tenant in context')
    try {
      await this.customers.deleteMany(this.pctx.em(), distributorId, [String(id)])
    } catch (e) {
      if (isCatalogedError(e) && e.status < 500) throw new ValidationError({}, { message: e.message, type: e.code })
      throw e
    }
  }

}

/** Clientes in the CM: the distributor's own customers only; created and edited through the service. */
export function customerResource(ctx: PluginContext, customers: CustomersService) {
  /** After a saved create or edit: a warning (not a refusal) when another of the distributor's customers has the RFC. */
  const rfcWarning = async (response: any, request: any, context: any) => {
    const p = response?.record?.params
    if (request?.method !== 'post' || !p?.id || !p.rfc || Object.keys(response.record.errors ?? {}).length) return response
    const others = await customers.sameRfc(ctx.em(), { id: String(p.id), distributorId: context.currentAdmin.distributorId, rfc: String(p.rfc) })
    if (!others.length) return response
    const nics = others.map((n) => `NIC ${n}`).join(', ')
    return { ...response, notice: { type: 'warning', message: `Cliente guardado. Aviso: el RFC ${p.rfc} ya lo usa otro de sus clientes (${nics}). Revise que no sea un duplicado.` } }
  }
  const searchBox = async ({ distributorId, value }: { distributorId: string, value: string }) => {
    const s = await customers.searchSubquery(distributorId, value)
    return { [raw((alias: string) => `${alias}.id in (${s.sql})`, s.params)]: [] }
  }
  const figures = customers.figureColumnsOf()
  const figureType = { integer: 'number', hundredths: 'string', timestamp: 'datetime' } as const
  // Amounts first, then dates (the manual's order: balance, points, last purchase, last stamping).
  const listFigures = [...figures].sort((a, b) => Number(a.kind === 'timestamp') - Number(b.kind === 'timestamp'))
  return {
    resource: new CustomerResource(ctx, customers, {
      entity: CustomerSchema,
      scope: 'tenant',
      writable: [...SCALARS, ...CONTACT_KEYS],
      // Text is found through the search box (the customer search's indexes); a plain ilike per
      // column scanned all 100k rows (75–95 ms, 13–17× /me).
      filterable: ['category', 'color', 'createdAt'],
      // `legalName` too: AdminJS's reference pickers search by the title property.
      virtualFilters: { search: searchBox, legalName: searchBox },
      create: ({ em, distributorId, params }) => customers.create(em, distributorId, toInput(params)),
      update: ({ em, entity, params }) => customers.update(em, entity, toInput(params)),
    }),
    options: {
      navigation: { icon: 'Users' },
      titleProperty: 'legalName',
      // No trade name (on the show page): at 1280 px every column fits without wrapping NIC, RFC or phone.
      listProperties: ['nic', 'legalName', 'rfc', 'phone', ...listFigures.map((f) => f.key), 'createdAt', 'classification'],
      showProperties: ['nic', ...SCALARS, ...CONTACT_KEYS, 'owner', ...figures.map((f) => f.key), 'createdAt'],
      editProperties: [...SCALARS, ...CONTACT_KEYS],
      filterProperties: ['search', 'category', 'color', 'createdAt'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        id: { isVisible: false },
        distributorId: { isVisible: false },
        // The contacts as sections of the form (AdminJS's mixed properties), each with name, e-mail and phones.
        ...Object.fromEntries(CONTACT_KEYS.flatMap((k) => [
          [k, { type: 'mixed', isVisible: { list: false, filter: false, show: true, edit: true } }],
          [`${k}.name`, { type: 'string' }], [`${k}.email`, { type: 'string' }], [`${k}.phones`, { type: 'string' }],
        ])),
        owner: { type: 'string', isVisible: { list: false, filter: false, show: true, edit: false } },
        legalName: { isTitle: true, isRequired: true, components: { list: CELL } },
        nic: { components: { list: CELL } },
        rfc: { isRequired: true, isSortable: false, components: { list: CELL } },
        phone: { isSortable: false, components: { list: CELL } },
        tradeName: { isSortable: false },
        createdAt: { components: { list: CELL } },
        otherData: { type: 'textarea' },
        taxRegime: { availableValues: Object.entries(TAX_REGIMES).map(([value, name]) => ({ value, label: `${value} · ${name}` })) },
        category: { availableValues: CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] })) },
        color: { availableValues: COLORS.map((value) => ({ value, label: COLOR_LABELS[value] })) },
        search: { type: 'string', isSortable: false, isVisible: { list: false, show: false, edit: false, filter: true } },
        // Category and colour as one-click buttons in the list (a virtual property: no column).
        classification: { type: 'string', isSortable: false, isVisible: { list: true, show: false, edit: false, filter: false }, components: { list: CLASSIFY } },
        // Columns other plugins contribute (clients.customerFigures): read-only, sorted by the service.
        ...Object.fromEntries(figures.map((f) => [f.key, { type: figureType[f.kind], isSortable: true, isVisible: { list: true, show: true, edit: false, filter: false }, components: { list: CELL }, custom: { label: f.label } }])),
      },
      actions: {
        // AdminJS's list under an "Ordenar por" selector with the manual's 12 orders.
        list: { component: LIST },
        // Titled with the customer's name (AdminJS titles them "Ver"/"Editar"); contacts in sections; "—" when empty.
        show: { component: SHOW, hideActionHeader: true },
        edit: { component: EDIT, hideActionHeader: true, after: rfcWarning },
        new: { after: rfcWarning },
        /**
         * "Asignar Perfil Admin": the profile with this e-mail and mobile becomes the customer's main
         * profile (its PCC access). GET shows the form; POST assigns, through the service (the owner rule).
         * The record comes through the tenant-scoped resource: another distributor's customer is not found.
         */
        assignOwner: {
          actionType: 'record', icon: 'UserCheck', component: ASSIGN, hideActionHeader: true,
          handler: async (request: any, _response: any, context: any) => {
            const { record, currentAdmin } = context as { record: any, currentAdmin: AdminUser }
            if (request.method !== 'post') return { record: record.toJSON(currentAdmin) }
            const payload = request.payload ?? {}
            const em = ctx.em()
            try {
              const customer = await customers.getByNic(em, currentAdmin.distributorId, String(record.params.nic))
              const owner = await customers.assignOwner(em, customer, { email: payload.email, mobile: payload.mobile })
              return {
                record: record.toJSON(currentAdmin),
                notice: { message: `${owner.name} (${owner.email}) es ahora el perfil principal de ${customer.legalName}: ya puede entrar a su Panel de Control del Cliente.`, type: 'success' },
                redirectUrl: context.h.recordActionUrl({ resourceId: 'Customer', recordId: record.id(), actionName: 'show' }),
              }
            } catch (e) {
              if (!isCatalogedError(e) || e.status >= 500) throw e
              const message = e instanceof FieldValidationError ? Object.entries(e.fields).map(([k, m]) => `${k === 'email' ? 'Correo' : k === 'mobile' ? 'Móvil' : k}: ${m}`).join(' · ') : e.message
              return { record: record.toJSON(currentAdmin), notice: { message, type: 'error' } }
            }
          },
        },
        // All selected customers in one transaction, or none (AdminJS's own deletes them one by one, in parallel).
        bulkDelete: {
          handler: async (request: any, _response: any, context: any) => {
            const { records, currentAdmin, h } = context as { records: any[], currentAdmin: AdminUser, h: any }
            // None of the ids is the tenant's: not found, as AdminJS's own bulk delete answers.
            if (!records?.length) throw new AdminNotFoundError('no records were selected.', 'Action#handler')
            const json = () => records.map((r) => r.toJSON(currentAdmin))
            if (request.method !== 'post') return { records: json() }
            try {
              await customers.deleteMany(ctx.em(), currentAdmin.distributorId, records.map((r) => String(r.id())))
            } catch (e) {
              if (!isCatalogedError(e) || e.status >= 500) throw e
              return { records: json(), notice: { message: e.message, type: 'error' } }
            }
            return { records: json(), redirectUrl: h.resourceUrl({ resourceId: 'Customer' }), notice: { message: records.length > 1 ? `${records.length} clientes eliminados` : 'Cliente eliminado', type: 'success' } }
          },
        },
        /**
         * One-click classification: a POST (from the list's buttons) sets category and/or colour of
         * one of the distributor's own customers; a GET changes nothing. The record is loaded
         * through the tenant-scoped resource, and the service looks it up again by NIC within the
         * admin's distributor, so another distributor's customer is never found.
         */
        classify: {
          actionType: 'record', component: false, isVisible: false, icon: 'Tag',
          handler: async (request: any, _response: any, context: any) => {
            const { record, currentAdmin } = context as { record: any, currentAdmin: AdminUser }
            if (request.method !== 'post') return { record: record.toJSON(currentAdmin), notice: { message: 'La clasificación se cambia con los botones de la lista.', type: 'error' } }
            const em = ctx.em()
            try {
              const customer = await customers.getByNic(em, currentAdmin.distributorId, String(record.params.nic))
              const c = await customers.classify(em, customer, classification(request.payload ?? {}))
              record.params.category = c.category ?? null
              record.params.color = c.color ?? null
              const parts = [c.category ? CATEGORY_LABELS[c.category] : 'sin categoría', c.color ? COLOR_LABELS[c.color] : 'sin color']
              return { record: record.toJSON(currentAdmin), notice: { message: `Cliente ${c.nic}: ${parts.join(', ')}`, type: 'success' } }
            } catch (e) {
              const message = e instanceof FieldValidationError ? Object.values(e.fields).join(' · ')
                : isCatalogedError(e) && e.status < 500 ? e.message : 'No se pudo clasificar al cliente.'
              if (!isCatalogedError(e)) throw e
              return { record: record.toJSON(currentAdmin), notice: { message, type: 'error' } }
            }
          },
        },
      },
    },
  }
}

/** The Spanish strings, with the labels of the figure columns other plugins contribute. */
export const clientsAdminLocaleWith = (customers: CustomersService) => ({
  ...clientsAdminLocale,
  resources: { Customer: { ...clientsAdminLocale.resources.Customer, properties: {
    ...clientsAdminLocale.resources.Customer.properties, ...Object.fromEntries(customers.figureColumnsOf().map((f) => [f.key, f.short ?? f.label])),
  } } },
})

export const clientsAdminLocale = {
  labels: { Customer: 'Clientes', Clientes: 'Clientes' },
  // Also at the top level: AdminJS's breadcrumbs translate the action without its resource.
  actions: { assignOwner: 'Asignar Perfil Admin' },
  // A contact's fields: AdminJS labels them by path ('legalRepresentative.name'), which i18next reads as
  // nested keys; under the resource the contact's own key is its section title, so they live here.
  properties: Object.fromEntries(CONTACT_KEYS.map((k) => [k, { name: 'Nombre', email: 'Correo', phones: 'Teléfonos (separados por comas)' }])),
  resources: {
    Customer: {
      properties: {
        search: 'Buscar (NIC, razón social, RFC, teléfono, contactos, CTI…)', nic: 'NIC', legalName: 'Razón social', tradeName: 'Nombre comercial', rfc: 'RFC', taxRegime: 'Régimen fiscal', postalCode: 'Código postal',
        address: 'Domicilio', phone: 'Teléfono', email: 'Correo', otherData: 'Notas', stampPrice: 'Precio de timbre (MXN)',
        category: 'Categoría', color: 'Color', createdAt: 'Alta', classification: 'Clasificación', owner: 'Perfil principal (acceso al PCC)',
        legalRepresentative: 'Representante legal', financialContact: 'Contacto financiero', technicalContact: 'Contacto técnico',
      },
      actions: { list: 'Clientes', new: 'Agregar cliente', classify: 'Clasificar', assignOwner: 'Asignar Perfil Admin' },
    },
  },
}
