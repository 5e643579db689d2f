import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { BaseRecord } from 'adminjs'
import { ScopedResource } from '../../../core/plugin-api-admin.js'
import { FieldValidationError, formatHundredths, isCatalogedError, sql, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import { StampingAccountSchema, type StampingAccount } from '../entities/cti.js'
import type { StampingServices } from '../index.js'
import { parseNewCti } from '../services/ctis.js'
import { parseAutoSale, parseTransfer } from '../services/sales.js'
import { stampingAdminLocale } from '../locale/es.js'
import { lowCtisQuery } from '../dashboard.js'

const COMPONENT = 'StampingCtiAction'
const componentFile = fileURLToPath(new URL('./components/cti-action.jsx', import.meta.url))
const NOWRAP = 'StampingNowrap'
const nowrapFile = fileURLToPath(new URL('./components/nowrap.jsx', import.meta.url))
const WARNING = 'StampingWarningCell'
const warningFile = fileURLToPath(new URL('./components/warning-cell.jsx', import.meta.url))

/** Columns that never leave the server: the hash and the generated password are lazy (never loaded); these are loaded but dropped. */
const HIDDEN_PARAMS = ['accountId', 'passwordHash', 'initialPassword', 'credentialsVersion', 'distributorId', 'customerId', 'autoSaleWarnedAt', 'renewalWarnedAt']

/**
 * The CM's "Timbrado" list over the tenant-scoped resource layer. Each record it hands AdminJS
 * (list, show, search, bulk and custom actions alike) carries the balance from the ledger and a
 * readable auto top-up, and loses the ledger account id and credential columns.
 */
class CtiResource extends ScopedResource<StampingAccount> {
  constructor(private readonly pctx: PluginContext<any>, private readonly stamping: () => StampingServices) {
    super(pctx.orm, {
      entity: StampingAccountSchema,
      scope: 'tenant',
      writable: [],
      filterable: ['id', 'customerNic', 'type', 'active', 'createdAt'],
      deletable: false,
      // "Cliente": the customer search box's rules (name, RFC, NIC, phones, contacts…), through clients.
      virtualFilters: {
        customerSearch: async ({ em, distributorId, value }) => ({ customerId: { $in: await pctx.use('clients').customers.searchIds(em, distributorId, value) } }),
        // The dashboard's "CTI con pocos timbres" link.
        lowStamps: async ({ em, distributorId, value }) => (value === 'true'
          ? { id: { $in: (await sql<{ id: string }[]>(em, lowCtisQuery(pctx.use('ledger')), [distributorId])).map((r) => r.id) } }
          : {}),
      },
    })
  }

  private async present(records: BaseRecord[]): Promise<BaseRecord[]> {
    if (!records.length) return records
    const ctis = records.map((r) => ({ accountId: (r.params.accountId as string | null | undefined) ?? null }))
    const balances = await this.stamping().ctis.balances(this.pctx.em(), ctis)
    // The customer's name (the NIC alone told the distributor nothing); all records are one tenant's.
    const names = await this.pctx.use('clients').customers.namesOf(this.pctx.em(), String(records[0].params.distributorId), records.map((r) => String(r.params.customerId)))
    for (const r of records) {
      const p = r.params
      const accountId = p.accountId as string | null | undefined
      // Shown as text: AdminJS's badges run labels through startCase (which drops accents) and its
      // i18n cannot hold both a property's label and its values' labels under one key.
      p.typeLabel = p.type === 'unlimited' ? 'Ilimitada' : 'Estándar'
      // An unlimited CTI whose renewal is unpaid says so where its state is, as the PCC does: blocked
      // once its year has ended (it cannot stamp), pending before.
      const unpaid = !!p.renewalWarning
      const ended = unpaid && !!p.validUntil && new Date(p.validUntil as string).getTime() < this.pctx.clock().getTime()
      p.activeLabel = !p.active ? 'No' : ended ? 'No: renovación sin pagar' : unpaid ? 'Sí; renovación sin pagar' : 'Sí'
      p.customerName = names.get(String(p.customerId)) ?? p.customerNic
      p.balance = accountId ? balances.get(accountId) ?? 0 : null
      p.autoSale = p.autoSaleMinimum === null || p.autoSaleMinimum === undefined
        ? ''
        : `Mín. ${p.autoSaleMinimum} → ${p.autoSaleQuantity} timbres por $${formatHundredths(Number(p.autoSaleAmount))}`
      if (p.autoSaleAmount !== null && p.autoSaleAmount !== undefined) p.autoSaleAmount = formatHundredths(Number(p.autoSaleAmount))
      for (const k of HIDDEN_PARAMS) delete p[k]
    }
    return records
  }

  override async find(...args: Parameters<ScopedResource<StampingAccount>['find']>) { return this.present(await super.find(...args)) }
  override async findOne(...args: Parameters<ScopedResource<StampingAccount>['findOne']>) {
    const r = await super.findOne(...args)
    return r ? (await this.present([r]))[0] : r
  }
  override async findMany(...args: Parameters<ScopedResource<StampingAccount>['findMany']>) { return this.present(await super.findMany(...args)) }
}

// ── Helpers for the custom actions ─────────────────────────────────────────────────────────────

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '')
/** Numbers arrive from forms as text; the parsers want numbers. Anything else is passed on to be refused. */
const int = (v: unknown) => (typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : v)

const FIELD_LABELS: Record<string, string> = {
  quantity: 'Cantidad', amount: 'Importe', minimum: 'Mínimo', password: 'Contraseña', passwordConfirmation: 'Confirmación',
  idempotencyKey: 'Clave de operación', id: 'Id de la CTI', type: 'Tipo', validUntil: 'Vigencia', rfc: 'RFC', items: 'Cuentas', nic: 'NIC',
}

const CODE_MESSAGES: Record<string, string> = {
  insufficient_inventory: 'Su inventario no alcanza para esta operación; no se aplicó nada.',
  insufficient_points: 'No tiene puntos suficientes para esta operación; no se aplicó nada.',
  cti_not_found: 'La cuenta de timbrado no existe.',
  cti_not_standard: 'La operación solo aplica a CTI estándar (las ilimitadas no tienen saldo de timbres).',
  cti_id_taken: 'Ese id de CTI ya está en uso.',
  idempotency_conflict: 'Esta operación ya se envió con otros datos; vuelva a abrir el formulario.',
  customer_not_found: 'No existe un cliente suyo con ese NIC.',
  not_found: 'No encontrado.',
}

/** A service error as a Spanish notice (field errors name the field, by its label). */
export function errorMessage(e: unknown): string {
  if (e instanceof FieldValidationError) {
    return Object.entries(e.fields).map(([k, m]) => {
      const row = /^items\[(\d+)\]\.(\w+)$/.exec(k)
      const label = row ? `Fila ${Number(row[1]) + 1}, ${(FIELD_LABELS[row[2]] ?? row[2]).toLowerCase()}` : FIELD_LABELS[k] ?? k
      return `${label}: ${m}`
    }).join(' · ')
  }
  if (isCatalogedError(e)) return CODE_MESSAGES[e.code] ?? (e.status < 500 ? e.message : 'No se pudo completar la operación.')
  throw e
}

/** The confirmation must repeat the password (checked here too: the service takes a missing one as none). */
export function confirmed(payload: Record<string, unknown>) {
  if (payload.password !== payload.passwordConfirmation) throw new FieldValidationError({ passwordConfirmation: 'La confirmación no coincide con la contraseña' })
}

/** A renewal the points still could not pay: shown as the error it is (nothing moved). */
class CtiRenewalStillUnpaid extends Error { readonly code = 'cti_renewal_unpaid'; readonly status = 422; readonly retryable = false }

type Handler = (request: any, response: any, context: any) => Promise<any>

/** An idempotency key per rendering of a money form: a retried POST of the same form applies once. */
const withKey = (json: any) => ({ ...json, params: { ...json.params, idempotencyKey: randomUUID() } })

const isStandard = ({ record }: any) => record?.params?.type === 'standard'

export function stampingAdmin(ctx: PluginContext<any>): AdminContribution {
  const s = () => ctx.use('stamping')
  const resource = new CtiResource(ctx, s)
  const em = () => ctx.em()

  /** A record action: GET renders the form (never changes anything), POST runs one service call. */
  const recordAction = (run: (args: { id: string, payload: Record<string, unknown>, admin: AdminUser }) => Promise<{ message: string, extra?: Record<string, unknown> }>, opts: { key?: boolean, stay?: boolean } = {}): Handler =>
    async (request, _response, context) => {
      const { record, currentAdmin } = context
      if (request.method !== 'post') return { record: opts.key ? withKey(record.toJSON(currentAdmin)) : record.toJSON(currentAdmin) }
      try {
        const { message, extra } = await run({ id: String(record.id()), payload: request.payload ?? {}, admin: currentAdmin })
        const fresh = await resource.findOne(record.id(), context)
        // Back to the list (it shows the new balance or state), unless the answer is to be read here.
        const redirectUrl = opts.stay ? undefined : context.h.resourceUrl({ resourceId: 'StampingAccount' })
        return { record: (fresh ?? record).toJSON(currentAdmin), notice: { message, type: 'success' }, ...(redirectUrl ? { redirectUrl } : {}), ...extra }
      } catch (e) {
        return { record: record.toJSON(currentAdmin), notice: { message: errorMessage(e), type: 'error' } }
      }
    }

  const bulkAction = (run: (args: { ids: string[], payload: Record<string, unknown>, admin: AdminUser }) => Promise<string>): Handler =>
    async (request, _response, context) => {
      const { records, currentAdmin } = context
      const json = records.map((r: BaseRecord) => r.toJSON(currentAdmin))
      if (request.method !== 'post') return { records: json, idempotencyKey: randomUUID() }
      try {
        const message = await run({ ids: records.map((r: BaseRecord) => String(r.id())), payload: request.payload ?? {}, admin: currentAdmin })
        return { records: json, notice: { message, type: 'success' }, redirectUrl: context.h.resourceUrl({ resourceId: 'StampingAccount' }) }
      } catch (e) {
        return { records: json, notice: { message: errorMessage(e), type: 'error' } }
      }
    }

  const money = 'La operación es irreversible: los timbres salen de su inventario y se registra la venta.'

  const actions = {
    new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
    transfer: {
      actionType: 'record', icon: 'Send', component: COMPONENT, isAccessible: isStandard,
      guard: `Al pulsar «Transferir timbres» se transfieren los timbres indicados a esta cuenta. ${money}`,
      handler: recordAction(async ({ id, payload, admin }) => {
        const input = parseTransfer({ quantity: int(payload.quantity), amount: str(payload.amount), idempotencyKey: str(payload.idempotencyKey) })
        const out = await s().sales.transferToCti(em(), admin.distributorId, id, input, { profileId: admin.profileId })
        return { message: out.replayed ? `Esta transferencia ya se había aplicado. Saldo de ${id}: ${out.balance}` : `Transferidos ${input.quantity} timbres a ${id}. Saldo: ${out.balance}; su inventario: ${out.inventory}` }
      }, { key: true }),
    },
    block: {
      actionType: 'record', icon: 'Lock', component: COMPONENT, isAccessible: ({ record }: any) => record?.params?.active === true,
      guard: 'Al pulsar «Bloquear», ninguna aplicación podrá timbrar con esta cuenta hasta que usted la reactive.',
      handler: recordAction(async ({ id, admin }) => { await s().ctis.setActive(em(), admin.distributorId, id, false, admin.profileId); return { message: `CTI ${id} bloqueada` } }),
    },
    unblock: {
      actionType: 'record', icon: 'Unlock', component: COMPONENT, isAccessible: ({ record }: any) => record?.params?.active === false,
      guard: 'Al pulsar «Reactivar», las aplicaciones configuradas con esta cuenta volverán a timbrar.',
      handler: recordAction(async ({ id, admin }) => { await s().ctis.setActive(em(), admin.distributorId, id, true, admin.profileId); return { message: `CTI ${id} reactivada` } }),
    },
    resetPassword: {
      actionType: 'record', icon: 'Key', component: COMPONENT,
      guard: 'Al pulsar «Restablecer contraseña», la contraseña anterior deja de valer: las aplicaciones que usan esta cuenta deberán configurarse con la nueva.',
      handler: recordAction(async ({ id, payload, admin }) => {
        confirmed(payload)
        await s().ctis.resetPassword(em(), admin.distributorId, id, typeof payload.password === 'string' ? payload.password : undefined, typeof payload.passwordConfirmation === 'string' ? payload.passwordConfirmation : '', admin.profileId)
        return { message: `Contraseña de ${id} restablecida. Configure las aplicaciones con la nueva.` }
      }),
    },
    revealPassword: {
      actionType: 'record', icon: 'Eye', component: COMPONENT,
      guard: 'Al pulsar «Mostrar contraseña inicial» se muestra una sola vez; después no podrá volver a verse.',
      handler: recordAction(async ({ id, admin }) => {
        const password = await s().ctis.revealInitialPassword(em(), admin.distributorId, id)
        return password
          ? { message: 'Contraseña inicial mostrada; no se volverá a mostrar.', extra: { password } }
          : { message: 'Esta cuenta ya no tiene contraseña inicial por mostrar (ya se mostró o se restableció).', extra: { password: null } }
      }, { stay: true }),
    },
    massTransfer: {
      actionType: 'bulk', icon: 'Send', component: COMPONENT,
      guard: `Al pulsar «Aplicar transferencia masiva» se transfieren las cantidades indicadas a todas las cuentas a la vez, o a ninguna si algo falla. ${money}`,
      handler: bulkAction(async ({ payload, admin }) => {
        const items = rowsOf(payload).map((r) => ({ cti: str(r.cti), quantity: int(r.quantity), amount: str(r.amount) }))
        const out = await s().sales.transferMass(em(), admin.distributorId, { idempotencyKey: str(payload.idempotencyKey), items }, { profileId: admin.profileId })
        const total = out.transfer.items.reduce((n, it) => n + it.quantity, 0)
        return out.replayed ? 'Esta transferencia masiva ya se había aplicado.' : `Transferencia masiva aplicada: ${total} timbres a ${out.transfer.items.length} cuentas. Su inventario: ${out.inventory}`
      }),
    },
    autoSale: {
      actionType: 'bulk', icon: 'Repeat', component: COMPONENT,
      guard: 'Al pulsar «Guardar venta automática», cada vez que una de estas cuentas llegue al mínimo se le venderán los timbres indicados desde su inventario (cada recarga es una venta irreversible).',
      handler: bulkAction(async ({ ids, payload, admin }) => {
        const off = payload.disable === 'true' || payload.disable === true
        const config = off ? null : parseAutoSale({ minimum: int(payload.minimum), quantity: int(payload.quantity), amount: str(payload.amount) })
        const out = await s().sales.setAutoSale(em(), admin.distributorId, ids, config, { profileId: admin.profileId })
        if (off) return `Venta automática desactivada en ${ids.length} ${ids.length === 1 ? 'cuenta' : 'cuentas'}`
        const sold = out.sold.reduce((n, x) => n + x.quantity, 0)
        return [`Venta automática configurada en ${ids.length} ${ids.length === 1 ? 'cuenta' : 'cuentas'}.`,
          out.sold.length ? `Se vendieron ahora ${sold} timbres (${out.sold.map((x) => `${x.quantity} a ${x.cti}`).join(', ')}), porque ya estaban en el mínimo o por debajo.` : '',
          out.uncovered.length ? `Su inventario no alcanzó para recargar ahora ${out.uncovered.join(', ')}.` : ''].filter(Boolean).join(' ')
      }),
    },
    // An unlimited CTI whose yearly renewal is due or unpaid: charged now from the distributor's points.
    payRenewal: {
      actionType: 'record', icon: 'CreditCard', component: COMPONENT,
      isAccessible: ({ record }: any) => record?.params?.type === 'unlimited' && (!!record.params.renewalWarning || (!!record.params.validUntil && new Date(record.params.validUntil).getTime() <= ctx.clock().getTime() + 86_400_000)),
      guard: 'Al pulsar «Pagar renovación» se cobra de sus puntos la renovación anual de esta CTI ilimitada y su vigencia se extiende un año. La operación es irreversible.',
      handler: recordAction(async ({ id, admin }) => {
        const out = await s().sales.payUnlimitedRenewal(em(), admin.distributorId, id, ctx.clock(), { profileId: admin.profileId })
        if (out.warning) throw new CtiRenewalStillUnpaid(out.warning)
        return { message: `Renovación pagada: la CTI ${id} está vigente hasta el ${new Date(out.validUntil).toLocaleDateString('es-MX', { timeZone: 'America/Mexico_City', day: 'numeric', month: 'long', year: 'numeric' })}` }
      }),
    },
    createCti: {
      actionType: 'resource', icon: 'Plus', component: COMPONENT,
      guard: 'Al pulsar «Crear cuenta de timbrado» se crea la cuenta para el cliente indicado. Una CTI ilimitada se cobra al año en puntos de su saldo (irreversible).',
      handler: async (request: any, _response: any, context: any) => {
        if (request.method !== 'post') return {}
        const admin: AdminUser = context.currentAdmin
        const p = request.payload ?? {}
        try {
          const nic = str(p.nic)
          if (!nic) throw new FieldValidationError({ nic: 'Indique el NIC del cliente' })
          const customer = await ctx.use('clients').customers.getByNic(em(), admin.distributorId, nic)
          confirmed(p)
          const input = parseNewCti({
            type: str(p.type) || 'standard', id: str(p.id), password: typeof p.password === 'string' ? p.password : undefined,
            passwordConfirmation: typeof p.passwordConfirmation === 'string' ? p.passwordConfirmation : '', validUntil: str(p.validUntil), rfc: str(p.rfc),
          })
          const cti = await s().sales.createCti(em(), admin.distributorId, { id: customer.id, nic: customer.nic }, input, { profileId: admin.profileId })
          return {
            notice: { message: `Cuenta de timbrado ${cti.id} creada para el cliente ${customer.nic}`, type: 'success' },
            redirectUrl: context.h.resourceUrl({ resourceId: 'StampingAccount' }),
          }
        } catch (e) {
          return { notice: { message: errorMessage(e), type: 'error' } }
        }
      },
    },
  }


  return {
    resources: [{
      resource,
      options: {
        navigation: { name: null, icon: 'Printer' },
        titleProperty: 'id',
        listProperties: ['id', 'customerName', 'typeLabel', 'activeLabel', 'balance', 'autoSale', 'autoSaleWarning'],
        showProperties: ['id', 'customerName', 'customerNic', 'typeLabel', 'activeLabel', 'renewalWarning', 'balance', 'validUntil', 'rfc', 'autoSaleMinimum', 'autoSaleQuantity', 'autoSaleAmount', 'autoSaleWarning', 'createdAt'],
        filterProperties: ['customerSearch', 'lowStamps', 'id', 'customerNic', 'type', 'active', 'createdAt'],
        editProperties: [],
        sort: { sortBy: 'createdAt', direction: 'desc' },
        properties: {
          type: { availableValues: [{ value: 'standard', label: 'Estándar' }, { value: 'unlimited', label: 'Ilimitada' }] },
          typeLabel: { type: 'string', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false }, components: { list: NOWRAP } },
          // Cells that must not wrap (ids, amounts): the plugin's nowrap list component.
          id: { isTitle: true, isId: true, isVisible: { list: true, show: true, filter: true, edit: false }, components: { list: NOWRAP } },
          customerName: { type: 'string', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false } },
          autoSale: { type: 'string', isSortable: false, isVisible: { list: true, show: false, filter: false, edit: false }, components: { list: NOWRAP } },
          customerSearch: { type: 'string', isSortable: false, isVisible: { list: false, show: false, filter: true, edit: false } },
          lowStamps: { type: 'boolean', isSortable: false, isVisible: { list: false, show: false, filter: true, edit: false } },
          activeLabel: { type: 'string', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false } },
          balance: { type: 'number', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false }, components: { list: NOWRAP } },
          autoSaleAmount: { type: 'string' },
          // A long warning: its headline in the list, the whole text on the record's page. The renewal's
          // is in the list's "Activa" column (a column of its own pushed the table past 1440 px).
          autoSaleWarning: { components: { list: WARNING } },
          passwordHash: { isVisible: false },
          initialPassword: { isVisible: false },
          accountId: { isVisible: false },
          distributorId: { isVisible: false },
          customerId: { isVisible: false },
          credentialsVersion: { isVisible: false },
          autoSaleWarnedAt: { isVisible: false },
          renewalWarnedAt: { isVisible: false },
        },
        actions,
      },
    }],
    locale: stampingAdminLocale,
    components: { [COMPONENT]: componentFile, [NOWRAP]: nowrapFile, [WARNING]: warningFile },
    // The customer's CTI tab: from a customer in Clientes to its accounts in Timbrado (a read, so GET is fine).
    actionsFor: {
      Customer: {
        stampingAccounts: {
          actionType: 'record',
          icon: 'Printer',
          // A page, not `component: false`: such an action's link gave AdminJS's 404 when opened in a new tab.
          component: COMPONENT,
          handler: async (_request: unknown, _response: unknown, context: any) => ({
            record: context.record.toJSON(context.currentAdmin),
            redirectUrl: `/admin/resources/StampingAccount?filters.customerNic=${encodeURIComponent(String(context.record.params.nic))}`,
          }),
        },
      },
    },
  }
}

/** `items.0.cti`, `items.0.quantity`, … (AdminJS's flattened form fields) → rows in index order. */
function rowsOf(payload: Record<string, unknown>): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  for (const [k, v] of Object.entries(payload)) {
    const m = /^items\.(\d{1,4})\.(cti|quantity|amount)$/.exec(k)
    if (m) (rows[Number(m[1])] ??= {})[m[2]] = v
  }
  if (Array.isArray(payload.items)) return payload.items as Record<string, unknown>[]
  return rows.filter(Boolean)
}
