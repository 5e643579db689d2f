import { Rfc } from '@nodecfdi/rfc'

/**
 * An RFC is valid when it parses (format, date) and its check digit matches. SAT's generic RFCs
 * (XAXX010101000 national, XEXX010101000 foreign) are accepted as they are.
 */
export function isValidRfc(raw: string): boolean {
  const rfc = Rfc.parseOrNull(raw)
  if (!rfc) return false
  return rfc.isGeneric() || rfc.isForeign() || rfc.doesCheckSumMatch()
}

export const normalizeRfc = (raw: string) => raw.trim().toUpperCase().replace(/[\s-]/g, '')

/** Replaces the last character of a 12/13-character RFC with its correct check digit (seeding). */
export function withCheckDigit(rfc: string): string {
  const parsed = Rfc.unparsed(rfc)
  return rfc.slice(0, -1) + parsed.calculateChecksum()
}
