import type { EntityManager } from '@mikro-orm/postgresql'
import type { CliCommand } from '../../core/plugin-api.js'
import type { CtiService } from './services/ctis.js'

/** `stamping figures [--fix]`: the customers' stamp figures against the ledger. Exit 1 on mismatches (unless fixed). */
export function stampingCommands(ctis: CtiService, em: () => EntityManager): Record<string, CliCommand> {
  return {
    stamping: {
      description: 'figures [--fix]: check each customer\'s stamp figure against its CTIs\' ledger balances (--fix mends them; run while nothing stamps)',
      async run(args, io) {
        const [sub, ...rest] = args
        const fix = rest.length === 1 && rest[0] === '--fix'
        if (sub !== 'figures' || (rest.length && !fix)) { io.err('usage: stamping figures [--fix]'); return 2 }
        const found = await ctis.figureMismatches(em(), fix)
        for (const m of found) io.err(`customer ${m.customerId}: figure ${m.figure}, ledger ${m.ledger}${fix ? ' (mended)' : ''}`)
        io.out(found.length ? `stamping figures: ${found.length} customer(s) ${fix ? 'mended' : 'disagree'}` : 'stamping figures: agree with the ledger')
        return found.length && !fix ? 1 : 0
      },
    },
  }
}
