import test from 'ava'
import pg from 'pg'
import { numberPlaceholders, preparedSql, REPLAN_EVERY_MS, runPrepared } from '../../core/db/prepared.js'
import { sql } from '../../core/db/sql.js'
import { startTestApp, type TestApp } from '../helpers/app.js'

// The stamping API's batch statements run as prepared statements (core/db/prepared.ts).

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

test('placeholders are numbered outside quoted strings and identifiers only', (t) => {
  t.is(numberPlaceholders(`select ?, '?', 'it''s ?', "a?b", ?::jsonb`), `select $1, '?', 'it''s ?', "a?b", $2::jsonb`)
})

test('answers as sql() does, and inside a transaction runs on the transaction\'s connection', async (t) => {
  const orm = t0.app.kernel.orm
  const q = 'select x.n * ? as n, ? as s from jsonb_to_recordset(?::jsonb) as x(n int) order by x.n'
  const params = [3, 'hola', JSON.stringify([{ n: 2 }, { n: 1 }])]
  t.deepEqual(await preparedSql(orm.em.fork(), q, params), await sql(orm.em.fork(), q, params))
  // Twice on the pool (the second time the statement is already prepared on that connection).
  t.deepEqual(await preparedSql(orm.em.fork(), q, params), [{ n: 3, s: 'hola' }, { n: 6, s: 'hola' }])
  await sql(orm.em.fork(), 'create table if not exists test_prepared_tx (id int primary key)')
  const seen = await orm.em.fork().transactional(async (em) => {
    await sql(em, 'insert into test_prepared_tx values (1)')
    return preparedSql<{ n: number }[]>(em, 'select count(*)::int as n from test_prepared_tx where id = ?', [1])
  })
  t.deepEqual(seen, [{ n: 1 }])
  // A failed statement leaves the connection usable: the pool hands it out again.
  await t.throwsAsync(preparedSql(orm.em.fork(), 'select 1 / ? as n', [0]), { message: /division by zero/ })
  t.deepEqual(await preparedSql(orm.em.fork(), 'select 1 / ? as n', [1]), [{ n: 1 }])
})

test('server: a generic plan made while a table was tiny is dropped after REPLAN_EVERY_MS', async (t) => {
  const url = process.env.DATABASE_URL
  if (!url) { t.is(t0.app.kernel.database, 'embedded'); return }
  const u = new URL(url)
  u.pathname = `/${(await sql<{ db: string }[]>(t0.app.kernel.orm.em.fork(), 'select current_database() as db'))[0].db}`
  const c = new pg.Client({ connectionString: u.toString() })
  await c.connect()
  try {
    await c.query('create table test_prepared_growth (id int primary key, v int not null)')
    await c.query('insert into test_prepared_growth select g, g from generate_series(1, 10) g')
    await c.query('analyze test_prepared_growth')
    const q = 'select v from test_prepared_growth where id = any(array(select (jsonb_array_elements_text(?::jsonb))::int))'
    const name = async () => (await c.query<{ name: string }>('select name from pg_prepared_statements')).rows[0].name
    const plan = async () => (await c.query(`explain execute ${await name()}('[5, 7]')`)).rows.map((r) => r['QUERY PLAN']).join('\n')
    const start = Date.now()
    // Past the first five custom plans PostgreSQL settles on a generic one: a scan of the tiny table.
    for (let i = 0; i < 7; i++) t.deepEqual(await runPrepared(c, q, ['[5]'], { named: true, now: start }), [{ v: 5 }])
    t.regex(await plan(), /Seq Scan on test_prepared_growth/)
    await c.query('insert into test_prepared_growth select g, g from generate_series(11, 200000) g')
    // Kept as it was until dropped, whatever the table grew to.
    await runPrepared(c, q, ['[5]'], { named: true, now: start + REPLAN_EVERY_MS })
    t.regex(await plan(), /Seq Scan on test_prepared_growth/)
    // Past the interval the plans are dropped, and the new ones see the table as it is now.
    for (let i = 0; i < 7; i++) t.deepEqual(await runPrepared(c, q, ['[150000]'], { named: true, now: start + REPLAN_EVERY_MS + 1 }), [{ v: 150000 }])
    t.regex(await plan(), /Index Scan using test_prepared_growth_pkey/)
    t.is((await c.query('select count(*)::int as n from pg_prepared_statements')).rows[0].n, 1)
  } finally {
    await c.end()
  }
})
