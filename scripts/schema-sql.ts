// Dev tool: prints the CREATE SQL MikroORM would emit for the given entity modules, as a starting
// point for a hand-written migration.  tsx scripts/schema-sql.ts core/identity/entities.ts
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql'
import path from 'node:path'
import { startEmbedded } from '../core/db/embedded.js'

const entities = []
for (const file of process.argv.slice(2)) {
  const mod = await import(path.resolve(file))
  for (const v of Object.values(mod)) if (v && typeof v === 'object' && 'meta' in (v as object)) entities.push(v as any)
}
const db = await startEmbedded({ snapshot: undefined as any }).catch(() => null)
const orm = await MikroORM.init({ driver: PostgreSqlDriver, entities, dbName: 'x', connect: false, discovery: { disableDynamicFileAccess: true } })
console.log(await orm.getSchemaGenerator().getCreateSchemaSQL({ wrap: false }))
await db?.close()
