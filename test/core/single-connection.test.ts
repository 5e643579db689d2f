import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { NestedAcquireError } from '../../core/db/single-connection-guard.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const embedded = !process.env.DATABASE_URL

test('embedded: a second connection asked for inside a transaction throws at once instead of deadlocking', async (t) => {
  if (!embedded) { t.is(t0.app.kernel.database, 'postgresql'); return }
  const orm = t0.app.kernel.orm
  const started = Date.now()
  await t.throwsAsync(orm.em.fork().transactional(async () => {
    await orm.em.fork().getConnection().execute('select 1')
  }), { instanceOf: NestedAcquireError })
  t.true(Date.now() - started < 5_000)
  // The transaction's own EntityManager works, and so does the pool afterwards.
  const n = await orm.em.fork().transactional(async (em) => (await em.getConnection().execute('select 1 as n', [], 'all', em.getTransactionContext()))[0].n)
  t.is(n, 1)
  t.is((await orm.em.fork().getConnection().execute('select 2 as n'))[0].n, 2)
})
