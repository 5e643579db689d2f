import { defineError } from '../../core/kernel/errors.js'

// ── Not enough value (the caller may show these to users) ─────────────────────────────────────────
/** A CTI (or any non-distributor stamps account) cannot cover the debit: no stamp, no TFD. */
export const InsufficientStampsError = defineError('insufficient_stamps', 402,
  (account: string, needed: number) => `Account ${account} has fewer than ${needed} stamps available`)
export const InsufficientPointsError = defineError('insufficient_points', 402,
  (account: string, needed: string) => `Account ${account} has fewer than ${needed} points available`)
/** A distributor's own inventory cannot cover a transfer, sale or mass transfer. */
export const InsufficientInventoryError = defineError('insufficient_inventory', 409,
  (asset: string, needed: string) => `The distributor's ${asset} inventory cannot cover ${needed}`)

// ── Idempotency ─────────────────────────────────────────────────────────────────────────────────
export const IdempotencyConflictError = defineError('idempotency_conflict', 409,
  (key: string) => `Idempotency key '${key}' was already used with a different request`)

// ── Bad requests to the ledger service ────────────────────────────────────────────────────────────
export const LedgerAccountNotFoundError = defineError('ledger_account_not_found', 404,
  (account: string) => `Ledger account ${account} not found`)
export const LedgerAccountInUseError = defineError('ledger_account_in_use', 409,
  (account: string) => `Ledger account ${account} has journal entries and cannot be deleted`)
export const LedgerAccountOwnerMismatchError = defineError('ledger_account_owner_mismatch', 409,
  (owner: string) => `The ledger account of ${owner} belongs to another distributor`)
export const LedgerInvalidAmountError = defineError('ledger_invalid_amount', 422,
  (amount: string) => `Amount must be a positive whole number of units, not ${amount}`)
export const LedgerInvalidTransferError = defineError('ledger_invalid_transfer', 422,
  (problem: string) => `Invalid transfer: ${problem}`)
export const LedgerAssetMismatchError = defineError('ledger_asset_mismatch', 422,
  (from: string, to: string) => `Accounts ${from} and ${to} hold different assets`)

// ── Two-phase ─────────────────────────────────────────────────────────────────────────────────────
export const LedgerPendingNotFoundError = defineError('ledger_pending_not_found', 404,
  (id: string) => `No pending ledger entry ${id}`)
export const LedgerPendingResolvedError = defineError('ledger_pending_resolved', 409,
  (id: string, how: string) => `Pending ledger entry ${id} is already ${how}`)
