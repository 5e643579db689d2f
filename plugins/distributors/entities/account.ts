import { EntitySchema } from '@mikro-orm/postgresql'

/**
 * One row per distributor (the root excluded): the account data the kernel does not keep (legal
 * name, RFC, contacts) and a read model of the kernel's row (parent, state, CM expiry), refreshed
 * from the core.distributor* events inside the writer's transaction. `id` is the distributor's id.
 */
export interface DistributorAccount {
  id: string
  parentId: string | null
  name: string
  state: string
  cmExpiresAt: string | null
  legalName: string
  rfc: string | null
  contactName: string | null
  contactEmail: string | null
  contactPhone: string | null
  /** The profile invited as first member while the account is "Sin validar". */
  invitedProfileId: string | null
  /** When the state last changed (a cancellation starts the 30 days before the purge). */
  stateChangedAt: Date
  purgedAt: Date | null
  createdAt: Date
}

export const DistributorAccountSchema = new EntitySchema<DistributorAccount>({
  name: 'DistributorAccount',
  tableName: 'distributors_account',
  indexes: [
    { name: 'distributors_account_state_index', properties: ['state', 'createdAt'] },
    { name: 'distributors_account_parent_id_index', properties: ['parentId'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    parentId: { type: 'uuid', nullable: true },
    name: { type: 'string', length: 200 },
    state: { type: 'string', length: 20 },
    cmExpiresAt: { type: 'date', nullable: true },
    legalName: { type: 'string', length: 300 },
    rfc: { type: 'string', length: 13, nullable: true },
    contactName: { type: 'string', length: 200, nullable: true },
    contactEmail: { type: 'string', length: 254, nullable: true },
    contactPhone: { type: 'string', length: 30, nullable: true },
    invitedProfileId: { type: 'uuid', nullable: true },
    stateChangedAt: { type: 'datetime', defaultRaw: 'now()' },
    purgedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
