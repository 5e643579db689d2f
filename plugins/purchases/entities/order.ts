import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'
import type { BuyerType } from './sale.js'

export type OrderState = 'pending' | 'confirmed' | 'cancelled'

/**
 * Points bought with money: an order the payment provider settles. The default provider is the
 * seller confirming by hand with the payment's reference; confirmation delivers the points. The
 * package is copied (quantity, price, description): a later change of the package changes no order.
 */
export interface PurchaseOrder {
  id: string
  sellerId: string
  buyerType: BuyerType
  buyerId: string
  /** The buyer's tenant: the buying distributor, or the distributor that owns the customer. */
  buyerDistributorId: string
  packageId: string
  /** Points per package (hundredths). */
  packageQuantity: number
  /** MXN per package (hundredths, IVA included). */
  packagePrice: number
  packageDescription: string
  count: number
  /** Points delivered on confirmation (hundredths). */
  quantity: number
  /** MXN to pay (hundredths). */
  amount: number
  state: OrderState
  provider: string
  reference?: string | null
  transferId?: string | null
  createdAt: Date
  confirmedAt?: Date | null
  cancelledAt?: Date | null
  createdBy?: string | null
  resolvedBy?: string | null
}

export const PurchaseOrderSchema = new EntitySchema<PurchaseOrder>({
  name: 'PurchaseOrder',
  tableName: 'purchases_order',
  indexes: [
    { name: 'purchases_order_seller_index', properties: ['sellerId', 'createdAt'] },
    { name: 'purchases_order_buyer_index', properties: ['buyerId', 'createdAt'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    sellerId: { type: 'uuid' },
    buyerType: { type: 'string', length: 12 },
    buyerId: { type: 'uuid' },
    buyerDistributorId: { type: 'uuid' },
    packageId: { type: 'uuid' },
    packageQuantity: { type: new BigIntType('number') },
    packagePrice: { type: new BigIntType('number') },
    packageDescription: { type: 'string', length: 200 },
    count: { type: 'integer' },
    quantity: { type: new BigIntType('number') },
    amount: { type: new BigIntType('number') },
    state: { type: 'string', length: 10, default: 'pending' },
    provider: { type: 'string', length: 30, default: 'manual' },
    reference: { type: 'string', length: 100, nullable: true },
    transferId: { type: 'uuid', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
    confirmedAt: { type: 'datetime', nullable: true },
    cancelledAt: { type: 'datetime', nullable: true },
    createdBy: { type: 'uuid', nullable: true },
    resolvedBy: { type: 'uuid', nullable: true },
  },
})
