import test from 'ava'
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
  t.deepEqual(await s.verify(), [])
})
