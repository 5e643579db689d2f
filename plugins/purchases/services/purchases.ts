import type { EntityManager } from '@mikro-orm/postgresql'
import { formatHundredths, NotFoundError, type DistributorDirectory } from '../../../core/plugin-api.js'
import type { LedgerService } from '../../ledger/index.js'
import type { ClientsServices } from '../../clients/index.js'
import type { StampingServices } from '../../stamping/index.js'
import { IdempotencyConflictError } from '../../ledger/index.js'
import { PurchaseSaleSchema, type PurchaseSale } from '../entities/sale.js'
import { NoSellerError, PackageAssetMismatchError, PackageNotFoundError, PccPurchaseDisabledError } from '../errors.js'
import {
  accountFor, covered, failIf, money, parseCount, parseKey, parseMoney, parsePackageId, MAX_COUNT, UUID,
  type Actor, type PackageSource, type Pkg, type SaleSettings,
} from './common.js'
import type { PurchaseSales } from './sales.js'

export interface PurchaseJson {
  id: string, package: string | null, description: string, count: number, quantity: number, price: string, points: string, createdAt: string,
}
export interface PurchaseOutcome { purchase: PurchaseJson, inventory: { stamps: number, points: string }, points: string, replayed: boolean }
export interface PointsTransferJson { id: string, customer: string, quantity: string, amount: string, createdAt: string }

/** A package as the API shows it (as tools' own API does): stamps a whole number, points and price "1500.00". */
export const packageJson = (p: Pkg) => ({
  id: p.id, asset: p.asset, quantity: p.asset === 'points' ? money(p.quantity) : Number(p.quantity),
  price: money(p.price), description: p.description, forDistributors: p.forDistributors,
})

/**
 * 'purchases.catalogOffers' (declared here): what else a distributor can buy with points from its
 * parent, e.g. MKL and subscription offers with today's prorated price. Each contribution answers
 * the offers for the caller; GET /catalog lists them under `offers`.
 */
export type CatalogOffers = (em: EntityManager, distributorId: string) => Promise<Record<string, unknown>[]>

const purchaseJson = (s: PurchaseSale, count: number): PurchaseJson => ({
  id: s.id, package: s.packageId ?? null, description: s.description, count, quantity: Number(s.quantity),
  price: money(s.amount), points: money(s.points), createdAt: new Date(s.createdAt).toISOString(),
})

/** Who sells to a distributor: its parent (staff's root distributor for top-level ones). */
export async function sellerOf(directory: DistributorDirectory, em: EntityManager, distributorId: string): Promise<string> {
  const d = await directory.get(em, distributorId)
  if (!d?.parentId) throw new NoSellerError()
  return d.parentId
}

/**
 * Stamps paid with points (distributor → parent, customer → distributor in the PCC) and points given
 * to customers. Each is one ledger operation and its sale rows, in one transaction: all or nothing.
 */
export class PurchasesService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly directory: DistributorDirectory,
    private readonly clients: () => ClientsServices,
    private readonly stamping: () => StampingServices,
    private readonly packages: () => PackageSource,
    private readonly settings: () => SaleSettings,
    private readonly sales: PurchaseSales,
    /** The 'purchases.catalogOffers' contributions enabled for the distributor. */
    private readonly offerSources: (distributorId: string) => Promise<CatalogOffers[]> = async () => [],
  ) {}

  /** A package the buyer may buy from `sellerId`: the seller's, live, of the asset, for distributors or for customers. */
  async sellable(em: EntityManager, id: string, sellerId: string, asset: 'stamps' | 'points', forDistributors: boolean): Promise<Pkg> {
    const pkg = UUID.test(id) ? await this.packages().get(em, id) : null
    if (!pkg || pkg.distributorId !== sellerId || pkg.archivedAt || pkg.forDistributors !== forDistributors) throw new PackageNotFoundError()
    if (pkg.asset !== asset) throw new PackageAssetMismatchError(asset)
    return pkg
  }

  /** What a distributor can buy from its parent: the parent's live packages for distributors. */
  async catalog(em: EntityManager, distributorId: string): Promise<Pkg[]> {
    const seller = await sellerOf(this.directory, em, distributorId)
    return (await this.packages().list(em, seller, { forDistributors: true })).filter((p) => !p.archivedAt)
  }

  /** GET /catalog: the parent's packages for distributors, and the offers other parts contribute (purchases.catalogOffers). */
  async catalogJson(em: EntityManager, distributorId: string): Promise<{ packages: ReturnType<typeof packageJson>[], offers: Record<string, unknown>[] }> {
    const packages = (await this.catalog(em, distributorId)).map(packageJson)
    const offers: Record<string, unknown>[] = []
    for (const source of await this.offerSources(distributorId)) offers.push(...await source(em, distributorId))
    return { packages, offers }
  }

  async inventory(em: EntityManager, distributorId: string) {
    const inv = await this.stamping().sales.inventory(em, distributorId)
    return { stamps: inv.stamps, points: formatHundredths(inv.points) }
  }

  /**
   * POST /purchases: a stamps package of the parent, paid with points. One transferMany: the
   * points leg first, so the idempotency key is the buyer's (the ledger scopes it to the first
   * debit's tenant); the package and count are in the memo, so the same key for another purchase
   * is a conflict.
   */
  async buyStamps(em: EntityManager, buyerId: string, body: Record<string, unknown>, actor: Actor = {}): Promise<PurchaseOutcome> {
    const fields: Record<string, string> = {}
    const packageId = parsePackageId(body.package, fields)
    const count = parseCount(body.count, fields)
    const key = parseKey(body.idempotencyKey, fields)
    failIf(fields)
    return em.transactional(async (tx) => {
      const sellerId = await sellerOf(this.directory, tx, buyerId)
      const pkg = await this.sellable(tx, packageId!, sellerId, 'stamps', true)
      const quantity = pkg.quantity * count!
      const price = pkg.price * count!
      const buyerPoints = await accountFor(this.ledger, tx, 'distributor', buyerId, 'points', buyerId)
      const sellerPoints = await accountFor(this.ledger, tx, 'distributor', sellerId, 'points', sellerId)
      const sellerStamps = await accountFor(this.ledger, tx, 'distributor', sellerId, 'stamps', sellerId)
      const buyerStamps = await accountFor(this.ledger, tx, 'distributor', buyerId, 'stamps', buyerId)
      const memo = `Compra de timbres: paquete ${pkg.id} × ${count}`
      const result = await covered(this.ledger, tx, [
        { account: buyerPoints, amount: price, who: 'buyer', asset: 'points' },
        { account: sellerStamps, amount: quantity, who: 'seller', asset: 'stamps' },
      ], () => this.ledger.transferMany(tx, {
        legs: [
          { from: buyerPoints, to: sellerPoints, amount: price, kind: 'purchase', memo },
          { from: sellerStamps, to: buyerStamps, amount: quantity, kind: 'sale', memo },
        ],
        actor: actor.profileId ?? null,
        idempotencyKey: `purchase:${key}`,
      }))
      let sale: PurchaseSale | null
      if (result.replayed) {
        sale = await tx.findOne(PurchaseSaleSchema, { transferId: result.transferId, kind: 'stamps_purchase' })
        if (!sale) throw new IdempotencyConflictError(key!)
      } else {
        sale = await this.sales.record(tx, {
          sellerId, buyerType: 'distributor', buyerId, buyerDistributorId: buyerId, kind: 'stamps_purchase', asset: 'stamps',
          packageId: pkg.id, description: pkg.description, quantity, amount: price, points: price, transferId: result.transferId, actorProfileId: actor.profileId ?? null,
        })
      }
      return { purchase: purchaseJson(sale, count!), inventory: await this.inventory(tx, buyerId), points: money(sale.points), replayed: result.replayed }
    })
  }

  /** Points from the distributor to one of its customers (by NIC), any quantity, with its sale. */
  async pointsToCustomer(em: EntityManager, distributorId: string, nic: string, body: Record<string, unknown>, actor: Actor = {}) {
    const fields: Record<string, string> = {}
    const quantity = parseMoney(body.quantity, 'quantity', fields)
    const amount = parseMoney(body.amount, 'amount', fields, true)
    const key = parseKey(body.idempotencyKey, fields)
    failIf(fields)
    return em.transactional(async (tx) => {
      const customer = await this.clients().customers.getByNic(tx, distributorId, nic)
      const out = await this.givePoints(tx, distributorId, [{ customerId: customer.id, nic: customer.nic, quantity: quantity!, amount: amount! }], `points:${key}`, 'points_transfer', actor)
      return { transfer: out.items[0], points: out.points, replayed: out.replayed }
    })
  }

  /** Many customers, quantity and amount each (CM "Abonar puntos" on a selection): all or none. */
  async pointsToCustomers(em: EntityManager, distributorId: string, items: { customerId: string, quantity: unknown, amount: unknown }[], key: unknown, actor: Actor = {}) {
    const fields: Record<string, string> = {}
    const k = parseKey(key, fields)
    if (!items.length) fields.items = 'Seleccione al menos un cliente'
    if (items.length > MAX_COUNT) fields.items = `A lo más ${MAX_COUNT} clientes por abono`
    const parsed = items.map((it, i) => ({
      customerId: String(it.customerId), quantity: parseMoney(it.quantity, `items[${i}].quantity`, fields)!, amount: parseMoney(it.amount, `items[${i}].amount`, fields, true)!,
    }))
    if (new Set(parsed.map((p) => p.customerId)).size !== parsed.length) fields.items = 'Cliente repetido'
    failIf(fields)
    return em.transactional(async (tx) => {
      const names = await this.clients().customers.namesOf(tx, distributorId, parsed.map((p) => p.customerId).filter((id) => UUID.test(id)))
      const nics = new Map<string, string>()
      for (const p of parsed) {
        if (!names.has(p.customerId)) throw new NotFoundError('El cliente')
        nics.set(p.customerId, p.customerId)
      }
      return this.givePoints(tx, distributorId, parsed.map((p) => ({ ...p, nic: nics.get(p.customerId)! })), `points_mass:${k}`, 'points_transfer', actor)
    })
  }

  private async givePoints(tx: EntityManager, distributorId: string, items: { customerId: string, nic: string, quantity: number, amount: number }[], key: string, kind: string, actor: Actor) {
    const from = await accountFor(this.ledger, tx, 'distributor', distributorId, 'points', distributorId)
    const accounts = new Map<string, string>()
    for (const it of items) accounts.set(it.customerId, await accountFor(this.ledger, tx, 'customer', it.customerId, 'points', distributorId))
    const total = items.reduce((s, it) => s + it.quantity, 0)
    const result = await covered(this.ledger, tx, [{ account: from, amount: total, who: 'buyer', asset: 'points' }], () => this.ledger.transferMany(tx, {
      legs: items.map((it) => ({ from, to: accounts.get(it.customerId)!, amount: it.quantity, kind: 'sale' as const, memo: `Puntos al cliente ${it.customerId}: ${formatHundredths(it.amount)} MXN` })),
      actor: actor.profileId ?? null,
      idempotencyKey: key,
    }))
    let sales: PurchaseSale[]
    if (result.replayed) {
      sales = await tx.find(PurchaseSaleSchema, { transferId: result.transferId, kind })
      if (sales.length !== items.length) throw new IdempotencyConflictError(key.replace(/^[a-z_]+:/, ''))
    } else {
      sales = []
      for (const it of items) {
        sales.push(await this.sales.record(tx, {
          sellerId: distributorId, buyerType: 'customer', buyerId: it.customerId, buyerDistributorId: distributorId, kind, asset: 'points',
          description: 'Abono de puntos', quantity: it.quantity, amount: it.amount, points: 0, transferId: result.transferId, actorProfileId: actor.profileId ?? null,
        }))
      }
    }
    const byCustomer = new Map(sales.map((s) => [s.buyerId, s]))
    return {
      id: result.transferId,
      items: items.map((it): PointsTransferJson => {
        const s = byCustomer.get(it.customerId)!
        return { id: s.id, customer: it.nic, quantity: money(s.quantity), amount: money(s.amount), createdAt: new Date(s.createdAt).toISOString() }
      }),
      /** The distributor's points left. */
      points: formatHundredths(result.balances[from] ?? await this.ledger.balance(tx, from)),
      replayed: result.replayed,
    }
  }

  /**
   * PCC: a customer buys one of its distributor's customer stamps packages with its points, into one
   * of its standard CTIs. Customer points → distributor points and distributor stamps → the CTI, in
   * one transferMany; the stamping figures follow; a sale row. Refused while the distributor's
   * `pccStampPurchase` is off.
   */
  async pccBuyStamps(em: EntityManager, pcc: { customerId: string, distributorId: string, profileId?: string | null }, body: { package?: unknown, count?: unknown, cti?: unknown, idempotencyKey?: unknown }) {
    const fields: Record<string, string> = {}
    const packageId = parsePackageId(body.package, fields)
    const count = parseCount(body.count, fields)
    const key = parseKey(body.idempotencyKey, fields)
    const ctiId = typeof body.cti === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(body.cti) ? body.cti : undefined
    if (!ctiId) fields.cti = 'Elija la cuenta de timbrado'
    failIf(fields)
    const sellerId = pcc.distributorId
    return em.transactional(async (tx) => {
      if (!(await this.settings().get(tx, sellerId)).pccStampPurchase) throw new PccPurchaseDisabledError('stamps')
      const pkg = await this.sellable(tx, packageId!, sellerId, 'stamps', false)
      const { ctis, sales } = this.stamping()
      const cti = await ctis.get(tx, sellerId, ctiId!).catch(() => null)
      if (!cti || cti.customerId !== pcc.customerId) throw new NotFoundError('La cuenta de timbrado')
      if (cti.type !== 'standard' || !cti.accountId) throw new NotFoundError('La cuenta de timbrado')
      const quantity = pkg.quantity * count!
      const price = pkg.price * count!
      const customerPoints = await accountFor(this.ledger, tx, 'customer', pcc.customerId, 'points', sellerId)
      const sellerPoints = await accountFor(this.ledger, tx, 'distributor', sellerId, 'points', sellerId)
      const sellerStamps = await accountFor(this.ledger, tx, 'distributor', sellerId, 'stamps', sellerId)
      const memo = `Compra en el PCC: paquete ${pkg.id} × ${count} a la CTI ${cti.id}`
      const result = await covered(this.ledger, tx, [
        { account: customerPoints, amount: price, who: 'buyer', asset: 'points' },
        { account: sellerStamps, amount: quantity, who: 'seller', asset: 'stamps' },
      ], () => this.ledger.transferMany(tx, {
        legs: [
          { from: customerPoints, to: sellerPoints, amount: price, kind: 'purchase', memo },
          { from: sellerStamps, to: cti.accountId!, amount: quantity, kind: 'sale', memo },
        ],
        actor: pcc.profileId ?? null,
        // The customer's points account is its distributor's: keys of two customers must not meet.
        idempotencyKey: `pcc:${pcc.customerId}:${key}`,
      }))
      let sale = result.replayed ? await tx.findOne(PurchaseSaleSchema, { transferId: result.transferId, kind: 'pcc_stamps' }) : null
      if (!result.replayed) {
        await sales.stampsCredited(tx, sellerId, [{ cti: cti.id, customerId: pcc.customerId, quantity }])
        sale = await this.sales.record(tx, {
          sellerId, buyerType: 'customer', buyerId: pcc.customerId, buyerDistributorId: sellerId, kind: 'pcc_stamps', asset: 'stamps',
          packageId: pkg.id, ctiId: cti.id, description: pkg.description, quantity, amount: price, points: price, transferId: result.transferId, actorProfileId: pcc.profileId ?? null,
        })
      }
      if (!sale) throw new IdempotencyConflictError(key!)
      return { sale, cti: cti.id, quantity, points: price, replayed: result.replayed }
    })
  }

  /** A customer's points (hundredths). */
  async customerPoints(em: EntityManager, customerId: string): Promise<number> {
    const a = await this.ledger.accountOf(em, 'customer', customerId, 'points')
    return a?.balance ?? 0
  }
}
