/**
 * The first charge of a yearly contract (MKL, subscription) aligned to the buyer's CM expiry: the
 * yearly price × months / 12, where months are the whole months from today until the expiry date, a
 * started month counting as a whole one (at least 1, at most 12). Dates are 'YYYY-MM-DD' (UTC days,
 * as the distributors plugin keeps the CM expiry); the CM is valid through its expiry day.
 */
export type Proration = { ok: true, months: number, points: number } | { ok: false, reason: 'no_expiry' | 'expired' }

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** `date` + n calendar months, clamped to the month's last day (Jan 31 + 1 → Feb 28 or 29). */
export function addMonths(date: string, n: number): string {
  const m = DAY.exec(date)
  if (!m) throw new RangeError(`not a date: ${date}`)
  const total = Number(m[1]) * 12 + Number(m[2]) - 1 + n
  const y = Math.floor(total / 12)
  const month = total % 12
  const last = new Date(Date.UTC(y, month + 1, 0)).getUTCDate()
  const d = Math.min(Number(m[3]), last)
  return `${String(y).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** Whole months from `today` until `expiry`, a started month counting whole; min 1, max 12. Null when the expiry has passed. */
export function monthsLeft(today: string, expiry: string): number | null {
  if (!DAY.test(today) || !DAY.test(expiry)) throw new RangeError(`not a date: ${today} / ${expiry}`)
  if (expiry < today) return null
  let months = 1
  while (months < 12 && addMonths(today, months) < expiry) months++
  return months
}

/** Hundredths: price × months / 12, rounded half up to the hundredth. */
export function proratedPoints(yearly: number, months: number): number {
  return Math.floor((yearly * months + 6) / 12)
}

export function prorate(yearly: number, today: string, expiry: string | null | undefined): Proration {
  if (!expiry) return { ok: false, reason: 'no_expiry' }
  const months = monthsLeft(today, expiry.slice(0, 10))
  if (months === null) return { ok: false, reason: 'expired' }
  return { ok: true, months, points: proratedPoints(yearly, months) }
}

/** The kernel clock's day, as the CM expiry is compared everywhere ('YYYY-MM-DD', UTC). */
export const dayOf = (now: Date) => now.toISOString().slice(0, 10)
