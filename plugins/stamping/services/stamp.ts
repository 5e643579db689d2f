import argon2 from 'argon2'
import { randomUUID } from 'node:crypto'
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql'
import { RateLimiterPostgres } from 'rate-limiter-flexible'
import { BadRequestError, InvalidParameterError, PluginNotInTierError, preparedSql, sql, textProblem, throttleUsed as used, type Logger } from '../../../core/plugin-api.js'
import { aloneOnFailure, Batcher } from './batch.js'
import { LedgerInvalidTransferError, LedgerPendingResolvedError, type LedgerService, type Reservation } from '../../ledger/index.js'
import { decodeBase64, documentSha256, validateCfdi, type ValidCfdi } from '../cfdi/validate.js'
import type { Pac } from '../cfdi/sandbox-pac.js'
import {
  AppNotAllowedError, CtiBlockedError, CtiCredentialsError, CtiExpiredError, CtiRenewalUnpaidError, CtiThrottledError, IddConflictError,
  PacUnavailableError, RfcNotAllowedError, StampInProgressError, StampReservationLostError,
} from '../errors.js'
import { appMayUseUnlimited } from './apps.js'
import type { CredentialCache } from './ctis.js'
import type { SalesService } from './sales.js'

export interface StampRequest { cti: string, password: string, xml: string, idd: string | null, app: string | null }
export interface StampAnswer { uuid: string, xml: string, stampedAt: string, balance: number | null, replayed: boolean }

export interface StampOptions {
  /** A claim older than this belongs to a request that died: another may take it over. */
  staleClaimMs: number
  /** How long a request waits for an identical one in flight before answering 409 stamp_in_progress. */
  waitForTwinMs: number
  pacTimeoutMs: number
  /** Failed credential attempts per CTI / per IP within 15 minutes before 429. */
  ctiFailures: number
  ipFailures: number
}

interface CtiForStamp {
  id: string, distributorId: string, customerId: string, type: 'standard' | 'unlimited', active: boolean,
  passwordHash: string, version: number, accountId: string | null, validUntil: Date | null, rfc: string | null,
  autoSaleMinimum: number | null, autoSaleQuantity: number | null, autoSaleAmount: number | null,
  /** Set while an unlimited CTI's yearly renewal is unpaid: past validUntil it is blocked, not merely expired. */
  renewalWarning?: string | null,
}
interface StampRow { id: string, sha: string, status: 'pending' | 'stamped', stale: boolean, uuid: string | null, xml: string | null, stampedAt: Date | null }

/**
 * The named text fields of a stamping request, or a 400 naming the first bad one: missing, not a
 * string, too long, or text PostgreSQL cannot take (a NUL, a lone surrogate). Checked before the
 * database or the PAC sees any of it: one such field once failed every stamp batched with it.
 */
function requestFields<K extends string>(body: unknown, spec: Record<K, { max: number, required: boolean }>): Record<K, string | null> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('El cuerpo debe ser un objeto JSON')
  const b = body as Record<string, unknown>
  const out = {} as Record<K, string | null>
  for (const [name, { max, required }] of Object.entries(spec) as [K, { max: number, required: boolean }][]) {
    const v = Object.hasOwn(b, name) ? b[name] : undefined
    let problem: string | null = null
    if (v === undefined || v === null || v === '') problem = required ? 'es obligatorio' : null
    else if (typeof v !== 'string') problem = 'debe ser una cadena de texto'
    else problem = textProblem(v, max)
    if (problem) throw new InvalidParameterError({ [name]: problem })
    out[name] = typeof v === 'string' && v ? v : null
  }
  return out
}

/** Only what a request must carry; anything else in the body is ignored. */
export function parseStampRequest(body: unknown): StampRequest {
  const f = requestFields(body, {
    cti: { max: 40, required: true }, password: { max: 200, required: true }, xml: { max: 8 * 1024 * 1024, required: true },
    idd: { max: 100, required: false }, app: { max: 100, required: false },
  })
  return { cti: f.cti!, password: f.password!, xml: f.xml!, idd: f.idd, app: f.app }
}

interface Claim { id: string, token: string }
type LoadedCti = CtiForStamp & { byIdd: StampRow | null, byDoc: StampRow | null }
interface LoadKey { cti: string, sha: string, idd: string | null }
/** `version`: claim only while the CTI's credentials are still this version (stampKnown's check; null: the caller just loaded the CTI). */
interface ClaimInput { cti: string, sha: string, token: string, idd: string | null, version: number | null }
/**
 * The claimed row; whether the idd (if any) now names it; and, for a bound claim on a standard
 * CTI's account, its reservation (an Error where refused; null for an unlimited CTI). Null when
 * the document was claimed already.
 */
type ClaimOutcome = { id: string, bound: boolean, reservation: Reservation | Error | null, cti: CtiForStamp } | null
interface RecordInput { cti: CtiForStamp, claim: Claim, pendingId: string | null, uuid: string, xml: string, app: string | null }
const CLAIM_LOST = Symbol('claim lost')
/** What a stamp needs of its CTI (stamping_cti as c): as columns, and as one JSON value. */
const CTI_FIELDS = Object.entries({
  id: 'c.id', distributorId: 'c.distributor_id', customerId: 'c.customer_id', type: 'c.type', active: 'c.active', version: 'c.credentials_version',
  accountId: 'c.account_id', validUntil: 'c.valid_until', rfc: 'c.rfc', autoSaleMinimum: 'c.auto_sale_minimum', autoSaleQuantity: 'c.auto_sale_quantity',
  autoSaleAmount: 'c.auto_sale_amount::float8', renewalWarning: 'c.renewal_warning',
})
const CTI_FOR_STAMP = CTI_FIELDS.map(([key, column]) => `${column} as "${key}"`).join(', ')
const CTI_FOR_STAMP_JSON = `json_build_object(${CTI_FIELDS.map(([key, column]) => `'${key}', ${column}`).join(', ')})`

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The stamping API's work: authenticate the CTI, answer replays, claim the document, reserve one
 * stamp, call the PAC with no lock or transaction open, then post (or void) and record the TFD.
 *
 * Exactly once per CTI: `(cti, SHA-256 of the document)` is unique in stamping_stamp and an `idd`
 * names one row; the claim is taken before anything is reserved, so an identical request in flight
 * is waited for and replayed, never charged twice.
 */
export class StampService {
  private readonly byCti: RateLimiterPostgres
  private readonly byIp: RateLimiterPostgres
  /*
   * The hot statements go out as group commits: the requests that arrive while one batch is on the
   * wire share the next statement (see Batcher). Each batch stands alone in the database (no
   * transaction spans two of them), so the per-request logic below reads as if it ran alone.
   */
  private readonly loads: Batcher<LoadKey, LoadedCti | null>
  private readonly claims: Batcher<ClaimInput, ClaimOutcome>
  private readonly reservations: Batcher<{ cti: CtiForStamp, claimId: string }, Reservation | null>
  private readonly records: Batcher<RecordInput, Date | typeof CLAIM_LOST>

  constructor(
    private readonly orm: MikroORM,
    private readonly ledger: LedgerService,
    private readonly sales: SalesService,
    private readonly credentials: CredentialCache,
    private readonly pac: () => Promise<Pac>,
    /** Whether the distributor's tier enables stamping (a per-process cache of the tier: no query per stamp). */
    private readonly tierAllows: (distributorId: string) => Promise<boolean>,
    private readonly options: StampOptions,
    private readonly log?: Logger,
  ) {
    const common = { storeClient: orm.em.getConnection().getKnex(), storeType: 'knex', tableName: 'core_throttle', tableCreated: true, clearExpiredByTimeout: false, duration: 15 * 60 }
    this.byCti = new RateLimiterPostgres({ ...common, keyPrefix: 'stamp_cti', points: options.ctiFailures })
    this.byIp = new RateLimiterPostgres({ ...common, keyPrefix: 'stamp_ip', points: options.ipFailures })
    this.loads = new Batcher((keys) => this.loadMany(keys))
    this.claims = new Batcher((items) => this.claimMany(items))
    this.reservations = new Batcher((items) => this.reserveMany(items))
    this.records = new Batcher((items) => this.recordMany(items))
  }

  /** A statement of a batch: on the pool, outside any caller's transaction. */
  private get root(): EntityManager { return this.orm.em.fork() as EntityManager }

  private load(ctiId: string, sha: string, idd: string | null) {
    return this.loads.run({ cti: ctiId, sha, idd })
  }

  /** The CTI with whatever stamp already answers to this document or idd, for many requests at once. */
  private async loadMany(keys: LoadKey[]): Promise<(LoadedCti | null | Error)[]> {
    const twin = (where: string) => `(select json_build_object('id', s.id::text, 'sha', s.doc_sha256, 'status', s.status,
        'stale', s.claimed_at < now() - ?::float8 * interval '1 millisecond', 'uuid', s.uuid, 'xml', s.stamped_xml, 'stampedAt', s.stamped_at) ${where})`
    const statement = (part: { i: number, key: LoadKey }[]) => preparedSql<(LoadedCti & { i: number })[]>(this.root, `
      select x.i, ${CTI_FOR_STAMP}, c.password_hash as "passwordHash",
        ${twin('from stamping_stamp_idd i join stamping_stamp s on s.id = i.stamp_id where i.cti_id = c.id and i.idd = x.idd')} as "byIdd",
        ${twin('from stamping_stamp s where s.cti_id = c.id and s.doc_sha256 = x.sha')} as "byDoc"
      from jsonb_to_recordset(?::jsonb) as x(i int, cti text, sha text, idd text) join stamping_cti c on c.id = x.cti`,
      [this.options.staleClaimMs, this.options.staleClaimMs, JSON.stringify(part.map(({ i, key }) => ({ i, ...key })))])
      // Each item's answer (null: no such CTI), in order.
      .then((rows) => { const byI = new Map(rows.map(({ i, ...row }) => [i, row])); return part.map(({ i }) => byI.get(i) ?? null) })
    return aloneOnFailure(keys.map((key, i) => ({ i, key })), statement)
  }

  /** Credentials: the cache first; otherwise the throttle, then argon2. */
  private async authenticate(cti: CtiForStamp | null, req: StampRequest, ip: string): Promise<CtiForStamp> {
    if (cti && this.credentials.matches(cti.id, cti.version, req.password)) return cti
    const ctiKey = req.cti.toLowerCase()
    if (await used(this.byIp.get(ip)) >= this.options.ipFailures || await used(this.byCti.get(ctiKey)) >= this.options.ctiFailures) throw new CtiThrottledError()
    const ok = cti ? await this.credentials.verifyOnce(cti.id, cti.version, req.password, () => argon2.verify(cti.passwordHash, req.password).catch(() => false)) : false
    if (ok) return cti!
    const [a, b] = await Promise.all([used(this.byCti.consume(ctiKey)), used(this.byIp.consume(ip))])
    if (a > this.options.ctiFailures || b > this.options.ipFailures) throw new CtiThrottledError()
    throw new CtiCredentialsError()
  }

  private async allowed(cti: CtiForStamp, emisorRfc: string, app: string | null) {
    if (!await this.tierAllows(cti.distributorId)) throw new PluginNotInTierError('stamping')
    if (!cti.active) throw new CtiBlockedError(cti.id)
    if (cti.type === 'unlimited') {
      if (!cti.validUntil || new Date(cti.validUntil).getTime() < Date.now()) throw cti.renewalWarning ? new CtiRenewalUnpaidError(cti.id) : new CtiExpiredError(cti.id)
      if (cti.rfc && cti.rfc !== emisorRfc) throw new RfcNotAllowedError(emisorRfc)
      if (!appMayUseUnlimited(app)) throw new AppNotAllowedError()
    }
  }

  private async currentBalance(em: EntityManager, cti: CtiForStamp): Promise<number | null> {
    return cti.accountId ? this.ledger.balance(em, cti.accountId) : null
  }

  private async replay(em: EntityManager, cti: CtiForStamp, row: StampRow): Promise<StampAnswer> {
    return { uuid: row.uuid!.toUpperCase(), xml: Buffer.from(row.xml!, 'utf8').toString('base64'), stampedAt: new Date(row.stampedAt!).toISOString(), balance: await this.currentBalance(em, cti), replayed: true }
  }

  async stamp(em: EntityManager, req: StampRequest, ip: string): Promise<StampAnswer> {
    // Only the bytes and their hash before the credentials hold: the XML is not parsed for anyone
    // who cannot stamp (a hostile document costs them an argon2 check and a throttle point).
    const bytes = decodeBase64(req.xml)
    const sha256 = documentSha256(bytes)
    const deadline = Date.now() + this.options.waitForTwinMs
    // Parsed once, and only after the credentials hold: a replay that fell from the fast path to the turn below is not parsed twice.
    let parsed: ValidCfdi | undefined
    const validate = () => (parsed ??= validateCfdi(bytes, new Date(), sha256))
    const fast = await this.stampKnown(em, req, sha256, validate)
    if (fast) return fast
    let doc: ValidCfdi | undefined
    for (;;) {
      const row = await this.load(req.cti, sha256, req.idd)
      const cti = doc ? row! : await this.authenticate(row, req, ip)
      if (!doc) this.remember(cti)
      // Everything about the document is decided before anything is claimed or reserved.
      doc ??= validate()
      await this.allowed(cti, doc.emisorRfc, req.app)
      const { byIdd, byDoc } = row!
      // Replays and idd conflicts are answered before the balance is looked at.
      if (byIdd && byIdd.sha !== doc.sha256) throw new IddConflictError(req.idd!)
      const twin = byIdd ?? byDoc
      if (twin?.status === 'stamped') {
        if (req.idd && !byIdd) await sql(em, 'insert into stamping_stamp_idd (cti_id, idd, stamp_id) values (?, ?, ?) on conflict do nothing', [cti.id, req.idd, twin.id])
        return this.replay(em, cti, twin)
      }
      let claim: Claim | null = null
      // A new claim comes with its reservation; a claim taken over reserves on its own (undefined).
      let reserved: Reservation | Error | null | undefined
      if (twin) {
        // In flight elsewhere: wait for it, unless its request died (then take the claim over).
        if (twin.stale) {
          const token = randomUUID()
          const [taken] = await sql<{ id: string }[]>(em, `update stamping_stamp set claimed_at = now(), claim_token = ? where id = ? and status = 'pending' and claimed_at < now() - ?::float8 * interval '1 millisecond' returning id::text as id`, [token, twin.id, this.options.staleClaimMs])
          claim = taken ? { id: taken.id, token } : null
        }
        if (!claim) {
          if (Date.now() > deadline) throw new StampInProgressError()
          await sleep(25)
          continue
        }
      } else {
        const token = randomUUID()
        if (cti.type === 'standard' && !cti.accountId) throw new LedgerInvalidTransferError(`CTI ${cti.id} has no stamp account`)
        const claimed = await this.claims.run({ cti: cti.id, sha: doc.sha256, token, idd: req.idd, version: null })
        // Someone claimed the document first: the next turn waits for it or replays it.
        if (!claimed) continue
        claim = { id: claimed.id, token }
        // The idd already names another stamp: give the claim back; the next turn answers 409 (or waits).
        if (!claimed.bound) { await this.release(em, claim); continue }
        reserved = claimed.reservation
      }
      if (req.idd && twin) {
        const [bound] = await sql<{ stampId: string }[]>(em, `insert into stamping_stamp_idd (cti_id, idd, stamp_id) values (?, ?, ?) on conflict (cti_id, idd) do update set stamp_id = excluded.stamp_id where stamping_stamp_idd.stamp_id = excluded.stamp_id returning stamp_id::text as "stampId"`, [cti.id, req.idd, claim.id])
        if (!bound) { await this.release(em, claim); continue }
      }
      const answer = await this.stampClaimed(em, cti, claim, doc, req, reserved)
      if (answer) return answer
      // The claim was taken over while this request was slow: the taker's stamp is the answer.
    }
  }

  /** CTIs whose credentials this process verified, as last read: what the fast path starts from. */
  private readonly known = new Map<string, CtiForStamp>()
  private remember(cti: CtiForStamp) {
    if (this.known.size >= 100_000) this.known.clear()
    const { byIdd: _i, byDoc: _d, passwordHash: _p, ...plain } = cti as LoadedCti
    this.known.set(cti.id, plain as CtiForStamp)
  }

  /**
   * The steady state of a client stamping new documents on a standard CTI whose credentials this
   * process verified: no load, the claim goes out at once and itself refuses to claim if the CTI's
   * credentials changed since (a reset, a block), so a batch costs two statements (claim with its
   * reservation, record with its post). Null when it does not apply or did not claim (a replay, a
   * document in flight, changed credentials): then stamp() takes the full turn, authenticating anew.
   */
  private async stampKnown(em: EntityManager, req: StampRequest, sha256: string, validate: () => ValidCfdi): Promise<StampAnswer | null> {
    const known = this.known.get(req.cti)
    if (known?.type !== 'standard' || !known.active || !this.credentials.matches(known.id, known.version, req.password)) return null
    const doc = validate()
    await this.allowed(known, doc.emisorRfc, req.app)
    const token = randomUUID()
    const claimed = await this.claims.run({ cti: known.id, sha: sha256, token, idd: req.idd, version: known.version })
    if (!claimed) return null
    this.known.set(known.id, claimed.cti)
    const claim = { id: claimed.id, token }
    if (!claimed.bound) { await this.release(em, claim); return null }
    return this.stampClaimed(em, claimed.cti, claim, doc, req, claimed.reservation)
  }

  /**
   * Claims documents, binding each one's idd and reserving one stamp for each bound claim on a
   * standard CTI, all in one statement (ledger.reserveAlong). Null where another request holds
   * the document. The claims are settled before any account is locked (see reserveAlong).
   */
  private async claimMany(items: ClaimInput[]): Promise<(ClaimOutcome | Error)[]> {
    type Row = { i: number, id: string | null, bound: boolean, account: string | null, pendingId: string | null, transferId: string | null, balance: number | null, cti: CtiForStamp | null }
    // The CTI row is read here (k), not trusted from the caller: its distributor, account and auto
    // sale as they are now, and nothing claimed if its credentials changed since they were verified.
    const statement = (part: { i: number, it: ClaimInput }[]) => this.ledger.reserveAlong<Row>(this.root, {
      with: `x as (select * from jsonb_to_recordset(?::jsonb) as x(i int, cti text, sha text, token uuid, idd text, version int)),
      k as (
        select x.i, c.distributor_id, case when c.type = 'standard' then c.account_id end as account, ${CTI_FOR_STAMP_JSON} as cti
        from x join stamping_cti c on c.id = x.cti where x.version is null or c.credentials_version = x.version
      ), s as (
        insert into stamping_stamp (cti_id, distributor_id, doc_sha256, claim_token) select x.cti, k.distributor_id, x.sha, x.token from x join k on k.i = x.i order by x.i
        on conflict (cti_id, doc_sha256) do nothing returning id, claim_token
      ), b as (
        insert into stamping_stamp_idd (cti_id, idd, stamp_id) select x.cti, x.idd, s.id from x join s on s.claim_token = x.token where x.idd is not null
        on conflict (cti_id, idd) do nothing returning stamp_id
      ), c as (
        select x.i, s.id, k.account, k.cti, (x.idd is null or exists (select 1 from b where b.stamp_id = s.id)) as bound from x join s on s.claim_token = x.token join k on k.i = x.i
      ), wanted as (
        select c.i, c.account, 1 as amount, 'stamp ' || c.id as memo from c where c.bound and c.account is not null
      )`,
      params: [JSON.stringify(part.map(({ i, it }) => ({ i, ...it })))],
      from: 'wanted',
      select: `select x.i, c.id::text as id, coalesce(c.bound, false) as bound, c.account, c.cti, r.pending_id as "pendingId", r.transfer_id as "transferId", r.balance
        from x left join c on c.i = x.i left join ${this.ledger.reservedCte} r on r.i = x.i`,
    }).then((rows) => { const byI = new Map(rows.map((r) => [r.i, r])); return part.map(({ i }) => byI.get(i)!) })
    const rows = await aloneOnFailure(items.map((it, i) => ({ i, it })), statement)
    const out: (ClaimOutcome | Error)[] = items.map(() => null)
    const refused: { i: number, account: string }[] = []
    for (const [i, r] of rows.entries()) {
      if (r instanceof Error) { out[i] = r; continue }
      if (!r.id) continue
      let reservation: Reservation | Error | null = null
      if (r.pendingId) reservation = { pendingId: r.pendingId, transferId: r.transferId!, balance: r.balance!, replayed: false }
      else if (r.bound && r.account) refused.push({ i: r.i, account: r.account })
      out[r.i] = { id: r.id, bound: r.bound, reservation, cti: r.cti! }
    }
    if (refused.length) {
      const why = await this.ledger.refusals(this.root, refused.map((it) => ({ account: it.account, amount: 1 })))
      refused.forEach((it, k) => { (out[it.i] as NonNullable<ClaimOutcome>).reservation = why[k] })
    }
    return out
  }

  /** One stamp reserved per standard CTI; an unlimited one reserves nothing (null). */
  private async reserveMany(items: { cti: CtiForStamp, claimId: string }[]): Promise<(Reservation | null | Error)[]> {
    const standard = items.filter((it) => it.cti.type === 'standard')
    const reserved = await this.ledger.reserveMany(this.root, standard.map((it) => ({ account: it.cti.accountId!, memo: `stamp ${it.claimId}` })))
    const byItem = new Map(standard.map((it, k) => [it, reserved[k]]))
    return items.map((it) => (it.cti.type === 'standard' ? byItem.get(it)! : null))
  }

  /**
   * Records TFDs, posts their reservations and moves their customers' figures (one stamp fewer, a
   * new latest stamping): one statement for the batch (ledger.postAlong). A document whose claim
   * was taken over is neither recorded nor posted (CLAIM_LOST). Should the statement fail (the
   * ledger refusing a post, or anything else), nothing of it is applied and each item is tried
   * alone, so one item's failure is only its own.
   */
  private async recordMany(items: RecordInput[]): Promise<(Date | typeof CLAIM_LOST | Error)[]> {
    const statement = async (part: RecordInput[]) => {
      // Figure rows are taken in customer order, as sales take them, so the two queue instead of deadlocking.
      const done = await this.ledger.postAlong<{ id: string, stampedAt: Date }>(this.root, {
        with: `x as (select * from jsonb_to_recordset(?::jsonb) as x(id bigint, token uuid, pending bigint, uuid uuid, xml text, app text, customer uuid, distributor uuid)),
        s as (
          update stamping_stamp s set status = 'stamped', pending_id = x.pending, uuid = x.uuid, stamped_xml = x.xml, stamped_at = now(), app = x.app
          from x where s.id = x.id and s.status = 'pending' and s.claim_token = x.token returning s.id, s.stamped_at, s.pending_id
        ), f as (
          insert into stamping_customer_figures as f (customer_id, distributor_id, stamp_balance, last_stamped_at)
          select x.customer, x.distributor, -count(x.pending), now() from x join s on s.id = x.id group by x.customer, x.distributor order by x.customer
          on conflict (customer_id) do update set stamp_balance = f.stamp_balance + excluded.stamp_balance, last_stamped_at = excluded.last_stamped_at
        ), recorded as (select s.id::text as id, s.stamped_at as "stampedAt", s.pending_id from s)`,
        params: [JSON.stringify(part.map((it) => ({ id: it.claim.id, token: it.claim.token, pending: it.pendingId, uuid: it.uuid, xml: it.xml, app: it.app, customer: it.cti.customerId, distributor: it.cti.distributorId })))],
        from: 'recorded',
      })
      const stamped = new Map(done.map((d) => [d.id, d.stampedAt]))
      return part.map((it) => stamped.get(it.claim.id) ?? CLAIM_LOST)
    }
    return aloneOnFailure(items, statement)
  }

  /** Gives up a claim this request still holds (nothing was charged); its idd bindings go with it. */
  private async release(em: EntityManager, claim: Claim) {
    await sql(em, `with s as (delete from stamping_stamp where id = ? and status = 'pending' and claim_token = ? returning id)
      delete from stamping_stamp_idd where stamp_id in (select id from s)`, [claim.id, claim.token])
  }

  /** Reserve (unless the claim came with its reservation), PAC, post. Null when the claim was lost to a takeover before the TFD was recorded (nothing charged). */
  private async stampClaimed(em: EntityManager, cti: CtiForStamp, claim: Claim, doc: ReturnType<typeof validateCfdi>, req: StampRequest, reserved: Reservation | Error | null | undefined): Promise<StampAnswer | null> {
    let reservation: Reservation | null
    try {
      if (reserved instanceof Error) throw reserved
      reservation = reserved !== undefined ? reserved : await this.reservations.run({ cti, claimId: claim.id })
    } catch (e) {
      await this.release(em, claim)
      throw e
    }
    // No lock and no transaction are held across the PAC call: a slow PAC does not serialize a CTI.
    let result
    try {
      const pac = await this.pac()
      result = await withTimeout(pac.stamp(doc), this.options.pacTimeoutMs)
    } catch (e) {
      if (reservation) await this.ledger.void(em, reservation.pendingId, { memo: 'PAC failed' })
      await this.release(em, claim)
      if (e instanceof PacUnavailableError) throw e
      this.log?.error('PAC call failed', { error: String((e as Error)?.stack ?? e) })
      throw new PacUnavailableError()
    }
    let stampedAt
    try {
      stampedAt = await this.records.run({ cti, claim, pendingId: reservation?.pendingId ?? null, uuid: result.tfd.uuid, xml: result.stampedXml, app: req.app })
    } catch (e) {
      if (!(e instanceof LedgerPendingResolvedError)) {
        // The statement applied nothing: give the stamp back now rather than at the sweep. (Had it
        // applied after all, the void finds the reservation posted and the claim is kept.)
        if (reservation) await this.ledger.void(em, reservation.pendingId, { memo: 'record failed' }).catch(() => {})
        await this.release(em, claim).catch(() => {})
        throw e
      }
      // Voided meanwhile (the sweep took it for a dead request's): the ledger gave the stamp back.
      await this.release(em, claim)
      throw new StampReservationLostError()
    }
    // Taken over while this request was slow: nothing was posted, so the document is charged once.
    if (stampedAt === CLAIM_LOST) {
      if (reservation) await this.ledger.void(em, reservation.pendingId, { memo: 'claim taken over' })
      return null
    }
    let balance = reservation?.balance ?? null
    // The stamp that took the balance down to the minimum is the crossing: one sale for it.
    if (reservation && cti.autoSaleMinimum !== null && reservation.balance === cti.autoSaleMinimum) {
      try {
        if (await this.sales.fireAutoSale(em, cti, `stamp:${reservation.pendingId}`)) balance = await this.currentBalance(em, cti)
      } catch (e) {
        this.log?.error(`automatic sale for CTI ${cti.id} failed`, { error: String((e as Error)?.stack ?? e) })
      }
    }
    return { uuid: result.tfd.uuid, xml: Buffer.from(result.stampedXml, 'utf8').toString('base64'), stampedAt: new Date(stampedAt).toISOString(), balance, replayed: false }
  }

  /** `POST /balance`: the same credentials check as a stamp. */
  async balance(em: EntityManager, body: unknown, ip: string) {
    const f = requestFields(body, { cti: { max: 40, required: true }, password: { max: 200, required: true } })
    const req: StampRequest = { cti: f.cti!, password: f.password!, xml: '', idd: null, app: null }
    const cti = await this.authenticate(await this.load(req.cti, '', null), req, ip)
    if (!await this.tierAllows(cti.distributorId)) throw new PluginNotInTierError('stamping')
    if (cti.type === 'standard') return { type: 'standard' as const, balance: (await this.currentBalance(em, cti))!, active: cti.active }
    return { type: 'unlimited' as const, validUntil: cti.validUntil ? new Date(cti.validUntil).toISOString() : null, rfc: cti.rfc, active: cti.active }
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new PacUnavailableError()), ms) })])
  } finally { clearTimeout(timer) }
}
