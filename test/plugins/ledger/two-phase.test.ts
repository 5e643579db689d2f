import test from 'ava'
import { randomUUID } from 'node:crypto'
import { sql } from '../../../core/db/sql.js'
import {
  IdempotencyConflictError, InsufficientStampsError, LedgerPendingNotFoundError, LedgerPendingResolvedError,
} from '../../../plugins/ledger/errors.js'
import type { TestApp } from '../../helpers/app.js'
import { Books, startLedgerApp } from './helpers.js'

let t0: TestApp
let books: Books
test.before(async () => { t0 = await startLedgerApp(); books = new Books(t0) })
test.after.always(() => t0?.close())

const sinkOf = async (distributorId: string) => (await books.ledger.accountOf(books.em(), 'sink', distributorId, 'stamps'))!.id
const entriesOf = (transferId: string) => sql<{ phase: string, kind: string, pending_id: string | null, amount: number }[]>(books.em(),
  'select phase, kind, pending_id::text as pending_id, amount::int as amount from ledger_entry where transfer_id = ? order by id', [transferId])

// Serial tests run before the concurrent ones: the sweep below voids every old pending in this database.
test.serial('voidExpiredPending voids only unresolved reservations older than the timeout, and gives them back', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 5)
  const posted = await books.ledger.reserve(books.em(), { account: cti })
  await books.ledger.post(books.em(), posted.pendingId)
  const voided = await books.ledger.reserve(books.em(), { account: cti })
  await books.ledger.void(books.em(), voided.pendingId)
  const stale = await books.ledger.reserve(books.em(), { account: cti, amount: 2 })
  t.is(await books.balance(cti), 2)
  // Younger than the timeout: left alone.
  t.is(await books.ledger.voidExpiredPending(books.em(), 60_000), 0)
  await new Promise((r) => setTimeout(r, 30))
  t.is(await books.ledger.voidExpiredPending(books.em(), 10), 1)
  t.is(await books.balance(cti), 4)
  t.deepEqual((await entriesOf(stale.transferId)).map((e) => [e.phase, e.kind]), [['pending', 'stamp_reserve'], ['void', 'stamp_void']])
  await t.throwsAsync(books.ledger.post(books.em(), stale.pendingId), { instanceOf: LedgerPendingResolvedError, message: /anulado/ })
  // Nothing left to do; the watermark moved forward.
  t.is(await books.ledger.voidExpiredPending(books.em(), 0), 0)
  const [{ moved }] = await sql<{ moved: boolean }[]>(books.em(), "select swept_before > 'epoch' as moved from ledger_sweep where name = 'pending'")
  t.true(moved)
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test.serial('the sweep works in batches', async (t) => {
  const d = await books.distributor(100)
  const cti = await books.cti(d, 25)
  for (let i = 0; i < 25; i++) await books.ledger.reserve(books.em(), { account: cti })
  t.is(await books.balance(cti), 0)
  await new Promise((r) => setTimeout(r, 20))
  t.is(await books.ledger.voidExpiredPending(books.em(), 5, { batch: 10 }), 25)
  t.is(await books.balance(cti), 25)
})

test('reserve holds the stamps, post completes the movement into the distributor\'s sink', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 3)
  const sink = await sinkOf(d.id)
  const r = await books.ledger.reserve(books.em(), { account: cti })
  t.false(r.replayed)
  t.is(r.balance, 2)
  t.is(await books.balance(cti), 2)
  t.is(await books.balance(sink), 0, 'a pending credit is not available yet')
  const p = await books.ledger.post(books.em(), r.pendingId)
  t.is(p.pendingId, r.pendingId)
  t.is(p.account, cti)
  t.is(p.amount, 1)
  t.is(await books.balance(cti), 2)
  t.is(await books.balance(sink), 1)
  t.deepEqual(await entriesOf(r.transferId), [
    { phase: 'pending', kind: 'stamp_reserve', pending_id: null, amount: 1 },
    { phase: 'post', kind: 'stamp_post', pending_id: r.pendingId, amount: 1 },
  ])
  const twice = await t.throwsAsync(books.ledger.post(books.em(), r.pendingId), { instanceOf: LedgerPendingResolvedError })
  t.is(twice.status, 409)
  t.regex(twice.message, /aplicado/)
  await t.throwsAsync(books.ledger.void(books.em(), r.pendingId), { instanceOf: LedgerPendingResolvedError, message: /aplicado/ })
  t.is(await books.balance(cti), 2)
})

test('void gives the reservation back; post after void and a second void are refused', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 3)
  const r = await books.ledger.reserve(books.em(), { account: cti, amount: 2 })
  t.is(await books.balance(cti), 1)
  const v = await books.ledger.void(books.em(), r.pendingId, { memo: 'PAC down' })
  t.is(v.amount, 2)
  t.is(await books.balance(cti), 3)
  await t.throwsAsync(books.ledger.post(books.em(), r.pendingId), { instanceOf: LedgerPendingResolvedError, message: /anulado/ })
  await t.throwsAsync(books.ledger.void(books.em(), r.pendingId), { instanceOf: LedgerPendingResolvedError, message: /anulado/ })
  t.is(await books.balance(cti), 3)
  t.is(await books.balance(await sinkOf(d.id)), 0)
  t.deepEqual((await entriesOf(r.transferId)).map((e) => e.phase), ['pending', 'void'])
})

test('only pending entries can be posted or voided', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 1)
  const r = await books.ledger.reserve(books.em(), { account: cti })
  const post = await books.ledger.post(books.em(), r.pendingId)
  for (const id of [post.entryId, '999999999999', 'abc', '-1', '0']) {
    await t.throwsAsync(books.ledger.post(books.em(), id), { instanceOf: LedgerPendingNotFoundError }, id)
    await t.throwsAsync(books.ledger.void(books.em(), id), { instanceOf: LedgerPendingNotFoundError }, id)
  }
})

test('no stamps: reserve is a typed 402 and writes nothing', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 1)
  await books.ledger.reserve(books.em(), { account: cti })
  const e = await t.throwsAsync(books.ledger.reserve(books.em(), { account: cti }), { instanceOf: InsufficientStampsError })
  t.is(e.status, 402)
  t.is(e.code, 'insufficient_stamps')
  await t.throwsAsync(books.ledger.reserve(books.em(), { account: cti, amount: 2 }), { instanceOf: InsufficientStampsError })
  t.is(await books.balance(cti), 0)
  t.is(await books.entryCount(cti), 2, 'the sale and the one reservation')
})

test('a reservation with an idempotency key is made once', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 5)
  const key = `stamp-${randomUUID()}`
  const first = await books.ledger.reserve(books.em(), { account: cti, idempotencyKey: key })
  const again = await books.ledger.reserve(books.em(), { account: cti, idempotencyKey: key })
  t.true(again.replayed)
  t.is(again.pendingId, first.pendingId)
  t.is(await books.balance(cti), 4)
  await t.throwsAsync(books.ledger.reserve(books.em(), { account: cti, amount: 2, idempotencyKey: key }), { instanceOf: IdempotencyConflictError })
  t.is(await books.balance(cti), 4)
})

test('two-phase inside a caller\'s transaction rolls back with it', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 2)
  await t.throwsAsync(books.em().transactional(async (tx) => {
    const r = await books.ledger.reserve(tx, { account: cti })
    await books.ledger.post(tx, r.pendingId)
    throw new Error('rolled back')
  }), { message: 'rolled back' })
  t.is(await books.balance(cti), 2)
  t.is(await books.entryCount(cti), 1)
})

test.after('the journal and balances agree after all of the above', async (t) => {
  t.deepEqual(await books.ledger.verify(books.em()), [])
})
