import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import type { TestApp } from '../../helpers/app.js'
import { Books, startLedgerApp } from './helpers.js'

let t0: TestApp
let books: Books
test.before(async () => { t0 = await startLedgerApp(); books = new Books(t0) })
test.after.always(() => t0?.close())

test('the journal refuses UPDATE, DELETE and TRUNCATE, even through raw SQL', async (t) => {
  const d = await books.distributor(10)
  const em = books.em()
  const [entry] = await sql<{ id: string }[]>(em, 'select id::text as id from ledger_entry where credit_account = ?', [d.inventory])
  t.truthy(entry)
  await t.throwsAsync(sql(books.em(), 'update ledger_entry set amount = 1000000 where id = ?', [entry.id]), { message: /append-only/ })
  await t.throwsAsync(sql(books.em(), 'delete from ledger_entry where id = ?', [entry.id]), { message: /append-only/ })
  await t.throwsAsync(sql(books.em(), 'truncate ledger_entry cascade'), { message: /append-only/ })
  // An account with entries is never deleted, and what identifies one never changes.
  await t.throwsAsync(sql(books.em(), 'delete from ledger_account where id = ?', [d.inventory]), { message: /refused: it has journal entries/ })
  await t.throwsAsync(sql(books.em(), "update ledger_account set materialized = false where id = ?", [d.inventory]), { message: /refused/ })
  await t.throwsAsync(sql(books.em(), "update ledger_account set owner_id = 'x' where id = ?", [d.inventory]), { message: /refused/ })
  t.is(await books.balance(d.inventory), 10)
  const [after] = await sql<{ amount: number }[]>(books.em(), 'select amount::int as amount from ledger_entry where id = ?', [entry.id])
  t.is(after.amount, 10)
})

test('the database refuses a negative balance, even through raw SQL', async (t) => {
  const d = await books.distributor(5)
  const cti = await books.cti(d, 3)
  await t.throwsAsync(sql(books.em(), 'update ledger_account set balance = balance - 4 where id = ?', [cti]), { message: /ledger_account_balance_check/ })
  await t.throwsAsync(sql(books.em(), 'update ledger_account set balance = -1 where id = ?', [d.inventory]), { message: /ledger_account_balance_check/ })
  // Issuer and sink rows keep 0: their balances come from the journal.
  const issuer = (await books.ledger.accountOf(books.em(), 'issuer', d.id, 'stamps'))!
  await t.throwsAsync(sql(books.em(), 'update ledger_account set balance = 7 where id = ?', [issuer.id]), { message: /ledger_account_unmaterialized_zero_check/ })
  // Which accounts are materialized follows from the owner type; a CTI cannot opt out.
  await t.throwsAsync(sql(books.em(), "insert into ledger_account (distributor_id, owner_type, owner_id, asset, materialized) values (?, 'cti', 'raw', 'stamps', false)", [d.id]), { message: /ledger_account_materialized_check/ })
  await t.throwsAsync(sql(books.em(), "insert into ledger_account (distributor_id, owner_type, owner_id, asset, materialized) values (?, 'sink', 'raw', 'stamps', true)", [d.id]), { message: /ledger_account_materialized_check/ })
  t.is(await books.balance(cti), 3)
  t.is(await books.balance(issuer.id), -5)
})

test('entries need a positive amount and two different accounts', async (t) => {
  const d = await books.distributor(5)
  const cti = await books.cti(d)
  const insert = (amount: number, debit: string, credit: string) => sql(books.em(),
    `insert into ledger_entry (transfer_id, kind, phase, debit_account, credit_account, amount, asset, distributor_id) values (gen_random_uuid(), 'correction', 'single', ?, ?, ?, 'stamps', ?)`,
    [debit, credit, amount, d.id])
  await t.throwsAsync(insert(0, d.inventory, cti), { message: /ledger_entry_amount_check/ })
  await t.throwsAsync(insert(-3, d.inventory, cti), { message: /ledger_entry_amount_check/ })
  await t.throwsAsync(insert(1, cti, cti), { message: /ledger_entry_accounts_check/ })
})
