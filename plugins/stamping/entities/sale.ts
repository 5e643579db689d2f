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
 * When stamps were last credited to each customer's CTIs (transfers are rare: one indexed row per
 * customer). Balances and the latest stamp are not kept here: the stamp path writes no row besides
 * its CTI's ledger account (see the stamping_customer_stamps view in the migrations).
 */
export interface CustomerStampFigures {
  customerId: string
  distributorId: string
  lastStampPurchaseAt?: Date | null
}

export const CustomerStampFiguresSchema = new EntitySchema<CustomerStampFigures>({
  name: 'CustomerStampFigures',
  tableName: 'stamping_customer_figures',
  indexes: [
    { name: 'stamping_figures_purchase_index', properties: ['distributorId', 'lastStampPurchaseAt'] },
  ],
  properties: {
    customerId: { type: 'uuid', primary: true },
    distributorId: { type: 'uuid' },
    lastStampPurchaseAt: { type: 'datetime', nullable: true },
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
