import test from 'ava'
import { randomUUID } from 'node:crypto'
import { sql } from '../../../core/db/sql.js'
import { IdempotencyConflictError, InsufficientInventoryError, InsufficientStampsError, LedgerPendingResolvedError } from '../../../plugins/ledger/errors.js'
import type { TestApp } from '../../helpers/app.js'
import { Books, startLedgerApp } from './helpers.js'

// On the PostgreSQL server these contend for real (a pool of 20 connections); on the embedded
// database the single connection serializes them, and the outcomes must be the same.
let t0: TestApp
let books: Books
test.before(async () => { t0 = await startLedgerApp(); books = new Books(t0) })
test.after.always(() => t0?.close())

const settle = async <T>(n: number, work: (i: number) => Promise<T>) => {
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => work(i)))
  return {
    ok: results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value),
    errors: results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error),
  }
}

test('500 concurrent reserve+post of 1 stamp on a CTI holding 300: exactly 300 succeed', async (t) => {
  const d = await books.distributor(300)
  const cti = await books.cti(d, 300)
  const { ok, errors } = await settle(500, async () => {
    const r = await books.ledger.reserve(books.em(), { account: cti })
    await books.ledger.post(books.em(), r.pendingId)
    return r
  })
  t.is(ok.length, 300)
  t.is(errors.length, 200)
  t.true(errors.every((e) => e instanceof InsufficientStampsError), errors.find((e) => !(e instanceof InsufficientStampsError))?.message)
  t.is(await books.balance(cti), 0)
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))!.id), 300)
  // Each success saw a distinct balance on its way down.
  t.deepEqual(ok.map((r) => r.balance).sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i))
  const [{ pending, posts }] = await sql<{ pending: number, posts: number }[]>(books.em(),
    "select count(*) filter (where phase = 'pending')::int as pending, count(*) filter (where phase = 'post')::int as posts from ledger_entry where debit_account = ?", [cti])
  t.deepEqual({ pending, posts }, { pending: 300, posts: 300 })
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test('two concurrent mass transfers that together exceed the inventory: one wins whole, the other applies nothing', async (t) => {
  for (let round = 0; round < 5; round++) {
    const d = await books.distributor(100)
    const ctis = await Promise.all(Array.from({ length: 4 }, () => books.cti(d)))
    // Overlapping targets in opposite orders: accounts are locked in id order, so no deadlock either.
    const legs = (targets: string[]) => targets.map((to) => ({ from: d.inventory, to, amount: 20, kind: 'sale' as const }))
    const { ok, errors } = await settle(2, (i) => books.ledger.transferMany(books.em(), { legs: legs(i === 0 ? ctis.slice(0, 3) : [ctis[3], ctis[2], ctis[1]]) }))
    t.is(ok.length, 1, `round ${round}`)
    t.is(errors.length, 1)
    t.true(errors[0] instanceof InsufficientInventoryError, errors[0]?.message)
    const winners = ok[0].entries.map((e) => e.to)
    t.deepEqual(await Promise.all(ctis.map((c) => books.balance(c))), ctis.map((c) => (winners.includes(c) ? 20 : 0)))
    t.is(await books.balance(d.inventory), 40)
  }
  t.deepEqual(await books.ledger.verify(books.em()), [])
})

test('one idempotency key raced by different requests: one applies, the others are 409s', async (t) => {
  const d = await books.distributor(100)
  // Disjoint accounts, so nothing but the key's unique index orders these.
  const from = await Promise.all(Array.from({ length: 10 }, () => books.cti(d, 5)))
  const to = await Promise.all(Array.from({ length: 10 }, () => books.cti(d)))
  const key = `race-${randomUUID()}`
  const { ok, errors } = await settle(10, (i) => books.ledger.transfer(books.em(), { from: from[i], to: to[i], amount: 1, idempotencyKey: key }))
  t.is(ok.length, 1)
  t.is(errors.length, 9)
  t.true(errors.every((e) => e instanceof IdempotencyConflictError), errors.map((e) => e.message).join('; '))
  t.is((await Promise.all(to.map((c) => books.balance(c)))).reduce((a, b) => a + b), 1)
})

test('concurrent transfers with one idempotency key are applied once', async (t) => {
  const d = await books.distributor(1000)
  const cti = await books.cti(d)
  const key = `mass-${randomUUID()}`
  const { ok, errors } = await settle(25, () => books.ledger.transfer(books.em(), { from: d.inventory, to: cti, amount: 7, kind: 'sale', idempotencyKey: key }))
  t.deepEqual(errors.map((e) => e.message), [])
  t.is(new Set(ok.map((r) => r.transferId)).size, 1)
  t.is(ok.filter((r) => !r.replayed).length, 1)
  t.is(await books.balance(cti), 7)
  t.is(await books.entryCount(cti), 1)
  // The same for reservations.
  const rkey = `stamp-${randomUUID()}`
  const reserved = await settle(25, () => books.ledger.reserve(books.em(), { account: cti, idempotencyKey: rkey }))
  t.deepEqual(reserved.errors.map((e) => e.message), [])
  t.is(new Set(reserved.ok.map((r) => r.pendingId)).size, 1)
  t.is(await books.balance(cti), 6)
})

test('a concurrent post and void of one reservation: exactly one wins', async (t) => {
  const d = await books.distributor(50)
  const cti = await books.cti(d, 50)
  for (let i = 0; i < 20; i++) {
    const r = await books.ledger.reserve(books.em(), { account: cti })
    const { ok, errors } = await settle(4, (j) => (j % 2 ? books.ledger.void(books.em(), r.pendingId) : books.ledger.post(books.em(), r.pendingId)))
    t.is(ok.length, 1)
    t.true(errors.every((e) => e instanceof LedgerPendingResolvedError))
  }
  const [{ pending, resolved }] = await sql<{ pending: number, resolved: number }[]>(books.em(),
    "select count(*) filter (where phase = 'pending')::int as pending, count(*) filter (where phase in ('post', 'void'))::int as resolved from ledger_entry where debit_account = ?", [cti])
  t.deepEqual({ pending, resolved }, { pending: 20, resolved: 20 })
  t.deepEqual(await books.ledger.verify(books.em()), [])
})
