import test from 'ava'
import { rows } from '../../security/support.js'
import type { TestApp } from '../../helpers/app.js'
import { Stamping, startStampingApp } from './helpers.js'

// Money, credential and state actions leave an audit row (core_audit_log) in their own transaction:
// who, which distributor, what, and the after-state; a refused action leaves none.

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp(); s = new Stamping(t0) })
test.after.always(() => t0?.close())

const auditOf = (distributorId: string) =>
  rows<{ action: string, subject: string, actor_profile_id: string | null, detail: any }>(t0, 'select action, subject, actor_profile_id, detail from core_audit_log where distributor_id = ? order by at, id', [distributorId])

test('reset password, block, unblock, transfer and auto top-up are audited with the actor; a refused transfer is not', async (t) => {
  const d = await s.distributor(100)
  const { cti } = await s.customer(d)   // its password was reset through the API
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/block`)).statusCode, 204)
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/unblock`)).statusCode, 204)
  await s.transfer(d, cti, 10, 'audit-1')
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/transfers`, { quantity: 10, amount: '15.00', idempotencyKey: 'audit-1' })).statusCode, 200)   // a replay moves nothing and writes nothing
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/transfers`, { quantity: 1000, amount: '1.00', idempotencyKey: 'too-much' })).statusCode, 409)   // insufficient inventory
  t.is((await s.api(d, 'PUT', `/api/v1/ctis/${cti}/auto-sale`, { minimum: 1, quantity: 5, amount: '7.50' })).statusCode, 200)
  const entries = await auditOf(d.id)
  t.deepEqual(entries.map((e) => e.action).filter((a) => a.startsWith('stamping.')),
    ['stamping.ctiPasswordReset', 'stamping.ctiBlocked', 'stamping.ctiUnblocked', 'stamping.transfer', 'stamping.autoSaleConfigured'])
  for (const e of entries.filter((x) => x.action.startsWith('stamping.'))) t.is(e.actor_profile_id, d.profileId, e.action)
  const transfer = entries.find((e) => e.action === 'stamping.transfer')!
  t.deepEqual(transfer.detail.after.items, [{ cti, quantity: 10, amount: '15.00' }])
  t.is(entries.find((e) => e.action === 'stamping.ctiBlocked')!.subject, `cti:${cti}`)
  // Another distributor's CTI: refused, and nothing is written for anyone.
  const other = await s.distributor(0)
  t.is((await s.api(other, 'POST', `/api/v1/ctis/${cti}/block`)).statusCode, 404)
  t.is((await auditOf(other.id)).filter((e) => e.action.startsWith('stamping.')).length, 0)
})
