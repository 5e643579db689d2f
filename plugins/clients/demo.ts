import type { EntityManager } from '@mikro-orm/postgresql'
import type { DemoSeeder } from '../../core/plugin-api.js'
import { withCheckDigit } from './rfc.js'
import type { CustomerFields, CustomersService } from './services/customers.js'

const WORDS = ['Comercializadora', 'Abarrotes', 'Servicios', 'Papelería', 'Ferretería', 'Farmacia', 'Distribuidora', 'Taller', 'Consultores', 'Refaccionaria']
const PLACES = ['del Norte', 'del Bajío', 'Pacífico', 'Central', 'del Valle', 'Peninsular', 'Azteca', 'Jalisco', 'Hidalgo', 'Sonora']
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const ALNUM = 'ABCDEFGHIJKLMNPQRSTUVWXYZ123456789'

const pick = <T extends string | readonly string[]>(a: T, n: number): string => a[n % a.length] as string

/** A valid legal-entity RFC (3 letters, date, homoclave, check digit), deterministic in n. */
export function demoRfc(n: number): string {
  const letters = pick(LETTERS, n) + pick(LETTERS, Math.floor(n / 26)) + pick(LETTERS, Math.floor(n / 676))
  const date = `${String(n % 100).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}`
  return withCheckDigit(`${letters}${date}${pick(ALNUM, n)}${pick(ALNUM, Math.floor(n / 7))}0`)
}

export function demoCustomers(count: number, offset = 0): CustomerFields[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i
    return {
      legalName: `${pick(WORDS, n)} ${pick(PLACES, Math.floor(n / 10))} ${n} S.A. de C.V.`,
      tradeName: `${pick(WORDS, n)} ${n}`,
      rfc: demoRfc(n),
      phone: `55${String(10_000_000 + (n % 89_999_999)).padStart(8, '0')}`,
    }
  })
}

export const clientsDemo = (customers: CustomersService): DemoSeeder => ({
  async seed(em: EntityManager, distributor, options) {
    const nics = await customers.createMany(em, distributor.id, demoCustomers(options.customers, Math.floor(Math.random() * 1_000_000)))
    return { customers: nics }
  },
})
