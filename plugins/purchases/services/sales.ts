import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, formatHundredths } from '../../../core/plugin-api.js'
import { PurchaseSaleSchema, type BuyerType, type PurchaseSale, type SaleAsset } from '../entities/sale.js'

/** What a caller records; id, createdAt and invoiceRef are the table's, points default to 0. */
export type SaleInput = Omit<PurchaseSale, 'id' | 'createdAt' | 'invoiceRef' | 'points'> & { points?: number }

export interface SaleJson {
  id: string, kind: string, role: 'seller' | 'buyer', seller: string, buyer: { type: BuyerType, id: string },
  asset: SaleAsset, package: string | null, offer: string | null, cti: string | null, description: string,
  quantity: number | string, amount: string, points: string, invoiceRef: string | null, createdAt: string,
}

const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n)

/** The sale rows: every purchase and transfer of this plugin, for billing. */
export class PurchaseSales {
  /** Writes one row in the caller's transaction (em). */
  async record(em: EntityManager, row: SaleInput): Promise<PurchaseSale> {
    const bad: Record<string, string> = {}
    if (!whole(row.quantity) || row.quantity <= 0) bad.quantity = 'Debe ser un entero positivo'
    if (!whole(row.amount) || row.amount < 0) bad.amount = 'Debe ser un entero no negativo (centésimos)'
    if (row.points !== undefined && (!whole(row.points) || row.points < 0)) bad.points = 'Debe ser un entero no negativo (centésimos)'
    if (typeof row.description !== 'string' || row.description.includes('\0')) bad.description = 'Texto no válido'
    if (typeof row.kind !== 'string' || !/^[a-z_]{1,30}$/.test(row.kind)) bad.kind = 'Tipo no válido'
    if (Object.keys(bad).length) throw new FieldValidationError(bad)
    const sale = em.create(PurchaseSaleSchema, {
      ...row, description: row.description.slice(0, 200), points: row.points ?? 0,
      packageId: row.packageId ?? null, offerId: row.offerId ?? null, ctiId: row.ctiId ?? null,
      transferId: row.transferId ?? null, orderId: row.orderId ?? null, actorProfileId: row.actorProfileId ?? null, invoiceRef: null,
    } as PurchaseSale)
    await em.persist(sale).flush()
    return sale
  }

  /** A distributor's sales as seller, its own purchases as buyer (buyer: rows whose buyer tenant it is and that it bought itself), newest first. */
  async list(em: EntityManager, distributorId: string, opts: { role?: 'buyer' | 'seller', page?: number, perPage?: number } = {}): Promise<{ items: PurchaseSale[], total: number }> {
    const perPage = Math.min(Math.max(opts.perPage ?? 50, 1), 100)
    const page = Math.max(opts.page ?? 1, 1)
    const asSeller = { sellerId: distributorId }
    const asBuyer = { buyerType: 'distributor' as const, buyerId: distributorId }
    const where = opts.role === 'seller' ? asSeller : opts.role === 'buyer' ? asBuyer : { $or: [asSeller, asBuyer] }
    const [items, total] = await em.findAndCount(PurchaseSaleSchema, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: perPage, offset: (page - 1) * perPage })
    return { items, total }
  }

  toJson(s: PurchaseSale, viewer: string): SaleJson {
    return {
      id: s.id, kind: s.kind, role: s.sellerId === viewer ? 'seller' : 'buyer', seller: s.sellerId, buyer: { type: s.buyerType, id: s.buyerId },
      asset: s.asset, package: s.packageId ?? null, offer: s.offerId ?? null, cti: s.ctiId ?? null, description: s.description,
      quantity: s.asset === 'points' ? formatHundredths(Number(s.quantity)) : Number(s.quantity),
      amount: formatHundredths(Number(s.amount)), points: formatHundredths(Number(s.points)),
      invoiceRef: s.invoiceRef ?? null, createdAt: new Date(s.createdAt).toISOString(),
    }
  }
}
