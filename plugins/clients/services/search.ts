import type { Contact, Customer } from '../entities/customer.js'
import { CONTACTS } from './validate.js'

/** Lower case without diacritics: "Güera Ñandú" → "guera nandu". The same fold at write and query time. */
export const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

/** Keys are upper-case letters and digits only (RFCs keep Ñ and &). */
export const keyOf = (s: string) => s.toUpperCase().replace(/[^0-9A-ZÑ&]/g, '')

const digits = (s: string) => s.replace(/\D/g, '')

type Searchable = Pick<Customer, 'legalName' | 'tradeName' | 'email' | 'legalRepresentative' | 'financialContact' | 'technicalContact'>

/** Names and e-mails, one per line (a match never spans two fields): the trigram-indexed column. */
export function searchTextOf(c: Searchable): string {
  const parts = [c.legalName, c.tradeName, c.email]
  for (const k of CONTACTS) { const x = c[k] as Contact | null | undefined; if (x) parts.push(x.name, x.email) }
  return parts.filter((p): p is string => !!p).map(fold).join('\n')
}

/**
 * Exact/prefix keys: RFC, company phone and contacts' phones as digits (and, for numbers with a
 * country code, their last 10 digits, the national number). The NIC is added by the database.
 */
export function searchKeysOf(c: Pick<Customer, 'rfc' | 'phone' | 'legalRepresentative' | 'financialContact' | 'technicalContact'> & { nic?: string }): string[] {
  const keys = new Set<string>()
  if (c.nic) keys.add(c.nic)
  keys.add(keyOf(c.rfc))
  const phones = [c.phone, ...CONTACTS.flatMap((k) => (c[k] as Contact | null | undefined)?.phones ?? [])]
  for (const p of phones) {
    if (!p) continue
    const d = digits(p)
    if (d) keys.add(d.slice(0, 40))
    if (d.length > 10) keys.add(d.slice(-10))
  }
  keys.delete('')
  return [...keys]
}

/** Escapes LIKE's wildcards (the default escape character is the backslash). */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`)
