import type { EntityManager, MikroORM } from '@mikro-orm/postgresql'
import { NotFoundError } from './errors.js'
import type { Logger } from './logger.js'

/** A run gets the (injectable) clock's time and the transaction that holds the job's lock. */
export interface JobRun { now: Date, em: EntityManager, log: Logger }
/** `run` may return a short text (e.g. "3 vencidos"), shown as the last result in the staff console. */
export interface JobDefinition { everyMs: number, run(job: JobRun): Promise<string | void> }
export interface JobOutcome { ran: boolean, result?: string, error?: string }

const RECORD = `insert into core_job (name, last_started_at, last_finished_at, last_result, last_error, runs) values (?, ?, ?, ?, ?, 1)
  on conflict (name) do update set last_started_at = excluded.last_started_at, last_finished_at = excluded.last_finished_at,
  last_result = excluded.last_result, last_error = excluded.last_error, runs = core_job.runs + 1`
const text = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 2000)

/**
 * Jobs named '<plugin>.<name>'. A run is one transaction that first takes a transaction advisory lock
 * on the name: among many processes one runs it, the others skip. Each run is recorded in core_job, a
 * failed one after its transaction rolled back.
 */
export class Jobs {
  private readonly defs = new Map<string, { def: JobDefinition, log: Logger }>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly running = new Map<string, Promise<unknown>>()
  constructor(private readonly orm: MikroORM, private readonly clock: () => Date) {}

  add(name: string, def: JobDefinition, log: Logger): void {
    if (!(def.everyMs > 0)) throw new Error(`Job '${name}' needs a positive everyMs`)
    this.defs.set(name, { def, log })
  }

  names(): string[] { return [...this.defs.keys()] }

  async run(name: string): Promise<JobOutcome> {
    const job = this.defs.get(name)
    if (!job) throw new NotFoundError(`Job '${name}'`)
    const now = this.clock()
    let ran = false
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const [{ locked }] = await em.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(hashtext(?)) as locked', [`job:${name}`])
        if (!locked) return { ran, result: undefined }
        ran = true
        const result = (await job.def.run({ now, em, log: job.log })) ?? undefined
        await em.execute(RECORD, [name, now, this.clock(), result ?? null, null])
        return { ran, result }
      })
    } catch (e) {
      if (!ran) throw e
      job.log.error(`job ${name} failed`, { error: String((e as Error)?.stack ?? e) })
      await this.orm.em.fork().execute(RECORD, [name, now, this.clock(), null, text(e)])
      return { ran, error: text(e) }
    }
  }

  /** The first run comes after one interval; the timers never keep the process alive. Returns the stop. */
  start(): () => Promise<void> {
    for (const [name, { def, log }] of this.defs) {
      this.timers.push(setInterval(() => {
        if (!this.running.has(name)) {
          this.running.set(name, this.run(name).catch((e) => log.error(`job ${name} could not run`, { error: text(e) })).finally(() => this.running.delete(name)))
        }
      }, def.everyMs).unref())
    }
    return async () => {
      for (const t of this.timers.splice(0)) clearInterval(t)
      await Promise.all(this.running.values())
    }
  }
}
