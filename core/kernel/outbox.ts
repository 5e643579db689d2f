import type { EntityManager, MikroORM } from '@mikro-orm/postgresql'
import type { Logger } from './logger.js'

export interface OutboxMessage { id: string, name: string, payload: unknown, attempt: number }
export type OutboxHandler = (message: OutboxMessage) => Promise<void> | void

/** A claimed row neither delivered nor failed within this time (its process died) is due again. */
const LEASE_MS = 5 * 60_000
const text = (e: unknown) => String((e as Error)?.message ?? e).slice(0, 2000)

/**
 * Durable work after commit. `emit` inserts one row per subscriber in the caller's transaction, so a
 * rollback leaves nothing. `deliver` claims due rows (FOR UPDATE SKIP LOCKED, moving them a lease
 * ahead), calls each handler outside any transaction, then marks the row delivered or schedules a
 * retry in 2^attempts s (at most 1 h). At least once: handlers are idempotent by the row's id.
 */
export class Outbox {
  private readonly subscribers = new Map<string, { name: string, handler: OutboxHandler }>()
  private running?: Promise<unknown>
  constructor(private readonly orm: MikroORM, private readonly clock: () => Date, private readonly log: Logger) {}

  /** Subscriber '<plugin>:<name>': each subscriber of an event is delivered and retried on its own. */
  on(plugin: string, name: string, handler: OutboxHandler): void {
    if (this.subscribers.has(`${plugin}:${name}`)) throw new Error(`Outbox subscriber '${plugin}:${name}' is registered twice`)
    this.subscribers.set(`${plugin}:${name}`, { name, handler })
  }

  async emit(em: EntityManager, name: string, payload: unknown): Promise<void> {
    const subscribers = [...this.subscribers].filter(([, s]) => s.name === name).map(([id]) => id)
    if (!subscribers.length) return
    await em.execute(`insert into core_outbox (name, subscriber, payload, next_attempt_at) values ${subscribers.map(() => '(?, ?, ?::jsonb, ?)').join(', ')}`,
      subscribers.flatMap((s) => [name, s, JSON.stringify(payload ?? null), this.clock()]))
  }

  /** Delivers every row due now; returns how many were delivered. */
  async deliver(): Promise<number> {
    const subscribers = [...this.subscribers.keys()]
    const em = this.orm.em.fork()
    let delivered = 0
    for (;;) {
      const now = this.clock()
      const rows = subscribers.length ? await em.execute<{ id: string, name: string, subscriber: string, payload: unknown, attempts: number }[]>(
        `update core_outbox set attempts = attempts + 1, next_attempt_at = ? where id in (select id from core_outbox where delivered_at is null
          and next_attempt_at <= ? and subscriber in (${subscribers.map(() => '?').join(', ')}) order by next_attempt_at limit 20 for update skip locked)
          returning id, name, subscriber, payload, attempts`, [new Date(now.getTime() + LEASE_MS), now, ...subscribers]) : []
      if (!rows.length) return delivered
      for (const row of rows) {
        try {
          await this.subscribers.get(row.subscriber)!.handler({ id: row.id, name: row.name, payload: row.payload, attempt: row.attempts })
          await em.execute('update core_outbox set delivered_at = ?, last_error = null where id = ?', [this.clock(), row.id])
          delivered++
        } catch (e) {
          this.log.warn(`outbox ${row.subscriber} failed (attempt ${row.attempts})`, { id: row.id, error: text(e) })
          const retryAt = new Date(this.clock().getTime() + Math.min(2 ** row.attempts, 3600) * 1000)
          await em.execute('update core_outbox set next_attempt_at = ?, last_error = ? where id = ?', [retryAt, text(e), row.id])
        }
      }
    }
  }

  /** Delivers on a timer that never keeps the process alive; returns the stop. */
  start(everyMs: number): () => Promise<void> {
    const timer = setInterval(() => {
      this.running ??= this.deliver().catch((e) => this.log.error('outbox delivery failed', { error: text(e) })).finally(() => { this.running = undefined })
    }, everyMs).unref()
    return async () => { clearInterval(timer); await this.running }
  }
}
