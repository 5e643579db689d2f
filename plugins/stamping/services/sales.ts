import type { EntityManager } from '@mikro-orm/postgresql'
import { BadRequestError, FieldValidationError, formatHundredths, sql, type AuditInput, type Logger } from '../../../core/plugin-api.js'
import { IdempotencyConflictError, InsufficientInventoryError, type LedgerService } from '../../ledger/index.js'
import type { SaleKind } from '../entities/sale.js'
import { CtiNotFoundError, CtiNotStandardError, CtiNotUnlimitedError, CtiRenewalNotDueError } from '../errors.js'
import { oneYearFromNow, parseAmount, parseQuantity, type CtiRow, type CtiService, type NewCti } from './ctis.js'

export interface TransferJson { id: string, cti: string, quantity: number, amount: string, createdAt: string }
export interface TransferOutcome { transfer: TransferJson, balance: number, inventory: number, replayed: boolean }
export interface MassOutcome { transfer: { id: string, items: TransferJson[] }, inventory: number, balances: Record<string, number>, replayed: boolean }
export interface AutoSaleConfig { minimum: number, quantity: number, amount: number }
export interface Actor { profileId?: string | null }

const MAX_KEY = 150
const DAY_MS = 86_400_000
interface UnlimitedDue { id: string, distributorId: string, validUntil: Date }
const MAX_ITEMS = 1000

/** A required idempotency key, or a message for `fields`. */
function idempotencyKey(value: unknown, fields: Record<string, string>): string | undefined {
  if (value === undefined || value === null || value === '') { fields.idempotencyKey = 'La clave de idempotencia es obligatoria'; return undefined }
  if (typeof value !== 'string' || value.length > MAX_KEY) { fields.idempotencyKey = `La clave de idempotencia debe ser texto de a lo más ${MAX_KEY} caracteres`; return undefined }
  return value
}

/** An omitted amount (absent, null or blank): the sale takes the default price (`StampPriceOf`). */
const omitted = (v: unknown) => v === undefined || v === null || v === ''
const optionalAmount = (v: unknown, field: string, fields: Record<string, string>) => omitted(v) ? undefined : parseAmount(v, field, fields)

/** Body of a single transfer: quantity, amount (MXN; omitted: quantity × the default price), idempotency key. */
export function parseTransfer(body: Record<string, unknown>): TransferInput {
  const fields: Record<string, string> = {}
  const quantity = parseQuantity(body.quantity, 'quantity', fields)
  const amount = optionalAmount(body.amount, 'amount', fields)
  const key = idempotencyKey(body.idempotencyKey, fields)
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return { quantity: quantity!, amount, idempotencyKey: key! }
}

export interface TransferInput { quantity: number, amount?: number, idempotencyKey: string }
/**
 * The price of one stamp (hundredths of MXN) when a transfer omits its amount: the customer's own
 * stamp price, else the distributor's bulk price (extension point 'stamping.defaultStampPrice');
 * null when there is none.
 */
export type StampPriceOf = (em: EntityManager, distributorId: string, customer: { id: string, nic: string }) => Promise<number | null>
export const NO_DEFAULT_PRICE = 'Indique el importe: el cliente no tiene precio de timbre propio ni hay un precio general de timbres a granel'

export function parseAutoSale(body: Record<string, unknown>): AutoSaleConfig {
  const fields: Record<string, string> = {}
  const minimum = parseQuantity(body.minimum, 'minimum', fields, 0)
  const quantity = parseQuantity(body.quantity, 'quantity', fields)
  const amount = parseAmount(body.amount, 'amount', fields)
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return { minimum: minimum!, quantity: quantity!, amount: amount! }
}

/** "1,200.00", as people read points. */
const pointsText = (hundredths: number) => { const [w, c] = formatHundredths(hundredths).split('.'); return `${w.replace(/\B(?=(\d{3})+$)/g, ',')}.${c}` }

const saleMemo = (kind: SaleKind, cti: string, amount: number) => `${kind} ${cti}: ${formatHundredths(amount)} MXN`

/**
 * Stamps sold to customers' CTIs: one transfer, a mass transfer, automatic top-ups. Each is one
 * ledger operation and its sale rows in one transaction; the ledger's idempotency key makes a retry
 * answer the first result (the amount is in each leg's memo, so the same key with another amount
 * is a conflict).
 */
/** The CTI's warning while its distributor is not active: the automatic sale waits (resumeAutoSales). */
export const AUTO_SALE_PAUSED = 'Venta automática en pausa: la cuenta de su distribuidor no está activa'

export class SalesService {
  constructor(private readonly ledger: LedgerService, private readonly ctis: CtiService, private readonly unlimitedYearlyPoints: number, private readonly audit: (em: EntityManager, entry: AuditInput) => Promise<void>, private readonly log?: Logger,
    /** Whether the distributor may sell now (an active account): a suspended or expired one's automatic sales wait. */
    private readonly maySell: (distributorId: string, em: EntityManager) => Promise<boolean> = async () => true,
    private readonly stampPriceOf: StampPriceOf = async () => null) {}

  /**
   * A CTI the distributor asked for. An unlimited one costs its yearly price in points, paid from
   * the distributor's points in the same transaction: without the points, no CTI.
   */
  async createCti(em: EntityManager, distributorId: string, customer: { id: string, nic: string }, input: NewCti, actor: Actor = {}): Promise<CtiRow> {
    return em.transactional(async (tx) => {
      const cti = await this.ctis.create(tx, distributorId, customer, input, oneYearFromNow)
      if (cti.type === 'unlimited' && this.unlimitedYearlyPoints > 0) {
        const points = await this.distributorAccount(tx, distributorId, 'points')
        const sink = (await this.ledger.accountOf(tx, 'sink', distributorId, 'points'))!
        await this.ledger.transfer(tx, { from: points, to: sink.id, amount: this.unlimitedYearlyPoints, kind: 'purchase', memo: `CTI ilimitada ${cti.id}: 1 año`, actor: actor.profileId ?? null })
      }
      return cti
    })
  }

  // ── Unlimited CTIs: the yearly renewal ──────────────────────────────────────────────────────

  /**
   * The scheduled renewal (job `stamping.unlimited-renewal`): every active unlimited CTI whose year
   * ends within a day, or has ended, is charged its yearly price from its distributor's points (to
   * the same place createCti pays) and extended a year. Rows are taken FOR UPDATE SKIP LOCKED and
   * each charge's ledger idempotency key names the CTI and the year it closes, so two runs or two
   * processes never charge a year twice. Short of points: nothing moves, the CTI carries a warning
   * and, once its year has ended, refuses to stamp (`cti_renewal_unpaid`) until a later run or
   * "Pagar renovación" finds the points. Manually blocked CTIs wait until they are reactivated.
   */
  async renewDueUnlimited(em: EntityManager, now: Date, limit = 500): Promise<{ renewed: number, unpaid: number }> {
    const due = await sql<UnlimitedDue[]>(em, `select id, distributor_id as "distributorId", valid_until as "validUntil" from stamping_cti
      where type = 'unlimited' and active and valid_until <= ?::timestamptz + interval '1 day' order by valid_until, id limit ? for update skip locked`, [now, limit])
    const out = { renewed: 0, unpaid: 0 }
    for (const cti of due) {
      if (await this.chargeRenewal(em, cti, now, {})) out.unpaid++
      else out.renewed++
    }
    return out
  }

  /**
   * "Pagar renovación" (CM): the same charge for one unlimited CTI of the distributor, now, when its
   * renewal is due (its year ends within a day or has ended) or unpaid. Returns the warning when the
   * points are still short (nothing moved).
   */
  async payUnlimitedRenewal(em: EntityManager, distributorId: string, ctiId: string, now: Date, actor: Actor = {}): Promise<{ validUntil: string, warning: string | null }> {
    return em.transactional(async (tx) => {
      const [cti] = await sql<(UnlimitedDue & { type: string, active: boolean, renewalWarning: string | null })[]>(tx,
        `select id, distributor_id as "distributorId", valid_until as "validUntil", type, active, renewal_warning as "renewalWarning" from stamping_cti where id = ? and distributor_id = ? for update`, [String(ctiId), distributorId])
      if (!cti) throw new CtiNotFoundError(String(ctiId))
      if (cti.type !== 'unlimited' || !cti.validUntil) throw new CtiNotUnlimitedError(cti.id)
      if (!cti.renewalWarning && new Date(cti.validUntil).getTime() > now.getTime() + DAY_MS) throw new CtiRenewalNotDueError(cti.id, new Date(cti.validUntil).toISOString().slice(0, 10))
      const warning = await this.chargeRenewal(tx, cti, now, actor)
      const [after] = await sql<{ validUntil: Date }[]>(tx, 'select valid_until as "validUntil" from stamping_cti where id = ?', [cti.id])
      return { validUntil: new Date(after.validUntil).toISOString(), warning }
    })
  }

  /** One renewal in a savepoint: charged and extended, or (points short) only the warning written. Returns the warning, null when paid. */
  private async chargeRenewal(em: EntityManager, cti: UnlimitedDue, now: Date, actor: Actor): Promise<string | null> {
    const period = new Date(cti.validUntil).toISOString()
    const next = new Date(Math.max(new Date(cti.validUntil).getTime(), now.getTime()))
    next.setUTCFullYear(next.getUTCFullYear() + 1)
    try {
      await em.transactional(async (tx) => {
        if (this.unlimitedYearlyPoints > 0) {
          const points = await this.distributorAccount(tx, cti.distributorId, 'points')
          const sink = (await this.ledger.accountOf(tx, 'sink', cti.distributorId, 'points'))!
          await this.ledger.transfer(tx, { from: points, to: sink.id, amount: this.unlimitedYearlyPoints, kind: 'purchase', memo: `CTI ilimitada ${cti.id}: renovación anual`,
            idempotencyKey: `stamping.unlimitedRenewal:${cti.id}:${period}` })
        }
        // Conditional on the year read: a renewal that raced this one rolls this one back.
        const moved = await sql(tx, `update stamping_cti set valid_until = ?, renewal_warning = null, renewal_warned_at = null where id = ? and valid_until = ? returning id`, [next, cti.id, cti.validUntil])
        if (!moved.length) throw new CtiRenewalNotDueError(cti.id, period.slice(0, 10))
        await this.audit(tx, { action: 'stamping.unlimitedRenewed', subject: `cti:${cti.id}`, distributorId: cti.distributorId, actorProfileId: actor.profileId ?? null,
          before: { validUntil: period }, after: { validUntil: next.toISOString(), points: formatHundredths(this.unlimitedYearlyPoints) } })
      })
      return null
    } catch (e) {
      if (!(e instanceof InsufficientInventoryError)) throw e
      const balance = (await this.inventory(em, cti.distributorId)).points
      const warning = `Renovación anual sin pagar: el cargo de ${pointsText(this.unlimitedYearlyPoints)} puntos no se pudo cobrar; su saldo es de ${pointsText(balance)} puntos. Al vencer, la CTI no podrá timbrar hasta que se pague.`
      await sql(em, 'update stamping_cti set renewal_warning = ?, renewal_warned_at = ? where id = ?', [warning, now, cti.id])
      this.log?.warn(`unlimited CTI ${cti.id}: yearly renewal unpaid (points short)`)
      return warning
    }
  }

  /** The distributor's own stamps or points account (created, with its issuer and sink, on first use). */
  private async distributorAccount(em: EntityManager, distributorId: string, asset: 'stamps' | 'points'): Promise<string> {
    const found = await this.ledger.accountOf(em, 'distributor', distributorId, asset)
    return found?.id ?? (await this.ledger.ensureAccount(em, { ownerType: 'distributor', ownerId: distributorId, asset, distributorId })).id
  }

  private standard(cti: CtiRow): string {
    if (cti.type !== 'standard' || !cti.accountId) throw new CtiNotStandardError(cti.id)
    return cti.accountId
  }

  async inventory(em: EntityManager, distributorId: string): Promise<{ stamps: number, points: number }> {
    const stamps = await this.ledger.accountOf(em, 'distributor', distributorId, 'stamps')
    const points = await this.ledger.accountOf(em, 'distributor', distributorId, 'points')
    return { stamps: stamps?.balance ?? 0, points: points?.balance ?? 0 }
  }

  /** Inventory → one standard CTI, irreversible, with its sale. */
  async transferToCti(em: EntityManager, distributorId: string, ctiId: string, input: TransferInput, actor: Actor = {}): Promise<TransferOutcome> {
    const out = await this.sell(em, distributorId, [{ cti: ctiId, quantity: input.quantity, amount: input.amount }], 'transfer', input.idempotencyKey, actor)
    return { transfer: out.transfer.items[0], balance: out.balances[ctiId], inventory: out.inventory, replayed: out.replayed }
  }

  /** Many CTIs, quantity and amount each: all applied or none. */
  async transferMass(em: EntityManager, distributorId: string, body: Record<string, unknown>, actor: Actor = {}): Promise<MassOutcome> {
    const fields: Record<string, string> = {}
    const key = idempotencyKey(body.idempotencyKey, fields)
    if (!Array.isArray(body.items) || body.items.length === 0) fields.items = 'Indique al menos una cuenta'
    else if (body.items.length > MAX_ITEMS) fields.items = `A lo más ${MAX_ITEMS} cuentas por transferencia`
    if (!Array.isArray(body.items) || fields.items) throw new FieldValidationError(fields)
    const items = body.items.map((raw: unknown, i: number) => {
      const it = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
      if (typeof it.cti !== 'string' || !it.cti) fields[`items[${i}].cti`] = 'Indique la CTI'
      const quantity = parseQuantity(it.quantity, `items[${i}].quantity`, fields)
      const amount = optionalAmount(it.amount, `items[${i}].amount`, fields)
      return { cti: String(it.cti), quantity: quantity!, amount }
    })
    const seen = new Set<string>()
    items.forEach((it, i) => { if (seen.has(it.cti)) fields[`items[${i}].cti`] = 'CTI repetida'; seen.add(it.cti) })
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    return this.sell(em, distributorId, items, 'mass_transfer', key!, actor)
  }

  private async sell(em: EntityManager, distributorId: string, priced: { cti: string, quantity: number, amount?: number }[], kind: SaleKind, key: string, actor: Actor): Promise<MassOutcome> {
    return em.transactional(async (tx) => {
      const ctis = await this.ctis.getMany(tx, distributorId, priced.map((it) => it.cti))
      const items = await this.withAmounts(tx, distributorId, priced, ctis, kind === 'transfer')
      const accounts = new Map(items.map((it) => [it.cti, this.standard(ctis.get(it.cti)!)]))
      const inventory = await this.distributorAccount(tx, distributorId, 'stamps')
      const result = await this.ledger.transferMany(tx, {
        legs: items.map((it) => ({ from: inventory, to: accounts.get(it.cti)!, amount: it.quantity, kind: kind === 'auto_sale' ? 'auto_sale' : 'sale', memo: saleMemo(kind, it.cti, it.amount) })),
        actor: actor.profileId ?? null,
        idempotencyKey: `${kind}:${key}`,
      })
      let sales: { ctiId: string, quantity: number, amount: number, createdAt: Date }[]
      if (result.replayed) {
        sales = await sql(tx, `select cti_id as "ctiId", quantity, amount::float8 as amount, created_at as "createdAt" from stamping_sale where transfer_id = ? order by cti_id`, [result.transferId])
        if (sales.length !== items.length || items.some((it) => !sales.some((s) => s.ctiId === it.cti && s.quantity === it.quantity && s.amount === it.amount))) {
          throw new IdempotencyConflictError(key)
        }
      } else {
        const rows = items.map((it) => ({ d: distributorId, c: ctis.get(it.cti)!.customerId, t: it.cti, q: it.quantity, a: it.amount }))
        sales = await sql(tx,
          `insert into stamping_sale (distributor_id, customer_id, cti_id, kind, quantity, amount, transfer_id, actor_profile_id)
           select x.d, x.c, x.t, ?, x.q, x.a, ?, ? from jsonb_to_recordset(?::jsonb) as x(d uuid, c uuid, t text, q int, a bigint)
           returning cti_id as "ctiId", quantity, amount::float8 as amount, created_at as "createdAt"`,
          [kind, result.transferId, actor.profileId ?? null, JSON.stringify(rows)])
        await this.creditFigures(tx, items.map((it) => ({ customerId: ctis.get(it.cti)!.customerId, distributorId, quantity: it.quantity })))
        // A credit lifts the balance: the CTI's automatic sale may be needed again later.
        await sql(tx, `update stamping_cti set auto_sale_warning = null, auto_sale_warned_at = null where id = any(array(select jsonb_array_elements_text(?::jsonb))) and auto_sale_warning is not null`,
          [JSON.stringify(items.map((it) => it.cti))])
      }
      if (!result.replayed) {
        await this.audit(tx, { action: `stamping.${kind}`, subject: `transfer:${result.transferId}`, distributorId, actorProfileId: actor.profileId ?? null,
          after: { items: items.map((it) => ({ cti: it.cti, quantity: it.quantity, amount: formatHundredths(it.amount) })) } })
      }
      const byCti = new Map(sales.map((s) => [s.ctiId, s]))
      return {
        transfer: {
          id: result.transferId,
          items: items.map((it) => ({ id: result.transferId, cti: it.cti, quantity: it.quantity, amount: formatHundredths(it.amount), createdAt: new Date(byCti.get(it.cti)!.createdAt).toISOString() })),
        },
        inventory: result.balances[inventory] ?? (await this.ledger.balance(tx, inventory)),
        balances: Object.fromEntries(items.map((it) => [it.cti, result.balances[accounts.get(it.cti)!]])),
        replayed: result.replayed,
      }
    })
  }

  /**
   * Stamps another plugin credited to customers' CTIs in the caller's transaction (a PCC purchase):
   * the customer figures and the CTIs' automatic-sale warnings follow, as for this plugin's own sales.
   */
  async stampsCredited(em: EntityManager, distributorId: string, credits: { cti: string, customerId: string, quantity: number }[]): Promise<void> {
    await this.creditFigures(em, credits.map((c) => ({ customerId: c.customerId, distributorId, quantity: c.quantity })))
    await sql(em, `update stamping_cti set auto_sale_warning = null, auto_sale_warned_at = null where id = any(array(select jsonb_array_elements_text(?::jsonb))) and auto_sale_warning is not null`,
      [JSON.stringify(credits.map((c) => c.cti))])
  }

  /** Items without an amount get quantity × the default price of their customer (asked once per customer). */
  private async withAmounts(em: EntityManager, distributorId: string, items: { cti: string, quantity: number, amount?: number }[], ctis: Map<string, CtiRow>, single: boolean) {
    const prices = new Map<string, number | null>()
    const fields: Record<string, string> = {}
    const out = []
    for (const [i, it] of items.entries()) {
      if (it.amount !== undefined) { out.push({ ...it, amount: it.amount }); continue }
      const cti = ctis.get(it.cti)!
      if (!prices.has(cti.customerId)) prices.set(cti.customerId, await this.stampPriceOf(em, distributorId, { id: cti.customerId, nic: cti.customerNic }))
      const price = prices.get(cti.customerId)
      const field = single ? 'amount' : `items[${i}].amount`
      if (price === null || price === undefined) fields[field] = NO_DEFAULT_PRICE
      else if (!Number.isSafeInteger(it.quantity * price)) fields[field] = 'El importe que resulta del precio de timbre es demasiado grande: indíquelo'
      else out.push({ ...it, amount: it.quantity * price })
    }
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    return out as { cti: string, quantity: number, amount: number }[]
  }

  /** Stamps credited to customers: their figures move with the ledger in the same transaction (rows taken in customer order, as stamps take them). */
  private async creditFigures(em: EntityManager, credits: { customerId: string, distributorId: string, quantity: number }[]) {
    await sql(em,
      `insert into stamping_customer_figures as f (customer_id, distributor_id, stamp_balance, last_stamp_purchase_at)
       select x.c, x.d, sum(x.q), now() from jsonb_to_recordset(?::jsonb) as x(c uuid, d uuid, q bigint) group by x.c, x.d order by x.c
       on conflict (customer_id) do update set stamp_balance = f.stamp_balance + excluded.stamp_balance, last_stamp_purchase_at = now()`,
      [JSON.stringify(credits.map((c) => ({ c: c.customerId, d: c.distributorId, q: c.quantity })))])
  }

  // ── Automatic sale (venta automática) ───────────────────────────────────────────────────────

  /**
   * Sets (or, with null, removes) the automatic sale of standard CTIs. When the configuration
   * itself leaves a balance at or below the minimum, the sale fires at once.
   */
  /** Returns the CTIs topped up at once (already at or below the minimum) and those the inventory could not cover. */
  async setAutoSale(em: EntityManager, distributorId: string, ctiIds: string[], config: AutoSaleConfig | null, actor: Actor = {}): Promise<{ sold: { cti: string, quantity: number }[], uncovered: string[] }> {
    if (!ctiIds.length) throw new BadRequestError('No se indicó ninguna CTI')
    const due: CtiRow[] = []
    await em.transactional(async (tx) => {
      const ctis = [...(await this.ctis.getMany(tx, distributorId, ctiIds)).values()]
      const accounts = ctis.map((cti) => this.standard(cti))
      await sql(tx, `update stamping_cti set auto_sale_minimum = ?, auto_sale_quantity = ?, auto_sale_amount = ?, auto_sale_warning = null, auto_sale_warned_at = null
        where id = any(array(select jsonb_array_elements_text(?::jsonb)))`,
        [config?.minimum ?? null, config?.quantity ?? null, config?.amount ?? null, JSON.stringify(ctis.map((c) => c.id))])
      await this.audit(tx, { action: 'stamping.autoSaleConfigured', subject: ctis.map((c) => `cti:${c.id}`).join(',').slice(0, 200), distributorId, actorProfileId: actor.profileId ?? null, after: config })
      if (!config) return
      const balances = await this.ledger.balances(tx, accounts)
      for (const cti of ctis) {
        if ((balances.get(cti.accountId!) ?? 0) <= config.minimum) due.push({ ...cti, autoSaleMinimum: config.minimum, autoSaleQuantity: config.quantity, autoSaleAmount: config.amount })
      }
    })
    const out = { sold: [] as { cti: string, quantity: number }[], uncovered: [] as string[] }
    for (const cti of due) {
      if (await this.fireAutoSale(em, cti, `config:${cti.id}:${Date.now()}`, actor)) out.sold.push({ cti: cti.id, quantity: cti.autoSaleQuantity! })
      else out.uncovered.push(cti.id)
    }
    return out
  }

  /**
   * The automatic sales that waited while the distributor was not active (their CTIs carry
   * AUTO_SALE_PAUSED), once it is again: one sale per paused CTI still at or below its minimum. The
   * pause's time names the sale, so a second delivery of the same resumption sells nothing more.
   */
  async resumeAutoSales(em: EntityManager, distributorId: string): Promise<number> {
    const paused = await sql<{ id: string, at: Date }[]>(em, 'select id, auto_sale_warned_at as at from stamping_cti where distributor_id = ? and auto_sale_warning = ?', [distributorId, AUTO_SALE_PAUSED])
    if (!paused.length) return 0
    const ctis = await this.ctis.getMany(em, distributorId, paused.map((p) => p.id))
    const balances = await this.ledger.balances(em, [...ctis.values()].map((c) => this.standard(c)))
    let sold = 0
    for (const p of paused) {
      const cti = ctis.get(p.id)
      if (!cti || (balances.get(cti.accountId!) ?? 0) > (cti.autoSaleMinimum ?? -1)) continue
      if (await this.fireAutoSale(em, cti, `resume:${cti.id}:${new Date(p.at).getTime()}`)) sold++
    }
    return sold
  }

  /**
   * One automatic sale for one crossing. `crossing` names it (the reservation whose stamp took the
   * balance to the minimum), and is the ledger's idempotency key: a crossing never sells twice.
   * When the inventory cannot cover it, nothing moves and the CTI carries a warning instead.
   */
  async fireAutoSale(em: EntityManager, cti: Pick<CtiRow, 'id' | 'distributorId' | 'autoSaleQuantity' | 'autoSaleAmount'>, crossing: string, actor: Actor = {}): Promise<boolean> {
    if (!cti.autoSaleQuantity || cti.autoSaleAmount === null || cti.autoSaleAmount === undefined) return false
    if (!await this.maySell(cti.distributorId, em)) {
      await sql(em, `update stamping_cti set auto_sale_warning = ?, auto_sale_warned_at = now() where id = ?`, [AUTO_SALE_PAUSED, cti.id])
      return false
    }
    try {
      await this.sell(em, cti.distributorId, [{ cti: cti.id, quantity: cti.autoSaleQuantity, amount: cti.autoSaleAmount }], 'auto_sale', crossing, actor)
      return true
    } catch (e) {
      if (e instanceof InsufficientInventoryError) {
        await sql(em, `update stamping_cti set auto_sale_warning = ?, auto_sale_warned_at = now() where id = ?`,
          [`Inventario insuficiente para la venta automática de ${cti.autoSaleQuantity} timbres`, cti.id])
        this.log?.warn(`automatic sale for CTI ${cti.id} skipped: inventory cannot cover ${cti.autoSaleQuantity}`)
        return false
      }
      if (e instanceof CtiNotFoundError || e instanceof CtiNotStandardError) return false
      throw e
    }
  }
}
