import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'

export type StampStatus = 'pending' | 'stamped'

/**
 * One document stamped (or being stamped) by a CTI. The row is claimed before a stamp is reserved;
 * `(cti, document hash)` is unique, so two requests for the same document never both charge.
 */
export interface StampRecord {
  id: string
  ctiId: string
  distributorId: string
  /** SHA-256 (hex) of the decoded XML. */
  docSha256: string
  status: StampStatus
  claimedAt: Date
  /** Who holds the claim: a request that took over a stale claim gets a new token, so the old holder can neither record nor release it. */
  claimToken: string
  /** The ledger's pending entry (standard CTIs). */
  pendingId?: string | null
  uuid?: string | null
  stampedXml?: string | null
  stampedAt?: Date | null
  app?: string | null
}

export const StampRecordSchema = new EntitySchema<StampRecord>({
  name: 'StampRecord',
  tableName: 'stamping_stamp',
  uniques: [{ name: 'stamping_stamp_cti_doc_unique', properties: ['ctiId', 'docSha256'] }],
  indexes: [{ name: 'stamping_stamp_distributor_stamped_index', properties: ['distributorId', 'stampedAt'] }],
  properties: {
    id: { type: new BigIntType('string'), primary: true, autoincrement: true },
    ctiId: { type: 'string', length: 40 },
    distributorId: { type: 'uuid' },
    docSha256: { type: 'string', length: 64 },
    status: { type: 'string', length: 10, default: 'pending' },
    claimedAt: { type: 'datetime', defaultRaw: 'now()' },
    claimToken: { type: 'uuid' },
    pendingId: { type: new BigIntType('string'), nullable: true },
    uuid: { type: 'uuid', nullable: true },
    stampedXml: { type: 'text', nullable: true, lazy: true },
    stampedAt: { type: 'datetime', nullable: true },
    app: { type: 'string', length: 100, nullable: true },
  },
})

/** A client's idempotency id (`idd`) bound to the stamp it names, per CTI. */
export interface StampIdd { ctiId: string, idd: string, stampId: string }

export const StampIddSchema = new EntitySchema<StampIdd>({
  name: 'StampIdd',
  tableName: 'stamping_stamp_idd',
  properties: {
    ctiId: { type: 'string', length: 40, primary: true },
    idd: { type: 'string', length: 100, primary: true },
    stampId: { type: new BigIntType('string') },
  },
})
