import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const post = (d: DistributorFixture, legalName: string) =>
  t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${d.token}` }, payload: { legalName, rfc: 'XAXX010101000' } })

test('50 parallel creates get 50 distinct NICs', async (t) => {
  const d = await t0.fixtures.distributor()
  const started = Date.now()
  const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => post(d, `Paralelo ${i}`)))
  t.log(`50 parallel POSTs on ${t0.app.kernel.database}: ${Date.now() - started} ms`)
  t.deepEqual(responses.map((r) => r.statusCode), Array(50).fill(201))
  const nics = responses.map((r) => r.json().nic as string)
  t.is(new Set(nics).size, 50)
  for (const nic of nics) t.regex(nic, /^[1-9]\d{5,}$/)
  const list = await t0.inject({ method: 'GET', url: '/api/v1/customers?perPage=100', headers: { authorization: `Bearer ${d.token}` } })
  t.is(list.json().total, 50)
  t.deepEqual(list.json().items.map((c: { nic: string }) => c.nic).sort(), [...nics].sort())
})

test('NICs are unique across distributors, including concurrent creates in several of them', async (t) => {
  const ds = await Promise.all([t0.fixtures.distributor(), t0.fixtures.distributor(), t0.fixtures.distributor()])
  const responses = await Promise.all(ds.flatMap((d) => Array.from({ length: 10 }, (_, i) => post(d, `Multi ${i}`))))
  const nics = responses.map((r) => r.json().nic as string)
  t.is(new Set(nics).size, 30)
})

test('a NIC is never reused, even after its customer row is gone', async (t) => {
  const d = await t0.fixtures.distributor()
  const first = (await post(d, 'Temporal')).json().nic as string
  // Nothing deletes customers (DESIGN: "dropped" instead); even so, the sequence never hands a NIC out twice.
  await sql(t0.app.kernel.orm.em.fork(), 'delete from clients_customer where nic = ?', [first])
  const second = (await post(d, 'Después')).json().nic as string
  t.not(second, first)
  t.true(BigInt(second) > BigInt(first))
  // An explicit attempt to store a duplicate NIC fails on the unique constraint.
  const em = t0.app.kernel.orm.em.fork()
  await t.throwsAsync(sql(em, `insert into clients_customer (distributor_id, legal_name, rfc, nic) values (?, 'Dup', 'XAXX010101000', ?)`, [d.id, second]), { message: /clients_customer_nic_unique/ })
})
