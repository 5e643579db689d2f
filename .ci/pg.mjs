// Database chores for .ci/run against the PostgreSQL server (uses the project's `pg` package).
//   node .ci/pg.mjs create <name>   a new, empty database
//   node .ci/pg.mjs drop <name>     drop it, closing its connections
//   node .ci/pg.mjs sweep           drop cm_tpl_* / cm_t_* databases older test runs left behind;
//                                   one still in use by someone is left alone
// Connects as CM_CI_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import pg from 'pg'

const adminUrl = process.env.CM_CI_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const NAME = /^[a-z][a-z0-9_]{0,62}$/
const LEFTOVER = /^cm_(tpl|t)_[a-z0-9_]+$/

const [command, name] = process.argv.slice(2)
const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 })
await client.connect()
try {
  if ((command === 'create' || command === 'drop') && !NAME.test(name ?? '')) throw new Error(`bad database name: ${name}`)
  if (command === 'create') {
    await client.query(`create database "${name}"`)
  } else if (command === 'drop') {
    await client.query(`drop database if exists "${name}" with (force)`)
  } else if (command === 'sweep') {
    const { rows } = await client.query(`select datname from pg_database where datname ~ '^cm_(tpl|t)_' and not datistemplate order by datname`)
    for (const { datname } of rows) {
      if (!LEFTOVER.test(datname)) continue
      try {
        // No FORCE: a database somebody is connected to belongs to a run still going.
        await client.query(`drop database "${datname}"`)
        console.log(`dropped leftover database ${datname}`)
      } catch (e) {
        console.log(`kept ${datname}: ${e.message}`)
      }
    }
  } else {
    throw new Error('usage: node .ci/pg.mjs create <name> | drop <name> | sweep')
  }
} finally {
  await client.end()
}
