import test from 'ava'
import { startStampingApp, Stamping, CTI_PASSWORD } from './helpers.js'
import type { TestApp } from '../../helpers/app.js'

// A portal process stamps a CTI whose credentials it verified without reading the CTI first (the
// claim checks the credentials version instead). A password reset or a block made through another
// process must hold on this one at its next request. On the PostgreSQL server: two apps on one
// database; on the embedded one (one process): the same app plays both.

let a: TestApp, b: TestApp
test.before(async () => {
  a = await startStampingApp()
  const url = a.app.kernel.config.databaseUrl
  b = url ? await startStampingApp({}, { sweepIntervalMs: 0 }, url) : a
})
test.after.always(async () => { if (b !== a) await b?.close(); await a?.close() })

test('a reset or a block through one process holds at once on another that had the credentials cached', async (t) => {
  const s = new Stamping(a)
  const onB = new Stamping(b)
  const d = await s.distributor()
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 10)
  // Warm: b verifies the credentials once, then stamps on what it knows.
  t.is((await onB.stamp(cti)).statusCode, 200)
  t.is((await onB.stamp(cti)).statusCode, 200)
  t.is(await s.balanceOf(cti), 8)

  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/reset-password`, { password: 'otra-clave-nueva-2' })).statusCode, 204)
  const old = await onB.stamp(cti, { password: CTI_PASSWORD })
  t.is(old.statusCode, 401, old.body)
  t.is(await s.balanceOf(cti), 8)
  t.is((await onB.stamp(cti, { password: 'otra-clave-nueva-2' })).statusCode, 200)

  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/block`)).statusCode, 204)
  const blocked = await onB.stamp(cti, { password: 'otra-clave-nueva-2' })
  t.is(blocked.statusCode, 403, blocked.body)
  t.is(await s.balanceOf(cti), 7)
  t.is(await s.stampsOf(cti), 3)

  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/unblock`)).statusCode, 204)
  t.is((await onB.stamp(cti, { password: 'otra-clave-nueva-2' })).statusCode, 200)
  t.is(await s.balanceOf(cti), 6)
  t.deepEqual(await s.verify(cti), [])
})
