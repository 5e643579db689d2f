// Guard for `npm run test:pg`: the suite against a PostgreSQL server needs DATABASE_URL. Without it
// ava would silently run on the embedded database and the "PostgreSQL" run would prove nothing.
const url = process.env.DATABASE_URL
const fail = (message) => {
  console.error(`\n  test:pg: ${message}\n`)
  console.error('  Example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run test:pg')
  console.error('  The tests create (and drop) their own databases, cm_tpl_* and cm_t_*, on that server;')
  console.error('  the role needs CREATEDB. For the embedded database run `npm test` instead.\n')
  process.exit(1)
}
if (!url) fail('DATABASE_URL is not set.')
let parsed
try { parsed = new URL(url) } catch { fail(`DATABASE_URL is not a URL: ${url}`) }
if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) fail(`DATABASE_URL must be a postgres:// URL, got ${parsed.protocol}//…`)
