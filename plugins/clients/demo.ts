import { randomBytes } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import type { DemoSeeder, Identity } from '../../core/plugin-api.js'
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

export const clientsDemo = (customers: CustomersService, identity: Identity): DemoSeeder => ({
  async seed(em: EntityManager, distributor, options) {
    const nics = await customers.createMany(em, distributor.id, demoCustomers(options.customers, Math.floor(Math.random() * 1_000_000)))
    return { customers: nics, pccLogin: await pccCustomer(em, customers, identity, distributor.id) }
  },
})

/**
 * One more customer, whose main profile signs in to the PCC (at /login) with a new, unique login:
 * the demo's way to try the customer panel.
 */
async function pccCustomer(em: EntityManager, customers: CustomersService, identity: Identity, distributorId: string) {
  const run = randomBytes(4).toString('hex')
  const n = randomBytes(3).readUIntBE(0, 3)
  const customer = await customers.create(em, distributorId, { legalName: `Cliente PCC Demo ${run} S.A. de C.V.`, tradeName: `Cliente PCC ${run}`, rfc: demoRfc(n) })
  const login = `cliente-${run}@demo.cuentamaestra.mx`
  const mobile = `+52 55 ${String(10_000_000 + (randomBytes(4).readUInt32BE() % 89_999_999))}`
  const password = `pcc-${randomBytes(9).toString('base64url')}`
  await identity.createProfile(em, { email: login, mobile, name: `Cliente Demo ${run}`, password }, { verified: true })
  await customers.assignOwner(em, customer, { email: login, mobile })
  return { login, password, nic: customer.nic }
}
