import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'

export type CtiType = 'standard' | 'unlimited'
export const CTI_TYPES: readonly CtiType[] = ['standard', 'unlimited']

/**
 * A stamping account (CTI, Cuenta de Timbrado): the id + password that invoicing software stamps
 * with. A standard CTI spends stamps from its ledger account; an unlimited one stamps until
 * `validUntil`, optionally for one issuer RFC only.
 */
export interface StampingAccount {
  /** Typed by the distributor or auto-assigned; unique platform-wide. */
  id: string
  /** Tenant: the distributor that owns the customer. */
  distributorId: string
  /** The customer's id (clients plugin): an id, not a relation into its tables. */
  customerId: string
  /** The customer's NIC, copied at creation (NICs never change) so lists need not ask clients per row. */
  customerNic: string
  type: CtiType
  active: boolean
  passwordHash: string
  /** Bumped on password reset, block and unblock: verified credentials cached under an older version are stale. */
  credentialsVersion: number
  /** A generated password the distributor has not seen yet; cleared once it is shown, or by a reset. */
  initialPassword?: string | null
  /** The ledger account of a standard CTI's stamps. */
  accountId?: string | null
  validUntil?: Date | null
  rfc?: string | null
  autoSaleMinimum?: number | null
  autoSaleQuantity?: number | null
  /** Hundredths of MXN charged for each automatic sale. */
  autoSaleAmount?: number | null
  /** Why the last automatic sale could not fire (shown to the distributor); null when it did. */
  autoSaleWarning?: string | null
  autoSaleWarnedAt?: Date | null
  /**
   * Why the unlimited CTI's yearly renewal could not be charged (the distributor's points were
   * short); null once paid. Past `validUntil` with a warning, the CTI refuses to stamp (`cti_renewal_unpaid`).
   */
  renewalWarning?: string | null
  renewalWarnedAt?: Date | null
  createdAt: Date
}

export const StampingAccountSchema = new EntitySchema<StampingAccount>({
  name: 'StampingAccount',
  tableName: 'stamping_cti',
  indexes: [
    { name: 'stamping_cti_distributor_customer_index', properties: ['distributorId', 'customerId'] },
    { name: 'stamping_cti_customer_index', properties: ['customerId'] },
  ],
  properties: {
    id: { type: 'string', length: 40, primary: true },
    distributorId: { type: 'uuid' },
    customerId: { type: 'uuid' },
    customerNic: { type: 'string', length: 20 },
    type: { type: 'string', length: 10, default: 'standard' },
    active: { type: 'boolean', default: true },
    passwordHash: { type: 'text', lazy: true },
    credentialsVersion: { type: 'integer', default: 1 },
    initialPassword: { type: 'string', length: 64, nullable: true, lazy: true },
    accountId: { type: 'uuid', nullable: true },
    validUntil: { type: 'datetime', nullable: true },
    rfc: { type: 'string', length: 13, nullable: true },
    autoSaleMinimum: { type: 'integer', nullable: true },
    autoSaleQuantity: { type: 'integer', nullable: true },
    autoSaleAmount: { type: new BigIntType('number'), nullable: true },
    autoSaleWarning: { type: 'string', length: 300, nullable: true },
    autoSaleWarnedAt: { type: 'datetime', nullable: true },
    renewalWarning: { type: 'string', length: 300, nullable: true },
    renewalWarnedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
