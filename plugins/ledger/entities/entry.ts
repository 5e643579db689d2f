import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'
import type { LedgerAsset } from './account.js'

/** What a movement is for. Post and void rows of a stamp reservation use `stamp_post`/`stamp_void`. */
export type LedgerEntryKind =
  | 'mint' | 'transfer' | 'sale' | 'purchase' | 'auto_sale' | 'top_up_code' | 'correction'
  | 'stamp_reserve' | 'stamp_post' | 'stamp_void'

/**
 * single: moves value at once. pending: debits the debit account's available balance and holds it;
 * post: completes a pending (credits its credit account when that one is materialized); void:
 * cancels a pending and gives the amount back to its debit account. A pending is resolved once.
 */
export type LedgerPhase = 'single' | 'pending' | 'post' | 'void'

/**
 * One journal row: moves `amount` of `asset` from `debitAccount` to `creditAccount`. Append-only
 * (a trigger refuses UPDATE, DELETE and TRUNCATE); a correction is a new entry.
 */
export interface LedgerEntry {
  /** bigint identity, as a string (the pg driver's representation of int8). */
  id: string
  /** Groups the rows of one operation: the legs of a transfer, a pending with its post or void. */
  transferId: string
  kind: LedgerEntryKind
  phase: LedgerPhase
  /** For post and void rows: the pending entry they resolve (unique: resolved once). */
  pendingId?: string | null
  debitAccount: string
  creditAccount: string
  amount: number
  asset: LedgerAsset
  /** Tenant: the distributor of the debit account. */
  distributorId: string
  actorProfileId?: string | null
  memo?: string | null
  /** Unique per distributor; carried by the first row of an operation only. */
  idempotencyKey?: string | null
  /** SHA-256 of the request the key was first used with: a retry must send the same one. */
  requestHash?: string | null
  createdAt: Date
}

export const LedgerEntrySchema = new EntitySchema<LedgerEntry>({
  name: 'LedgerEntry',
  tableName: 'ledger_entry',
  indexes: [
    { name: 'ledger_entry_debit_account_id_index', properties: ['debitAccount', 'id'] },
    // Partial, so that a stamp's reserve (the statement that holds the hot CTI row) maintains as
    // few indexes as possible: singles only (replays of transfers), non-pending credits only
    // (balances count credits once posted).
    { name: 'ledger_entry_transfer_id_index', expression: `create index "ledger_entry_transfer_id_index" on "ledger_entry" ("transfer_id") where "phase" = 'single'` },
    { name: 'ledger_entry_credit_account_id_index', expression: `create index "ledger_entry_credit_account_id_index" on "ledger_entry" ("credit_account", "id") where "phase" <> 'pending'` },
    { name: 'ledger_entry_pending_created_index', expression: `create index "ledger_entry_pending_created_index" on "ledger_entry" ("created_at") where "phase" = 'pending'` },
  ],
  uniques: [
    { name: 'ledger_entry_pending_id_unique', expression: `create unique index "ledger_entry_pending_id_unique" on "ledger_entry" ("pending_id") where "pending_id" is not null` },
    { name: 'ledger_entry_idempotency_unique', expression: `create unique index "ledger_entry_idempotency_unique" on "ledger_entry" ("distributor_id", "idempotency_key") where "idempotency_key" is not null` },
  ],
  // More CHECKs and the append-only trigger live in the migration only.
  checks: [
    { name: 'ledger_entry_amount_check', expression: 'amount > 0' },
    { name: 'ledger_entry_accounts_check', expression: 'debit_account <> credit_account' },
  ],
  properties: {
    id: { type: new BigIntType('string'), primary: true, autoincrement: true, generated: 'by default as identity' },
    transferId: { type: 'uuid' },
    kind: { type: 'string', length: 20 },
    phase: { type: 'string', length: 10 },
    pendingId: { type: new BigIntType('string'), nullable: true },
    debitAccount: { type: 'uuid' },
    creditAccount: { type: 'uuid' },
    amount: { type: new BigIntType('number') },
    asset: { type: 'string', length: 10 },
    distributorId: { type: 'uuid' },
    actorProfileId: { type: 'uuid', nullable: true },
    memo: { type: 'string', length: 500, nullable: true },
    idempotencyKey: { type: 'string', length: 200, nullable: true },
    requestHash: { type: 'string', length: 64, nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
