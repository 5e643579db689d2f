import type { EntityManager } from '@mikro-orm/postgresql'
import { sql, type DistributorDirectory } from '../../../core/plugin-api.js'
import type { LedgerService } from '../../ledger/index.js'
import type { PurchaseOrder, OrderState } from '../entities/order.js'
import type { BuyerType } from '../entities/sale.js'
import {
  DistributorPointsShortError, OrderAlreadyConfirmedError, OrderCancelledError, OrderConfirmForbiddenError, OrderNotFoundError, PccPurchaseDisabledError,
} from '../errors.js'
import { accountFor, covered, failIf, money, parseCount, parsePackageId, UUID, type Actor, type SaleSettings } from './common.js'
import type { PaymentProvider } from './payment.js'
import { sellerOf, type PurchasesService } from './purchases.js'
import type { PurchaseSales } from './sales.js'

export interface OrderJson {
  id: string, state: OrderState, buyer: { type: BuyerType, id: string }, seller: string,
  package: { id: string, description: string, quantity: string, price: string }, count: number,
  quantity: string, amount: string, reference: string | null, createdAt: string, confirmedAt: string | null, cancelledAt: string | null,
}

const COLUMNS = `id, seller_id as "sellerId", buyer_type as "buyerType", buyer_id as "buyerId", buyer_distributor_id as "buyerDistributorId",
  package_id as "packageId", package_quantity::float8 as "packageQuantity", package_price::float8 as "packagePrice", package_description as "packageDescription",
  count, quantity::float8 as quantity, amount::float8 as amount, state, provider, reference, transfer_id as "transferId",
  created_at as "createdAt", confirmed_at as "confirmedAt", cancelled_at as "cancelledAt", created_by as "createdBy", resolved_by as "resolvedBy"`

const iso = (d: Date | string | null | undefined) => d ? new Date(d).toISOString() : null

export const orderJson = (o: PurchaseOrder): OrderJson => ({
  id: o.id, state: o.state, buyer: { type: o.buyerType, id: o.buyerId }, seller: o.sellerId,
  package: { id: o.packageId, description: o.packageDescription, quantity: money(o.packageQuantity), price: money(o.packagePrice) },
  count: o.count, quantity: money(o.quantity), amount: money(o.amount), reference: o.reference ?? null,
  createdAt: iso(o.createdAt)!, confirmedAt: iso(o.confirmedAt), cancelledAt: iso(o.cancelledAt),
})

/** Who is asking: a distributor (CM, API) or a customer (PCC). */
export type Party = { type: 'distributor', id: string } | { type: 'customer', id: string, distributorId: string }

/**
 * Points bought with money. An order copies the package, the provider settles it; confirmation
 * delivers the seller's points to the buyer exactly once: a conditional UPDATE … WHERE state =
 * 'pending' takes the row (a concurrent confirmation waits for it and then finds it confirmed), and
 * the ledger transfer, the sale row and the new state commit together or not at all.
 */
export class OrdersService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly directory: DistributorDirectory,
    private readonly purchases: PurchasesService,
    private readonly settings: () => SaleSettings,
    private readonly sales: PurchaseSales,
    private readonly provider: () => PaymentProvider,
  ) {}

  /** A pending order of a points package: a distributor's from its parent, a customer's (PCC) from its distributor. */
  async create(em: EntityManager, buyer: Party, body: Record<string, unknown>, actor: Actor = {}): Promise<{ order: PurchaseOrder, instructions?: string }> {
    const fields: Record<string, string> = {}
    const packageId = parsePackageId(body.package, fields)
    const count = parseCount(body.count, fields)
    failIf(fields)
    return em.transactional(async (tx) => {
      const sellerId = buyer.type === 'distributor' ? await sellerOf(this.directory, tx, buyer.id) : buyer.distributorId
      if (buyer.type === 'customer' && !(await this.settings().get(tx, sellerId)).pccPointsPurchase) throw new PccPurchaseDisabledError('points')
      const pkg = await this.purchases.sellable(tx, packageId!, sellerId, 'points', buyer.type === 'distributor')
      const quantity = pkg.quantity * count!
      if (buyer.type === 'customer') {
        // Refused up front when the distributor could not deliver it now (it is checked again at confirmation).
        const own = await this.ledger.accountOf(tx, 'distributor', sellerId, 'points')
        if ((own?.balance ?? 0) < quantity) throw new DistributorPointsShortError()
      }
      const provider = this.provider()
      const [order] = await sql<PurchaseOrder[]>(tx, `insert into purchases_order (seller_id, buyer_type, buyer_id, buyer_distributor_id, package_id, package_quantity, package_price, package_description, count, quantity, amount, provider, created_by)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${COLUMNS}`,
      [sellerId, buyer.type, buyer.id, buyer.type === 'distributor' ? buyer.id : buyer.distributorId, pkg.id, pkg.quantity, pkg.price, pkg.description, count, quantity, pkg.price * count!, provider.id, actor.profileId ?? null])
      const answer = await provider.create(tx, order)
      return { order, instructions: answer?.instructions }
    })
  }

  private async read(em: EntityManager, id: string): Promise<PurchaseOrder | null> {
    if (typeof id !== 'string' || !UUID.test(id)) return null
    return (await sql<PurchaseOrder[]>(em, `select ${COLUMNS} from purchases_order where id = ?`, [id]))[0] ?? null
  }

  private isBuyer = (o: PurchaseOrder, who: Party) => o.buyerType === who.type && o.buyerId === who.id
  private isSeller = (o: PurchaseOrder, who: Party) => who.type === 'distributor' && o.sellerId === who.id

  /** One order its seller or its buyer may see; anyone else: 404. */
  async get(em: EntityManager, who: Party, id: string): Promise<PurchaseOrder> {
    const o = await this.read(em, id)
    if (!o || !(this.isSeller(o, who) || this.isBuyer(o, who))) throw new OrderNotFoundError()
    return o
  }

  /** A distributor's orders as seller (its buyers', customers' included), as buyer (its own), or both; a customer's own. */
  async list(em: EntityManager, who: Party, opts: { role?: 'buyer' | 'seller', state?: OrderState, page?: number, perPage?: number } = {}): Promise<{ items: PurchaseOrder[], total: number }> {
    const perPage = Math.min(Math.max(opts.perPage ?? 50, 1), 100)
    const page = Math.max(opts.page ?? 1, 1)
    const asBuyer = `(buyer_type = '${who.type}' and buyer_id = ?)`
    const where = who.type === 'customer' || opts.role === 'buyer' ? asBuyer : opts.role === 'seller' ? '(seller_id = ?)' : `(${asBuyer} or seller_id = ?)`
    const params: unknown[] = where.includes(' or ') ? [who.id, who.id] : [who.id]
    const state = opts.state ? ' and state = ?' : ''
    if (opts.state) params.push(opts.state)
    const items = await sql<PurchaseOrder[]>(em, `select ${COLUMNS} from purchases_order where ${where}${state} order by created_at desc, id desc limit ? offset ?`, [...params, perPage, (page - 1) * perPage])
    const [{ n }] = await sql<{ n: number }[]>(em, `select count(*)::int as n from purchases_order where ${where}${state}`, params)
    return { items, total: n }
  }

  /** The seller confirms with the payment's reference: the points move, the sale is recorded, once. */
  async confirm(em: EntityManager, sellerId: string, id: string, reference: unknown, actor: Actor = {}): Promise<PurchaseOrder> {
    return em.transactional(async (tx) => {
      const who: Party = { type: 'distributor', id: sellerId }
      const seen = await this.get(tx, who, id)
      if (!this.isSeller(seen, who)) throw new OrderConfirmForbiddenError()
      const ref = await this.provider().confirm(tx, seen, reference)
      // Takes the row: of two confirmations, the second waits here and then matches nothing.
      const [order] = await sql<PurchaseOrder[]>(tx, `select ${COLUMNS} from purchases_order where id = ? for update`, [id])
      if (order.state === 'confirmed') throw new OrderAlreadyConfirmedError()
      if (order.state === 'cancelled') throw new OrderCancelledError()
      const from = await accountFor(this.ledger, tx, 'distributor', order.sellerId, 'points', order.sellerId)
      const to = await accountFor(this.ledger, tx, order.buyerType, order.buyerId, 'points', order.buyerDistributorId)
      const result = await covered(this.ledger, tx, [{ account: from, amount: order.quantity, who: 'seller', asset: 'points' }], () => this.ledger.transfer(tx, {
        from, to, amount: order.quantity, kind: 'sale', memo: `Pedido ${order.id}: ${money(order.amount)} MXN, ref. ${ref}`.slice(0, 200),
        actor: actor.profileId ?? null, idempotencyKey: `order:${order.id}`,
      }))
      // The row is ours until commit: this update cannot lose to another.
      const [done] = await sql<PurchaseOrder[]>(tx, `update purchases_order set state = 'confirmed', reference = ?, confirmed_at = now(), transfer_id = ?, resolved_by = ?
        where id = ? and state = 'pending' returning ${COLUMNS}`, [ref, result.transferId, actor.profileId ?? null, order.id])
      if (!done) throw new OrderAlreadyConfirmedError()
      await this.sales.record(tx, {
        sellerId: order.sellerId, buyerType: order.buyerType, buyerId: order.buyerId, buyerDistributorId: order.buyerDistributorId,
        kind: order.buyerType === 'customer' ? 'pcc_points_order' : 'points_order', asset: 'points', packageId: order.packageId,
        description: order.packageDescription, quantity: order.quantity, amount: order.amount, points: 0, transferId: result.transferId, orderId: order.id,
        actorProfileId: actor.profileId ?? null,
      })
      return done
    })
  }

  /** A pending order is cancelled by its buyer or its seller; a confirmed one is final. */
  async cancel(em: EntityManager, who: Party, id: string, actor: Actor = {}): Promise<PurchaseOrder> {
    return em.transactional(async (tx) => {
      const seen = await this.get(tx, who, id)
      const [order] = await sql<PurchaseOrder[]>(tx, `select ${COLUMNS} from purchases_order where id = ? for update`, [seen.id])
      if (order.state === 'confirmed') throw new OrderAlreadyConfirmedError()
      if (order.state === 'cancelled') throw new OrderCancelledError()
      await this.provider().cancel(tx, order)
      const [done] = await sql<PurchaseOrder[]>(tx, `update purchases_order set state = 'cancelled', cancelled_at = now(), resolved_by = ? where id = ? and state = 'pending' returning ${COLUMNS}`,
        [actor.profileId ?? null, order.id])
      return done
    })
  }
}
