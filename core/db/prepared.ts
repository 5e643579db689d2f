import { createHash } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { sql } from './sql.js'

export interface PgClient { query: (q: { name?: string, text: string, values: unknown[] }) => Promise<{ rows: unknown[] }> }
interface KnexClient { acquireConnection: () => Promise<PgClient>, releaseConnection: (c: PgClient) => Promise<void>, pool?: { max?: number } }

interface Statement { text: string, name: string }
const statements = new Map<string, Statement>()

/*
 * A generic plan is made once, from the table sizes of that moment, and kept until something
 * invalidates it (an ANALYZE, DDL). A plan made while a table was nearly empty (a new database, the
 * first minutes of a day's partition) scans it whole, which is fine at 50 rows and ruinous at
 * 50,000: seen here, a batch's post scanning every pending entry, 30 ms instead of 1. So each
 * connection drops its cached plans this often (DISCARD PLANS keeps the prepared statements): a
 * few re-plans per statement every few seconds, nothing next to planning every call.
 */
export const REPLAN_EVERY_MS = 5_000
const plannedAt = new WeakMap<PgClient, number>()

/** `?` placeholders (as MikroORM and knex take them) to `$n`, outside quoted strings and identifiers. */
export function numberPlaceholders(query: string): string {
  let n = 0
  return query.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === '?' ? `$${++n}` : m))
}

function statementFor(query: string): Statement {
  let s = statements.get(query)
  if (!s) {
    s = { text: numberPlaceholders(query), name: `cm_${createHash('sha1').update(query).digest('hex').slice(0, 20)}` }
    statements.set(query, s)
  }
  return s
}

/**
 * A hot statement of fixed text, outside any transaction, as a named prepared statement on a pooled
 * connection: PostgreSQL plans it once per connection instead of on every call (for the stamping
 * API's batch statements that was ~40% of their time), and the call skips MikroORM's and knex's
 * query building. Inside a transaction it runs on the transaction's connection like `sql()`.
 *
 * The embedded database (a pool of one) gets the statement unnamed: its single backend outlives the
 * socket connections, so a name prepared on one would collide on the next.
 */
export async function preparedSql<T>(em: EntityManager, query: string, params: unknown[] = []): Promise<T> {
  if (em.getTransactionContext()) return sql<T>(em, query, params)
  const client = em.getConnection().getKnex().client as unknown as KnexClient
  const connection = await client.acquireConnection()
  try {
    return (await runPrepared(connection, query, params, { named: (client.pool?.max ?? 2) > 1 })) as T
  } finally {
    await client.releaseConnection(connection)
  }
}

/** One run of a fixed statement on a given pg connection (see preparedSql). `now` is for tests. */
export async function runPrepared(connection: PgClient, query: string, params: unknown[], opts: { named: boolean, now?: number }): Promise<unknown[]> {
  const { text, name } = statementFor(query)
  if (!opts.named) return (await connection.query({ text, values: params })).rows
  const now = opts.now ?? Date.now()
  const at = plannedAt.get(connection)
  if (at === undefined) plannedAt.set(connection, now)
  else if (now - at > REPLAN_EVERY_MS) {
    await connection.query({ text: 'discard plans', values: [] })
    plannedAt.set(connection, now)
  }
  return (await connection.query({ name, text, values: params })).rows
}
