import { sql } from '../../../core/db/sql.js'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError } from '../../../core/kernel/errors.js'
import type { EventBus } from '../../../core/kernel/events.js'
import type { Logger } from '../../../core/kernel/logger.js'
import { CustomerSchema, CustomerProfileSchema, type Customer } from '../entities/customer.js'
import { CustomerNotFoundError } from '../errors.js'
import { isValidRfc, normalizeRfc } from '../rfc.js'

export interface CustomerInput { legalName?: unknown, tradeName?: unknown, rfc?: unknown, phone?: unknown }
export interface CustomerFields { legalName: string, tradeName: string | null, rfc: string, phone: string | null }
export interface CustomerJson { nic: string, legalName: string, tradeName: string | null, rfc: string, phone: string | null }

declare module '../../../core/kernel/events.js' {
  interface PluginEvents {
    /** Inside the creating transaction: subscribers' writes commit with the customer. */
    'clients.customerCreated': { customer: Customer }
    /** A batch (seed, import): one event for many customers. */
    'clients.customersCreated': { customers: Customer[] }
  }
}

/** Control characters (NUL above all, which PostgreSQL text cannot store) have no place in these one-line fields. */
const CONTROL = /[\u0000-\u001f\u007f]/

const text = (v: unknown, max: number): string | null | undefined => {
  if (v === undefined) return undefined
  if (v === null) return null
  if (typeof v !== 'string' || CONTROL.test(v.trim())) return undefined
  const t = v.trim()
  return t.length === 0 ? null : t.length > max ? undefined : t
}

/**
 * Validates customer fields; only legalName and rfc are required on create. On update (`partial`)
 * absent fields are left alone. Throws 422 naming every bad field.
 */
export function parseCustomer(input: CustomerInput, partial = false): Partial<CustomerFields> {
  const fields: Record<string, string> = {}
  const out: Partial<CustomerFields> = {}
  const legalName = text(input.legalName, 300)
  if (legalName === undefined && (input.legalName !== undefined || !partial)) fields.legalName = 'La razón social es obligatoria (máximo 300 caracteres)'
  else if (legalName === null) fields.legalName = 'La razón social es obligatoria'
  else if (legalName !== undefined) out.legalName = legalName
  if (input.rfc !== undefined || !partial) {
    const rfc = typeof input.rfc === 'string' ? normalizeRfc(input.rfc) : ''
    if (!rfc || !isValidRfc(rfc)) fields.rfc = 'RFC inválido (formato o dígito verificador)'
    else out.rfc = rfc
  }
  if (input.tradeName !== undefined) {
    const t = text(input.tradeName, 300)
    if (t === undefined) fields.tradeName = 'Nombre comercial inválido (máximo 300 caracteres)'
    else out.tradeName = t
  }
  if (input.phone !== undefined) {
    const p = text(input.phone, 30)
    if (p === undefined || (p !== null && !/^\+?[0-9 ()-]{7,30}$/.test(p))) fields.phone = 'Teléfono inválido'
    else out.phone = p
  }
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return out
}

export const customerJson = (c: Customer): CustomerJson => ({
  nic: c.nic, legalName: c.legalName, tradeName: c.tradeName ?? null, rfc: c.rfc, phone: c.phone ?? null,
})

/** The clients plugin's public surface: what other plugins and routes use. */
export class CustomersService {
  constructor(private readonly events: EventBus, private readonly log?: Logger) {}

  /** After commit: a failing side effect must not undo or fail the creation, but it must be seen. */
  private logFailures(event: string, failures: unknown[]) {
    for (const e of failures) this.log?.error(`${event} subscriber failed after commit`, { error: String((e as Error)?.stack ?? e) })
  }

  /** Creates the customer and runs `clients.customerCreated` subscribers in the same transaction. */
  async create(em: EntityManager, distributorId: string, input: CustomerInput): Promise<Customer> {
    const fields = parseCustomer(input) as CustomerFields
    const created = await em.transactional(async (tx) => {
      const customer = tx.create(CustomerSchema, { ...fields, tradeName: fields.tradeName ?? null, phone: fields.phone ?? null, distributorId } as Customer)
      await tx.flush()
      await this.events.emit('clients.customerCreated', { customer }, tx)
      return customer
    })
    this.logFailures('clients.customerCreated', await this.events.emitCommitted('clients.customerCreated', { customer: created }))
    return created
  }

  /**
   * Bulk insert for seeding and imports: rows already validated by the caller, one multi-row INSERT
   * per chunk, one batch event per chunk inside the same transaction.
   */
  async createMany(em: EntityManager, distributorId: string, rows: CustomerFields[], chunk = 5000): Promise<string[]> {
    const nics: string[] = []
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk)
      const inserted = await em.transactional(async (tx) => {
        const values: unknown[] = []
        const tuples = part.map((r) => { values.push(distributorId, r.legalName, r.tradeName, r.rfc, r.phone); return '(?, ?, ?, ?, ?)' })
        const inserted = await sql<Customer[]>(tx, 
          `insert into clients_customer (distributor_id, legal_name, trade_name, rfc, phone) values ${tuples.join(', ')}
           returning id, distributor_id as "distributorId", nic, legal_name as "legalName", trade_name as "tradeName", rfc, phone, created_at as "createdAt"`,
          values)
        await this.events.emit('clients.customersCreated', { customers: inserted }, tx)
        return inserted
      })
      nics.push(...inserted.map((c) => c.nic))
      this.logFailures('clients.customersCreated', await this.events.emitCommitted('clients.customersCreated', { customers: inserted }))
    }
    return nics
  }

  async list(em: EntityManager, distributorId: string, page: number, perPage: number): Promise<{ items: Customer[], total: number }> {
    const [items, total] = await em.findAndCount(CustomerSchema, { distributorId }, {
      orderBy: { createdAt: 'desc', nic: 'desc' }, limit: perPage, offset: (page - 1) * perPage,
    })
    return { items, total }
  }

  /** By NIC within the tenant; another distributor's customer is "not found". */
  async getByNic(em: EntityManager, distributorId: string, nic: string): Promise<Customer> {
    const c = await em.findOne(CustomerSchema, { nic, distributorId })
    if (!c) throw new CustomerNotFoundError(nic)
    return c
  }

  async update(em: EntityManager, customer: Customer, input: CustomerInput): Promise<Customer> {
    const fields = parseCustomer(input, true)
    em.assign(customer, fields)
    await em.flush()
    return customer
  }

  /** Customers whose PCC the profile may enter. */
  async linkedTo(em: EntityManager, profileId: string): Promise<Customer[]> {
    const links = await em.find(CustomerProfileSchema, { profileId })
    if (!links.length) return []
    return em.find(CustomerSchema, { id: { $in: links.map((l) => l.customerId) } }, { orderBy: { legalName: 'asc' } })
  }

  async link(em: EntityManager, customerId: string, profileId: string, role: 'owner' | 'member' = 'member'): Promise<void> {
    await em.insert(CustomerProfileSchema, { customerId, profileId, role, createdAt: new Date() } as never)
  }
}
