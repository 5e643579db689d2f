import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import ledger from '../../../plugins/ledger/index.js'
import { DEMO_STAMPS } from '../../../plugins/ledger/demo.js'
import type { TestApp } from '../../helpers/app.js'
import { Books, startLedgerApp } from './helpers.js'

// The CLI boots config/app.ts's installed plugins, which do not include ledger until it is
// installed; so these drive the plugin's command objects as cli.ts does (same
// contexts, `run` returns the exit code), with captured output.
let t0: TestApp
let books: Books
test.before(async () => { t0 = await startLedgerApp(); books = new Books(t0) })
test.after.always(() => t0?.close())

async function cli(...argv: string[]) {
  const commands = ledger.commands!(t0.app.kernel.contexts.get('ledger')!)
  const out: string[] = []
  const err: string[] = []
  const code = await commands[argv[0]].run(argv.slice(1), { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

// Serial: verify looks at the whole database, and the last test tampers with it.
test.serial('mint: stamps and points (pesos) into a distributor\'s inventory', async (t) => {
  const d = await t0.fixtures.distributor()
  const r = await cli('mint', '--distributor', d.id, '--stamps', '250', '--points', '150.50')
  t.is(r.code, 0, r.err)
  t.regex(r.out, /minted 250 stamps/)
  t.regex(r.out, /minted 150\.50 points/)
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'distributor', d.id, 'stamps'))!.id), 250)
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'distributor', d.id, 'points'))!.id), 150_50)
})

test.serial('mint: bad input is refused with a clear message and exit code 2', async (t) => {
  const d = await t0.fixtures.distributor()
  const cases: [string[], RegExp][] = [
    [[], /--distributor/],
    [['--stamps', '10'], /--distributor/],
    [['--distributor', 'abc', '--stamps', '10'], /--distributor must be/],
    [['--distributor', d.id], /nothing to mint/],
    [['--distributor', d.id, '--stamps', 'ten'], /--stamps must be a positive whole number/],
    [['--distributor', d.id, '--stamps', '0'], /--stamps must be/],
    [['--distributor', d.id, '--stamps', '1.5'], /--stamps must be/],
    [['--distributor', d.id, '--stamps', '-3'], /--stamps|option/],
    [['--distributor', d.id, '--points', '1.234'], /--points must be/],
    [['--distributor', d.id, '--points', '1e3'], /--points must be/],
    [['--distributor', d.id, '--points', '0.00'], /--points must be/],
    [['--distributor', d.id, '--points', '12,50'], /--points must be/],
    [['--distributor', d.id, '--stamps', '5', '--bogus'], /Unknown option/],
    [['--distributor', '00000000-0000-4000-8000-000000000000', '--stamps', '5'], /distributor_not_found/],
  ]
  for (const [args, message] of cases) {
    const r = await cli('mint', ...args)
    t.is(r.code, 2, args.join(' '))
    t.regex(r.err, message, args.join(' '))
  }
  t.is(await books.ledger.accountOf(books.em(), 'distributor', d.id, 'stamps'), null)
})

test.serial('the demo seeder mints 100000 stamps for each demo distributor', async (t) => {
  const d = await t0.fixtures.distributor()
  const seeded = await ledger.demo!(t0.app.kernel.contexts.get('ledger')!).seed(books.em(), { id: d.id }, { customers: 0 })
  t.deepEqual(seeded, { stampInventory: DEMO_STAMPS })
  t.is(await books.balance((await books.ledger.accountOf(books.em(), 'distributor', d.id, 'stamps'))!.id), 100_000)
})

test.serial('ledger verify: clean books exit 0', async (t) => {
  const d = await books.distributor(40)
  const cti = await books.cti(d, 10)
  const r1 = await books.ledger.reserve(books.em(), { account: cti })
  await books.ledger.post(books.em(), r1.pendingId)
  await books.ledger.reserve(books.em(), { account: cti, amount: 2 })   // still pending
  const r3 = await books.ledger.reserve(books.em(), { account: cti })
  await books.ledger.void(books.em(), r3.pendingId)
  t.deepEqual(await books.ledger.verify(books.em()), [])
  const r = await cli('ledger', 'verify')
  t.is(r.code, 0, r.err)
  t.regex(r.out, /agree/)
  t.is((await cli('ledger')).code, 2)
  t.is((await cli('ledger', 'verify', 'now')).code, 2)
})

test.serial('ledger verify: a balance changed behind the journal\'s back is reported and the command exits 1', async (t) => {
  const d = await books.distributor(40)
  const cti = await books.cti(d, 10)
  await books.ledger.reserve(books.em(), { account: cti, amount: 3 })
  await sql(books.em(), 'update ledger_account set balance = balance + 5 where id = ?', [cti])
  const mismatches = await books.ledger.verify(books.em())
  t.deepEqual(mismatches.map((m) => [m.check, m.subject, m.actual, m.expected]), [['balance', cti, 12, 7]])
  const r = await cli('ledger', 'verify')
  t.is(r.code, 1)
  t.regex(r.err, new RegExp(`balance: account ${cti} \\(cti .*\\): balance 12, journal says 7`))
  t.regex(r.err, /1 mismatch/)
})

test.serial('ledger verify: an entry that breaks the journal\'s rules is reported', async (t) => {
  const d = await books.distributor(40)
  const cti = await books.cti(d, 10)
  const other = await books.distributor(1)
  const r = await books.ledger.reserve(books.em(), { account: cti })
  const sink = (await books.ledger.accountOf(books.em(), 'sink', d.id, 'stamps'))!.id
  // Raw inserts that the service never writes: a post of another amount, a sale from nowhere,
  // a row filed under another tenant. Each one is balanced by a compensating raw update so only
  // the rule under test trips.
  const insert = (cols: string, values: unknown[]) => sql(books.em(), `insert into ledger_entry (transfer_id, kind, asset, ${cols}) values (gen_random_uuid(), 'correction', 'stamps', ${values.map(() => '?').join(', ')})`, values)
  await insert('phase, pending_id, debit_account, credit_account, amount, distributor_id', ['post', r.pendingId, cti, sink, 2, d.id])
  const [bad] = await sql<{ id: string }[]>(books.em(), 'select id::text as id from ledger_entry where pending_id = ?', [r.pendingId])
  await insert('phase, debit_account, credit_account, amount, distributor_id', ['single', '00000000-0000-4000-8000-000000000000', sink, 1, d.id])
  await insert('phase, debit_account, credit_account, amount, distributor_id', ['single', other.inventory, d.inventory, 1, d.id])
  await sql(books.em(), 'update ledger_account set balance = balance - 1 where id = ?', [other.inventory])
  await sql(books.em(), 'update ledger_account set balance = balance + 1 where id = ?', [d.inventory])
  const found = (await books.ledger.verify(books.em())).filter((m) => m.check !== 'balance')
  t.deepEqual(found.map((m) => m.check).sort(), ['reference', 'resolution', 'tenant'])
  t.regex(found.find((m) => m.check === 'resolution')!.message, new RegExp(`entry ${bad.id} resolves ${r.pendingId}, but the amount differs`))
  t.is((await cli('ledger', 'verify')).code, 1)
})
