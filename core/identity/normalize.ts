import { parsePhoneNumberFromString } from 'libphonenumber-js/max'

export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase()
  // Pragmatic check (one @, a dot in the domain, no spaces); delivery proves the rest.
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254 ? email : null
}

/** Mexican numbers may be written without the country code; stored as E.164. */
export function normalizeMobile(raw: string): string | null {
  const phone = parsePhoneNumberFromString(raw.trim(), 'MX')
  return phone && phone.isValid() ? phone.number : null
}

/** A login is an e-mail when it has an @, otherwise a mobile. */
export function normalizeLogin(raw: string): { email: string } | { mobile: string } | null {
  if (raw.includes('@')) { const email = normalizeEmail(raw); return email ? { email } : null }
  const mobile = normalizeMobile(raw)
  return mobile ? { mobile } : null
}
