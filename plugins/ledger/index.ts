import { z } from 'zod'
import { definePlugin, type JobDefinition } from '../../core/plugin-api.js'
import { ledgerCommands } from './commands.js'
import { ledgerDemo } from './demo.js'
import { LedgerAccountSchema } from './entities/account.js'
import { LedgerEntrySchema } from './entities/entry.js'
import { LedgerSweepSchema } from './entities/sweep.js'
import { ledgerMigrations } from './migrations/index.js'
import { LEDGER_ALLOWED_DRIFT } from './migrations/unmodelled.js'
import { LedgerService } from './services/ledger.js'

export type { LedgerService, Reservation } from './services/ledger.js'
/** Errors its callers tell apart. */
export { IdempotencyConflictError, InsufficientInventoryError, InsufficientPointsError, LedgerAccountInUseError, LedgerInvalidTransferError, LedgerPendingResolvedError } from './errors.js'

declare module '../../core/plugin-api.js' {
  interface PluginServices { ledger: LedgerService }
}

export const ledgerOptions = z.object({
  /** A reservation nobody posted or voided within this time is voided (its process died). */
  pendingTimeoutMs: z.number().int().positive().default(5 * 60_000),
  /** How often to look for expired reservations; 0 only sweeps at boot. */
  sweepIntervalMs: z.number().int().nonnegative().default(60_000),
})

export default definePlugin({
  id: 'ledger',
  title: 'Libro de movimientos (timbres y puntos)',
  version: '0.1.0',
  options: ledgerOptions,
  entities: [LedgerAccountSchema, LedgerEntrySchema, LedgerSweepSchema],
  migrations: ledgerMigrations,
  unmodelledDdl: LEDGER_ALLOWED_DRIFT,
  services: (ctx) => new LedgerService(ctx.directory),
  commands: (ctx) => ledgerCommands(ctx.use('ledger'), () => ctx.em()),
  demo: (ctx) => ledgerDemo(ctx.use('ledger')),
  async bootstrap(ctx) {
    // Reservations a dead process left behind are voided at boot, then by the job below.
    const n = await ctx.use('ledger').voidExpiredPending(ctx.em(), ctx.options.pendingTimeoutMs)
    if (n) ctx.log.warn(`voided ${n} expired reservation(s)`)
  },
  jobs: (ctx): Record<string, JobDefinition> => (ctx.options.sweepIntervalMs ? {
    // One process at a time (the kernel's lock); the staff console shows the last run.
    'void-expired': {
      everyMs: ctx.options.sweepIntervalMs,
      run: async ({ em, log }) => {
        const n = await ctx.use('ledger').voidExpiredPending(em, ctx.options.pendingTimeoutMs)
        if (n) log.warn(`voided ${n} expired reservation(s)`)
        return `${n} reservas vencidas anuladas`
      },
    },
  } : {}),
})
