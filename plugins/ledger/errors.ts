import { defineError } from '../../core/plugin-api.js'

// ── Not enough value (the caller may show these to users) ─────────────────────────────────────────
/** A CTI (or any non-distributor stamps account) cannot cover the debit: no stamp, no TFD. The message never names the account (an internal id). */
export const InsufficientStampsError = defineError('insufficient_stamps', 402,
  (_account: string, needed: number) => `Saldo insuficiente: la cuenta no tiene ${needed} ${needed === 1 ? 'timbre disponible' : 'timbres disponibles'}`)
export const InsufficientPointsError = defineError('insufficient_points', 402,
  (_account: string, needed: string) => `Saldo insuficiente: la cuenta no tiene ${needed} puntos disponibles`)
/** A distributor's own inventory cannot cover a transfer, sale or mass transfer. */
export const InsufficientInventoryError = defineError('insufficient_inventory', 409,
  (asset: string, needed: string) => `El inventario de ${asset === 'points' ? 'puntos' : 'timbres'} del distribuidor no alcanza para ${needed}`)

// ── Idempotency ─────────────────────────────────────────────────────────────────────────────────
export const IdempotencyConflictError = defineError('idempotency_conflict', 409,
  (key: string) => `La clave de idempotencia '${key}' ya se usó con otra solicitud`)

// ── Bad requests to the ledger service ────────────────────────────────────────────────────────────
export const LedgerAccountNotFoundError = defineError('ledger_account_not_found', 404,
  (account: string) => `No existe la cuenta ${account} del libro`)
export const LedgerAccountInUseError = defineError('ledger_account_in_use', 409,
  (account: string) => `La cuenta ${account} del libro tiene movimientos y no se puede eliminar`)
export const LedgerAccountOwnerMismatchError = defineError('ledger_account_owner_mismatch', 409,
  (owner: string) => `La cuenta del libro de ${owner} pertenece a otro distribuidor`)
export const LedgerInvalidAmountError = defineError('ledger_invalid_amount', 422,
  (amount: string) => `La cantidad debe ser un número entero positivo de unidades, no ${amount}`)
export const LedgerInvalidTransferError = defineError('ledger_invalid_transfer', 422,
  (problem: string) => `Movimiento no válido: ${problem}`)
export const LedgerAssetMismatchError = defineError('ledger_asset_mismatch', 422,
  (from: string, to: string) => `Las cuentas ${from} y ${to} guardan activos distintos`)

// ── Two-phase ─────────────────────────────────────────────────────────────────────────────────────
export const LedgerPendingNotFoundError = defineError('ledger_pending_not_found', 404,
  (id: string) => `No existe el asiento pendiente ${id}`)
export const LedgerPendingResolvedError = defineError('ledger_pending_resolved', 409,
  (id: string, how: string) => `El asiento pendiente ${id} ya está ${({ posted: 'aplicado', voided: 'anulado', resolved: 'resuelto' } as Record<string, string>)[how] ?? how}`)
