import { fileURLToPath } from 'node:url'
import type { BaseRecord } from 'adminjs'
import { ScopedResource } from '../../../core/plugin-api-admin.js'
import { FieldValidationError, formatHundredths, isCatalogedError, parseHundredths, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import { PurchaseContractSchema, PurchaseOfferSchema, type OfferKind, type PurchaseContract, type PurchaseOffer } from './schema.js'
import { OFFER_ENTITLEMENTS, points, type ContractsService } from './service.js'

const PAGE = 'PurchasesContractsPage'
const pageFile = fileURLToPath(new URL('./components/contracts-page.jsx', import.meta.url))
const NAV = { name: 'Compras', icon: 'ShoppingCart' }
const KIND_LABELS: Record<OfferKind, string> = { mkl: 'MKL', subscription: 'Suscripción' }

/** Staff's catalogue of offers: price edited as "1200.00", shown as "1,200.00 puntos"; nothing deleted (deactivate instead). */
class OfferResource extends ScopedResource<PurchaseOffer> {
  private present(records: BaseRecord[]) {
    for (const r of records) {
      const p = r.params
      p.price = formatHundredths(Number(p.yearlyPoints))
      p.priceText = `${points(Number(p.yearlyPoints))} puntos`
      p.kindLabel = KIND_LABELS[p.kind as OfferKind] ?? p.kind
      p.entitlementLabel = OFFER_ENTITLEMENTS[String(p.entitlementKey)] ?? p.entitlementKey
      p.activeLabel = p.active ? 'Sí' : 'No'
    }
    return records
  }
  override async find(...a: Parameters<ScopedResource<PurchaseOffer>['find']>) { return this.present(await super.find(...a)) }
  override async findOne(...a: Parameters<ScopedResource<PurchaseOffer>['findOne']>) { const r = await super.findOne(...a); return r ? this.present([r])[0] : r }
  override async findMany(...a: Parameters<ScopedResource<PurchaseOffer>['findMany']>) { return this.present(await super.findMany(...a)) }
}

/** One of the CM's "Compras" tabs (MKL, Suscripciones): its own resource id over the contracts table, so each is a sidebar entry. */
class ContractsTab extends ScopedResource<PurchaseContract> {
  constructor(ctx: PluginContext<any>, private readonly tabId: string) {
    super(ctx.orm, { entity: PurchaseContractSchema, scope: 'tenant', writable: [], deletable: false })
  }
  override id() { return this.tabId }
}

const message = (e: unknown) => {
  if (e instanceof FieldValidationError) return Object.values(e.fields).join(' · ')
  if (isCatalogedError(e) && e.status < 500) return e.message
  throw e
}

const isStaff = ({ currentAdmin }: any) => !!currentAdmin?.isStaff

/**
 * CM "Compras": "MKL" and "Suscripciones" (the offers of that kind with today's prorated price and
 * Contratar, one confirmation; the distributor's contracts with their expiry; for sellers, their
 * buyers' contracts with Cancelar), and staff's "Ofertas" (the catalogue).
 */
export function contractsAdmin(ctx: PluginContext<any>, contracts: ContractsService): AdminContribution {
  const em = () => ctx.em()
  const offers = new OfferResource(ctx.orm, {
    entity: PurchaseOfferSchema, scope: 'staff', writable: ['kind', 'name', 'price', 'entitlementKey', 'active'], deletable: false,
    create: async ({ em: e, params }) => {
      const input = contracts.parseOffer({ ...params, yearlyPoints: params.price, active: params.active ?? true }, false)
      const o = await contracts.createOffer(e, input as never)
      return e.findOneOrFail(PurchaseOfferSchema, o.id)
    },
    update: async ({ em: e, entity, params }) => {
      const input = contracts.parseOffer({ ...params, ...(params.price !== undefined ? { yearlyPoints: params.price } : {}) }, true)
      Object.assign(entity, input)
      await e.flush()
      return entity
    },
  })
  const offerResource = {
    resource: offers,
    options: {
      navigation: NAV,
      listProperties: ['name', 'kindLabel', 'priceText', 'entitlementLabel', 'activeLabel'],
      showProperties: ['name', 'kindLabel', 'priceText', 'entitlementLabel', 'activeLabel', 'createdAt'],
      editProperties: ['kind', 'name', 'price', 'entitlementKey', 'active'],
      filterProperties: ['name', 'kind', 'active'],
      properties: {
        kind: { availableValues: Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label })) },
        entitlementKey: { availableValues: Object.entries(OFFER_ENTITLEMENTS).map(([value, label]) => ({ value, label })) },
        price: { type: 'string', isVisible: { list: false, show: false, filter: false, edit: true } },
        yearlyPoints: { isVisible: false },
        ...Object.fromEntries(['priceText', 'kindLabel', 'entitlementLabel', 'activeLabel'].map((k) => [k, { type: 'string', isSortable: false, isVisible: { list: true, show: true, filter: false, edit: false } }])),
      },
      actions: {
        delete: { isAccessible: false }, bulkDelete: { isAccessible: false },
        list: { isAccessible: isStaff, isVisible: isStaff }, show: { isAccessible: isStaff }, new: { isAccessible: isStaff }, edit: { isAccessible: isStaff },
      },
    },
  }

  /** A tab: GET its data; POST `{ op: 'contract', offer }` or `{ op: 'cancel', contract }`. */
  const tab = (id: string, kind: OfferKind) => ({
    resource: new ContractsTab(ctx, id),
    options: {
      navigation: NAV,
      // A page, not a table: no filter drawer (it listed the contract table's raw columns in English).
      filterProperties: [],
      actions: {
        show: { isAccessible: false }, new: { isAccessible: false }, edit: { isAccessible: false }, delete: { isAccessible: false }, bulkDelete: { isAccessible: false }, search: { isAccessible: false },
        list: {
          component: PAGE, showFilter: false,
          handler: async (request: any, _response: unknown, context: any) => {
            const admin: AdminUser = context.currentAdmin
            const caller = { distributorId: admin.distributorId, profileId: admin.profileId }
            let notice: { message: string, type: 'success' | 'error' } | undefined
            if (request.method === 'post') {
              const p = request.payload ?? {}
              try {
                if (p.op === 'contract') {
                  const out = await contracts.contract(em(), caller, String(p.offer ?? ''))
                  notice = { message: `Contratado: ${out.contract.offer.name}. Se cobraron ${points(parseHundredths(out.charged)!)} puntos (${out.months} ${out.months === 1 ? 'mes' : 'meses'}); vigente hasta el ${localDate(out.contract.expiresAt)}.`, type: 'success' }
                } else if (p.op === 'cancel') {
                  const c = await contracts.cancel(em(), caller, String(p.contract ?? ''))
                  notice = { message: `El contrato de ${c.offer.name} de ${c.buyer.name} terminará al vencer, el ${localDate(c.expiresAt)}; no se renovará.`, type: 'success' }
                } else notice = { message: 'Operación desconocida', type: 'error' }
              } catch (e) { notice = { message: message(e), type: 'error' } }
            }
            const byKind = <T extends { offer: { kind: OfferKind } }>(xs: T[]) => xs.filter((x) => x.offer.kind === kind)
            const present = (c: Awaited<ReturnType<ContractsService['list']>>[number]) => ({
              id: c.id, offer: c.offer.name, buyer: c.buyer.name, seller: c.seller.name, expiresAt: localDate(c.expiresAt),
              yearly: `${points(parseHundredths(c.yearlyPoints)!)} puntos`, state: c.state === 'cancelled' ? 'Terminado' : c.cancelAtExpiry ? 'Termina al vencer' : 'Vigente',
              cancellable: c.state === 'active' && !c.cancelAtExpiry,
            })
            const catalog = (await contracts.offersFor(em(), admin.distributorId, ctx.clock(), kind)).map((o) => ({
              id: o.id, name: o.name, yearly: `${points(parseHundredths(o.yearlyPoints)!)} puntos`,
              charge: o.points === null ? null : `${points(parseHundredths(o.points)!)} puntos`, months: o.months, contracted: o.contracted,
            }))
            // The points the charge comes from, as the Timbres CFDI tab shows them.
            const balance = admin.isStaff ? null : `${points((await ctx.use('stamping').sales.inventory(em(), admin.distributorId)).points)} puntos`
            return {
              kind, title: kind === 'mkl' ? 'MKL' : 'Suscripciones', isStaff: admin.isStaff, notice, offers: catalog, balance,
              mine: byKind(await contracts.list(em(), caller, 'buyer')).map(present),
              sold: byKind(await contracts.list(em(), caller, 'seller')).map(present),
              records: [], meta: { total: 0, perPage: 10, page: 1 },
            }
          },
        },
      },
    },
  })

  return {
    resources: [tab('PurchaseMkl', 'mkl'), tab('PurchaseSubscription', 'subscription'), offerResource],
    components: { [PAGE]: pageFile },
    locale: {
      labels: { PurchaseMkl: 'MKL', PurchaseSubscription: 'Suscripciones', PurchaseOffer: 'Ofertas (MKL y suscripciones)' },
      resources: {
        PurchaseMkl: { actions: { list: 'MKL' } },
        PurchaseSubscription: { actions: { list: 'Suscripciones' } },
        PurchaseOffer: {
          actions: { list: 'Ofertas (MKL y suscripciones)', new: 'Nueva oferta', edit: 'Editar oferta', show: 'Oferta' },
          properties: {
            name: 'Nombre', kind: 'Tipo', kindLabel: 'Tipo', price: 'Precio anual (puntos, p. ej. 1200.00)', priceText: 'Precio anual', entitlementKey: 'Derecho que otorga',
            entitlementLabel: 'Derecho que otorga', active: 'A la venta', activeLabel: 'A la venta', createdAt: 'Alta',
          },
        },
      },
    },
  }
}

/** 'YYYY-MM-DD' as Mexicans read it: "4 de diciembre de 2026". */
export function localDate(day: string): string {
  return new Date(`${day.slice(0, 10)}T12:00:00Z`).toLocaleDateString('es-MX', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
}
