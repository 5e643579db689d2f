import { MikroORM, PostgreSqlDriver, type EntitySchema, type Options } from '@mikro-orm/postgresql'
import { Migrator } from '@mikro-orm/migrations'
import pg from 'pg'
import type { MigrationEntry } from '../kernel/plugin.js'
import { GuardedEntityManager, guardSingleConnection } from './single-connection-guard.js'

export type ConnectionOptions =
  | { clientUrl: string }
  | { host: string, port: number, user: string, dbName: string }

export interface OrmOptions {
  connection: ConnectionOptions
  entities: EntitySchema<any, any>[]
  migrations: MigrationEntry[]
  /** Embedded PGlite: one backend, so one connection that everything shares. */
  singleConnection: boolean
  poolSize?: number
}

export const MIGRATIONS_TABLE = 'core_migrations'

export function ormConfig(o: OrmOptions): Options {
  return {
    driver: PostgreSqlDriver,
    ...o.connection,
    entities: o.entities,
    extensions: [Migrator],
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: process.env.CM_SQL_DEBUG === '1',
    pool: o.singleConnection
      ? { min: 1, max: 1, idleTimeoutMillis: 600_000 }
      : { min: 0, max: o.poolSize ?? 10 },
    // Waiting longer than this for a connection means something holds it for too long: say so.
    driverOptions: { acquireConnectionTimeout: o.singleConnection ? 30_000 : 10_000 },
    entityManager: (o.singleConnection ? GuardedEntityManager : undefined) as never,
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationsList: o.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  }
}

export async function openOrm(o: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(o))
  if (o.singleConnection) guardSingleConnection(orm)
  return orm
}

/**
 * Runs pending migrations. On a server several processes boot at once (a deploy starts them
 * together): the first to take the lock migrates, the others wait for it and then find nothing
 * pending. Without it they raced on `create table core_migrations` and on each migration's DDL, and
 * all but one failed to start. The lock is held on a connection of its own, outside the pool, so it
 * works whatever the pool size, and a process that dies while migrating releases it with its
 * connection (its migration transaction rolls back). `serverUrl` is that server's; the embedded
 * database (no URL) has one process, so it takes no lock.
 */
export async function migrate(orm: MikroORM, serverUrl?: string): Promise<string[]> {
  const up = async () => (await orm.getMigrator().up()).map((m) => m.name)
  if (!serverUrl) return up()
  const lock = new pg.Client({ connectionString: serverUrl })
  await lock.connect()
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [MIGRATIONS_TABLE])
    return await up()
  } finally {
    // Ending the session releases the lock.
    await lock.end()
  }
}
