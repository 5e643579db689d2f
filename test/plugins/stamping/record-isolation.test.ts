import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import type { TestApp } from '../../helpers/app.js'
import { Stamping, startStampingApp } from './helpers.js'

// Stamps recorded together (one batch, one transaction) must fail alone: a reservation voided while
// its PAC call was out fails only its own request, with nothing charged, and its neighbours stamp.
let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp({ sandboxLatencyMs: 400 }); s = new Stamping(t0) })
test.after.always(() => t0?.close())

test('a reservation voided during the PAC call: that stamp answers 503 retryable and charges nothing; the others stamp', async (t) => {
  const d = await s.distributor(100)
  const ctis = []
  for (let i = 0; i < 4; i++) {
    const { cti } = await s.customer(d, `Cliente Lote ${i} SA de CV`)
    await s.transfer(d, cti, 5)
    ctis.push(cti)
  }
  const victim = ctis[0]
  const answers = ctis.map((cti, i) => s.stamp(cti, { idd: `lote-${i}` }))
  // While the PAC holds the documents, void the victim's reservation as the sweep would.
  let pending: { id: string } | undefined
  for (let tries = 0; !pending && tries < 100; tries++) {
    await new Promise((r) => setTimeout(r, 10));
    [pending] = await sql<{ id: string }[]>(s.em(), `select e.id::text as id from ledger_entry e join stamping_cti c on c.account_id = e.debit_account
      where c.id = ? and e.phase = 'pending' and not exists (select 1 from ledger_entry r where r.pending_id = e.id)`, [victim])
  }
  t.truthy(pending, 'the victim reserved a stamp')
  await s.ledger.void(s.em(), pending!.id, { memo: 'test: expired' })
  const [lost, ...others] = await Promise.all(answers)
  t.is(lost.statusCode, 503, lost.body)
  t.like(lost.json().error, { code: 'stamp_reservation_lost', retryable: true })
  for (const r of others) t.is(r.statusCode, 200, r.body)
  t.is(await s.balanceOf(victim), 5)
  t.is(await s.stampsOf(victim), 0)
  for (const cti of ctis.slice(1)) { t.is(await s.balanceOf(cti), 4); t.is(await s.stampsOf(cti), 1) }
  // The retry stamps it, charged once.
  const again = await s.stamp(victim, { idd: 'lote-0-retry' })
  t.is(again.statusCode, 200, again.body)
  t.is(await s.balanceOf(victim), 4)
  t.deepEqual(await s.verify(...ctis), [])
})
