import test from 'ava'
import { addMonths, monthsLeft, prorate, proratedPoints } from '../../../plugins/purchases/contracts/proration.js'

// The first charge of an MKL / subscription: whole months from today to the CM expiry, a started
// month counting whole (1..12), × the yearly price / 12.

const table: [string, string, string, number | null][] = [
  // what, today, expiry, months
  ['1st of a month, expiry exactly 5 months ahead', '2026-01-01', '2026-06-01', 5],
  ['1st of a month, a day past 5 months', '2026-01-01', '2026-06-02', 6],
  ['1st of a month, expiry the last day of that month', '2026-03-01', '2026-03-31', 1],
  ['last day of a month (31st) to the end of February', '2026-01-31', '2026-02-28', 1],
  ['last day of a month to March 1st', '2026-01-31', '2026-03-01', 2],
  ['last day of a month to the last day three months on', '2026-01-31', '2026-04-30', 3],
  ['last day of a 30-day month to the 31st', '2026-04-30', '2026-05-31', 2],
  ['across Feb 29 of a leap year', '2023-12-15', '2024-03-15', 3],
  ['leap day to the same day next month', '2024-02-29', '2024-03-29', 1],
  ['leap day, a day past a month', '2024-02-29', '2024-03-30', 2],
  ['Jan 31 to Feb 29 of a leap year', '2024-01-31', '2024-02-29', 1],
  ['leap day to Feb 28 next year: a whole year', '2024-02-29', '2025-02-28', 12],
  ['expiry exactly 12 months ahead', '2026-07-10', '2027-07-10', 12],
  ['expiry exactly 1 month ahead', '2026-07-10', '2026-08-10', 1],
  ['expiry exactly 11 months ahead', '2026-07-10', '2027-06-10', 11],
  ['more than a year ahead: at most 12', '2026-07-10', '2027-12-31', 12],
  ['expiry today: the started month counts', '2026-07-10', '2026-07-10', 1],
  ['expiry tomorrow', '2026-07-10', '2026-07-11', 1],
  ['expiry yesterday: refused', '2026-07-10', '2026-07-09', null],
  ['expiry a year ago: refused', '2026-07-10', '2025-07-10', null],
]

for (const [what, today, expiry, months] of table) {
  test(`months left: ${what}`, (t) => { t.is(monthsLeft(today, expiry), months) })
}

test('months are clamped to the month\'s last day', (t) => {
  t.is(addMonths('2026-01-31', 1), '2026-02-28')
  t.is(addMonths('2024-01-31', 1), '2024-02-29')
  t.is(addMonths('2026-12-15', 1), '2027-01-15')
  t.is(addMonths('2024-02-29', 12), '2025-02-28')
})

test('the charge: yearly × months / 12, in hundredths, rounded half up', (t) => {
  t.is(proratedPoints(120_000, 5), 50_000)
  t.is(proratedPoints(120_000, 12), 120_000)
  t.is(proratedPoints(100, 1), 8)     // 8.33…
  t.is(proratedPoints(6, 1), 1)       // 0.5 → 1
  t.is(proratedPoints(5, 1), 0)       // 0.41…
  t.deepEqual(prorate(120_000, '2026-01-01', '2026-06-01'), { ok: true, months: 5, points: 50_000 })
})

test('no expiry or a passed one: refused, saying why', (t) => {
  t.deepEqual(prorate(120_000, '2026-07-10', null), { ok: false, reason: 'no_expiry' })
  t.deepEqual(prorate(120_000, '2026-07-10', undefined), { ok: false, reason: 'no_expiry' })
  t.deepEqual(prorate(120_000, '2026-07-10', '2026-07-09'), { ok: false, reason: 'expired' })
})
