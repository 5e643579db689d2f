import type { Contact, Customer } from '../entities/customer.js'
import { CONTACTS } from './validate.js'

/** Lower case without diacritics: "Güera Ñandú" → "guera nandu". The same fold at write and query time. */
export const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

/** Keys are upper-case letters and digits only (RFCs keep Ñ and &). */
export const keyOf = (s: string) => s.toUpperCase().replace(/[^0-9A-ZÑ&]/g, '')

const digits = (s: string) => s.replace(/[^0-9]/g, '')

type Searchable = Pick<Customer, 'legalName' | 'tradeName' | 'email' | 'legalRepresentative' | 'financialContact' | 'technicalContact'>

/** Names and e-mails, one per line (a match never spans two fields): the trigram-indexed column. */
export function searchTextOf(c: Searchable): string {
  const parts = [c.legalName, c.tradeName, c.email]
  for (const k of CONTACTS) { const x = c[k] as Contact | null | undefined; if (x) parts.push(x.name, x.email) }
  return parts.filter((p): p is string => !!p).map(fold).join('\n')
}

/**
 * A search text of at least this many characters also matches a run inside a phone's digits (people
 * type the local number without its area code); a shorter one matches the start of a value only.
 */
export const RUN_MIN = 4

/** A search key; `head` when it starts a value (NIC, RFC, a phone's digits or its national number). */
export interface SearchKey { key: string, head: boolean }

/**
 * Prefix keys: RFC, company phone and contacts' phones as digits (and, for numbers with a country
 * code, their last 10 digits, the national number) — heads —, and each phone's digits from its second
 * digit on while RUN_MIN remain: a prefix of one of those is a run inside the phone. The NIC is added
 * by the database.
 */
export function searchKeysOf(c: Pick<Customer, 'rfc' | 'phone' | 'legalRepresentative' | 'financialContact' | 'technicalContact'> & { nic?: string }): SearchKey[] {
  const keys = new Map<string, boolean>()
  const add = (k: string, head: boolean) => { if (k) keys.set(k, head || (keys.get(k) ?? false)) }
  if (c.nic) add(c.nic, true)
  add(keyOf(c.rfc), true)
  const phones = [c.phone, ...CONTACTS.flatMap((k) => (c[k] as Contact | null | undefined)?.phones ?? [])]
  for (const p of phones) {
    if (!p) continue
    const d = digits(p)
    add(d.slice(0, 40), true)
    if (d.length > 10) add(d.slice(-10), true)
    for (let i = 1; i + RUN_MIN <= Math.min(d.length, 40); i++) add(d.slice(i, 40), false)
  }
  return [...keys].map(([key, head]) => ({ key, head }))
}

/**
 * SQL for the number of leading characters two strings share (0 when one is null), as a binary
 * search over lengths up to 40 (a key's maximum): six comparisons, where counting character by
 * character cost 2.5 times as much over millions of keys.
 */
export function commonPrefixSql(a: string, b: string, lo = 0, hi = 40): string {
  if (lo >= hi) return String(lo)
  const mid = Math.ceil((lo + hi) / 2)
  return `case when left(${a}, ${mid}) = left(${b}, ${mid}) then ${commonPrefixSql(a, b, mid, hi)} else ${commonPrefixSql(a, b, lo, mid - 1)} end`
}

/** Escapes LIKE's wildcards (the default escape character is the backslash). */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`)
