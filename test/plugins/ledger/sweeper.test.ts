import test from 'ava'
import { LedgerPendingResolvedError } from '../../../plugins/ledger/errors.js'
import { Books, startLedgerApp } from './helpers.js'

test('the plugin voids abandoned reservations on an interval and stops it at close', async (t) => {
  const app = await startLedgerApp({ pendingTimeoutMs: 100, sweepIntervalMs: 50 })
  try {
    const books = new Books(app)
    const d = await books.distributor(10)
    const cti = await books.cti(d, 3)
    const abandoned = await books.ledger.reserve(books.em(), { account: cti, amount: 2 })
    t.is(await books.balance(cti), 1)
    const deadline = Date.now() + 10_000
    while (await books.balance(cti) !== 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    t.is(await books.balance(cti), 3)
    await t.throwsAsync(books.ledger.post(books.em(), abandoned.pendingId), { instanceOf: LedgerPendingResolvedError, message: /anulado/ })
    t.deepEqual(await books.ledger.verify(books.em()), [])
  } finally {
    await app.close()
  }
})

test('bad options fail boot', async (t) => {
  await t.throwsAsync(startLedgerApp({ pendingTimeoutMs: 0 }), { message: /pendingTimeoutMs/ })
})
