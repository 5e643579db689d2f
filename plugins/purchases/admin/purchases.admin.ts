import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { BaseProperty, BaseResource, type BaseRecord } from 'adminjs'
import { FieldValidationError, formatHundredths, isCatalogedError, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import type { PurchaseOrder } from '../entities/order.js'
import { PurchaseInsufficientPointsError, SellerInsufficientPointsError, SellerInsufficientStampsError } from '../errors.js'
import type { PurchasesServices } from '../index.js'
import { sellerOf } from '../services/purchases.js'
import type { Pkg } from '../services/common.js'

// ── How the CM writes figures: "$1,500.00", "1,200.00 puntos", "1,000 timbres", "4 dic 2026, 12:25" ──

/** 150000 → "1,500.00" (whole hundredths, no float). */
const grouped = (hundredths: number) => {
  const [int, cents] = formatHundredths(hundredths).split('.')
  return `${Number(int).toLocaleString('en-US')}.${cents}`
}
export const pesos = (hundredths: number) => `$${grouped(hundredths)}`
export const points = (hundredths: number) => `${grouped(hundredths)} puntos`
export const stamps = (n: number) => `${Number(n).toLocaleString('en-US')} ${n === 1 ? 'timbre' : 'timbres'}`
const DATE_TIME = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'America/Mexico_City' })
export const localDate = (d: Date | string | null | undefined) => (d ? DATE_TIME.format(new Date(d)).replace('.', '') : '—')

const STATES: Record<string, string> = { pending: 'Por confirmar', confirmed: 'Pagado y entregado', cancelled: 'Cancelado' }

const FIELDS: Record<string, string> = { quantity: 'Puntos', amount: 'Importe', count: 'Paquetes', package: 'Paquete', reference: 'Referencia del pago', idempotencyKey: 'Clave de operación', items: 'Clientes' }
const fieldLabel = (k: string) => {
  const row = /^items\[(\d+)\]\.(\w+)$/.exec(k)
  return row ? `Fila ${Number(row[1]) + 1}, ${(FIELDS[row[2]] ?? row[2]).toLowerCase()}` : FIELDS[k] ?? k
}

/** What is missing, in words: the service refused and rolled back; nothing moved. */
export function refusal(e: unknown): string {
  if (e instanceof PurchaseInsufficientPointsError) return `Sus puntos no alcanzan: le faltan ${points(e.missing)}. No se movió nada.`
  if (e instanceof SellerInsufficientStampsError) return `Su proveedor no tiene timbres suficientes: faltan ${stamps(e.missing)}. No se movió nada; intente con menos paquetes o más tarde.`
  if (e instanceof SellerInsufficientPointsError) return `Sus puntos no alcanzan para entregar este pedido: le faltan ${points(e.missing)}. El pedido sigue por confirmar.`
  if (e instanceof FieldValidationError) return Object.entries(e.fields).map(([k, m]) => `${fieldLabel(k)}: ${m}`).join(' · ')
  if (isCatalogedError(e) && e.code === 'insufficient_points') return 'Sus puntos no alcanzan para esta operación. No se movió nada.'
  if (isCatalogedError(e) && e.code === 'idempotency_conflict') return 'Esta operación ya se envió con otros datos; vuelva a abrir la página.'
  if (isCatalogedError(e) && e.status < 500) return e.message
  throw e
}

const adminOf = (context: any): AdminUser => context.currentAdmin as AdminUser
const isPost = (request: any) => request.method === 'post'
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v)

/**
 * A sidebar entry under "Compras" that is a page, not a table: AdminJS 7 lists pages outside the
 * navigation groups, so each Compras screen is a resource without records whose list is the page.
 */
class PanelResource extends BaseResource {
  private readonly props = [new BaseProperty({ path: 'id', isId: true, isSortable: false })]
  constructor(private readonly resourceId: string) { super({}) }
  override id() { return this.resourceId }
  override databaseName() { return 'cuenta-maestra' }
  override databaseType() { return 'purchases' }
  override properties() { return this.props }
  override property(path: string) { return this.props.find((p) => p.path() === path) ?? null as never }
  override async count() { return 0 }
  override async find(): Promise<BaseRecord[]> { return [] }
  override async findOne(): Promise<BaseRecord | null> { return null }
  override async findMany(): Promise<BaseRecord[]> { return [] }
}

export const STAMPS = 'PurchaseStamps'
export const POINTS = 'PurchasePoints'
const C = { stamps: 'PurchasesStamps', points: 'PurchasesPoints', give: 'PurchasesGivePoints' }
const file = (name: string) => fileURLToPath(new URL(`./components/${name}`, import.meta.url))

export function purchasesAdmin(ctx: PluginContext<any>, s: PurchasesServices): AdminContribution {
  const em = () => ctx.em()
  const off = { isAccessible: false }
  const hidden = { new: off, show: off, edit: off, delete: off, bulkDelete: off, search: off }
  const navigation = { name: 'Compras', icon: 'ShoppingCart' }

  const pkgView = (p: Pkg) => ({
    id: p.id, description: p.description, quantity: Number(p.quantity), price: Number(p.price),
    quantityText: p.asset === 'points' ? points(p.quantity) : stamps(p.quantity), priceText: pesos(p.price),
  })
  const balances = async (distributorId: string) => {
    const inv = await ctx.use('stamping').sales.inventory(em(), distributorId)
    return { stamps: inv.stamps, points: inv.points, stampsText: stamps(inv.stamps), pointsText: points(inv.points) }
  }
  /** The parent's packages of one asset for distributors, or why there are none to buy. */
  const catalog = async (distributorId: string, asset: 'stamps' | 'points') => {
    try {
      const seller = await sellerOf(ctx.directory, em(), distributorId)
      const packages = (await s.purchases.catalog(em(), distributorId)).filter((p) => p.asset === asset).map(pkgView)
      return { seller: (await ctx.directory.get(em(), seller))?.name ?? '', packages }
    } catch (e) {
      if (isCatalogedError(e) && e.code === 'no_seller') return { seller: null, packages: [], noSeller: 'Usted es la plataforma: no compra a un proveedor. Su inventario se emite con el comando mint.' }
      throw e
    }
  }

  // ── Timbres CFDI ──────────────────────────────────────────────────────────────────────────────
  const stampsActions = {
    ...hidden,
    // The page's data (GET: reads only) with a fresh idempotency key for the one purchase that follows.
    list: {
      component: C.stamps, showFilter: false,
      handler: async (_request: any, _response: unknown, context: any) => {
        const a = adminOf(context)
        return { ...(await catalog(a.distributorId, 'stamps')), inventory: await balances(a.distributorId), idempotencyKey: randomUUID() }
      },
    },
    buy: {
      actionType: 'resource', component: false, isVisible: false,
      handler: async (request: any, _response: unknown, context: any) => {
        if (!isPost(request)) return {}
        const a = adminOf(context)
        const p = request.payload ?? {}
        try {
          const out = await s.purchases.buyStamps(em(), a.distributorId, { package: str(p.package), count: str(p.count), idempotencyKey: str(p.idempotencyKey) }, { profileId: a.profileId })
          const inventory = await balances(a.distributorId)
          const bought = stamps(out.purchase.quantity)
          const paid = points(Math.round(Number(out.points) * 100))
          return {
            result: { description: out.purchase.description, count: out.purchase.count, stampsText: bought, pointsText: paid, inventory, replayed: out.replayed, at: localDate(out.purchase.createdAt) },
            notice: { type: 'success', message: out.replayed ? 'Esta compra ya se había hecho; no se cobró otra vez.' : `Compra hecha: ${bought} por ${paid}.` },
          }
        } catch (e) {
          return { notice: { type: 'error', message: refusal(e) } }
        }
      },
    },
  }

  // ── Puntos ────────────────────────────────────────────────────────────────────────────────────
  const orderRows = async (distributorId: string, list: PurchaseOrder[], seller: boolean) => {
    const names = new Map<string, string>()
    if (seller) {
      const customers = list.filter((o) => o.buyerType === 'customer').map((o) => o.buyerId)
      const clients = ctx.use('clients').customers
      const legal = await clients.namesOf(em(), distributorId, customers)
      const nics = await clients.nicsOf(em(), distributorId, customers)
      for (const id of customers) names.set(id, `${legal.get(id) ?? 'Cliente'} (NIC ${nics.get(id) ?? '—'})`)
      for (const o of list) if (o.buyerType === 'distributor' && !names.has(o.buyerId)) names.set(o.buyerId, (await ctx.directory.get(em(), o.buyerId))?.name ?? 'Distribuidor')
    }
    return list.map((o) => ({
      id: o.id, state: o.state, stateText: STATES[o.state] ?? o.state, description: o.packageDescription, count: o.count,
      pointsText: points(Number(o.quantity)), amountText: pesos(Number(o.amount)), reference: o.reference ?? '—',
      createdText: localDate(o.createdAt), resolvedText: localDate(o.confirmedAt ?? o.cancelledAt),
      buyer: seller ? names.get(o.buyerId) ?? '' : undefined,
    }))
  }
  const pointsPage = async (distributorId: string) => {
    const me = { type: 'distributor' as const, id: distributorId }
    const [shop, mine, sold] = [await catalog(distributorId, 'points'), await s.orders.list(em(), me, { role: 'buyer', perPage: 50 }), await s.orders.list(em(), me, { role: 'seller', perPage: 50 })]
    // A seller: someone ordered from it, or it offers points packages (to sub-distributors or, in the PCC, to customers).
    const offers = (await ctx.use('tools').packages.list(em(), distributorId, { asset: 'points' })).some((p) => !p.archivedAt)
    return {
      ...shop, inventory: await balances(distributorId),
      mine: await orderRows(distributorId, mine.items, false), mineTotal: mine.total,
      isSeller: sold.total > 0 || offers, sold: await orderRows(distributorId, sold.items, true), soldTotal: sold.total,
    }
  }
  const orderAction = (run: (a: AdminUser, p: Record<string, unknown>) => Promise<string>) => ({
    actionType: 'resource', component: false, isVisible: false,
    handler: async (request: any, _response: unknown, context: any) => {
      if (!isPost(request)) return {}
      const a = adminOf(context)
      try {
        const message = await run(a, request.payload ?? {})
        return { ...(await pointsPage(a.distributorId)), notice: { type: 'success', message } }
      } catch (e) {
        return { notice: { type: 'error', message: refusal(e) } }
      }
    },
  })
  const pointsActions = {
    ...hidden,
    list: { component: C.points, showFilter: false, handler: async (_request: any, _response: unknown, context: any) => pointsPage(adminOf(context).distributorId) },
    order: orderAction(async (a, p) => {
      const { order, instructions } = await s.orders.create(em(), { type: 'distributor', id: a.distributorId }, { package: str(p.package), count: str(p.count) }, { profileId: a.profileId })
      return `Pedido registrado: ${points(Number(order.quantity))} por ${pesos(Number(order.amount))}. Su proveedor lo confirmará al recibir el pago.${instructions ? ` ${instructions}` : ''}`
    }),
    confirm: orderAction(async (a, p) => {
      const order = await s.orders.confirm(em(), a.distributorId, String(str(p.id) ?? ''), str(p.reference), { profileId: a.profileId })
      return `Pedido confirmado: se entregaron ${points(Number(order.quantity))} al comprador.`
    }),
    cancel: orderAction(async (a, p) => {
      await s.orders.cancel(em(), { type: 'distributor', id: a.distributorId }, String(str(p.id) ?? ''), { profileId: a.profileId })
      return 'Pedido cancelado.'
    }),
  }

  // ── Abonar puntos (on the clients plugin's Customer) ──────────────────────────────────────────
  const give = 'Los puntos salen de los suyos y se registra la venta por el importe indicado. El abono no se puede revertir.'
  const myPoints = async (distributorId: string) => points((await ctx.use('stamping').sales.inventory(em(), distributorId)).points)
  const givePoints = {
    actionType: 'record', icon: 'Gift', component: C.give, guard: give, hideActionHeader: true,
    handler: async (request: any, _response: unknown, context: any) => {
      const { record } = context
      const a = adminOf(context)
      const json = record.toJSON(a)
      if (!isPost(request)) return { record: json, points: await myPoints(a.distributorId) }
      const p = request.payload ?? {}
      try {
        const out = await s.purchases.pointsToCustomer(em(), a.distributorId, String(record.params.nic), { quantity: str(p.quantity), amount: str(p.amount), idempotencyKey: str(p.idempotencyKey) }, { profileId: a.profileId })
        const left = points(Math.round(Number(out.points) * 100))
        const line = `${points(Math.round(Number(out.transfer.quantity) * 100))} al cliente NIC ${out.transfer.customer} por ${pesos(Math.round(Number(out.transfer.amount) * 100))}`
        return {
          record: json, result: { lines: [line], points: left },
          notice: { type: 'success', message: out.replayed ? 'Este abono ya se había aplicado; no se cobró otra vez.' : `Abonados ${line}. Sus puntos: ${left}.` },
        }
      } catch (e) {
        return { record: json, notice: { type: 'error', message: refusal(e) } }
      }
    },
  }
  const givePointsMass = {
    actionType: 'bulk', icon: 'Gift', component: C.give, guard: give, hideActionHeader: true,
    handler: async (request: any, _response: unknown, context: any) => {
      const a = adminOf(context)
      const records = (context.records as BaseRecord[]).map((r) => r.toJSON(a))
      if (!isPost(request)) return { records, points: await myPoints(a.distributorId) }
      const p = request.payload ?? {}
      // Only the selected records (the tenant's, as AdminJS loaded them through the scoped resource).
      const chosen = new Set((context.records as BaseRecord[]).map((r) => String(r.id())))
      const items: { customerId: string, quantity: unknown, amount: unknown }[] = []
      for (let i = 0; p[`items.${i}.customerId`] !== undefined && i < 1000; i++) {
        const customerId = String(p[`items.${i}.customerId`])
        if (chosen.has(customerId)) items.push({ customerId, quantity: str(p[`items.${i}.quantity`]), amount: str(p[`items.${i}.amount`]) })
      }
      try {
        const out = await s.purchases.pointsToCustomers(em(), a.distributorId, items, str(p.idempotencyKey), { profileId: a.profileId })
        const lines = out.items.map((it) => `${points(Math.round(Number(it.quantity) * 100))} al cliente NIC ${it.customer} por ${pesos(Math.round(Number(it.amount) * 100))}`)
        const total = out.items.reduce((n, it) => n + Math.round(Number(it.quantity) * 100), 0)
        const left = points(Math.round(Number(out.points) * 100))
        return {
          records, result: { lines, points: left },
          notice: { type: 'success', message: out.replayed ? 'Este abono ya se había aplicado; no se cobró otra vez.' : `Abonados ${points(total)} a ${out.items.length} ${out.items.length === 1 ? 'cliente' : 'clientes'}. Sus puntos: ${left}.` },
        }
      } catch (e) {
        return { records, notice: { type: 'error', message: refusal(e) } }
      }
    },
  }

  return {
    resources: [
      { resource: new PanelResource(STAMPS), options: { navigation, actions: stampsActions, properties: { id: { isVisible: false } } } },
      { resource: new PanelResource(POINTS), options: { navigation, actions: pointsActions, properties: { id: { isVisible: false } } } },
    ],
    components: {
      [C.stamps]: file('stamps.jsx'),
      [C.points]: file('points.jsx'),
      [C.give]: file('give-points.jsx'),
    },
    actionsFor: { Customer: { givePoints, givePointsMass } },
    locale: {
      labels: { [STAMPS]: 'Timbres CFDI', [POINTS]: 'Puntos', Compras: 'Compras' },
      // Also at the top level: AdminJS's breadcrumbs translate the action without its resource.
      actions: { givePoints: 'Abonar puntos', givePointsMass: 'Abonar puntos' },
      resources: {
        [STAMPS]: { actions: { list: 'Comprar timbres CFDI' } },
        [POINTS]: { actions: { list: 'Comprar puntos' } },
        Customer: { actions: { givePoints: 'Abonar puntos', givePointsMass: 'Abonar puntos' } },
      },
    },
  }
}
