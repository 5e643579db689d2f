import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'

export type BuyerType = 'distributor' | 'customer'
export type SaleAsset = 'stamps' | 'points' | 'offer'

/**
 * One row per purchase or transfer this plugin (and its contracts part) makes: what billing invoices
 * later (invoiceRef empty until then). The seller is the tenant; the buyer sees its own rows through
 * buyerDistributorId (a distributor buyer: itself; a customer: the distributor that owns it).
 */
export interface PurchaseSale {
  id: string
  /** The selling distributor (the tenant). */
  sellerId: string
  buyerType: BuyerType
  /** A distributor's id or a customer's id. */
  buyerId: string
  /** The buyer's tenant: the buying distributor itself, or the distributor that owns the customer. */
  buyerDistributorId: string
  /** What happened: 'stamps_purchase', 'points_order', 'points_transfer', 'pcc_stamps', 'pcc_points_order', or a contracts kind. */
  kind: string
  asset: SaleAsset
  packageId?: string | null
  offerId?: string | null
  /** A CTI the stamps went to (PCC purchases). */
  ctiId?: string | null
  description: string
  /** Units delivered: stamps, hundredths of a point, or 1 for an offer. */
  quantity: number
  /** Hundredths of MXN, IVA included. */
  amount: number
  /** Hundredths of a point the buyer paid (0 when paid with money). */
  points: number
  /** The ledger operation (null only for a sale that moved nothing through the ledger). */
  transferId?: string | null
  /** The order that produced it (points bought with money). */
  orderId?: string | null
  invoiceRef?: string | null
  actorProfileId?: string | null
  createdAt: Date
}

export const PurchaseSaleSchema = new EntitySchema<PurchaseSale>({
  name: 'PurchaseSale',
  tableName: 'purchases_sale',
  indexes: [
    { name: 'purchases_sale_seller_created_index', properties: ['sellerId', 'createdAt'] },
    { name: 'purchases_sale_buyer_created_index', properties: ['buyerDistributorId', 'createdAt'] },
    { name: 'purchases_sale_transfer_index', properties: ['transferId'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    sellerId: { type: 'uuid' },
    buyerType: { type: 'string', length: 12 },
    buyerId: { type: 'uuid' },
    buyerDistributorId: { type: 'uuid' },
    kind: { type: 'string', length: 30 },
    asset: { type: 'string', length: 10 },
    packageId: { type: 'uuid', nullable: true },
    offerId: { type: 'uuid', nullable: true },
    ctiId: { type: 'string', length: 40, nullable: true },
    description: { type: 'string', length: 200 },
    quantity: { type: new BigIntType('number') },
    amount: { type: new BigIntType('number') },
    points: { type: new BigIntType('number'), default: 0 },
    transferId: { type: 'uuid', nullable: true },
    orderId: { type: 'uuid', nullable: true },
    invoiceRef: { type: 'string', length: 100, nullable: true },
    actorProfileId: { type: 'uuid', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
