import test from 'ava'
import { EntitySchema } from '@mikro-orm/postgresql'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { openOrm } from '../../core/db/orm.js'
import { coreEntities, ProfileSchema } from '../../core/identity/entities.js'
import { CORE_UNMODELLED_DDL } from '../../core/migrations/index.js'
import { baseKernelConfig, freshDatabase, type FreshDatabase } from '../helpers/db.js'

/**
 * DDL the migrations write on purpose and MikroORM cannot model, so its diff wants to undo it: the
 * core's and each installed plugin's `unmodelledDdl`. Each entry is one exact statement: anything
 * else in the diff (a new, changed or removed property, a renamed index) is drift.
 */
const statements = (sql: string) => sql.split('\n').map((s) => s.trim()).filter(Boolean)

let db: FreshDatabase
let kernel: Kernel
/** The entries of core and the installed plugins. */
let ALLOWED: string[] = []
test.before(async () => {
  db = await freshDatabase()
  // Embedded: migrate an empty database here, so this file checks what the migrations build.
  kernel = await bootKernel(baseKernelConfig(process.env.DATABASE_URL ? db.config : { embeddedSnapshot: 'empty' }))
  ALLOWED = [...CORE_UNMODELLED_DDL, ...kernel.plugins.flatMap((p) => p.plugin.unmodelledDdl ?? [])]
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

/** Profile (a core entity) with its properties changed: what a developer would do without writing a migration. */
const profileVariant = (change: (props: Record<string, unknown>) => void) => {
  const properties: Record<string, unknown> = { ...ProfileSchema.meta.properties }
  change(properties)
  return new EntitySchema<any>({ name: 'Profile', tableName: 'core_profile', uniques: ProfileSchema.meta.uniques, indexes: ProfileSchema.meta.indexes, properties: properties as never })
}
const withProfile = (variant: EntitySchema<any, any>) => installedEntities().map((e) => (e === ProfileSchema ? variant : e))

test.serial('the migrations build exactly the schema the installed entities describe', async (t) => {
  const diff = statements(await kernel.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false }))
  t.deepEqual(diff.filter((s) => !ALLOWED.includes(s)), [], 'entities and migrations disagree: write a migration')
  // The allow-list stays honest: an entry nobody needs any more is removed.
  t.deepEqual(ALLOWED.filter((s) => !diff.includes(s)), [], 'allow-listed DDL no longer in the diff')
})

test.serial('an entity property without a migration is caught', async (t) => {
  const added = await diffFor(withProfile(profileVariant((p) => { p.nickname = { type: 'string', length: 100, nullable: true } })))
  t.deepEqual(added.filter((s) => !ALLOWED.includes(s)), ['alter table "core_profile" add column "nickname" varchar(100) null;'])

  const longer = await diffFor(withProfile(profileVariant((p) => { p.name = { type: 'string', length: 400 } })))
  t.true(longer.filter((s) => !ALLOWED.includes(s)).some((s) => s.includes('"name" type varchar(400)')))

  const removed = await diffFor(withProfile(profileVariant((p) => { delete p.mobileVerifiedAt })))
  t.true(removed.filter((s) => !ALLOWED.includes(s)).some((s) => s.includes('drop column "mobile_verified_at"')))
})
