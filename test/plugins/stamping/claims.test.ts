import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import type { TestApp } from '../../helpers/app.js'
import { b64, sampleCfdi } from '../../helpers/cfdi.js'
import { createHash } from 'node:crypto'
import { Stamping, startStampingApp } from './helpers.js'

// A slow PAC (1.5 s) and short claim timings, so that a claim can go stale or be taken over within a test.
let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp({ sandboxLatencyMs: 1500, staleClaimMs: 5000, waitForTwinMs: 700 }); s = new Stamping(t0) })
test.after.always(() => t0?.close())

const sha = (xml: string) => createHash('sha256').update(Buffer.from(xml, 'utf8')).digest('hex')

test('a claim left by a request that died is taken over once staleClaimMs has passed, and the document is charged once', async (t) => {
  const d = await s.distributor(10)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 3)
  const xml = sampleCfdi()
  // What a crashed process leaves: a pending claim and no reservation.
  await sql(s.em(), `insert into stamping_stamp (cti_id, distributor_id, doc_sha256, claim_token, claimed_at) values (?, ?, ?, gen_random_uuid(), now() - interval '10 seconds')`, [cti, d.id, sha(xml)])
  const res = await s.stamp(cti, { xml: b64(xml) })
  t.is(res.statusCode, 200, res.body)
  t.false(res.json().replayed)
  t.is(await s.balanceOf(cti), 2)
  const again = await s.stamp(cti, { xml: b64(xml) })
  t.true(again.json().replayed)
  t.is(await s.balanceOf(cti), 2)
  t.deepEqual(await s.verify(cti), [])
})

test('a fresh claim held by another request is waited for; past waitForTwinMs the answer is 409 stamp_in_progress and nothing is charged', async (t) => {
  const d = await s.distributor(10)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 3)
  const xml = sampleCfdi()
  await sql(s.em(), `insert into stamping_stamp (cti_id, distributor_id, doc_sha256, claim_token) values (?, ?, ?, gen_random_uuid())`, [cti, d.id, sha(xml)])
  const res = await s.stamp(cti, { xml: b64(xml) })
  t.is(res.statusCode, 409)
  t.like(res.json().error, { code: 'stamp_in_progress', retryable: true })
  t.is(await s.balanceOf(cti), 3)
})

test('a request whose claim was taken over while it waited on the PAC records nothing, and its reservation is voided', async (t) => {
  const d = await s.distributor(10)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 3)
  const xml = sampleCfdi()
  const pending = s.stamp(cti, { xml: b64(xml) })
  // While the PAC takes 1.5 s, another process takes the claim over (a new token).
  let taken: { id: string } | undefined
  for (let i = 0; i < 100 && !taken; i++) {
    await new Promise((r) => setTimeout(r, 10));
    [taken] = await sql<{ id: string }[]>(s.em(), `update stamping_stamp set claim_token = gen_random_uuid(), claimed_at = now() where cti_id = ? and status = 'pending' returning id::text as id`, [cti])
  }
  t.truthy(taken, 'the first request had claimed the document')
  const res = await pending
  // The taker never finishes here, so the loser waits for it and gives up: retryable, not charged.
  t.is(res.statusCode, 409, res.body)
  t.is(res.json().error.code, 'stamp_in_progress')
  t.is(await s.balanceOf(cti), 3)
  const [{ posts }] = await sql<{ posts: number }[]>(s.em(), `select count(*)::int as posts from ledger_entry e join stamping_cti c on c.account_id = e.debit_account where c.id = ? and e.phase = 'post'`, [cti])
  t.is(posts, 0)
  t.deepEqual(await s.verify(cti), [])
})
