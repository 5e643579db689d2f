import { parseArgs } from 'node:util'
import type { EntityManager } from '@mikro-orm/postgresql'
import { formatHundredths, isCatalogedError, parseHundredths, type CliCommand } from '../../core/plugin-api.js'
import type { LedgerService } from './services/ledger.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `ledger verify` and `mint`. Exit codes: 0 done, 1 verify found mismatches, 2 bad input. */
export function ledgerCommands(ledger: LedgerService, em: () => EntityManager): Record<string, CliCommand> {
  return {
    ledger: {
      description: 'verify: recompute every balance from the journal; exits 1 listing mismatches',
      async run(args, io) {
        const [sub, ...rest] = args
        if (sub !== 'verify' || rest.length) { io.err('usage: ledger verify'); return 2 }
        const mismatches = await ledger.verify(em())
        if (!mismatches.length) { io.out('ledger verify: journal and balances agree'); return 0 }
        for (const m of mismatches) io.err(`${m.check}: ${m.message}`)
        io.err(`ledger verify: ${mismatches.length} mismatch(es)`)
        return 1
      },
    },
    mint: {
      description: '--distributor ID --stamps N [--points P]: issue stamps and points (pesos, e.g. 150.00) into a distributor\'s inventory',
      async run(args, io) {
        const usage = 'usage: mint --distributor ID [--stamps N] [--points P]   (N a whole number, P in pesos like 150.00; at least one)'
        let values: { distributor?: string, stamps?: string, points?: string }
        try {
          values = parseArgs({ args, strict: true, options: { distributor: { type: 'string' }, stamps: { type: 'string' }, points: { type: 'string' } } }).values
        } catch (e) { io.err(`${(e as Error).message}\n${usage}`); return 2 }
        if (!values.distributor || !UUID.test(values.distributor)) { io.err(`--distributor must be a distributor id (uuid)\n${usage}`); return 2 }
        if (values.stamps === undefined && values.points === undefined) { io.err(`nothing to mint\n${usage}`); return 2 }
        let stamps: number | undefined
        if (values.stamps !== undefined) {
          stamps = /^\d{1,15}$/.test(values.stamps) ? Number(values.stamps) : NaN
          if (!Number.isSafeInteger(stamps) || stamps <= 0) { io.err(`--stamps must be a positive whole number, not '${values.stamps}'`); return 2 }
        }
        let points: number | undefined
        if (values.points !== undefined) {
          points = parseHundredths(values.points) ?? NaN
          if (!(points > 0)) { io.err(`--points must be a positive amount in pesos with at most two decimals (150.00), not '${values.points}'`); return 2 }
        }
        try {
          const result = await ledger.mint(em(), { distributorId: values.distributor, stamps, points, memo: 'CLI mint' })
          for (const e of result.entries) {
            io.out(`minted ${e.asset === 'points' ? `${formatHundredths(e.amount)} points` : `${e.amount} stamps`} into ${values.distributor} (entry ${e.id}, balance ${e.asset === 'points' ? formatHundredths(result.balances[e.to]) : result.balances[e.to]})`)
          }
          return 0
        } catch (e) {
          if (isCatalogedError(e) && e.status < 500) { io.err(`${e.code}: ${e.message}`); return 2 }
          throw e
        }
      },
    },
  }
}
