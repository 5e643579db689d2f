import test from 'ava'
import { randomUUID } from 'node:crypto'
import { sql } from '../../../core/db/sql.js'
import { DistributorNotFoundError } from '../../../core/identity/errors.js'
import {
  IdempotencyConflictError, InsufficientInventoryError, InsufficientPointsError, InsufficientStampsError,
  LedgerAccountNotFoundError, LedgerAccountOwnerMismatchError, LedgerAssetMismatchError, LedgerInvalidAmountError, LedgerInvalidTransferError,
} from '../../../plugins/ledger/errors.js'
import type { TestApp } from '../../helpers/app.js'
import { Books, startLedgerApp } from './helpers.js'

let t0: TestApp
let books: Books
test.before(async () => { t0 = await startLedgerApp(); books = new Books(t0) })
test.after.always(() => t0?.close())

test('a transfer debits one account, credits the other and writes one journal row', async (t) => {
  const d = await books.distributor(100)
  const cti = await books.cti(d)
  const r = await books.ledger.transfer(books.em(), { from: d.inventory, to: cti, amount: 30, kind: 'sale', memo: 'venta', actor: d.profileId })
  t.false(r.replayed)
  t.deepEqual(r.balances, { [d.inventory]: 70, [cti]: 30 })
  t.is(r.entries.length, 1)
  t.like(r.entries[0], { kind: 'sale', phase: 'single', from: d.inventory, to: cti, amount: 30, asset: 'stamps' })
  t.is(await books.balance(d.inventory), 70)
  t.is(await books.balance(cti), 30)
  const [row] = await sql<any[]>(books.em(), 'select distributor_id, actor_profile_id, memo, transfer_id from ledger_entry where id = ?', [r.entries[0].id])
  t.deepEqual(row, { distributor_id: d.id, actor_profile_id: d.profileId, memo: 'venta', transfer_id: r.transferId })
})

test('the same idempotency key and request is applied once; another request with that key is a 409', async (t) => {
  const d = await books.distributor(100)
  const cti = await books.cti(d)
  const key = `sale-${randomUUID()}`
  const first = await books.ledger.transfer(books.em(), { from: d.inventory, to: cti, amount: 10, kind: 'sale', idempotencyKey: key })
  const again = await books.ledger.transfer(books.em(), { from: d.inventory, to: cti, amount: 10, kind: 'sale', idempotencyKey: key })
  t.true(again.replayed)
  t.is(again.transferId, first.transferId)
  t.deepEqual(again.entries, first.entries)
  t.is(await books.balance(cti), 10)
  t.is(await books.entryCount(cti), 1)
  const conflict = await t.throwsAsync(books.ledger.transfer(books.em(), { from: d.inventory, to: cti, amount: 11, kind: 'sale', idempotencyKey: key }), { instanceOf: IdempotencyConflictError })
  t.is(conflict.status, 409)
  t.is(conflict.code, 'idempotency_conflict')
  t.is(await books.balance(cti), 10)
  // Keys are scoped per distributor: another distributor may use the same key.
  const other = await books.distributor(5)
  const otherCti = await books.cti(other)
  t.false((await books.ledger.transfer(books.em(), { from: other.inventory, to: otherCti, amount: 5, kind: 'sale', idempotencyKey: key })).replayed)
})

test('not enough: a typed error and nothing changes', async (t) => {
  const d = await books.distributor(20)
  const a = await books.cti(d, 5)
  const b = await books.cti(d)
  const inventory = await t.throwsAsync(books.ledger.transfer(books.em(), { from: d.inventory, to: b, amount: 16 }), { instanceOf: InsufficientInventoryError })
  t.is(inventory.status, 409)
  t.is(inventory.code, 'insufficient_inventory')
  const stamps = await t.throwsAsync(books.ledger.transfer(books.em(), { from: a, to: b, amount: 6 }), { instanceOf: InsufficientStampsError })
  t.is(stamps.status, 402)
  t.is(stamps.code, 'insufficient_stamps')
  t.is(await books.balance(d.inventory), 15)
  t.is(await books.balance(a), 5)
  t.is(await books.balance(b), 0)
  t.is(await books.entryCount(b), 0)
  // Exactly the balance is fine.
  await books.ledger.transfer(books.em(), { from: a, to: b, amount: 5 })
  t.is(await books.balance(a), 0)
})

test('points move in hundredths; a customer without enough points gets insufficient_points', async (t) => {
  const d = await books.distributor(1, 150_00)
  const customer = await books.ledger.ensureAccount(books.em(), { ownerType: 'customer', ownerId: randomUUID(), asset: 'points', distributorId: d.id })
  await books.ledger.transfer(books.em(), { from: d.pointsInventory!, to: customer.id, amount: 100_50, kind: 'sale' })
  t.is(await books.balance(customer.id), 100_50)
  t.is(await books.balance(d.pointsInventory!), 49_50)
  const sink = (await books.ledger.accountOf(books.em(), 'sink', d.id, 'points'))!
  const e = await t.throwsAsync(books.ledger.transfer(books.em(), { from: customer.id, to: sink.id, amount: 100_51 }), { instanceOf: InsufficientPointsError })
  t.is(e.status, 402)
  t.regex(e.message, /100\.51/)
  // Stamps and points never mix.
  await t.throwsAsync(books.ledger.transfer(books.em(), { from: d.inventory, to: customer.id, amount: 1 }), { instanceOf: LedgerAssetMismatchError })
})

test('bad requests are refused before anything is written', async (t) => {
  const d = await books.distributor(10)
  const cti = await books.cti(d)
  for (const amount of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
    await t.throwsAsync(books.ledger.transfer(books.em(), { from: d.inventory, to: cti, amount }), { instanceOf: LedgerInvalidAmountError }, String(amount))
  }
  await t.throwsAsync(books.ledger.transfer(books.em(), { from: cti, to: cti, amount: 1 }), { instanceOf: LedgerInvalidTransferError })
  await t.throwsAsync(books.ledger.transfer(books.em(), { from: 'nope', to: cti, amount: 1 }), { instanceOf: LedgerInvalidTransferError })
  await t.throwsAsync(books.ledger.transfer(books.em(), { from: randomUUID(), to: cti, amount: 1 }), { instanceOf: LedgerAccountNotFoundError })
  await t.throwsAsync(books.ledger.transferMany(books.em(), { legs: [] }), { instanceOf: LedgerInvalidTransferError })
  // Only a mint takes value out of an issuer; a sink gives nothing back except by correction.
  const issuer = (await books.ledger.accountOf(books.em(), 'issuer', d.id, 'stamps'))!
  const sink = (await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))!
  await t.throwsAsync(books.ledger.transfer(books.em(), { from: issuer.id, to: cti, amount: 1, kind: 'sale' }), { instanceOf: LedgerInvalidTransferError })
  await t.throwsAsync(books.ledger.transfer(books.em(), { from: sink.id, to: cti, amount: 1 }), { instanceOf: LedgerInvalidTransferError })
  t.is(await books.balance(cti), 0)
  t.is(await books.balance(d.inventory), 10)
})

test('transferMany applies every leg or none', async (t) => {
  const d = await books.distributor(100)
  const [a, b, c] = [await books.cti(d, 10), await books.cti(d), await books.cti(d)]
  const before = await books.entryCount(d.inventory)
  // The last leg asks more than `a` holds: nothing at all happens.
  await t.throwsAsync(books.ledger.transferMany(books.em(), { legs: [
    { from: d.inventory, to: b, amount: 20, kind: 'sale' },
    { from: d.inventory, to: c, amount: 20, kind: 'sale' },
    { from: a, to: c, amount: 11 },
  ] }), { instanceOf: InsufficientStampsError })
  // A missing account anywhere in the batch, likewise.
  await t.throwsAsync(books.ledger.transferMany(books.em(), { legs: [
    { from: d.inventory, to: b, amount: 20, kind: 'sale' },
    { from: d.inventory, to: randomUUID(), amount: 1 },
  ] }), { instanceOf: LedgerAccountNotFoundError })
  t.deepEqual([await books.balance(d.inventory), await books.balance(a), await books.balance(b), await books.balance(c)], [90, 10, 0, 0])
  t.is(await books.entryCount(d.inventory), before)
  // A valid batch: one transfer id, one row per leg; a credit earlier in the batch covers a later debit.
  const ok = await books.ledger.transferMany(books.em(), { legs: [
    { from: d.inventory, to: b, amount: 20, kind: 'sale' },
    { from: b, to: c, amount: 25 },
    { from: a, to: b, amount: 5 },
  ], actor: d.profileId })
  t.is(ok.entries.length, 3)
  t.deepEqual(ok.balances, { [d.inventory]: 70, [a]: 5, [b]: 0, [c]: 25 })
  const [{ n }] = await sql<{ n: number }[]>(books.em(), 'select count(*)::int as n from ledger_entry where transfer_id = ?', [ok.transferId])
  t.is(n, 3)
})

test('inside a caller\'s transaction: commits and rolls back with it; a refused transfer leaves it usable', async (t) => {
  const d = await books.distributor(50)
  const cti = await books.cti(d)
  await t.throwsAsync(books.em().transactional(async (tx) => {
    await books.ledger.transfer(tx, { from: d.inventory, to: cti, amount: 7 })
    throw new Error('caller fails later')
  }), { message: 'caller fails later' })
  t.is(await books.balance(cti), 0)
  await books.em().transactional(async (tx) => {
    await t.throwsAsync(books.ledger.transfer(tx, { from: d.inventory, to: cti, amount: 51 }), { instanceOf: InsufficientInventoryError })
    await books.ledger.transfer(tx, { from: d.inventory, to: cti, amount: 8 })
    // The same key again inside the transaction replays.
    const key = randomUUID()
    const first = await books.ledger.transfer(tx, { from: d.inventory, to: cti, amount: 1, idempotencyKey: key })
    t.true((await books.ledger.transfer(tx, { from: d.inventory, to: cti, amount: 1, idempotencyKey: key })).replayed)
    await t.throwsAsync(books.ledger.transfer(tx, { from: d.inventory, to: cti, amount: 2, idempotencyKey: key }), { instanceOf: IdempotencyConflictError })
    t.false(first.replayed)
  })
  t.is(await books.balance(cti), 9)
  t.is(await books.balance(d.inventory), 41)
})

test('mint issues from the distributor\'s issuer; an unknown distributor is refused', async (t) => {
  const d = await t0.fixtures.distributor()
  const r = await books.ledger.mint(books.em(), { distributorId: d.id, stamps: 500, points: 1234_56, actor: d.profileId })
  t.is(r.entries.length, 2)
  t.deepEqual(r.entries.map((e) => [e.kind, e.asset, e.amount]), [['mint', 'stamps', 500], ['mint', 'points', 1234_56]])
  const stamps = (await books.ledger.accountOf(books.em(), 'distributor', d.id, 'stamps'))!
  const issuer = (await books.ledger.accountOf(books.em(), 'issuer', d.id, 'stamps'))!
  t.is(await books.balance(stamps.id), 500)
  t.is(await books.balance(issuer.id), -500)
  t.false(issuer.materialized)
  await t.throwsAsync(books.ledger.mint(books.em(), { distributorId: randomUUID(), stamps: 1 }), { instanceOf: DistributorNotFoundError })
  await t.throwsAsync(books.ledger.mint(books.em(), { distributorId: d.id }), { instanceOf: LedgerInvalidTransferError })
  await t.throwsAsync(books.ledger.mint(books.em(), { distributorId: d.id, stamps: 0 }), { instanceOf: LedgerInvalidAmountError })
})

test('ensureAccounts opens many accounts in bulk, idempotently, and keeps each owner in its distributor', async (t) => {
  const d = await t0.fixtures.distributor()
  const owners = Array.from({ length: 2500 }, () => ({ ownerId: randomUUID(), distributorId: d.id }))
  const ids = await books.ledger.ensureAccounts(books.em(), { ownerType: 'cti', asset: 'stamps', owners }, 1000)
  t.is(ids.size, 2500)
  const again = await books.ledger.ensureAccounts(books.em(), { ownerType: 'cti', asset: 'stamps', owners: owners.slice(0, 10) })
  for (const [owner, id] of again) t.is(ids.get(owner), id)
  const [{ n }] = await sql<{ n: number }[]>(books.em(), "select count(*)::int as n from ledger_account where distributor_id = ? and owner_type = 'cti'", [d.id])
  t.is(n, 2500)
  t.truthy(await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))
  const other = await t0.fixtures.distributor()
  await t.throwsAsync(books.ledger.ensureAccount(books.em(), { ownerType: 'cti', ownerId: owners[0].ownerId, asset: 'stamps', distributorId: other.id }), { instanceOf: LedgerAccountOwnerMismatchError })
})

test.after('the journal and balances agree after all of the above', async (t) => {
  t.deepEqual(await books.ledger.verify(books.em()), [])
})
