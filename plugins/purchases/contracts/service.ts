import { randomUUID } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { BadRequestError, FieldValidationError, formatHundredths, parseHundredths, sql, textProblem, type PluginContext } from '../../../core/plugin-api.js'
import { InsufficientInventoryError } from '../../ledger/index.js'
import type { SaleInput } from '../index.js'
import {
  CmRenewalRequiredError, ContractAlreadyEndedError, ContractCancelForbiddenError, ContractExistsError, ContractNotFoundError, ContractPointsShortError,
  OfferNotFoundError, PlatformCannotContractError, RenewalPointsShortError,
} from './errors.js'
import { dayOf, prorate } from './proration.js'
import { OFFER_KINDS, type OfferKind, type PurchaseContract, type PurchaseOffer } from './schema.js'

/** The entitlement this part declares (the distributors plugin declares 'mkl-multinivel'). */
export const MKL_LICENSES = 'mkl-licencias'
/** What an offer may grant: this part's keys and the distributors plugin's "MKL Multi-nivel" (key → label). */
export const OFFER_ENTITLEMENTS: Record<string, string> = {
  'mkl-multinivel': 'MKL Multi-nivel',
  [MKL_LICENSES]: 'MKL Licencias',
  'suscripcion-soporte': 'Suscripción: soporte prioritario',
}

/** Who acts: a member of a distributor (the root: staff). */
export interface ContractsCaller { distributorId: string, profileId?: string | null }

/** Where a sale row goes (the purchases plugin's `sales.record`), in the charging transaction. */
export interface SaleRecorder { record(em: EntityManager, row: SaleInput): Promise<unknown> }

export interface OfferJson { id: string, kind: OfferKind, name: string, yearlyPoints: string, entitlement: string, active: boolean, createdAt: string }
export interface CatalogOffer { id: string, kind: OfferKind, name: string, yearlyPoints: string, points: string | null, months: number | null, contracted: boolean }
export interface ContractJson {
  id: string, offer: { id: string, kind: OfferKind, name: string }, buyer: { id: string, name: string }, seller: { id: string, name: string },
  state: 'active' | 'cancelled', startedAt: string, expiresAt: string, cancelAtExpiry: boolean, cancelledAt: string | null, yearlyPoints: string, createdAt: string
}
export interface ContractOutcome { contract: ContractJson, charged: string, months: number, points: string }

type ContractRow = PurchaseContract & { offerName: string, offerKind: OfferKind, yearlyPoints: number, entitlementKey: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const OFFER_COLUMNS = `id, kind, name, yearly_points::float8 as "yearlyPoints", entitlement_key as "entitlementKey", active, created_at as "createdAt"`
const CONTRACT_COLUMNS = `c.id, c.distributor_id as "distributorId", c.offer_id as "offerId", c.seller_id as "sellerId", c.state, c.started_at as "startedAt",
  c.expires_at::text as "expiresAt", c.cancel_at_expiry as "cancelAtExpiry", c.cancelled_by as "cancelledBy", c.cancelled_at as "cancelledAt",
  c.entitlement_id as "entitlementId", c.renewed_at as "renewedAt", c.created_at as "createdAt",
  o.name as "offerName", o.kind as "offerKind", o.yearly_points::float8 as "yearlyPoints", o.entitlement_key as "entitlementKey"`

/** "1,200.00" for people (the API keeps "1200.00"). */
export const points = (hundredths: number) => {
  const [whole, cents] = formatHundredths(hundredths).split('.')
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${cents}`
}

/** The entitlement runs through the expiry day: until the next day's start (UTC, as the CM's expiry job reads it). */
export const endOfDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000)

/**
 * MKL and subscription contracts: the staff's catalogue of offers, contracting one (prorated to the
 * buyer's CM expiry, paid with points at once), the lists, cancellation at expiry, and the full
 * yearly charge with each CM renewal (the distributors plugin's 'distributors.renewal').
 *
 * Contracting and renewing take one transaction advisory lock per buyer before reading its CM
 * expiry or its contracts: a contract bought while the CM is being renewed is either seen by the
 * renewal (and charged with it) or sees the renewed expiry.
 */
export class ContractsService {
  constructor(private readonly ctx: PluginContext<any>, private readonly sales: () => SaleRecorder | null = () => null) {}

  private lock(em: EntityManager, buyerId: string) {
    return sql(em, 'select pg_advisory_xact_lock(hashtext(?))', [`purchases.contracts:${buyerId}`])
  }

  private pointsAccount(em: EntityManager, distributorId: string) {
    return this.ctx.use('ledger').ensureAccount(em, { ownerType: 'distributor', ownerId: distributorId, asset: 'points', distributorId })
  }

  // ── Offers (staff) ─────────────────────────────────────────────────────────────────────────────

  offerJson(o: PurchaseOffer): OfferJson {
    return { id: o.id, kind: o.kind, name: o.name, yearlyPoints: formatHundredths(Number(o.yearlyPoints)), entitlement: o.entitlementKey, active: o.active, createdAt: new Date(o.createdAt).toISOString() }
  }

  /** Checks an offer's fields (create: all; update: those given). Yearly points as "1200.00". */
  parseOffer(body: Record<string, unknown>, partial: boolean, keys: Record<string, string> = OFFER_ENTITLEMENTS): Partial<Omit<PurchaseOffer, 'id' | 'createdAt'>> {
    const fields: Record<string, string> = {}
    const out: Partial<Omit<PurchaseOffer, 'id' | 'createdAt'>> = {}
    if (!partial || body.kind !== undefined) {
      if (!OFFER_KINDS.includes(body.kind as OfferKind)) fields.kind = 'Elija MKL o Suscripción'
      else out.kind = body.kind as OfferKind
    }
    if (!partial || body.name !== undefined) {
      const name = typeof body.name === 'string' ? body.name.trim() : ''
      const bad = typeof body.name === 'string' ? textProblem(body.name, 200) : null
      if (!name || bad) fields.name = bad ? `El nombre ${bad}` : 'El nombre es obligatorio'
      else out.name = name
    }
    if (!partial || body.yearlyPoints !== undefined) {
      const p = typeof body.yearlyPoints === 'string' ? parseHundredths(body.yearlyPoints) : typeof body.yearlyPoints === 'number' ? parseHundredths(String(body.yearlyPoints)) : null
      if (p === null || p <= 0) fields.yearlyPoints = 'Indique el precio anual en puntos, p. ej. "1200.00"'
      else out.yearlyPoints = p
    }
    if (!partial || body.entitlementKey !== undefined) {
      const key = typeof body.entitlementKey === 'string' ? body.entitlementKey.trim() : ''
      if (!keys[key]) fields.entitlementKey = 'Elija un derecho de la lista'
      else out.entitlementKey = key
    }
    if (body.active !== undefined) out.active = body.active === true || body.active === 'true'
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    return out
  }

  async createOffer(em: EntityManager, input: Omit<PurchaseOffer, 'id' | 'createdAt' | 'active'> & { active?: boolean }): Promise<PurchaseOffer> {
    const [row] = await sql<PurchaseOffer[]>(em, `insert into purchases_offer (id, kind, name, yearly_points, entitlement_key, active) values (?, ?, ?, ?, ?, ?) returning ${OFFER_COLUMNS}`,
      [randomUUID(), input.kind, input.name, input.yearlyPoints, input.entitlementKey, input.active ?? true])
    return row
  }

  async offers(em: EntityManager, filter: { kind?: OfferKind, activeOnly?: boolean } = {}): Promise<PurchaseOffer[]> {
    const where = ['true']
    const params: unknown[] = []
    if (filter.kind) { where.push('kind = ?'); params.push(filter.kind) }
    if (filter.activeOnly) where.push('active')
    return sql<PurchaseOffer[]>(em, `select ${OFFER_COLUMNS} from purchases_offer where ${where.join(' and ')} order by kind, name, id`, params)
  }

  /**
   * The catalogue for a distributor today: every active offer with its prorated price to the
   * distributor's CM expiry (null, with months null, while the CM has no valid expiry) and whether
   * it holds an active contract of it. Staff (the root) buy nothing: [].
   */
  async offersFor(em: EntityManager, distributorId: string, now: Date = this.ctx.clock(), kind?: OfferKind): Promise<CatalogOffer[]> {
    const d = await this.ctx.directory.get(em, distributorId)
    if (!d || d.isRoot) return []
    const contracted = new Set((await sql<{ offerId: string }[]>(em, `select offer_id as "offerId" from purchases_contract where distributor_id = ? and state = 'active'`, [distributorId])).map((r) => r.offerId))
    return (await this.offers(em, { kind, activeOnly: true })).map((o) => {
      const p = prorate(Number(o.yearlyPoints), dayOf(now), d.cmExpiresAt)
      return {
        id: o.id, kind: o.kind, name: o.name, yearlyPoints: formatHundredths(Number(o.yearlyPoints)),
        points: p.ok ? formatHundredths(p.points) : null, months: p.ok ? p.months : null, contracted: contracted.has(o.id),
      }
    })
  }

  // ── Contracts ──────────────────────────────────────────────────────────────────────────────────

  private async names(em: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const id of new Set(ids)) out.set(id, (await this.ctx.directory.get(em, id))?.name ?? '—')
    return out
  }

  private async json(em: EntityManager, rows: ContractRow[]): Promise<ContractJson[]> {
    const names = await this.names(em, rows.flatMap((r) => [r.distributorId, r.sellerId]))
    return rows.map((r) => ({
      id: r.id,
      offer: { id: r.offerId, kind: r.offerKind, name: r.offerName },
      buyer: { id: r.distributorId, name: names.get(r.distributorId)! },
      seller: { id: r.sellerId, name: names.get(r.sellerId)! },
      state: r.state,
      startedAt: new Date(r.startedAt).toISOString(),
      expiresAt: String(r.expiresAt).slice(0, 10),
      cancelAtExpiry: r.cancelAtExpiry,
      cancelledAt: r.cancelledAt ? new Date(r.cancelledAt).toISOString() : null,
      yearlyPoints: formatHundredths(Number(r.yearlyPoints)),
      createdAt: new Date(r.createdAt).toISOString(),
    }))
  }

  private async row(em: EntityManager, id: string, lock = false): Promise<ContractRow | null> {
    if (typeof id !== 'string' || !UUID.test(id)) return null
    const [row] = await sql<ContractRow[]>(em, `select ${CONTRACT_COLUMNS} from purchases_contract c join purchases_offer o on o.id = c.offer_id where c.id = ?${lock ? ' for update of c' : ''}`, [id])
    return row ?? null
  }

  /**
   * Contracts an offer for the caller: the yearly price prorated to the whole months left until its
   * CM expiry, paid at once from its points to its parent's (staff's, for a top-level distributor),
   * with a sale row and the entitlement until that expiry, all in one transaction.
   */
  async contract(em: EntityManager, caller: ContractsCaller, offerId: unknown): Promise<ContractOutcome> {
    if (typeof offerId !== 'string' || !offerId) throw new FieldValidationError({ offer: 'Indique la oferta' })
    if (!UUID.test(offerId)) throw new OfferNotFoundError()
    return em.transactional(async (tx) => {
      await this.lock(tx, caller.distributorId)
      const [offer] = await sql<PurchaseOffer[]>(tx, `select ${OFFER_COLUMNS} from purchases_offer where id = ? and active`, [offerId])
      if (!offer) throw new OfferNotFoundError()
      const buyer = await this.ctx.directory.get(tx, caller.distributorId)
      if (!buyer || buyer.isRoot) throw new PlatformCannotContractError()
      const now = this.ctx.clock()
      const p = prorate(Number(offer.yearlyPoints), dayOf(now), buyer.cmExpiresAt)
      if (!p.ok) throw new CmRenewalRequiredError(p.reason)
      const [dup] = await sql(tx, `select 1 from purchases_contract where distributor_id = ? and offer_id = ? and state = 'active'`, [buyer.id, offer.id])
      if (dup) throw new ContractExistsError(offer.name)
      const sellerId = buyer.parentId ?? (await this.ctx.directory.root(tx))!.id
      const id = randomUUID()
      const ledger = this.ctx.use('ledger')
      const from = await this.pointsAccount(tx, buyer.id)
      const to = await this.pointsAccount(tx, sellerId)
      const short = (balance: number) => new ContractPointsShortError(points(p.points), points(balance), points(p.points - balance))
      const before = await ledger.balance(tx, from.id)
      if (before < p.points) throw short(before)
      let transfer
      try {
        transfer = await ledger.transfer(tx, { from: from.id, to: to.id, amount: p.points, kind: 'purchase', memo: `${offer.name}: ${p.months} ${p.months === 1 ? 'mes' : 'meses'} hasta ${buyer.cmExpiresAt}`,
          actor: caller.profileId ?? null, idempotencyKey: `purchases.contract:${id}` })
      } catch (e) {
        if (e instanceof InsufficientInventoryError) throw short(await ledger.balance(tx, from.id))
        throw e
      }
      const expiresAt = buyer.cmExpiresAt!.slice(0, 10)
      const grant = await this.ctx.entitlements.grant(tx, { distributorId: buyer.id, key: offer.entitlementKey, since: now, until: endOfDay(expiresAt), source: `contract:${id}` })
      try {
        await sql(tx, `insert into purchases_contract (id, distributor_id, offer_id, seller_id, state, started_at, expires_at, entitlement_id) values (?, ?, ?, ?, 'active', ?, ?::date, ?)`,
          [id, buyer.id, offer.id, sellerId, now, expiresAt, grant.id])
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw new ContractExistsError(offer.name)
        throw e
      }
      await this.sales()?.record(tx, { sellerId, buyerType: 'distributor', buyerId: buyer.id, buyerDistributorId: buyer.id, kind: `${offer.kind}_contract`, asset: 'offer', offerId: offer.id,
        description: `${offer.name} (${p.months} ${p.months === 1 ? 'mes' : 'meses'} hasta ${expiresAt})`, quantity: 1, amount: p.points, points: p.points, transferId: transfer.transferId, actorProfileId: caller.profileId ?? null })
      await this.ctx.audit(tx, { action: 'purchases.contracted', subject: `contract:${id}`, distributorId: buyer.id, actorProfileId: caller.profileId ?? null,
        after: { offer: offer.name, months: p.months, points: formatHundredths(p.points), expiresAt } })
      const [json] = await this.json(tx, [(await this.row(tx, id))!])
      return { contract: json, charged: formatHundredths(p.points), months: p.months, points: formatHundredths(transfer.balances[from.id] ?? await ledger.balance(tx, from.id)) }
    })
  }

  /** The caller's contracts (buyer), or, with role 'seller', those its buyers hold from it (staff: every one). */
  async list(em: EntityManager, caller: ContractsCaller, role: unknown = 'buyer'): Promise<ContractJson[]> {
    if (role !== 'buyer' && role !== 'seller') throw new BadRequestError("'role' debe ser buyer o seller")
    const d = await this.ctx.directory.get(em, caller.distributorId)
    const where = role === 'buyer' ? 'c.distributor_id = ?' : d?.isRoot ? 'true' : 'c.seller_id = ?'
    const rows = await sql<ContractRow[]>(em, `select ${CONTRACT_COLUMNS} from purchases_contract c join purchases_offer o on o.id = c.offer_id where ${where}
      order by c.state, c.created_at desc, c.id limit 1000`, where === 'true' ? [] : [caller.distributorId])
    return this.json(em, rows)
  }

  /** One contract the caller holds or sells (staff: any); anyone else's is 404. */
  async get(em: EntityManager, caller: ContractsCaller, id: string): Promise<ContractJson> {
    const row = await this.row(em, id)
    if (!row || !(await this.sees(em, caller, row))) throw new ContractNotFoundError()
    return (await this.json(em, [row]))[0]
  }

  private async sees(em: EntityManager, caller: ContractsCaller, row: ContractRow): Promise<'buyer' | 'seller' | null> {
    if (row.sellerId === caller.distributorId) return 'seller'
    if (row.distributorId === caller.distributorId) return 'buyer'
    return (await this.ctx.directory.get(em, caller.distributorId))?.isRoot ? 'seller' : null
  }

  /**
   * Cancellation by the seller (the buyer's parent) or staff, effective at expiry: the contract is
   * not renewed with the CM and its entitlement keeps its end. The buyer cannot cancel (403); anyone
   * else does not see it (404). Cancelling twice answers the same contract.
   */
  async cancel(em: EntityManager, caller: ContractsCaller, id: string): Promise<ContractJson> {
    return em.transactional(async (tx) => {
      const row = await this.row(tx, id, true)
      const who = row && await this.sees(tx, caller, row)
      if (!row || !who) throw new ContractNotFoundError()
      if (who !== 'seller') throw new ContractCancelForbiddenError()
      if (row.state !== 'active') throw new ContractAlreadyEndedError()
      if (!row.cancelAtExpiry) {
        await sql(tx, 'update purchases_contract set cancel_at_expiry = true, cancelled_by = ?, cancelled_at = ? where id = ?', [caller.profileId ?? null, this.ctx.clock(), row.id])
        await this.ctx.audit(tx, { action: 'purchases.contractCancelled', subject: `contract:${row.id}`, distributorId: row.distributorId, actorProfileId: caller.profileId ?? null,
          after: { offer: row.offerName, effective: String(row.expiresAt).slice(0, 10) } })
      }
      return (await this.json(tx, [(await this.row(tx, row.id))!]))[0]
    })
  }

  /**
   * With the CM's renewal (from the distributors plugin, inside its transaction): contracts
   * cancelled at expiry end; every other active contract is charged its full yearly price (one
   * ledger operation, buyer → its current parent) and its entitlement extended to the new expiry.
   * Short of points: a Spanish 422 naming what is missing, and the renewal (this included) rolls back.
   */
  async renew(em: EntityManager, r: { distributorId: string, from: string | null, to: string, actorProfileId: string | null }): Promise<void> {
    await this.lock(em, r.distributorId)
    const rows = await sql<ContractRow[]>(em, `select ${CONTRACT_COLUMNS} from purchases_contract c join purchases_offer o on o.id = c.offer_id
      where c.distributor_id = ? and c.state = 'active' order by c.created_at, c.id for update of c`, [r.distributorId])
    if (!rows.length) return
    const ending = rows.filter((c) => c.cancelAtExpiry)
    const renewing = rows.filter((c) => !c.cancelAtExpiry)
    if (ending.length) await sql(em, `update purchases_contract set state = 'cancelled' where id = any(?::uuid[])`, [`{${ending.map((c) => c.id).join(',')}}`])
    if (!renewing.length) return
    const d = (await this.ctx.directory.get(em, r.distributorId))!
    const sellerId = d.parentId ?? (await this.ctx.directory.root(em))!.id
    const ledger = this.ctx.use('ledger')
    const from = await this.pointsAccount(em, r.distributorId)
    const to = await this.pointsAccount(em, sellerId)
    const total = renewing.reduce((n, c) => n + Number(c.yearlyPoints), 0)
    const short = (balance: number) => new RenewalPointsShortError(renewing.map((c) => `${c.offerName}: ${points(Number(c.yearlyPoints))} puntos`).join('; '), points(total), points(balance), points(total - balance))
    const balance = await ledger.balance(em, from.id)
    if (balance < total) throw short(balance)
    let transfer
    try {
      transfer = await ledger.transferMany(em, {
        legs: renewing.map((c) => ({ from: from.id, to: to.id, amount: Number(c.yearlyPoints), kind: 'purchase' as const, memo: `${c.offerName}: renovación anual hasta ${r.to}` })),
        actor: r.actorProfileId, idempotencyKey: `purchases.renewal:${r.distributorId}:${r.to}`,
      })
    } catch (e) {
      if (e instanceof InsufficientInventoryError) throw short(await ledger.balance(em, from.id))
      throw e
    }
    const now = this.ctx.clock()
    for (const c of renewing) {
      const grant = await this.ctx.entitlements.grant(em, { distributorId: r.distributorId, key: c.entitlementKey, since: now, until: endOfDay(r.to), source: `contract:${c.id}` })
      await sql(em, 'update purchases_contract set expires_at = ?::date, entitlement_id = ?, seller_id = ?, renewed_at = ? where id = ?', [r.to, grant.id, sellerId, now, c.id])
      await this.sales()?.record(em, { sellerId, buyerType: 'distributor', buyerId: r.distributorId, buyerDistributorId: r.distributorId, kind: `${c.offerKind}_renewal`, asset: 'offer', offerId: c.offerId,
        description: `${c.offerName} (renovación anual hasta ${r.to})`, quantity: 1, amount: Number(c.yearlyPoints), points: Number(c.yearlyPoints), transferId: transfer.transferId, actorProfileId: r.actorProfileId })
    }
    await this.ctx.audit(em, { action: 'purchases.contractsRenewed', subject: `distributor:${r.distributorId}`, distributorId: r.distributorId, actorProfileId: r.actorProfileId,
      after: { to: r.to, contracts: renewing.map((c) => c.offerName), points: formatHundredths(total), ended: ending.map((c) => c.offerName) } })
  }
}
