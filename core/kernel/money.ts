/**
 * Money and points at the edges are decimal strings with at most two decimals ("150.00", "150.5",
 * "150"); inside they are whole hundredths (15000). Never floats: "0.1 + 0.2" stays exact.
 */
const DECIMAL = /^(\d{1,13})(?:\.(\d{1,2}))?$/

/** "150.00" → 15000. Returns null for anything else (sign, exponent, 3 decimals, blanks, > 13 digits). */
export function parseHundredths(text: string): number | null {
  const m = DECIMAL.exec(text.trim())
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** 15000 → "150.00"; -5 → "-0.05". */
export function formatHundredths(hundredths: number): string {
  if (!Number.isSafeInteger(hundredths)) throw new RangeError(`not a whole number of hundredths: ${hundredths}`)
  const sign = hundredths < 0 ? '-' : ''
  const abs = Math.abs(hundredths)
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
