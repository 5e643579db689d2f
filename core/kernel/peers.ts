import pg from 'pg'
import type { EntityManager } from '@mikro-orm/postgresql'
import { sql } from '../db/sql.js'
import type { Logger } from './logger.js'

const CHANNEL = 'cm_cache'

/**
 * Per-process caches kept honest across the processes on one database: a write drops its entry
 * here and NOTIFYs the others (delivered when the writer's transaction commits), each LISTENing on
 * a connection of its own. While that connection is down (reconnected every second) notifications
 * are lost, so every cache is cleared when it drops and again when it is back. Embedded: one process.
 */
export class CachePeers {
  private readonly drops = new Map<string, (key: string | null) => void>()
  private client?: pg.Client
  private closed = false
  constructor(private readonly url: string | undefined, private readonly log: Logger) {}

  /** `drop(key)` forgets one entry; `drop(null)` all of them. */
  on(cache: string, drop: (key: string | null) => void) { this.drops.set(cache, drop) }

  publish(em: EntityManager, cache: string, key: string | null): Promise<void> {
    if (!this.url) return Promise.resolve()
    return sql(em, 'select pg_notify(?, ?)', [CHANNEL, `${cache}:${key ?? '*'}`]).then(() => {}, (e) => this.log.warn('cache notify failed', { error: String(e) }))
  }

  /** Listens (boot fails if it cannot). */
  async start(): Promise<void> {
    if (!this.url) return
    const client = this.client = new pg.Client({ connectionString: this.url })
    let lost = false
    const lose = () => { if (!lost && !this.closed) { lost = true; this.dropAll(); this.retry() } }
    client.on('notification', ({ payload = '' }) => {
      const [cache, key] = [payload.slice(0, payload.indexOf(':')), payload.slice(payload.indexOf(':') + 1)]
      this.drops.get(cache)?.(key === '*' ? null : key)
    })
    client.on('error', () => {}) // 'end' follows
    client.on('end', lose)
    try {
      await client.connect()
      await client.query(`listen ${CHANNEL}`)
    } catch (e) { lost = true; client.end().catch(() => {}); throw e }
  }

  private retry() { setTimeout(() => { if (!this.closed) this.start().then(() => this.dropAll(), () => this.retry()) }, 1_000).unref() }
  private dropAll() { for (const drop of this.drops.values()) drop(null) }
  async close() { this.closed = true; await this.client?.end().catch(() => {}) }
}
