import { MikroORM, PostgreSqlDriver, type EntitySchema, type Options } from '@mikro-orm/postgresql'
import { Migrator } from '@mikro-orm/migrations'
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

export async function migrate(orm: MikroORM): Promise<string[]> {
  const done = await orm.getMigrator().up()
  return done.map((m) => m.name)
}
