import test from 'ava'
import { LEDGER_ALLOWED_DRIFT } from '../../../plugins/ledger/migrations/unmodelled.js'
import { EntitySchema } from '@mikro-orm/postgresql'
import { openOrm } from '../../../core/db/orm.js'
import { sql } from '../../../core/db/sql.js'
import { LedgerEntrySchema } from '../../../plugins/ledger/entities/entry.js'
import type { TestApp } from '../../helpers/app.js'
import { startLedgerApp } from './helpers.js'

/**
 * DDL the ledger's migration writes on purpose and MikroORM cannot model, so its diff wants to undo
 * it: CHECKs on `col in (…)` (read as enums, hence the retyping) and other CHECKs. Partial indexes
 * are declared on the entity as `expression` indexes (compared by name); triggers are invisible to
 * the diff and checked separately below. (When ledger is
 * installed, these join ALLOWED_BY_OWNER.ledger in test/core/schema-drift.test.ts.)
 */

const ledgerStatements = (diff: string) => diff.split('\n').map((s) => s.trim()).filter((s) => s.includes('"ledger_') || s.includes(' ledger_'))

let t0: TestApp
test.before(async () => { t0 = await startLedgerApp() })
test.after.always(() => t0?.close())

test.serial('the ledger migration builds exactly the schema its entities describe (plus the allow-listed DDL)', async (t) => {
  const diff = ledgerStatements(await t0.app.kernel.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false }))
  t.deepEqual(diff.filter((s) => !LEDGER_ALLOWED_DRIFT.includes(s)), [], 'entities and migrations disagree: write a migration')
  t.deepEqual(LEDGER_ALLOWED_DRIFT.filter((s) => !diff.includes(s)), [], 'allow-listed DDL no longer in the diff')
})

test.serial('a ledger property without a migration is caught', async (t) => {
  const kernel = t0.app.kernel
  const properties = { ...LedgerEntrySchema.meta.properties, note: { type: 'string', length: 50, nullable: true } }
  const variant = new EntitySchema<any>({ name: 'LedgerEntry', tableName: 'ledger_entry', indexes: LedgerEntrySchema.meta.indexes, uniques: LedgerEntrySchema.meta.uniques, checks: LedgerEntrySchema.meta.checks, properties: properties as never })
  const entities = kernel.plugins.flatMap((p) => p.plugin.entities ?? []).map((e) => (e === LedgerEntrySchema ? variant : e))
  const { coreEntities } = await import('../../../core/identity/entities.js')
  const orm = await openOrm({
    connection: kernel.embedded ? kernel.embedded.connection : { clientUrl: kernel.config.databaseUrl! },
    singleConnection: !!kernel.embedded, entities: [...coreEntities, ...entities], migrations: [],
  })
  try {
    const diff = ledgerStatements(await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false }))
    t.deepEqual(diff.filter((s) => !LEDGER_ALLOWED_DRIFT.includes(s)), ['alter table "ledger_entry" add column "note" varchar(50) null;'])
  } finally { await orm.close(true) }
})

test('the triggers that MikroORM cannot see are in place', async (t) => {
  const rows = await sql<{ tgname: string, table: string }[]>(t0.app.kernel.orm.em.fork(),
    "select tgname, tgrelid::regclass::text as table from pg_trigger where not tgisinternal and tgname like 'ledger_%' order by tgname")
  t.deepEqual(rows, [
    { tgname: 'ledger_account_identity', table: 'ledger_account' },
    { tgname: 'ledger_account_keep', table: 'ledger_account' },
    { tgname: 'ledger_account_keep_used', table: 'ledger_account' },
    { tgname: 'ledger_entry_append_only', table: 'ledger_entry' },
  ])
})
