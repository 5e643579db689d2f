import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import type { TestApp } from '../../helpers/app.js'
import { b64, sampleCfdi } from '../../helpers/cfdi.js'
import { Stamping, startStampingApp } from './helpers.js'

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp(); s = new Stamping(t0) })
test.after.always(() => t0?.close())

test('a stamp spends one stamp and returns a TFD; the same document again is replayed without a charge', async (t) => {
  const d = await s.distributor(100)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 3)
  const xml = b64(sampleCfdi())
  const first = await s.stamp(cti, { xml, idd: 'factura-1' })
  t.is(first.statusCode, 200, first.body)
  const body = first.json()
  t.regex(body.uuid, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/)
  t.is(body.balance, 2)
  t.false(body.replayed)
  t.true(Buffer.from(body.xml, 'base64').toString('utf8').includes('tfd:TimbreFiscalDigital'))
  const again = await s.stamp(cti, { xml })
  t.is(again.statusCode, 200)
  t.deepEqual({ ...again.json(), replayed: false }, { ...body, balance: 2, replayed: false })
  t.true(again.json().replayed)
  const byIdd = await s.stamp(cti, { xml, idd: 'factura-1' })
  t.is(byIdd.json().uuid, body.uuid)
  const conflict = await s.stamp(cti, { idd: 'factura-1' })
  t.is(conflict.statusCode, 409)
  t.is(conflict.json().error.code, 'idd_conflict')
  t.is(await s.balanceOf(cti), 2)
  t.deepEqual(await s.verify(cti), [])
})

// Serial: it plants a drift and mends every customer's figures, so nothing else may stamp meanwhile.
test.serial('customer figures follow stamps and sales; drift (a process died between the two) is found and mended', async (t) => {
  const d = await s.distributor(100)
  const { cti, nic } = await s.customer(d)
  await s.transfer(d, cti, 5)
  t.is((await s.stamp(cti)).statusCode, 200)
  const figure = async () => (await sql<{ n: number, stamped: boolean }[]>(s.em(),
    `select f.stamp_balance::int as n, f.last_stamped_at is not null as stamped from stamping_customer_figures f join clients_customer c on c.id = f.customer_id where c.nic = ?`, [nic]))[0]
  t.deepEqual(await figure(), { n: 4, stamped: true })
  t.deepEqual(await s.verify(cti), [])
  await sql(s.em(), `update stamping_customer_figures f set stamp_balance = stamp_balance + 1 from clients_customer c where c.id = f.customer_id and c.nic = ?`, [nic])
  const found = await s.services.ctis.figureMismatches(s.em())
  t.is(found.length, 1)
  t.like(found[0], { figure: 5, ledger: 4 })
  t.is((await s.services.ctis.figureMismatches(s.em(), true)).length, 1)
  t.deepEqual(await figure(), { n: 4, stamped: true })
  t.deepEqual(await s.verify(cti), [])
})

test('GET /ctis?q= finds CTIs by their customer\'s fields (name, RFC, NIC, CTI id) and never another distributor\'s', async (t) => {
  const d = await s.distributor(0)
  const other = await s.distributor(0)
  const a = await s.customer(d, 'Ferretería Águila Dorada SA')
  const b = await s.customer(d, 'Papelería Central SC')
  const x = await s.customer(other, 'Ferretería Águila Dorada SA')
  const ids = async (dist: typeof d, q: string) => (await s.api(dist, 'GET', `/api/v1/ctis?q=${encodeURIComponent(q)}`)).json().items.map((i: { id: string }) => i.id).sort()
  t.deepEqual(await ids(d, 'aguila'), [a.cti])
  t.deepEqual(await ids(d, 'papeleria central'), [b.cti])
  t.deepEqual(await ids(d, a.nic), [a.cti])
  t.deepEqual(await ids(d, b.cti), [b.cti])
  t.deepEqual(await ids(d, 'EKU9003173C9'), [a.cti, b.cti].sort())
  t.deepEqual(await ids(other, 'aguila'), [x.cti])
  t.deepEqual(await ids(d, x.cti), [])
  t.deepEqual(await ids(d, 'nadie-coincide'), [])
  const both = await s.api(d, 'GET', `/api/v1/ctis?q=aguila&customer=${b.nic}`)
  t.is(both.json().total, 0)
  // A phone by a run inside it (the local number without its area code), as the customer search finds it.
  for (const [dist, nic] of [[d, a.nic], [other, x.nic]] as const) {
    t.is((await s.api(dist, 'PATCH', `/api/v1/customers/${nic}`, { phone: '33 0803 8669', technicalContact: { phones: ['81 7294 6137'] } })).statusCode, 200)
  }
  t.deepEqual(await ids(d, '0803-8669'), [a.cti])
  t.deepEqual(await ids(d, '7294 61'), [a.cti])
  t.deepEqual(await ids(other, '08038669'), [x.cti])
})
