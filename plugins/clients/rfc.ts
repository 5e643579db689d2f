import { Rfc } from '@nodecfdi/rfc'

const verdicts = new Map<string, boolean>()

/**
 * The RFC rule, kept here once (stamping checks a CFDI's issuer with it through clients' index): an
 * RFC is valid when it parses (format, date) and its check digit matches; SAT's generic RFCs
 * (XAXX010101000 national, XEXX010101000 foreign) as they are. Memoised: an issuer stamps many
 * documents, and parsing an RFC (its date through luxon) was ~2% of a stamp's CPU.
 */
export function isValidRfc(rfc: string): boolean {
  // An RFC has 12 (company) or 13 (person) characters; nothing else is kept as a key.
  if (rfc.length !== 12 && rfc.length !== 13) return false
  let valid = verdicts.get(rfc)
  if (valid === undefined) {
    const parsed = Rfc.parseOrNull(rfc)
    valid = !!parsed && (parsed.isGeneric() || parsed.isForeign() || parsed.doesCheckSumMatch())
    if (verdicts.size >= 10_000) verdicts.clear()
    verdicts.set(rfc, valid)
  }
  return valid
}

export const normalizeRfc = (raw: string) => raw.trim().toUpperCase().replace(/[\s-]/g, '')

/** Replaces the last character of a 12/13-character RFC with its correct check digit (seeding). */
export function withCheckDigit(rfc: string): string {
  const parsed = Rfc.unparsed(rfc)
  return rfc.slice(0, -1) + parsed.calculateChecksum()
}
