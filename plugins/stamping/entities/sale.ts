import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'

export type SaleKind = 'transfer' | 'mass_transfer' | 'auto_sale'

/** Stamps sold to a customer's CTI: what billing invoices later (invoiceRef empty until then). */
export interface StampSale {
  id: string
  distributorId: string
  customerId: string
  ctiId: string
  kind: SaleKind
  quantity: number
  /** Hundredths of MXN, IVA included. */
  amount: number
  /** The ledger operation that moved the stamps. */
  transferId: string
  invoiceRef?: string | null
  actorProfileId?: string | null
  createdAt: Date
}

export const StampSaleSchema = new EntitySchema<StampSale>({
  name: 'StampSale',
  tableName: 'stamping_sale',
  indexes: [
    { name: 'stamping_sale_distributor_created_index', properties: ['distributorId', 'createdAt'] },
    { name: 'stamping_sale_transfer_index', properties: ['transferId'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid' },
    customerId: { type: 'uuid' },
    ctiId: { type: 'string', length: 40 },
    kind: { type: 'string', length: 20 },
    quantity: { type: 'integer' },
    amount: { type: new BigIntType('number') },
    transferId: { type: 'uuid' },
    invoiceRef: { type: 'string', length: 100, nullable: true },
    actorProfileId: { type: 'uuid', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

/**
 * Per-customer figures the clients list shows and sorts by (its `clients.customerFigures` extension
 * point), one indexed row per customer. A projection of the ledger, not books: a sale updates it in
 * its own transaction, a stamp in the transaction that posts it and records its TFD (one per batch
 * of stamps, so a hot customer's row is locked once per batch, not once per stamp). A stamp in flight
 * (reserved, not yet posted) is not in it yet. `stamping figures` checks it against the ledger and
 * mends it; run it while nothing stamps.
 */
export interface CustomerStampFigures {
  customerId: string
  distributorId: string
  /** Sum of the customer's standard CTIs' available balances. */
  stampBalance: number
  lastStampPurchaseAt?: Date | null
  lastStampedAt?: Date | null
}

export const CustomerStampFiguresSchema = new EntitySchema<CustomerStampFigures>({
  name: 'CustomerStampFigures',
  tableName: 'stamping_customer_figures',
  indexes: [
    { name: 'stamping_figures_balance_index', properties: ['distributorId', 'stampBalance'] },
    { name: 'stamping_figures_purchase_index', properties: ['distributorId', 'lastStampPurchaseAt'] },
    { name: 'stamping_figures_stamped_index', properties: ['distributorId', 'lastStampedAt'] },
  ],
  properties: {
    customerId: { type: 'uuid', primary: true },
    distributorId: { type: 'uuid' },
    stampBalance: { type: new BigIntType('number'), default: 0 },
    lastStampPurchaseAt: { type: 'datetime', nullable: true },
    lastStampedAt: { type: 'datetime', nullable: true },
  },
})

/** The sandbox PAC's key and certificate: generated on first start, kept in the database. */
export interface SandboxPacKey { id: number, privateKeyPem: string, certificatePem: string, noCertificado: string, createdAt: Date }

export const SandboxPacKeySchema = new EntitySchema<SandboxPacKey>({
  name: 'SandboxPacKey',
  tableName: 'stamping_pac_key',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: false },
    privateKeyPem: { type: 'text' },
    certificatePem: { type: 'text' },
    noCertificado: { type: 'string', length: 20 },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
