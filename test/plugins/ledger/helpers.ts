import { randomUUID } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import clients from '../../../plugins/clients/index.js'
import ledger, { type LedgerService } from '../../../plugins/ledger/index.js'
import { sql } from '../../../core/db/sql.js'
import { startTestApp, type TestApp } from '../../helpers/app.js'

/** clients + ledger on a fresh database. The periodic sweep is off: tests call it themselves. */
export function startLedgerApp(options: Record<string, unknown> = { sweepIntervalMs: 0 }): Promise<TestApp> {
  return startTestApp({ kernel: { plugins: [{ plugin: clients }, { plugin: ledger, options }] } })
}

/** Accounts and balances for ledger tests, written through the ledger service. */
export class Books {
  readonly ledger: LedgerService
  constructor(readonly app: TestApp) {
    this.ledger = app.app.kernel.contexts.get('ledger')!.use('ledger')
  }

  em(): EntityManager { return this.app.app.kernel.orm.em.fork() }

  /** A distributor with `stamps` (and `points` hundredths) minted into its inventory. */
  async distributor(stamps = 1000, points = 0) {
    const d = await this.app.fixtures.distributor()
    await this.ledger.mint(this.em(), { distributorId: d.id, stamps, ...(points ? { points } : {}) })
    const inventory = (await this.ledger.accountOf(this.em(), 'distributor', d.id, 'stamps'))!.id
    const pointsInventory = points ? (await this.ledger.accountOf(this.em(), 'distributor', d.id, 'points'))!.id : undefined
    return { ...d, inventory, pointsInventory }
  }

  /** A CTI stamps account of the distributor, loaded from its inventory. */
  async cti(d: { id: string, inventory: string }, stamps = 0): Promise<string> {
    const account = await this.ledger.ensureAccount(this.em(), { ownerType: 'cti', ownerId: randomUUID(), asset: 'stamps', distributorId: d.id })
    if (stamps) await this.ledger.transfer(this.em(), { from: d.inventory, to: account.id, amount: stamps, kind: 'sale' })
    return account.id
  }

  balance(account: string) { return this.ledger.balance(this.em(), account) }

  async entryCount(account: string): Promise<number> {
    const [r] = await sql<{ n: number }[]>(this.em(), 'select count(*)::int as n from ledger_entry where debit_account = ? or credit_account = ?', [account, account])
    return r.n
  }
}
