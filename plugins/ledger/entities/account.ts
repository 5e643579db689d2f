import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'

export type LedgerAsset = 'stamps' | 'points'
export const LEDGER_ASSETS: readonly LedgerAsset[] = ['stamps', 'points']

/**
 * Who holds an account. `issuer` (where minted value comes from) and `sink` (where spent stamps go)
 * are per distributor and per asset, and are not materialized: every stamp of a distributor credits
 * its sink, so a balance column there would be one row every stamp writes.
 */
export type LedgerOwnerType = 'distributor' | 'cti' | 'customer' | 'issuer' | 'sink'
export const LEDGER_OWNER_TYPES: readonly LedgerOwnerType[] = ['distributor', 'cti', 'customer', 'issuer', 'sink']
export const SYSTEM_OWNER_TYPES: readonly LedgerOwnerType[] = ['issuer', 'sink']

export interface LedgerAccount {
  id: string
  /** Tenant: the distributor whose books hold this account. */
  distributorId: string
  ownerType: LedgerOwnerType
  /** The owner's id in its own plugin (a CTI id, a customer id, a distributor id). */
  ownerId: string
  asset: LedgerAsset
  /**
   * Materialized accounts: posted credits − posted debits − unresolved pending debits, in units of
   * the asset (stamps, or hundredths of a point). Kept by the ledger service; the database refuses a
   * negative value. Always 0 on issuer and sink accounts (derived from the journal when needed).
   */
  balance: number
  materialized: boolean
  createdAt: Date
}

export const LedgerAccountSchema = new EntitySchema<LedgerAccount>({
  name: 'LedgerAccount',
  tableName: 'ledger_account',
  uniques: [{ name: 'ledger_account_owner_unique', properties: ['ownerType', 'ownerId', 'asset'] }],
  // The other CHECKs (owner types, assets, which accounts are materialized) and the triggers that
  // keep accounts from being deleted or re-owned live in the migration only.
  checks: [
    { name: 'ledger_account_balance_check', expression: 'not materialized or balance >= 0' },
  ],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid', index: 'ledger_account_distributor_id_index' },
    ownerType: { type: 'string', length: 20 },
    ownerId: { type: 'string', length: 100 },
    asset: { type: 'string', length: 10 },
    balance: { type: new BigIntType('number'), default: 0 },
    materialized: { type: 'boolean', default: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
