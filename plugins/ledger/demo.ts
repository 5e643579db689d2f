import type { DemoSeeder } from '../../core/plugin-api.js'
import type { LedgerService } from './services/ledger.js'

export const DEMO_STAMPS = 100_000

/** Each demo distributor starts with 100 000 stamps minted into its inventory. */
export const ledgerDemo = (ledger: LedgerService): DemoSeeder => ({
  async seed(em, distributor) {
    await ledger.mint(em, { distributorId: distributor.id, stamps: DEMO_STAMPS, memo: 'demo' })
    return { stampInventory: DEMO_STAMPS }
  },
})
