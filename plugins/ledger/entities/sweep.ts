import { EntitySchema } from '@mikro-orm/postgresql'

/**
 * Where the expired-pending sweeper resumes: every pending entry created before `sweptBefore` is
 * resolved. Without it each sweep (and each boot) would walk every pending entry ever written.
 */
export interface LedgerSweep {
  name: string
  sweptBefore: Date
}

export const LedgerSweepSchema = new EntitySchema<LedgerSweep>({
  name: 'LedgerSweep',
  tableName: 'ledger_sweep',
  properties: {
    name: { type: 'string', length: 50, primary: true },
    sweptBefore: { type: 'datetime' },
  },
})
