import test from 'ava'
import { EntitySchema } from '@mikro-orm/postgresql'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { openOrm } from '../../core/db/orm.js'
import { coreEntities } from '../../core/identity/entities.js'
import { CustomerSchema } from '../../plugins/clients/entities/customer.js'
import { baseKernelConfig, freshDatabase, type FreshDatabase } from '../helpers/db.js'
import { LEDGER_ALLOWED_DRIFT } from '../../plugins/ledger/migrations/unmodelled.js'
import { STAMPING_ALLOWED_DRIFT } from '../../plugins/stamping/migrations/unmodelled.js'
import { CLIENTS_ALLOWED_DRIFT } from '../../plugins/clients/migrations/unmodelled.js'

/**
 * DDL the migrations write on purpose and MikroORM cannot model, so its diff wants to undo it. Each
 * entry is one exact statement: anything else in the diff (a new, changed or removed property, a
 * renamed index) is drift. Entries: CHECK constraints (MikroORM drops them and, for `col in (…)`,
 * also reads the column as an enum and wants to retype it) and partial unique indexes.
 */
const ALLOWED_BY_OWNER: Record<string, string[]> = {
  core: [
    // core_0001_identity
    'alter table "core_profile" drop constraint core_profile_email_lower;',
    'alter table "core_distributor" drop constraint if exists "core_distributor_state_check";',
    'alter table "core_distributor" alter column "state" type varchar(20) using ("state"::varchar(20));',
    'drop index "core_distributor_one_root";',
  ],
  // clients_0001_customer, clients_0002_customer_record: kept beside the clients migrations
  clients: CLIENTS_ALLOWED_DRIFT,
  // ledger_0001_journal: kept beside the ledger's own drift test
  ledger: LEDGER_ALLOWED_DRIFT,
  // stamping_0001_ctis
  stamping: STAMPING_ALLOWED_DRIFT,
}

const statements = (sql: string) => sql.split('\n').map((s) => s.trim()).filter(Boolean)

let db: FreshDatabase
let kernel: Kernel
/** The entries of core and the installed plugins. */
let ALLOWED: string[] = []
test.before(async () => {
  db = await freshDatabase()
  // Embedded: migrate an empty database here, so this file checks what the migrations build.
  kernel = await bootKernel(baseKernelConfig(process.env.DATABASE_URL ? db.config : { embeddedSnapshot: 'empty' }))
  ALLOWED = ['core', ...kernel.installedIds].flatMap((owner) => ALLOWED_BY_OWNER[owner] ?? [])
})
test.after.always(async () => { await kernel?.close(); await db?.drop() })

/** The diff MikroORM would apply to make the database match these entities. */
async function diffFor(entities: EntitySchema<any, any>[]): Promise<string[]> {
  const orm = await openOrm({
    connection: kernel.embedded ? kernel.embedded.connection : { clientUrl: kernel.config.databaseUrl! },
    singleConnection: !!kernel.embedded,
    entities,
    migrations: [],
  })
  try { return statements(await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })) } finally { await orm.close(true) }
}

const installedEntities = () => [...coreEntities, ...kernel.plugins.flatMap((p) => p.plugin.entities ?? [])]

/** Customer with its properties changed: what a developer would do without writing a migration. */
const customerVariant = (change: (props: Record<string, unknown>) => void) => {
  const properties: Record<string, unknown> = { ...CustomerSchema.meta.properties }
  change(properties)
  return new EntitySchema<any>({ name: 'Customer', tableName: 'clients_customer', indexes: CustomerSchema.meta.indexes, properties: properties as never })
}
const withCustomer = (variant: EntitySchema<any, any>) => installedEntities().map((e) => (e === CustomerSchema ? variant : e))

test.serial('the migrations build exactly the schema the installed entities describe', async (t) => {
  const diff = statements(await kernel.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false }))
  t.deepEqual(diff.filter((s) => !ALLOWED.includes(s)), [], 'entities and migrations disagree: write a migration')
  // The allow-list stays honest: an entry nobody needs any more is removed.
  t.deepEqual(ALLOWED.filter((s) => !diff.includes(s)), [], 'allow-listed DDL no longer in the diff')
})

test.serial('an entity property without a migration is caught', async (t) => {
  const added = await diffFor(withCustomer(customerVariant((p) => { p.notes = { type: 'string', length: 100, nullable: true } })))
  t.deepEqual(added.filter((s) => !ALLOWED.includes(s)), ['alter table "clients_customer" add column "notes" varchar(100) null;'])

  const longer = await diffFor(withCustomer(customerVariant((p) => { p.legalName = { type: 'string', length: 400 } })))
  t.true(longer.filter((s) => !ALLOWED.includes(s)).some((s) => s.includes('"legal_name" type varchar(400)')))

  const removed = await diffFor(withCustomer(customerVariant((p) => { delete p.phone })))
  t.true(removed.filter((s) => !ALLOWED.includes(s)).some((s) => s.includes('drop column "phone"')))
})
