import { createHash, randomUUID } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { DistributorNotFoundError, formatHundredths, preparedSql, sql, textProblem, type DistributorDirectory } from '../../../core/plugin-api.js'
import { LEDGER_ASSETS, LEDGER_OWNER_TYPES, SYSTEM_OWNER_TYPES, type LedgerAccount, type LedgerAsset, type LedgerOwnerType } from '../entities/account.js'
import type { LedgerEntryKind, LedgerPhase } from '../entities/entry.js'
import {
  IdempotencyConflictError, InsufficientInventoryError, InsufficientPointsError, InsufficientStampsError,
  LedgerAccountInUseError, LedgerAccountNotFoundError, LedgerAccountOwnerMismatchError, LedgerAssetMismatchError, LedgerInvalidAmountError,
  LedgerInvalidTransferError, LedgerPendingNotFoundError, LedgerPendingResolvedError,
} from '../errors.js'

// ── Public types ────────────────────────────────────────────────────────────────────────────────

export interface AccountOwner { ownerType: LedgerOwnerType, ownerId: string, asset: LedgerAsset, distributorId: string }

/** Amounts are whole units of the asset: stamps, or hundredths of a point. */
export type Amount = number | bigint

export interface TransferLeg {
  from: string
  to: string
  amount: Amount
  /** Default 'transfer'. */
  kind?: LedgerEntryKind
  memo?: string | null
}

export interface TransferInput extends TransferLeg {
  /** Profile that ordered the movement (audit). */
  actor?: string | null
  /** Unique per distributor (of the debit account): a retry with the same key and request is answered once. */
  idempotencyKey?: string | null
}

export interface TransferManyInput {
  /** Applied all together or not at all. */
  legs: TransferLeg[]
  actor?: string | null
  /** One key for the whole batch, scoped to the first leg's distributor. */
  idempotencyKey?: string | null
}

export interface EntryView { id: string, kind: LedgerEntryKind, phase: LedgerPhase, from: string, to: string, amount: number, asset: LedgerAsset }

export interface TransferResult {
  transferId: string
  entries: EntryView[]
  /** Balance of every materialized account the operation touched (now, when replayed). */
  balances: Record<string, number>
  /** True when an earlier call with the same idempotency key did the work. */
  replayed: boolean
}

export interface ReserveInput {
  /** The (materialized) account whose available balance the reservation debits. */
  account: string
  /** Default 1. */
  amount?: Amount
  /** Default 'stamp_reserve'. */
  kind?: LedgerEntryKind
  /** Credit account once posted; default: the sink of the account's distributor for its asset. */
  to?: string | null
  memo?: string | null
  actor?: string | null
  idempotencyKey?: string | null
}

export interface Reservation {
  /** The pending entry: pass it to post or void. */
  pendingId: string
  transferId: string
  /** Available balance of the account right after the reservation (now, when replayed). */
  balance: number
  replayed: boolean
}

export interface Resolution { entryId: string, pendingId: string, transferId: string, account: string, amount: number }

export interface MintInput {
  distributorId: string
  stamps?: Amount
  /** Hundredths of a point (15000 = 150.00 points). */
  points?: Amount
  actor?: string | null
  memo?: string | null
  idempotencyKey?: string | null
}

export type LedgerCheck = 'balance' | 'reference' | 'asset' | 'tenant' | 'resolution'
export interface LedgerMismatch {
  check: LedgerCheck
  /** The account or entry id the mismatch is about. */
  subject: string
  message: string
  expected?: number
  actual?: number
}

// ── Internals ───────────────────────────────────────────────────────────────────────────────────

const ACCOUNT_COLUMNS = `id, distributor_id as "distributorId", owner_type as "ownerType", owner_id as "ownerId", asset,
  balance::float8 as balance, materialized, created_at as "createdAt"`
const ENTRY_COLUMNS = `id::text as id, kind, phase, debit_account as "from", credit_account as "to", amount::float8 as amount, asset`

/*
 * Lists travel as one JSON parameter, expanded once: `id = any(array(select …))` (an index condition
 * on the primary key) or a join from the expanded list. `col in (select jsonb_…)` on a freshly filled
 * table (no statistics yet) was planned as a nested loop re-expanding the JSON for every row.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ENTRY_ID = /^[1-9]\d{0,18}$/
const MAX_KEY = 200
const MAX_MEMO = 500
/** Pending entries whose transaction started this long before a sweep's cutoff are assumed committed. */
const SWEEP_MARGIN_MS = 5 * 60_000

/** PostgreSQL's unique_violation on the idempotency index (MikroORM wraps the driver error). */
function violates(e: unknown, constraint: string): boolean {
  const err = e as { code?: string, constraint?: string, message?: string } | undefined
  return !!err && (err.code === '23505' || /duplicate key/.test(err.message ?? '')) &&
    (err.constraint === constraint || (err.message ?? '').includes(constraint))
}

function units(amount: Amount | undefined, what = 'amount'): number {
  const n = typeof amount === 'bigint' ? Number(amount) : amount
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new LedgerInvalidAmountError(`${what} ${String(amount)}`)
  return n
}

function text(value: string | null | undefined, max: number, what: string): string | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string' || textProblem(value, max)) throw new LedgerInvalidTransferError(`'${what}' debe ser texto de a lo sumo ${max} caracteres, sin caracteres nulos ni Unicode no válido`)
  return value
}

function uuid(value: string | null | undefined, what: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || !UUID.test(value)) throw new LedgerInvalidTransferError(`'${what}' debe ser un uuid`)
  return value.toLowerCase()
}

const hashOf = (request: unknown) => createHash('sha256').update(JSON.stringify(request)).digest('hex')

function insufficient(account: Pick<LedgerAccount, 'id' | 'ownerType' | 'asset'>, needed: number): Error {
  const shown = account.asset === 'points' ? formatHundredths(needed) : String(needed)
  if (account.ownerType === 'distributor') return new InsufficientInventoryError(account.asset, shown)
  return account.asset === 'points' ? new InsufficientPointsError(account.id, shown) : new InsufficientStampsError(account.id, needed)
}

const RESOLVED_KIND_SQL = (phase: 'post' | 'void') => `case p.kind when 'stamp_reserve' then 'stamp_${phase}' else p.kind end`

interface NormalLeg { from: string, to: string, amount: number, kind: LedgerEntryKind, memo: string | null }

/**
 * The reservation CTEs shared by reserveMany and reserveAlong, reading requests from the CTE
 * `input` (i, account, amount, kind, credit, memo, actor). `ledger_locked` returns each account's
 * current row (READ COMMITTED re-reads it after the lock wait) and `ledger_d` then moves that same,
 * now locked, row version. Ends with `ledger_reserved (i, pending_id, transfer_id, balance)`.
 */
function reserveCtes(input: string): string {
  return `ledger_req as (
        select x.*, gen_random_uuid() as transfer_id, sum(x.amount) over (partition by x.account order by x.i) as running from ${input} x
      ), ledger_locked as (
        select a.id, a.balance, a.asset, a.distributor_id from ledger_account a
        where a.id = any(array(select distinct account from ledger_req)) and a.materialized
        order by a.id for update
      ), ledger_granted as materialized (
        select r.*, l.asset, l.distributor_id, l.balance - r.running as after
        from ledger_req r join ledger_locked l on l.id = r.account where r.running <= l.balance
      ), ledger_d as (
        update ledger_account a set balance = a.balance - g.total
        from (select account, sum(amount) as total from ledger_granted group by account) g where a.id = g.account
      ), ledger_e as (
        insert into ledger_entry (transfer_id, kind, phase, debit_account, credit_account, amount, asset, distributor_id, actor_profile_id, memo)
        select g.transfer_id, g.kind, 'pending', g.account,
          coalesce(g.credit, (select s.id from ledger_account s where s.owner_type = 'sink' and s.owner_id = g.distributor_id::text and s.asset = g.asset)),
          g.amount, g.asset, g.distributor_id, g.actor, g.memo
        from ledger_granted g order by g.account, g.i
        returning id, transfer_id
      ), ledger_reserved as (
        select g.i, e.id::text as pending_id, e.transfer_id, g.after::float8 as balance from ledger_e e join ledger_granted g on g.transfer_id = e.transfer_id
      )`
}

/**
 * The ledger: accounts with materialized balances and an append-only, double-entry journal. Every
 * method takes the caller's EntityManager and works inside its transaction when it has one (a
 * savepoint isolates what may fail), so a plugin's own writes and the ledger's commit together.
 */
export class LedgerService {
  /** The kernel's directory: mint checks the distributor exists. */
  constructor(private readonly directory: Pick<DistributorDirectory, 'get'>) {}

  /** The CTE `reserveAlong` ends with, for the caller's `select`: (i, pending_id, transfer_id, balance). */
  readonly reservedCte = 'ledger_reserved'

  /**
   * Owners' balances as a relation other plugins may join in their own SQL (lists, checks):
   * `(owner_id, distributor_id, balance)` of one owner type and asset, read from the ledger's view.
   */
  ownerBalances(ownerType: LedgerOwnerType, asset: LedgerAsset): string {
    if (!/^[a-z_]+$/.test(ownerType) || !/^[a-z_]+$/.test(asset)) throw new LedgerInvalidTransferError(`'${ownerType}'/'${asset}' is not an owner type and asset`)
    return `(select owner_id, distributor_id, balance from ledger_owner_balance where owner_type = '${ownerType}' and asset = '${asset}')`
  }

  // ── Accounts ──────────────────────────────────────────────────────────────────────────────────

  /** After a bulk load (`ensureAccounts` for many owners): current planner statistics for the accounts. */
  async analyze(em: EntityManager): Promise<void> {
    await sql(em, 'analyze ledger_account')
  }

  /** The account of an owner, created if missing (with its distributor's issuer and sink). */
  async ensureAccount(em: EntityManager, owner: AccountOwner): Promise<LedgerAccount> {
    const ids = await this.ensureAccounts(em, { ownerType: owner.ownerType, asset: owner.asset, owners: [{ ownerId: owner.ownerId, distributorId: owner.distributorId }] })
    return this.account(em, ids.get(owner.ownerId)!)
  }

  /**
   * Accounts for many owners of one type and asset (seeding 100k CTIs): one multi-row INSERT … ON
   * CONFLICT DO NOTHING per chunk, plus each distributor's issuer and sink. Returns ownerId → account
   * id. An owner whose account exists under another distributor is refused.
   */
  async ensureAccounts(em: EntityManager, input: { ownerType: LedgerOwnerType, asset: LedgerAsset, owners: { ownerId: string, distributorId: string }[] }, chunk = 10_000): Promise<Map<string, string>> {
    const { ownerType, asset } = input
    if (!LEDGER_OWNER_TYPES.includes(ownerType)) throw new LedgerInvalidTransferError(`tipo de titular desconocido '${String(ownerType)}'`)
    if (!LEDGER_ASSETS.includes(asset)) throw new LedgerInvalidTransferError(`activo desconocido '${String(asset)}'`)
    for (const o of input.owners) {
      uuid(o.distributorId, 'distributorId')
      if (typeof o.ownerId !== 'string' || !o.ownerId || o.ownerId.length > 100) throw new LedgerInvalidTransferError("'ownerId' debe ser texto de 1 a 100 caracteres")
      if (SYSTEM_OWNER_TYPES.includes(ownerType) && o.ownerId !== o.distributorId) throw new LedgerInvalidTransferError(`una cuenta ${ownerType} pertenece a su distribuidor`)
    }
    const out = new Map<string, string>()
    for (let i = 0; i < input.owners.length; i += chunk) {
      const part = input.owners.slice(i, i + chunk)
      const distributors = [...new Set(part.map((o) => o.distributorId.toLowerCase()))]
      const rows = [
        ...distributors.flatMap((d) => SYSTEM_OWNER_TYPES.map((t) => ({ d, t, o: d }))),
        ...part.map((o) => ({ d: o.distributorId.toLowerCase(), t: ownerType, o: o.ownerId })),
      ]
      await em.transactional(async (tx) => {
        // Sorted, so concurrent calls insert (and wait on) the unique index in the same order.
        const inserted = await sql<{ id: string, ownerType: string, ownerId: string, distributorId: string }[]>(tx,
          `insert into ledger_account (distributor_id, owner_type, owner_id, asset, materialized)
           select x.d, x.t, x.o, ?, x.t not in ('issuer', 'sink') from jsonb_to_recordset(?::jsonb) as x(d uuid, t text, o text)
           order by x.t, x.o
           on conflict (owner_type, owner_id, asset) do nothing
           returning id, owner_type as "ownerType", owner_id as "ownerId", distributor_id as "distributorId"`, [asset, JSON.stringify(rows)])
        const byOwner = new Map(inserted.filter((r) => r.ownerType === ownerType).map((r) => [r.ownerId, r]))
        // Owners that already had an account: read theirs.
        const existing = part.filter((o) => !byOwner.has(o.ownerId)).map((o) => o.ownerId)
        if (existing.length) {
          const found = await sql<{ id: string, ownerId: string, distributorId: string }[]>(tx,
            `select a.id, a.owner_id as "ownerId", a.distributor_id as "distributorId" from jsonb_array_elements_text(?::jsonb) as o(owner_id)
             cross join lateral (select id, owner_id, distributor_id from ledger_account where owner_type = ? and owner_id = o.owner_id and asset = ?) a`,
            [JSON.stringify(existing), ownerType, asset])
          for (const f of found) byOwner.set(f.ownerId, { ...f, ownerType })
        }
        for (const o of part) {
          const f = byOwner.get(o.ownerId)!
          if (f.distributorId !== o.distributorId.toLowerCase()) throw new LedgerAccountOwnerMismatchError(`${ownerType} ${o.ownerId}`)
          out.set(o.ownerId, f.id)
        }
      })
    }
    return out
  }

  /**
   * Deletes accounts that never had a journal entry (a CTI deleted with its customer before any
   * movement), in the caller's transaction; locked first, so a transfer cannot land meanwhile. Throws
   * LedgerAccountInUseError, deleting nothing, when one has entries or a balance.
   */
  async dropUnusedAccounts(em: EntityManager, accountIds: string[]): Promise<void> {
    if (!accountIds.length) return
    const ids = JSON.stringify(accountIds.map((a) => uuid(a, 'account')))
    await sql(em, `select id from ledger_account where id in (select (jsonb_array_elements_text(?::jsonb))::uuid) order by id for update`, [ids])
    const used = await sql<{ id: string }[]>(em, `select a.id from ledger_account a where a.id in (select (jsonb_array_elements_text(?::jsonb))::uuid)
      and (a.balance <> 0 or exists (select 1 from ledger_entry e where e.debit_account = a.id) or exists (select 1 from ledger_entry e where e.credit_account = a.id)) limit 1`, [ids])
    if (used.length) throw new LedgerAccountInUseError(used[0].id)
    await sql(em, `delete from ledger_account where id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`, [ids])
  }

  async accountOf(em: EntityManager, ownerType: LedgerOwnerType, ownerId: string, asset: LedgerAsset): Promise<LedgerAccount | null> {
    const rows = await sql<LedgerAccount[]>(em, `select ${ACCOUNT_COLUMNS} from ledger_account where owner_type = ? and owner_id = ? and asset = ?`, [ownerType, ownerId, asset])
    return rows[0] ?? null
  }

  async account(em: EntityManager, accountId: string): Promise<LedgerAccount> {
    const id = uuid(accountId, 'account')
    const rows = await sql<LedgerAccount[]>(em, `select ${ACCOUNT_COLUMNS} from ledger_account where id = ?`, [id])
    if (!rows[0]) throw new LedgerAccountNotFoundError(accountId)
    return rows[0]
  }

  /**
   * Available balance: posted credits − posted debits − unresolved pending debits. Read from the
   * row for materialized accounts; summed from the journal for issuer and sink accounts (an
   * issuer's balance is minus what it minted).
   */
  async balance(em: EntityManager, accountId: string): Promise<number> {
    const account = await this.account(em, accountId)
    if (account.materialized) return account.balance
    const [row] = await sql<{ balance: number }[]>(em, `select coalesce(sum(delta), 0)::float8 as balance from (
        select amount as delta from ledger_entry where credit_account = ? and phase in ('single', 'post')
        union all select -amount from ledger_entry where debit_account = ? and phase in ('single', 'post')
        union all select -p.amount from ledger_entry p where p.debit_account = ? and p.phase = 'pending'
          and not exists (select 1 from ledger_entry r where r.pending_id = p.id)) m`, [account.id, account.id, account.id])
    return row.balance
  }

  /** Available balances of many materialized accounts in one query (lists); unknown ids are left out. */
  async balances(em: EntityManager, accountIds: string[]): Promise<Map<string, number>> {
    const ids = [...new Set(accountIds)].map((a) => uuid(a, 'account')!)
    if (!ids.length) return new Map()
    const rows = await sql<{ id: string, balance: number }[]>(em,
      `select id, balance::float8 as balance from ledger_account where materialized and id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid))`, [JSON.stringify(ids)])
    return new Map(rows.map((r) => [r.id, r.balance]))
  }

  // ── Single-phase transfers ────────────────────────────────────────────────────────────────────

  /** Moves `amount` from one account to another at once (inventory → CTI, sale, correction…). */
  async transfer(em: EntityManager, input: TransferInput): Promise<TransferResult> {
    const { actor, idempotencyKey, ...leg } = input
    return this.transferMany(em, { legs: [leg], actor, idempotencyKey })
  }

  /**
   * All legs or none (mass transfer). Accounts are locked in id order first, so concurrent batches
   * over the same accounts queue instead of deadlocking; each materialized account then moves by
   * its net amount with a conditional UPDATE, and the database's CHECK refuses any negative balance
   * the code might still produce.
   */
  async transferMany(em: EntityManager, input: TransferManyInput): Promise<TransferResult> {
    if (!Array.isArray(input.legs) || input.legs.length === 0) throw new LedgerInvalidTransferError('sin partidas')
    const legs: NormalLeg[] = input.legs.map((l, i) => {
      const from = uuid(l.from, `legs[${i}].from`)
      const to = uuid(l.to, `legs[${i}].to`)
      if (!from || !to) throw new LedgerInvalidTransferError(`legs[${i}] necesita from y to`)
      if (from === to) throw new LedgerInvalidTransferError(`legs[${i}] mueve de una cuenta a sí misma`)
      return { from, to, amount: units(l.amount, `legs[${i}].amount`), kind: l.kind ?? 'transfer', memo: text(l.memo, MAX_MEMO, 'memo') }
    })
    const actor = uuid(input.actor, 'actor')
    const key = text(input.idempotencyKey, MAX_KEY, 'idempotencyKey')
    const hash = key ? hashOf({ op: 'transfer', legs }) : null
    try {
      return await em.transactional((tx) => this.applyTransfer(tx, legs, actor, key, hash))
    } catch (e) {
      // A concurrent call with the same key committed first: answer as it did (or refuse).
      if (key && violates(e, 'ledger_entry_idempotency_unique')) {
        const replay = await this.replayTransfer(em, legs[0].from, key, hash!)
        if (replay) return replay
      }
      throw e
    }
  }

  private async applyTransfer(tx: EntityManager, legs: NormalLeg[], actor: string | null, key: string | null, hash: string | null): Promise<TransferResult> {
    const ids = [...new Set(legs.flatMap((l) => [l.from, l.to]))].sort()
    const locked = await sql<LedgerAccount[]>(tx,
      `select ${ACCOUNT_COLUMNS} from ledger_account where id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid)) order by id for update`,
      [JSON.stringify(ids)])
    const accounts = new Map(locked.map((a) => [a.id, a]))
    for (const id of ids) if (!accounts.has(id)) throw new LedgerAccountNotFoundError(id)
    if (key) {
      const replay = await this.replayTransfer(tx, legs[0].from, key, hash!)
      if (replay) return replay
    }
    for (const l of legs) {
      const from = accounts.get(l.from)!
      if (from.asset !== accounts.get(l.to)!.asset) throw new LedgerAssetMismatchError(l.from, l.to)
      // Value enters the books only by minting from an issuer (or by a correction).
      if (!from.materialized && l.kind !== 'correction' && !(l.kind === 'mint' && from.ownerType === 'issuer')) {
        throw new LedgerInvalidTransferError(`un '${l.kind}' no puede cargar a la cuenta ${from.ownerType} ${from.id}`)
      }
    }
    // Net movement per materialized account; debits that a credit in the same batch covers are fine.
    const net = new Map<string, number>()
    for (const l of legs) {
      if (accounts.get(l.from)!.materialized) net.set(l.from, (net.get(l.from) ?? 0) - l.amount)
      if (accounts.get(l.to)!.materialized) net.set(l.to, (net.get(l.to) ?? 0) + l.amount)
    }
    const moves = [...net].filter(([, n]) => n !== 0).map(([id, n]) => ({ id, n }))
    const balances: Record<string, number> = {}
    for (const a of locked) if (a.materialized) balances[a.id] = a.balance
    if (moves.length) {
      const updated = await sql<{ id: string, balance: number }[]>(tx,
        `update ledger_account a set balance = a.balance + x.n from jsonb_to_recordset(?::jsonb) as x(id uuid, n bigint)
         where a.id = x.id and a.materialized and a.balance + x.n >= 0 returning a.id, a.balance::float8 as balance`,
        [JSON.stringify(moves)])
      for (const u of updated) balances[u.id] = u.balance
      if (updated.length !== moves.length) {
        const short = moves.find((m) => !updated.some((u) => u.id === m.id))!
        throw insufficient(accounts.get(short.id)!, -short.n)
      }
    }
    const transferId = randomUUID()
    const rows = legs.map((l, i) => ({ ...l, i, key: i === 0 ? key : null, hash: i === 0 ? hash : null }))
    const entries = await sql<EntryView[]>(tx,
      `insert into ledger_entry (transfer_id, kind, phase, debit_account, credit_account, amount, asset, distributor_id, actor_profile_id, memo, idempotency_key, request_hash)
       select ?, x.kind, 'single', x."from", x."to", x.amount, a.asset, a.distributor_id, ?, x.memo, x.key, x.hash
       from jsonb_to_recordset(?::jsonb) as x(i int, kind text, "from" uuid, "to" uuid, amount bigint, memo text, key text, hash text)
       join ledger_account a on a.id = x."from"
       order by x.i
       returning ${ENTRY_COLUMNS}`,
      [transferId, actor, JSON.stringify(rows)])
    entries.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)))
    return { transferId, entries, balances, replayed: false }
  }

  /** The first answer to an idempotency key, or null when the key is unused. */
  private async replayTransfer(em: EntityManager, firstFrom: string, key: string, hash: string): Promise<TransferResult | null> {
    const [first] = await sql<{ transferId: string, requestHash: string | null }[]>(em,
      `select transfer_id as "transferId", request_hash as "requestHash" from ledger_entry
       where distributor_id = (select distributor_id from ledger_account where id = ?) and idempotency_key = ?`, [firstFrom, key])
    if (!first) return null
    if (first.requestHash !== hash) throw new IdempotencyConflictError(key)
    const entries = await sql<EntryView[]>(em, `select ${ENTRY_COLUMNS} from ledger_entry where transfer_id = ? order by id`, [first.transferId])
    const ids = [...new Set(entries.flatMap((e) => [e.from, e.to]))]
    const current = await sql<{ id: string, balance: number }[]>(em,
      `select id, balance::float8 as balance from ledger_account where materialized and id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid))`, [JSON.stringify(ids)])
    return { transferId: first.transferId, entries, balances: Object.fromEntries(current.map((c) => [c.id, c.balance])), replayed: true }
  }

  /** Issues stamps and/or points (hundredths) from the distributor's issuer into its inventory. */
  async mint(em: EntityManager, input: MintInput): Promise<TransferResult> {
    const distributorId = uuid(input.distributorId, 'distributorId')
    if (!distributorId) throw new LedgerInvalidTransferError("'distributorId' es obligatorio")
    const amounts: [LedgerAsset, number][] = []
    if (input.stamps !== undefined) amounts.push(['stamps', units(input.stamps, 'stamps')])
    if (input.points !== undefined) amounts.push(['points', units(input.points, 'points')])
    if (!amounts.length) throw new LedgerInvalidTransferError('indique timbres o puntos a emitir')
    if (!await this.directory.get(em, distributorId)) throw new DistributorNotFoundError(distributorId)
    const legs: TransferLeg[] = []
    for (const [asset, amount] of amounts) {
      const inventory = await this.ensureAccount(em, { ownerType: 'distributor', ownerId: distributorId, asset, distributorId })
      const issuer = (await this.accountOf(em, 'issuer', distributorId, asset))!
      legs.push({ from: issuer.id, to: inventory.id, amount, kind: 'mint', memo: input.memo })
    }
    return this.transferMany(em, { legs, actor: input.actor, idempotencyKey: input.idempotencyKey })
  }

  // ── Two-phase (stamps) ────────────────────────────────────────────────────────────────────────

  /**
   * Holds `amount` of the account's available balance: ONE statement that debits the row only if
   * the balance covers it and inserts the pending entry. No lock outlives the statement, so the
   * caller can call the PAC and then post or void.
   */
  async reserve(em: EntityManager, input: ReserveInput): Promise<Reservation> {
    const account = uuid(input.account, 'account')
    if (!account) throw new LedgerInvalidTransferError("'account' es obligatorio")
    const amount = units(input.amount ?? 1)
    const kind = input.kind ?? 'stamp_reserve'
    const to = uuid(input.to, 'to')
    if (to === account) throw new LedgerInvalidTransferError('una reserva no puede abonar a la cuenta que carga')
    const memo = text(input.memo, MAX_MEMO, 'memo')
    const actor = uuid(input.actor, 'actor')
    const key = text(input.idempotencyKey, MAX_KEY, 'idempotencyKey')
    const hash = key ? hashOf({ op: 'reserve', account, amount, kind, to, memo }) : null
    const run = async (tx: EntityManager) => {
      const [row] = await sql<{ id: string, transferId: string, balance: number }[]>(tx, `
        with d as (
          update ledger_account set balance = balance - ? where id = ? and materialized and balance >= ?
          returning id, balance, asset, distributor_id
        ), e as (
          insert into ledger_entry (transfer_id, kind, phase, debit_account, credit_account, amount, asset, distributor_id, actor_profile_id, memo, idempotency_key, request_hash)
          select gen_random_uuid(), ?, 'pending', d.id,
            coalesce(?::uuid, (select s.id from ledger_account s where s.owner_type = 'sink' and s.owner_id = d.distributor_id::text and s.asset = d.asset)),
            ?, d.asset, d.distributor_id, ?, ?, ?, ?
          from d returning id, transfer_id
        )
        select e.id::text as id, e.transfer_id as "transferId", d.balance::float8 as balance from e, d`,
        [amount, account, amount, kind, to, amount, actor, memo, key, hash])
      if (row) return { pendingId: row.id, transferId: row.transferId, balance: row.balance, replayed: false }
      throw insufficient(await this.account(tx, account), amount)
    }
    // The hot path: one statement, no transaction of its own.
    if (!key) return run(em)
    const replay = () => this.replayReservation(em, account, key, hash!)
    const earlier = await replay()
    if (earlier) return earlier
    try {
      return await em.transactional(run)
    } catch (e) {
      if (violates(e, 'ledger_entry_idempotency_unique')) {
        const again = await replay()
        if (again) return again
      }
      throw e
    }
  }

  /**
   * Many independent reservations in ONE statement (the stamping API's group commit): each item is
   * granted or refused on its own, never all-or-nothing. The accounts are locked in id order; an
   * account's requests are granted in the given order while their running total fits its balance,
   * and the first that does not fit ends its grants (no later request overtakes it). The account
   * row moves once, by the granted total. Items carry no idempotency key: the caller's
   * own claim makes them exactly once. Answers in the given order, an Error where refused.
   */
  async reserveMany(em: EntityManager, inputs: Omit<ReserveInput, 'idempotencyKey'>[]): Promise<(Reservation | Error)[]> {
    const out: (Reservation | Error)[] = new Array(inputs.length)
    const items: { i: number, account: string, amount: number, kind: string, credit: string | null, memo: string | null, actor: string | null }[] = []
    inputs.forEach((input, i) => {
      try {
        const account = uuid(input.account, 'account')
        if (!account) throw new LedgerInvalidTransferError("'account' es obligatorio")
        const credit = uuid(input.to, 'to')
        if (credit === account) throw new LedgerInvalidTransferError('una reserva no puede abonar a la cuenta que carga')
        items.push({ i, account, amount: units(input.amount ?? 1), kind: input.kind ?? 'stamp_reserve', credit, memo: text(input.memo, MAX_MEMO, 'memo'), actor: uuid(input.actor, 'actor') })
      } catch (e) { out[i] = e as Error }
    })
    if (!items.length) return out
    const rows = await preparedSql<{ i: number, id: string, transferId: string, balance: number }[]>(em, `
      with ledger_in as (
        select * from jsonb_to_recordset(?::jsonb) as x(i int, account uuid, amount bigint, kind text, credit uuid, memo text, actor uuid)
      ), ${reserveCtes('ledger_in')}
      select i, pending_id as id, transfer_id as "transferId", balance from ledger_reserved`,
      [JSON.stringify(items)])
    for (const r of rows) out[r.i] = { pendingId: r.id, transferId: r.transferId, balance: r.balance, replayed: false }
    const refused = items.filter((it) => !out[it.i])
    if (refused.length) (await this.refusals(em, refused)).forEach((err, k) => { out[refused[k].i] = err })
    return out
  }

  /**
   * Reservations made inside the caller's own statement, as reserveMany makes them (one each, in
   * the same order and lock order): the rows of the caller's CTE `from` — columns `i` (the caller's
   * key), `account`, `amount`, `memo` — are the requests, and the caller's final `select` may join
   * `ledger_reserved (i, pending_id, transfer_id, balance)`: a row per granted request, none for a
   * refused one (ask `refusals` why). The accounts are locked only once every row of `from` is
   * known, so whatever the caller's CTEs wait for (a unique index, say) is waited for before any
   * account lock is held.
   */
  async reserveAlong<T>(em: EntityManager, along: { with: string, params: unknown[], from: string, select: string, kind?: LedgerEntryKind }): Promise<T[]> {
    if (!/^[a-z_][a-z0-9_]*$/.test(along.from)) throw new LedgerInvalidTransferError(`'${along.from}' no es un nombre de CTE`)
    const kind = along.kind ?? 'stamp_reserve'
    if (!/^[a-z_]+$/.test(kind)) throw new LedgerInvalidTransferError(`'${kind}' no es un tipo de asiento`)
    return preparedSql<T[]>(em, `
      with ${along.with},
      ledger_in as (
        select f.i, f.account, f.amount::bigint as amount, '${kind}'::text as kind, null::uuid as credit, f.memo::text as memo, null::uuid as actor from ${along.from} f
      ), ${reserveCtes('ledger_in')}
      ${along.select}`, along.params)
  }

  /** Why each of these reservations was refused: unknown account, one that cannot be reserved from, or not enough balance. */
  async refusals(em: EntityManager, requests: { account: string, amount: number }[]): Promise<Error[]> {
    if (!requests.length) return []
    const found = await sql<LedgerAccount[]>(em, `select ${ACCOUNT_COLUMNS} from ledger_account where id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid))`,
      [JSON.stringify([...new Set(requests.map((it) => it.account))])])
    const byId = new Map(found.map((a) => [a.id, a]))
    return requests.map((it) => {
      const account = byId.get(it.account)
      return !account ? new LedgerAccountNotFoundError(it.account)
        : !account.materialized ? new LedgerInvalidTransferError(`no se puede reservar de la cuenta ${account.ownerType} ${account.id}`)
          : insufficient(account, it.amount)
    })
  }

  private async replayReservation(em: EntityManager, account: string, key: string, hash: string): Promise<Reservation | null> {
    const [row] = await sql<{ id: string, transferId: string, requestHash: string | null, phase: string, balance: number }[]>(em,
      `select e.id::text as id, e.transfer_id as "transferId", e.request_hash as "requestHash", e.phase, a.balance::float8 as balance
       from ledger_account a join ledger_entry e on e.distributor_id = a.distributor_id and e.idempotency_key = ?
       where a.id = ?`, [key, account])
    if (!row) return null
    if (row.requestHash !== hash || row.phase !== 'pending') throw new IdempotencyConflictError(key)
    return { pendingId: row.id, transferId: row.transferId, balance: row.balance, replayed: true }
  }

  /**
   * Completes a reservation: inserts the post row (and credits the credit account only if it is
   * materialized; a distributor's sink is not, so a stamp touches no other account row).
   */
  post(em: EntityManager, pendingId: string | number, opts: { actor?: string | null, memo?: string | null } = {}): Promise<Resolution> {
    return this.resolve(em, 'post', pendingId, opts)
  }

  /** Cancels a reservation: inserts the void row and gives the amount back, in one statement. */
  void(em: EntityManager, pendingId: string | number, opts: { actor?: string | null, memo?: string | null } = {}): Promise<Resolution> {
    return this.resolve(em, 'void', pendingId, opts)
  }

  /**
   * Posts reservations in the same statement as the caller's own writes, so both commit or fail
   * together without a transaction's round trips (the stamping API records each TFD this way).
   * `along.with` is the caller's CTE definitions (`a as (…), b as (…)`, its parameters in
   * `along.params`); the rows of its CTE `along.from` are returned, and their `pending_id` column
   * names the reservations to post (null: nothing to post for that row). If any named reservation
   * is not pending any more, the whole statement fails with LedgerPendingResolvedError and nothing
   * of it — the caller's writes included — is applied.
   */
  async postAlong<T>(em: EntityManager, along: { with: string, params: unknown[], from: string }): Promise<T[]> {
    if (!/^[a-z_][a-z0-9_]*$/.test(along.from)) throw new LedgerInvalidTransferError(`'${along.from}' no es un nombre de CTE`)
    try {
      return await preparedSql<T[]>(em, `
        with ${along.with},
        ledger_p as (
          select id, transfer_id, kind, debit_account, credit_account, amount, asset, distributor_id from ledger_entry
          where id in (select pending_id from ${along.from} where pending_id is not null) and phase = 'pending'
        ), ledger_r as (
          insert into ledger_entry (transfer_id, kind, phase, pending_id, debit_account, credit_account, amount, asset, distributor_id)
          select p.transfer_id, ${RESOLVED_KIND_SQL('post')}, 'post', p.id, p.debit_account, p.credit_account, p.amount, p.asset, p.distributor_id from ledger_p p
          order by p.id
          on conflict (pending_id) where pending_id is not null do nothing
          returning pending_id, credit_account, amount
        ), ledger_c as (
          update ledger_account a set balance = a.balance + s.amount
          from (select credit_account, sum(amount) as amount from ledger_r group by credit_account) s
          where a.id = s.credit_account and a.materialized
        )
        select ${along.from}.* from ${along.from}
        where ledger_posted_all((select count(*) from ${along.from} where pending_id is not null), (select count(*) from ledger_r))`, along.params)
    } catch (e) {
      const err = e as { code?: string, message?: string }
      if (err.code === 'LG002' || /ledger_pending_resolved:/.test(err.message ?? '')) throw new LedgerPendingResolvedError('named by the statement', 'resolved')
      throw e
    }
  }

  private async resolve(em: EntityManager, phase: 'post' | 'void', pendingId: string | number, opts: { actor?: string | null, memo?: string | null }): Promise<Resolution> {
    const id = String(pendingId)
    if (!ENTRY_ID.test(id)) throw new LedgerPendingNotFoundError(id)
    const actor = uuid(opts.actor, 'actor')
    const memo = text(opts.memo, MAX_MEMO, 'memo')
    // The unique index on pending_id decides between concurrent resolutions: the loser inserts nothing.
    const [row] = await sql<Resolution[]>(em, `
      with p as (
        select id, transfer_id, kind, debit_account, credit_account, amount, asset, distributor_id from ledger_entry where id = ? and phase = 'pending'
      ), r as (
        insert into ledger_entry (transfer_id, kind, phase, pending_id, debit_account, credit_account, amount, asset, distributor_id, actor_profile_id, memo)
        select p.transfer_id, ${RESOLVED_KIND_SQL(phase)}, ?, p.id, p.debit_account, p.credit_account, p.amount, p.asset, p.distributor_id, ?, ? from p
        on conflict (pending_id) where pending_id is not null do nothing
        returning id, pending_id, transfer_id, debit_account, credit_account, amount
      ), c as (
        update ledger_account a set balance = a.balance + r.amount from r
        where a.id = ${phase === 'post' ? 'r.credit_account' : 'r.debit_account'} and a.materialized
      )
      select r.id::text as "entryId", r.pending_id::text as "pendingId", r.transfer_id as "transferId", r.debit_account as account, r.amount::float8 as amount from r`,
      [id, phase, actor, memo])
    if (row) return row
    const [existing] = await sql<{ phase: string, resolution: string | null }[]>(em,
      `select p.phase, (select r.phase from ledger_entry r where r.pending_id = p.id) as resolution from ledger_entry p where p.id = ?`, [id])
    if (!existing || existing.phase !== 'pending') throw new LedgerPendingNotFoundError(id)
    throw new LedgerPendingResolvedError(id, existing.resolution === 'post' ? 'posted' : 'voided')
  }

  /**
   * Voids pending entries older than `olderThanMs` that nothing resolved (a process died between
   * reserve and post), giving their amounts back. Resumes after the last sweep's watermark, so it
   * reads only recent pending entries; safe to run in several processes at once.
   */
  async voidExpiredPending(em: EntityManager, olderThanMs: number, opts: { batch?: number } = {}): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new RangeError('olderThanMs must be ≥ 0')
    const batch = opts.batch ?? 1000
    const [{ cutoff, low }] = await sql<{ cutoff: string, low: string }[]>(em,
      `select (now() - ?::float8 * interval '1 millisecond')::text as cutoff, swept_before::text as low from ledger_sweep where name = 'pending'`, [olderThanMs])
    let voided = 0
    for (;;) {
      const [r] = await sql<{ candidates: number, voided: number }[]>(em, `
        with p as (
          select e.id, e.transfer_id, e.kind, e.debit_account, e.credit_account, e.amount, e.asset, e.distributor_id from ledger_entry e
          where e.phase = 'pending' and e.created_at >= ?::timestamptz and e.created_at < ?::timestamptz
            and not exists (select 1 from ledger_entry r where r.pending_id = e.id)
          order by e.created_at, e.id limit ?
        ), v as (
          insert into ledger_entry (transfer_id, kind, phase, pending_id, debit_account, credit_account, amount, asset, distributor_id, memo)
          select p.transfer_id, ${RESOLVED_KIND_SQL('void')}, 'void', p.id, p.debit_account, p.credit_account, p.amount, p.asset, p.distributor_id, 'expired' from p
          on conflict (pending_id) where pending_id is not null do nothing
          returning debit_account, amount
        ), c as (
          update ledger_account a set balance = a.balance + s.amount
          from (select debit_account, sum(amount) as amount from v group by debit_account) s
          where a.id = s.debit_account and a.materialized
        )
        select (select count(*) from p)::int as candidates, (select count(*) from v)::int as voided`,
        [low, cutoff, batch])
      voided += r.voided
      if (r.candidates < batch) break
    }
    await sql(em, `update ledger_sweep set swept_before = greatest(swept_before, ?::timestamptz - ?::float8 * interval '1 millisecond') where name = 'pending'`,
      [cutoff, SWEEP_MARGIN_MS])
    return voided
  }

  // ── Checks ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Recomputes every materialized balance from the journal and checks the journal's own rules:
   * accounts exist and hold the entry's asset, the entry's tenant is its debit account's, and every
   * post/void resolves a pending entry with the same accounts and amount. Empty means consistent.
   */
  async verify(em: EntityManager): Promise<LedgerMismatch[]> {
    const out: LedgerMismatch[] = []
    const balances = await sql<{ id: string, ownerType: string, ownerId: string, asset: string, balance: number, expected: number }[]>(em, `
      with m as (
        select credit_account as account, amount as delta from ledger_entry where phase in ('single', 'post')
        union all select debit_account, -amount from ledger_entry where phase in ('single', 'post')
        union all select p.debit_account, -p.amount from ledger_entry p
          where p.phase = 'pending' and not exists (select 1 from ledger_entry r where r.pending_id = p.id)
      ), s as (select account, sum(delta) as expected from m group by account)
      select a.id, a.owner_type as "ownerType", a.owner_id as "ownerId", a.asset, a.balance::float8 as balance, coalesce(s.expected, 0)::float8 as expected
      from ledger_account a left join s on s.account = a.id
      where a.materialized and a.balance <> coalesce(s.expected, 0)
      order by a.id`)
    for (const b of balances) {
      out.push({ check: 'balance', subject: b.id, expected: b.expected, actual: b.balance,
        message: `account ${b.id} (${b.ownerType} ${b.ownerId}, ${b.asset}): balance ${b.balance}, journal says ${b.expected}` })
    }
    const refs = await sql<{ entry: string, account: string, side: string, problem: string }[]>(em, `
      select e.id::text as entry, s.account, s.side,
        case when a.id is null then 'reference' when a.asset <> e.asset then 'asset' else 'tenant' end as problem
      from ledger_entry e
      cross join lateral (values ('debit', e.debit_account), ('credit', e.credit_account)) as s(side, account)
      left join ledger_account a on a.id = s.account
      where a.id is null or a.asset <> e.asset or (s.side = 'debit' and a.distributor_id <> e.distributor_id)
      order by e.id`)
    for (const r of refs) {
      const message = r.problem === 'reference' ? `entry ${r.entry}: ${r.side} account ${r.account} does not exist`
        : r.problem === 'asset' ? `entry ${r.entry}: ${r.side} account ${r.account} holds another asset`
          : `entry ${r.entry}: its distributor is not its debit account's`
      out.push({ check: r.problem as LedgerCheck, subject: r.entry, message })
    }
    const resolutions = await sql<{ entry: string, pending: string, problem: string }[]>(em, `
      select r.id::text as entry, r.pending_id::text as pending,
        case when p.id is null or p.phase <> 'pending' then 'it is not a pending entry'
             when p.amount <> r.amount then 'the amount differs'
             else 'the accounts or asset differ' end as problem
      from ledger_entry r left join ledger_entry p on p.id = r.pending_id
      where r.phase in ('post', 'void') and (p.id is null or p.phase <> 'pending' or p.amount <> r.amount
        or p.debit_account <> r.debit_account or p.credit_account <> r.credit_account or p.asset <> r.asset)
      order by r.id`)
    for (const r of resolutions) {
      out.push({ check: 'resolution', subject: r.entry, message: `entry ${r.entry} resolves ${r.pending}, but ${r.problem}` })
    }
    return out
  }
}
