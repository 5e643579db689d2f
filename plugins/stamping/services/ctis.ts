import argon2 from 'argon2'
import { createHash, randomBytes } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, parseHundredths, sql, type AuditInput } from '../../../core/plugin-api.js'
import type { LedgerService } from '../../ledger/index.js'
import { isValidRfc } from '../../clients/index.js'
import { StampingAccountSchema, type CtiType, type StampingAccount } from '../entities/cti.js'
import { CtiIdTakenError, CtiNotFoundError } from '../errors.js'
import { CustomerHasMovementsError } from '../../clients/index.js'
import { LedgerAccountInUseError } from '../../ledger/index.js'

/**
 * argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane; ~25 ms here). The library's
 * default (64 MiB, 3 passes, 4 lanes) took ~250 ms, so each CTI's first stamp after a cache miss
 * queued behind the others' on the four-thread pool: 200 CTIs starting at once waited seconds.
 */
export const hashCtiPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 })
/** A generated CTI password: 16 characters (96 random bits) the distributor can dictate over the phone. */
export const generateCtiPassword = () => randomBytes(12).toString('base64url')
/**
 * argon2id with light parameters (4 MiB, 2 passes, ~5 ms) for generated passwords: 96 random bits
 * need no memory-hard stretching, and a new customer's transaction must not wait on a 64 MiB hash
 * (30 concurrent sign-ups held every pooled connection through argon2). A password a person
 * chooses (reset, new CTI) gets the full default cost; verification reads the cost from the hash.
 */
export const hashGeneratedPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 })

const CTI_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{3,39}$/
const DAY_MS = 86_400_000

/** A CTI as the API shows it. */
export interface CtiJson {
  id: string, customer: string, type: CtiType, active: boolean, balance: number | null,
  validUntil: string | null, rfc: string | null,
  autoSale: { minimum: number, quantity: number, amount: string, warning: string | null } | null
}

export interface NewCti { id?: string, type: CtiType, password: string, validUntil?: Date | null, rfc?: string | null }

/** Checks the fields of a new CTI; throws 422 naming the bad ones. `passwordConfirmation` is checked when given. */
export function parseNewCti(input: Record<string, unknown>): NewCti {
  const fields: Record<string, string> = {}
  const type = input.type ?? 'standard'
  if (type !== 'standard' && type !== 'unlimited') fields.type = 'El tipo debe ser standard o unlimited'
  let id: string | undefined
  if (input.id !== undefined && input.id !== null && input.id !== '') {
    if (typeof input.id !== 'string' || !CTI_ID.test(input.id)) fields.id = 'El id de la CTI debe tener de 4 a 40 letras, dígitos, punto, guion o guion bajo'
    else id = input.id
  }
  const password = checkPassword(input.password, input.passwordConfirmation, fields)
  let validUntil: Date | null = null
  let rfc: string | null = null
  if (type === 'unlimited') {
    if (input.validUntil !== undefined && input.validUntil !== null && input.validUntil !== '') {
      const d = typeof input.validUntil === 'string' && /^\d{4}-\d{2}-\d{2}/.test(input.validUntil) ? new Date(input.validUntil) : null
      if (!d || Number.isNaN(d.getTime()) || d.getTime() <= Date.now()) fields.validUntil = 'La vigencia debe ser una fecha futura (AAAA-MM-DD)'
      else validUntil = d
    }
    if (input.rfc !== undefined && input.rfc !== null && input.rfc !== '') {
      const r = typeof input.rfc === 'string' ? input.rfc.trim().toUpperCase() : ''
      if (!r || !isValidRfc(r)) fields.rfc = 'RFC inválido (formato o dígito verificador)'
      else rfc = r
    }
  } else {
    if (input.validUntil) fields.validUntil = 'Solo las CTI ilimitadas tienen vigencia'
    if (input.rfc) fields.rfc = 'Solo las CTI ilimitadas se restringen a un RFC'
  }
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return { id, type: type as CtiType, password: password!, validUntil, rfc }
}

export function checkPassword(password: unknown, confirmation: unknown, fields: Record<string, string>): string | undefined {
  if (typeof password !== 'string' || password.length < 8 || password.length > 100) {
    fields.password = 'La contraseña debe tener de 8 a 100 caracteres'
    return undefined
  }
  if (confirmation !== undefined && confirmation !== password) fields.passwordConfirmation = 'La confirmación no coincide con la contraseña'
  return password
}

/** "150.00" (or 150) → hundredths, or a 422 naming the field. */
export function parseAmount(value: unknown, field: string, fields: Record<string, string>): number | undefined {
  const n = typeof value === 'string' ? parseHundredths(value) : typeof value === 'number' && Number.isFinite(value) ? parseHundredths(String(value)) : null
  if (n === null) { fields[field] = 'Importe inválido: un número con a lo más dos decimales, p. ej. "150.00"'; return undefined }
  return n
}

export function parseQuantity(value: unknown, field: string, fields: Record<string, string>, min = 1): number | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > 10_000_000) {
    fields[field] = min === 0 ? 'Debe ser un número entero de 0 en adelante' : 'La cantidad debe ser un número entero positivo'
    return undefined
  }
  return value
}

/**
 * Verified CTI credentials, per process and short-lived, so the stamping API does not pay argon2
 * on every call. An entry is bound to the CTI's credentials version: a password reset, a block or
 * an unblock bumps the version in the database, so every process's entry goes stale at once.
 */
export class CredentialCache {
  private readonly entries = new Map<string, { version: number, digest: string, expires: number }>()
  private readonly salt = randomBytes(16)
  constructor(private readonly ttlMs = 60_000, private readonly max = 100_000) {}

  private digest(password: string) { return createHash('sha256').update(this.salt).update(password).digest('base64') }

  matches(ctiId: string, version: number, password: string): boolean {
    const e = this.entries.get(ctiId)
    if (!e || e.version !== version || e.expires < Date.now()) return false
    return e.digest === this.digest(password)
  }

  remember(ctiId: string, version: number, password: string) {
    if (this.entries.size >= this.max) this.entries.clear()
    this.entries.set(ctiId, { version, digest: this.digest(password), expires: Date.now() + this.ttlMs })
  }

  forget(ctiId: string) { this.entries.delete(ctiId) }

  private readonly inFlight = new Map<string, Promise<boolean>>()

  /**
   * One argon2 verification for a burst of requests with the same credentials (a client starting
   * 500 stamps at once, or all of them after the entry expired): the others wait for its answer.
   */
  verifyOnce(ctiId: string, version: number, password: string, verify: () => Promise<boolean>): Promise<boolean> {
    const key = `${ctiId}\u0000${version}\u0000${this.digest(password)}`
    let p = this.inFlight.get(key)
    if (!p) {
      p = verify().then((ok) => { if (ok) this.remember(ctiId, version, password); return ok }).finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, p)
    }
    return p
  }
}

const CTI_COLUMNS = `c.id, c.distributor_id as "distributorId", c.customer_id as "customerId", c.customer_nic as "customerNic", c.type, c.active,
  c.credentials_version as "credentialsVersion", c.account_id as "accountId", c.valid_until as "validUntil", c.rfc,
  c.auto_sale_minimum as "autoSaleMinimum", c.auto_sale_quantity as "autoSaleQuantity", c.auto_sale_amount::float8 as "autoSaleAmount",
  c.auto_sale_warning as "autoSaleWarning", c.auto_sale_warned_at as "autoSaleWarnedAt", c.renewal_warning as "renewalWarning", c.renewal_warned_at as "renewalWarnedAt",
  c.created_at as "createdAt"`

export type CtiRow = Omit<StampingAccount, 'passwordHash' | 'initialPassword'>

/** Stamping accounts: creation (one per new customer, more on request), block, password reset. */
export class CtiService {
  constructor(private readonly ledger: LedgerService, readonly credentials: CredentialCache, private readonly audit: (em: EntityManager, entry: AuditInput) => Promise<void>) {}

  async nextId(em: EntityManager): Promise<string> {
    const [{ n }] = await sql<{ n: string }[]>(em, `select nextval('stamping_cti_seq')::text as n`)
    return `CTI${n}`
  }

  /**
   * Creates CTIs for customers (a new customer's standard CTI, or a batch from a seed or import), in
   * the caller's transaction. A batch shares one generated password, hashed once: 100k argon2 hashes
   * would take minutes; each CTI still gets its own on its first reset.
   */
  async createStandardFor(em: EntityManager, customers: { id: string, nic: string, distributorId: string }[], chunk = 5000): Promise<{ id: string, customerId: string, password: string }[]> {
    if (!customers.length) return []
    const password = generateCtiPassword()
    const hash = await hashGeneratedPassword(password)
    const out: { id: string, customerId: string, password: string }[] = []
    for (let i = 0; i < customers.length; i += chunk) {
      const part = customers.slice(i, i + chunk)
      const rows = await sql<{ id: string, customerId: string, distributorId: string }[]>(em,
        `insert into stamping_cti (id, distributor_id, customer_id, customer_nic, type, password_hash, initial_password)
         select 'CTI' || nextval('stamping_cti_seq'), x.d, x.c, x.n, 'standard', ?, ? from jsonb_to_recordset(?::jsonb) as x(c uuid, d uuid, n text)
         returning id, customer_id as "customerId", distributor_id as "distributorId"`,
        [hash, password, JSON.stringify(part.map((c) => ({ c: c.id, d: c.distributorId, n: c.nic })))])
      const accounts = await this.ledger.ensureAccounts(em, { ownerType: 'cti', asset: 'stamps', owners: rows.map((r) => ({ ownerId: r.id, distributorId: r.distributorId })) })
      await sql(em, `update stamping_cti c set account_id = x.a from jsonb_to_recordset(?::jsonb) as x(id text, a uuid) where c.id = x.id`,
        [JSON.stringify(rows.map((r) => ({ id: r.id, a: accounts.get(r.id) })))])
      await sql(em, `insert into stamping_customer_figures (customer_id, distributor_id) select x.c, x.d from jsonb_to_recordset(?::jsonb) as x(c uuid, d uuid) on conflict do nothing`,
        [JSON.stringify(part.map((c) => ({ c: c.id, d: c.distributorId })))])
      out.push(...rows.map((r) => ({ id: r.id, customerId: r.customerId, password })))
    }
    return out
  }

  /** After a bulk load (`createStandardFor` over many customers): current planner statistics for its tables. */
  async analyze(em: EntityManager): Promise<void> {
    await sql(em, 'analyze stamping_cti, stamping_customer_figures')
  }

  /** A CTI the distributor asked for. An unlimited one is paid by the caller (see SalesService). */
  async create(em: EntityManager, distributorId: string, customer: { id: string, nic: string }, input: NewCti, validUntilDefault: () => Date): Promise<CtiRow> {
    const hash = await hashCtiPassword(input.password)
    return em.transactional(async (tx) => {
      const id = input.id ?? await this.nextId(tx)
      const validUntil = input.type === 'unlimited' ? (input.validUntil ?? validUntilDefault()) : null
      const inserted = await sql<{ id: string }[]>(tx,
        `insert into stamping_cti (id, distributor_id, customer_id, customer_nic, type, password_hash, valid_until, rfc) values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (id) do nothing returning id`,
        [id, distributorId, customer.id, customer.nic, input.type, hash, validUntil, input.rfc ?? null])
      if (!inserted.length) throw new CtiIdTakenError(id)
      if (input.type === 'standard') {
        const account = await this.ledger.ensureAccount(tx, { ownerType: 'cti', ownerId: id, asset: 'stamps', distributorId })
        await sql(tx, 'update stamping_cti set account_id = ? where id = ?', [account.id, id])
      }
      await sql(tx, 'insert into stamping_customer_figures (customer_id, distributor_id) values (?, ?) on conflict do nothing', [customer.id, distributorId])
      return this.get(tx, distributorId, id)
    })
  }

  /** Within the tenant; another distributor's CTI is "not found". */
  async get(em: EntityManager, distributorId: string, id: string): Promise<CtiRow> {
    const [row] = await sql<CtiRow[]>(em, `select ${CTI_COLUMNS} from stamping_cti c where c.id = ? and c.distributor_id = ?`, [String(id), distributorId])
    if (!row) throw new CtiNotFoundError(String(id))
    return row
  }

  /** Many CTIs of the tenant in one query, keyed by id; the first id (in the given order) that is not the tenant's throws. */
  async getMany(em: EntityManager, distributorId: string, ids: string[]): Promise<Map<string, CtiRow>> {
    const rows = await sql<CtiRow[]>(em, `select ${CTI_COLUMNS} from stamping_cti c where c.id = any(array(select jsonb_array_elements_text(?::jsonb))) and c.distributor_id = ?`,
      [JSON.stringify(ids.map(String)), distributorId])
    const byId = new Map(rows.map((r) => [r.id, r]))
    const missing = ids.find((id) => !byId.has(String(id)))
    if (missing !== undefined) throw new CtiNotFoundError(String(missing))
    return byId
  }

  async list(em: EntityManager, distributorId: string, filter: { customerIds?: string[] }, page: number, perPage: number): Promise<{ items: CtiRow[], total: number }> {
    const where = ['c.distributor_id = ?']
    const params: unknown[] = [distributorId]
    if (filter.customerIds) { where.push('c.customer_id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid))'); params.push(JSON.stringify(filter.customerIds)) }
    const [{ total }] = await sql<{ total: number }[]>(em, `select count(*)::int as total from stamping_cti c where ${where.join(' and ')}`, params)
    const items = await sql<CtiRow[]>(em, `select ${CTI_COLUMNS} from stamping_cti c where ${where.join(' and ')} order by c.created_at desc, c.id limit ? offset ?`,
      [...params, perPage, (page - 1) * perPage])
    return { items, total }
  }

  /** The stamp balance of each standard CTI (available: pending stamps already deducted). */
  async balances(em: EntityManager, ctis: Pick<CtiRow, 'accountId'>[]): Promise<Map<string, number>> {
    return this.ledger.balances(em, ctis.map((c) => c.accountId).filter((a): a is string => !!a))
  }

  async resetPassword(em: EntityManager, distributorId: string, id: string, password: unknown, confirmation?: unknown, actorProfileId: string | null = null): Promise<void> {
    const fields: Record<string, string> = {}
    const pw = checkPassword(password, confirmation, fields)
    if (!pw || Object.keys(fields).length) throw new FieldValidationError(fields)
    const hash = await hashCtiPassword(pw)
    await this.updateAudited(em, distributorId, id, 'password_hash = ?, initial_password = null', [hash], { action: 'stamping.ctiPasswordReset', actorProfileId })
  }

  async setActive(em: EntityManager, distributorId: string, id: string, active: boolean, actorProfileId: string | null = null): Promise<void> {
    await this.updateAudited(em, distributorId, id, 'active = ?', [active], { action: active ? 'stamping.ctiUnblocked' : 'stamping.ctiBlocked', actorProfileId, after: { active } })
  }

  /** A credential or state change of one CTI and its audit row, in one transaction; cached credentials end at once. */
  private async updateAudited(em: EntityManager, distributorId: string, id: string, set: string, params: unknown[], entry: Omit<AuditInput, 'subject' | 'distributorId'>) {
    await em.transactional(async (tx) => {
      const rows = await sql<{ id: string }[]>(tx, `update stamping_cti set ${set}, credentials_version = credentials_version + 1 where id = ? and distributor_id = ? returning id`, [...params, String(id), distributorId])
      if (!rows.length) throw new CtiNotFoundError(String(id))
      await this.audit(tx, { ...entry, subject: `cti:${id}`, distributorId })
    })
    this.credentials.forget(String(id))
  }

  /**
   * Customers whose stamp figure disagrees with the sum of their CTIs' ledger balances (a process
   * that died between a reservation and the figure's update leaves one). With `fix`, mends them;
   * run it while nothing stamps, or a stamp in flight may be counted twice.
   */
  async figureMismatches(em: EntityManager, fix = false): Promise<{ customerId: string, figure: number, ledger: number }[]> {
    const mismatches = `select f.customer_id, f.stamp_balance, coalesce(x.total, 0) as total from stamping_customer_figures f
      left join (select c.customer_id, sum(b.balance) as total from stamping_cti c
        join ${this.ledger.ownerBalances('cti', 'stamps')} b on b.owner_id = c.id group by c.customer_id) x on x.customer_id = f.customer_id
      where f.stamp_balance <> coalesce(x.total, 0)`
    if (!fix) return sql(em, `select customer_id as "customerId", stamp_balance::float8 as figure, total::float8 as ledger from (${mismatches}) m order by customer_id`)
    return sql(em, `update stamping_customer_figures f set stamp_balance = m.total from (${mismatches}) m where f.customer_id = m.customer_id
      returning f.customer_id as "customerId", m.stamp_balance::float8 as figure, m.total::float8 as ledger`)
  }

  /**
   * Customers being deleted (clients.customersDeleting, in its transaction): their CTIs, ledger
   * accounts, figures and any stamp claims go; a customer with a sale, an unlimited CTI (paid) or any
   * ledger entry on a CTI is refused with CustomerHasMovementsError, and nothing is deleted.
   */
  async deleteForCustomers(em: EntityManager, customers: { id: string, nic: string }[]): Promise<void> {
    const ids = JSON.stringify(customers.map((c) => c.id))
    const inIds = `in (select (jsonb_array_elements_text(?::jsonb))::uuid)`
    const ctis = await sql<{ id: string, customerId: string, type: string, accountId: string | null }[]>(em,
      `select id, customer_id as "customerId", type, account_id as "accountId" from stamping_cti where customer_id ${inIds} order by id for update`, [ids])
    const sold = await sql<{ customerId: string }[]>(em, `select distinct customer_id as "customerId" from stamping_sale where customer_id ${inIds}`, [ids])
    const refused = new Set([...sold.map((r) => r.customerId), ...ctis.filter((c) => c.type !== 'standard').map((c) => c.customerId)])
    const nicOf = (id: string) => customers.find((c) => c.id === id)?.nic ?? id
    if (refused.size) throw new CustomerHasMovementsError([...refused].map(nicOf))
    const byAccount = new Map(ctis.filter((c) => c.accountId).map((c) => [c.accountId!, c.customerId]))
    try {
      await this.ledger.dropUnusedAccounts(em, [...byAccount.keys()])
    } catch (e) {
      if (!(e instanceof LedgerAccountInUseError)) throw e
      // Name every customer with a movement, not only the first account found.
      const balances = await this.ledger.balances(em, [...byAccount.keys()])
      const moved = await sql<{ id: string }[]>(em, `select a.id::text from jsonb_array_elements_text(?::jsonb) as a(id)
        where exists (select 1 from stamping_stamp s join stamping_cti c on c.id = s.cti_id where c.account_id = a.id::uuid)`, [JSON.stringify([...byAccount.keys()])])
      const names = new Set([...moved.map((m) => byAccount.get(m.id)!), ...[...balances].filter(([, b]) => b !== 0).map(([a]) => byAccount.get(a)!)])
      throw new CustomerHasMovementsError(names.size ? [...names].map(nicOf) : customers.map((c) => c.nic))
    }
    const ctiIds = JSON.stringify(ctis.map((c) => c.id))
    await sql(em, `delete from stamping_stamp_idd where cti_id in (select jsonb_array_elements_text(?::jsonb))`, [ctiIds])
    await sql(em, `delete from stamping_stamp where cti_id in (select jsonb_array_elements_text(?::jsonb))`, [ctiIds])
    await sql(em, `delete from stamping_cti where customer_id ${inIds}`, [ids])
    await sql(em, `delete from stamping_customer_figures where customer_id ${inIds}`, [ids])
    for (const c of ctis) this.credentials.forget(c.id)
  }

  /** The generated password of a CTI, once: it is cleared as it is read. */
  async revealInitialPassword(em: EntityManager, distributorId: string, id: string): Promise<string | null> {
    const rows = await sql<{ password: string | null }[]>(em,
      `update stamping_cti c set initial_password = null from (select id, initial_password from stamping_cti where id = ? and distributor_id = ? for update) old
       where c.id = old.id returning old.initial_password as password`, [String(id), distributorId])
    if (!rows.length) throw new CtiNotFoundError(String(id))
    return rows[0].password
  }
}

export const oneYearFromNow = () => new Date(Date.now() + 365 * DAY_MS)
