import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, formatHundredths, parseHundredths, textProblem } from '../../../core/plugin-api.js'
import { InsufficientInventoryError, InsufficientPointsError, type LedgerService } from '../../ledger/index.js'
import { PurchaseInsufficientPointsError, SellerInsufficientPointsError, SellerInsufficientStampsError } from '../errors.js'

/** A package as this plugin reads it from the tools plugin (its PackagesService satisfies this). */
export interface Pkg {
  id: string
  /** The seller. */
  distributorId: string
  asset: 'stamps' | 'points'
  /** Stamps, or hundredths of a point. */
  quantity: number
  /** Hundredths of MXN, IVA included. */
  price: number
  description: string
  forDistributors: boolean
  archivedAt?: Date | null
}
export interface PackageSource {
  get(em: EntityManager, id: string): Promise<Pkg | null>
  list(em: EntityManager, distributorId: string, filter?: { asset?: 'stamps' | 'points', forDistributors?: boolean }): Promise<Pkg[]>
}
/** The seller's PCC switches (tools' Configuración global). */
export interface SaleSettings { get(em: EntityManager, distributorId: string): Promise<{ pccStampPurchase: boolean, pccPointsPurchase: boolean }> }

export interface Actor { profileId?: string | null }

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const MAX_KEY = 150
export const MAX_COUNT = 1000
export const MAX_REFERENCE = 100
/** Points and amounts: at most 1 000 000 000.00. */
export const MAX_HUNDREDTHS = 100_000_000_000

export function parseKey(value: unknown, fields: Record<string, string>, name = 'idempotencyKey'): string | undefined {
  if (value === undefined || value === null || value === '') { fields[name] = 'La clave de idempotencia es obligatoria'; return undefined }
  if (typeof value !== 'string') { fields[name] = 'Debe ser texto'; return undefined }
  const bad = textProblem(value, MAX_KEY)
  if (bad) { fields[name] = `La clave de idempotencia ${bad}`; return undefined }
  return value
}

export function parseCount(value: unknown, fields: Record<string, string>): number | undefined {
  const n = typeof value === 'string' && /^\d{1,4}$/.test(value.trim()) ? Number(value.trim()) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_COUNT) { fields.count = `Debe ser un número entero de 1 a ${MAX_COUNT}`; return undefined }
  return n
}

/** A package id: a uuid, or the field is named (text checked before it reaches SQL). */
export function parsePackageId(value: unknown, fields: Record<string, string>): string | undefined {
  if (typeof value !== 'string' || textProblem(value, 36) || !UUID.test(value)) { fields.package = 'Indique el paquete (su id)'; return undefined }
  return value.toLowerCase()
}

/** "150.00" or 150 → hundredths; `allowZero` for amounts charged. */
export function parseMoney(value: unknown, field: string, fields: Record<string, string>, allowZero = false): number | undefined {
  const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' && !textProblem(value, 20) ? value : null
  const n = s === null ? null : parseHundredths(s)
  if (n === null || (!allowZero && n <= 0) || n > MAX_HUNDREDTHS) { fields[field] = `Debe ser un importe${allowZero ? '' : ' mayor que cero'} con a lo más dos decimales (p. ej. "150.00")`; return undefined }
  return n
}

export function parseReference(value: unknown, fields: Record<string, string>): string | undefined {
  const v = typeof value === 'string' ? value.trim() : undefined
  const bad = v === undefined ? 'debe ser texto' : v === '' ? 'es obligatoria' : textProblem(v, MAX_REFERENCE)
  if (bad) { fields.reference = `La referencia del pago ${bad}`; return undefined }
  return v
}

export const failIf = (fields: Record<string, string>) => { if (Object.keys(fields).length) throw new FieldValidationError(fields) }

export const money = (hundredths: number) => formatHundredths(Number(hundredths))

/** The owner's account (created, with the distributor's issuer and sink, on first use). */
export async function accountFor(ledger: LedgerService, em: EntityManager, ownerType: 'distributor' | 'customer', ownerId: string, asset: 'stamps' | 'points', distributorId: string): Promise<string> {
  const found = await ledger.accountOf(em, ownerType, ownerId, asset)
  return found?.id ?? (await ledger.ensureAccount(em, { ownerType, ownerId, asset, distributorId })).id
}

export type Need = { account: string, amount: number, who: 'buyer' | 'seller', asset: 'stamps' | 'points' }

/**
 * Runs a ledger operation; when it is refused for want of value, answers which account is short and
 * by how much (422), read in the caller's transaction after the ledger rolled its part back.
 */
export async function covered<T>(ledger: LedgerService, em: EntityManager, needs: Need[], run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (!(e instanceof InsufficientInventoryError || e instanceof InsufficientPointsError)) throw e
    const balances = await ledger.balances(em, needs.map((n) => n.account))
    for (const n of needs) {
      const missing = n.amount - (balances.get(n.account) ?? 0)
      if (missing <= 0) continue
      if (n.who === 'buyer') throw new PurchaseInsufficientPointsError(missing)
      throw n.asset === 'stamps' ? new SellerInsufficientStampsError(missing) : new SellerInsufficientPointsError(missing)
    }
    throw e
  }
}
