import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import {
  InsufficientStampsError, LedgerAccountNotFoundError, LedgerInvalidAmountError, LedgerPendingResolvedError,
} from '../../../plugins/ledger/errors.js'
import type { Reservation } from '../../../plugins/ledger/services/ledger.js'
import type { TestApp } from '../../helpers/app.js'
import { Books, startLedgerApp } from './helpers.js'

// reserveMany / postAlong: the statements the stamping API's group commit sends. On the PostgreSQL
// server the concurrent calls below contend on the same account row from separate connections.
let t0: TestApp
let books: Books
test.before(async () => {
  t0 = await startLedgerApp()
  books = new Books(t0)
  // Made once here: two tests running `create table if not exists` at once race on PostgreSQL
  // (42710, the table's row type already exists), which failed a CI run.
  await sql(books.em(), 'create table test_claim (doc text primary key)')
})
test.after.always(() => t0?.close())

const granted = (rs: (Reservation | Error)[]) => rs.filter((r): r is Reservation => !(r instanceof Error))
/** Posts reservations through postAlong with nothing else in the statement. */
const postAll = (pendingIds: string[]) => books.ledger.postAlong<{ pending_id: string }>(books.em(), {
  with: 'ids as (select (jsonb_array_elements_text(?::jsonb))::bigint as pending_id)', params: [JSON.stringify(pendingIds)], from: 'ids',
})

test('reserveMany grants each account in order while the running total fits its balance; the first that does not fit ends its grants', async (t) => {
  const d = await books.distributor(100)
  const a = await books.cti(d, 3)
  const b = await books.cti(d, 10)
  const out = await books.ledger.reserveMany(books.em(), [
    { account: a }, { account: b, amount: 4 }, { account: a }, { account: a }, { account: a }, { account: b, amount: 7 }, { account: b, amount: 6 },
  ])
  // b: 4 fits; 7 does not (4 + 7 > 10), and no later request overtakes it, though 6 alone would fit.
  t.deepEqual(out.map((r) => (r instanceof InsufficientStampsError ? 'insufficient' : r instanceof Error ? r.message : r.balance)), [2, 6, 1, 0, 'insufficient', 'insufficient', 'insufficient'])
  t.is(await books.balance(a), 0)
  t.is(await books.balance(b), 6)
  // One pending entry per grant, and the books agree with the balances.
  const [{ n }] = await sql<{ n: number }[]>(books.em(), "select count(*)::int as n from ledger_entry where phase = 'pending' and debit_account in (?, ?)", [a, b])
  t.is(n, 4)
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test('reserveMany: a bad item or an unknown account fails alone, its neighbours are reserved', async (t) => {
  const d = await books.distributor(10)
  const a = await books.cti(d, 5)
  const out = await books.ledger.reserveMany(books.em(), [
    { account: a }, { account: a, amount: -1 }, { account: '0b0e6f3e-2c8a-4d8e-9d55-2f6a1f4a7c11' }, { account: 'not-a-uuid' }, { account: a, amount: 2 },
  ])
  t.false(out[0] instanceof Error)
  t.true(out[1] instanceof LedgerInvalidAmountError)
  t.true(out[2] instanceof LedgerAccountNotFoundError)
  t.true(out[3] instanceof Error)
  t.is((out[4] as Reservation).balance, 2)
  t.is(await books.balance(a), 2)
})

test('20 concurrent reserveMany batches of 25 on an account holding 300: exactly 300 granted, balance 0', async (t) => {
  const d = await books.distributor(300)
  const cti = await books.cti(d, 300)
  const batches = await Promise.all(Array.from({ length: 20 }, () => books.ledger.reserveMany(books.em(), Array.from({ length: 25 }, () => ({ account: cti })))))
  const all = batches.flat()
  const ok = granted(all)
  t.is(ok.length, 300)
  t.true(all.filter((r) => r instanceof Error).every((e) => e instanceof InsufficientStampsError))
  // Every grant saw its own balance on the way down: no two grants for one unit.
  t.deepEqual(ok.map((r) => r.balance).sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i))
  t.is(await books.balance(cti), 0)
  t.is((await postAll(ok.map((r) => r.pendingId))).length, 300)
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))!.id), 300)
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test('postAlong posts once: of two concurrent statements naming the same reservations, one posts them and the other is refused whole', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 4)
  const rs = granted(await books.ledger.reserveMany(books.em(), [{ account: cti }, { account: cti }]))
  const [first, second] = await Promise.allSettled([postAll(rs.map((r) => r.pendingId)), postAll(rs.map((r) => r.pendingId))])
  t.is([first, second].filter((o) => o.status === 'fulfilled').length, 1)
  const refused = [first, second].find((o) => o.status === 'rejected') as PromiseRejectedResult
  t.true(refused.reason instanceof LedgerPendingResolvedError)
  // An id that names no reservation is refused too.
  await t.throwsAsync(postAll(['999999999']), { instanceOf: LedgerPendingResolvedError })
  t.is(await books.balance(cti), 2)
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))!.id), 2)
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test('postAlong posts in the same statement as the caller\'s writes; one reservation no longer pending undoes both', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d, 5)
  await sql(books.em(), 'create table test_along (id int primary key, pending_id bigint)')
  const [a, b, c] = granted(await books.ledger.reserveMany(books.em(), [{ account: cti }, { account: cti }, { account: cti }]))
  const write = (rows: { id: number, pending: string | null }[]) => books.ledger.postAlong<{ id: number }>(books.em(), {
    with: 'w as (insert into test_along select x.id, x.pending from jsonb_to_recordset(?::jsonb) as x(id int, pending bigint) returning id, pending_id)',
    params: [JSON.stringify(rows)],
    from: 'w',
  })
  const done = await write([{ id: 1, pending: a.pendingId }, { id: 2, pending: null }, { id: 3, pending: b.pendingId }])
  t.deepEqual(done.map((r) => r.id).sort(), [1, 2, 3])
  await books.ledger.void(books.em(), c.pendingId)
  // c is voided and a already posted: the statement fails whole, its rows are not written.
  await t.throwsAsync(write([{ id: 4, pending: c.pendingId }]), { instanceOf: LedgerPendingResolvedError })
  await t.throwsAsync(write([{ id: 5, pending: a.pendingId }]), { instanceOf: LedgerPendingResolvedError })
  const [{ n }] = await sql<{ n: number }[]>(books.em(), 'select count(*)::int as n from test_along')
  t.is(n, 3)
  t.is(await books.balance(cti), 3)
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))!.id), 2)
  await t.throwsAsync(books.ledger.postAlong(books.em(), { with: 'w as (select 1)', params: [], from: 'w; drop table x' }))
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

/** A claim table like the stamping API's: a unique document per row, and reservations made along. */
const claimAndReserve = (rows: { i: number, doc: string, account: string }[]) => books.ledger.reserveAlong<{ i: number, claimed: boolean, pending_id: string | null, balance: number | null }>(books.em(), {
  with: `x as (select * from jsonb_to_recordset(?::jsonb) as x(i int, doc text, account uuid)),
  s as (insert into test_claim (doc) select doc from x order by i on conflict (doc) do nothing returning doc),
  wanted as (select x.i, x.account, 1 as amount, 'claim ' || x.doc as memo from x join s on s.doc = x.doc)`,
  params: [JSON.stringify(rows)],
  from: 'wanted',
  select: 'select x.i, (s.doc is not null) as claimed, r.pending_id, r.balance from x left join s on s.doc = x.doc left join ledger_reserved r on r.i = x.i order by x.i',
})

test('reserveAlong reserves for the caller\'s own rows in the caller\'s statement, granted in order; refusals says why the rest were refused', async (t) => {
  const d = await books.distributor(10)
  const a = await books.cti(d, 3)
  t.deepEqual((await claimAndReserve([{ i: 0, doc: 'd0', account: a }])).map((r) => [r.claimed, r.balance]), [[true, 2]])
  // d0 is claimed already: no reservation for it. d1 and d2 take the last two stamps; d3 finds none.
  const out = await claimAndReserve([{ i: 0, doc: 'd0', account: a }, { i: 1, doc: 'd1', account: a }, { i: 2, doc: 'd2', account: a }, { i: 3, doc: 'd3', account: a }])
  t.deepEqual(out.map((r) => [r.claimed, r.balance]), [[false, null], [true, 1], [true, 0], [true, null]])
  t.is(out.filter((r) => r.pending_id).length, 2)
  t.is(await books.balance(a), 0)
  const [why] = await books.ledger.refusals(books.em(), [{ account: a, amount: 1 }])
  t.true(why instanceof InsufficientStampsError)
  t.true((await books.ledger.refusals(books.em(), [{ account: '0b0e6f3e-2c8a-4d8e-9d55-2f6a1f4a7c11', amount: 1 }]))[0] instanceof LedgerAccountNotFoundError)
  // A caller statement that fails takes its reservations with it.
  const b = await books.cti(d, 3)
  await t.throwsAsync(books.ledger.reserveAlong(books.em(), {
    with: `x as (select 0 as i, ?::uuid as account), wanted as (select i, account, 1 as amount, 'boom' as memo from x)`,
    params: [b], from: 'wanted', select: 'select r.i, 1 / (select count(*) - 1 from ledger_reserved) as boom from ledger_reserved r',
  }), { message: /division by zero/ })
  t.is(await books.balance(b), 3)
  await t.throwsAsync(books.ledger.reserveAlong(books.em(), { with: 'w as (select 1)', params: [], from: 'w; drop table x', select: 'select 1' }))
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test('concurrent reserveAlong statements whose claims collide: no deadlock, one reservation per claimed document, balances exact', async (t) => {
  const d = await books.distributor(1000)
  const accounts = [await books.cti(d, 100), await books.cti(d, 100)]
  const tag = Math.random().toString(36).slice(2, 8)
  // 30 statements of 10 rows over 60 documents: each document is asked for by ~5 statements, and
  // the rows name both accounts in opposite orders, so claims wait on each other across statements.
  const statements = Array.from({ length: 30 }, (_, s) => Array.from({ length: 10 }, (_, k) => {
    const doc = (s * 7 + k * 13) % 60
    return { i: k, doc: `${tag}-${doc}`, account: accounts[(doc + s) % 2] }
  }))
  const results = await Promise.all(statements.map((rows) => claimAndReserve(rows)))
  const reserved = results.flat().filter((r) => r.pending_id)
  const [{ n }] = await sql<{ n: number }[]>(books.em(), 'select count(*)::int as n from test_claim where doc like ?', [`${tag}-%`])
  t.is(n, 60)
  t.is(reserved.length, 60, 'one reservation per claimed document')
  t.is(await books.balance(accounts[0]) + await books.balance(accounts[1]), 200 - 60)
  t.deepEqual(await books.ledger.verify(books.em()), [])
})
