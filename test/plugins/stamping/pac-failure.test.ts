import test from 'ava'
import type { TestApp } from '../../helpers/app.js'
import { Stamping, startStampingApp } from './helpers.js'

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp({ sandboxFailureRate: 1 }); s = new Stamping(t0) })
test.after.always(() => t0?.close())

test('PAC unavailable → 503 retryable, nothing charged, the document can be stamped later', async (t) => {
  const d = await s.distributor(10)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 2)
  // One after the other: concurrent ones would find the 2 stamps held by reservations (402).
  for (let i = 0; i < 5; i++) {
    const r = await s.stamp(cti, { idd: `f-${i}` })
    t.is(r.statusCode, 503)
    t.like(r.json().error, { code: 'pac_unavailable', retryable: true })
  }
  t.is(await s.balanceOf(cti), 2)
  t.is(await s.stampsOf(cti), 0)
  t.deepEqual(await s.verify(cti), [])
})
