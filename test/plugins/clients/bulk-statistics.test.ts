import test from 'ava'
import { bootKernel } from '../../../core/kernel/boot.js'
import { sql } from '../../../core/db/sql.js'
import { baseKernelConfig, freshDatabase } from '../../helpers/db.js'
import { runCli, tempDir } from '../../helpers/process.js'

// Right after a bulk load the planner took the loaded tables for near empty until autoanalyze came
// round (sorted lists at 26 to 37 times GET /me's p95 after `seed-demo --customers 100000`): a bulk
// creation leaves every table it filled analyzed — the customers' own, and those its subscribers
// filled (CTIs, figures, ledger accounts) — before it returns. 2 × 20 customers stay under
// autoanalyze's threshold of 50 rows, so the customers' table can only have been analyzed by the load.

const LOADED = ['clients_customer', 'clients_customer_search', 'clients_customer_search_key', 'stamping_cti', 'stamping_customer_figures', 'ledger_account']

test('seed-demo leaves the tables it loaded analyzed: reltuples is their row count (and last_analyze is set on the server)', async (t) => {
  const tmp = tempDir()
  const db = process.env.DATABASE_URL ? await freshDatabase() : undefined
  const env: Record<string, string> = { CM_DATA_DIR: tmp.dir, ...(db ? { DATABASE_URL: db.config.databaseUrl! } : {}) }
  try {
    const seed = await runCli(['seed-demo', '--customers', '20', '--json'], env)
    t.is(seed.code, 0, seed.stderr)
    const kernel = await bootKernel(baseKernelConfig(db ? { databaseUrl: db.config.databaseUrl!, dataDir: tmp.dir } : { dataDir: tmp.dir }))
    try {
      const em = () => kernel.orm.em.fork()
      // 20 per demo distributor, and the one whose main profile signs in to the PCC (pccLogin).
      const listed = (JSON.parse(seed.stdout) as { distributors: { customers: unknown[], pccLogin?: unknown }[] }).distributors
      t.is(listed.length, 2)
      t.is((await sql<{ n: number }[]>(em(), 'select count(*)::int as n from clients_customer'))[0].n, listed.reduce((n, d) => n + d.customers.length + (d.pccLogin ? 1 : 0), 0))
      for (const table of LOADED) {
        const [{ rows }] = await sql<{ rows: number }[]>(em(), `select count(*)::int as rows from ${table}`)
        const [{ reltuples }] = await sql<{ reltuples: number }[]>(em(), 'select reltuples::int as reltuples from pg_class where oid = ?::regclass', [table])
        t.true(rows > 0, table)
        // Within the 10% autoanalyze itself lets drift (a demo seeder may add a row after the load);
        // never analyzed, it is -1.
        t.true(Math.abs(reltuples - rows) <= rows * 0.1, `${table}: the planner counts ${reltuples} rows of ${rows}`)
      }
      if (db) {
        const analyzed = await sql<{ relname: string }[]>(em(), 'select relname from pg_stat_user_tables where relname = any(?::text[]) and coalesce(last_analyze, last_autoanalyze) is not null', [`{${LOADED.join(',')}}`])
        t.deepEqual(analyzed.map((r) => r.relname).sort(), [...LOADED].sort())
      }
    } finally { await kernel.close() }
  } finally {
    await db?.drop()
    tmp.remove()
  }
})
