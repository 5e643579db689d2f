import { Migration } from '@mikro-orm/migrations'
import type { MigrationEntry } from '../kernel/plugin.js'

/** A migration written as SQL statements (separated by blank-line-free `;\n`). */
export function sqlMigration(name: string, sql: string): MigrationEntry {
  const statements = sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)
  class SqlMigration extends Migration {
    override async up(): Promise<void> {
      for (const statement of statements) this.addSql(statement)
    }
  }
  Object.defineProperty(SqlMigration, 'name', { value: name })
  return { name, class: SqlMigration }
}
