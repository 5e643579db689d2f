import { randomUUID } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { BadRequestError, FieldValidationError, normalizeEmail, normalizeMobile, sql, type EventBus, type Extensions, type Identity, type Logger } from '../../../core/plugin-api.js'
import { COLORS, CATEGORIES, CustomerProfileSchema, CustomerSchema, type Contact, type Customer, type CustomerCategory, type CustomerColor } from '../entities/customer.js'
import { CustomerNotFoundError, LastLinkedProfileError, OwnerAdministersCmError, OwnerCannotBeUnlinkedError, ProfileAlreadyLinkedError, ProfileNotMatchedError } from '../errors.js'
import { CUSTOMER_FIGURES, CUSTOMER_SEARCH, type CustomerFigure, type CustomerFigureSource, type FigureKind } from '../figures.js'
import { commonPrefixSql, fold, keyOf, likeEscape, RUN_MIN, searchKeysOf, searchTextOf } from './search.js'
import { CONTACTS, emptyContact, parseCustomer, type CustomerFields, type CustomerInput } from './validate.js'

export { parseCustomer, type CustomerFields, type CustomerInput } from './validate.js'

declare module '../../../core/plugin-api.js' {
  interface PluginEvents {
    /** Inside the creating transaction: subscribers' writes commit with the customer. */
    'clients.customerCreated': { customer: Customer }
    /** A batch (seed, import): one event for many customers. */
    'clients.customersCreated': { customers: Customer[] }
    /**
     * After commit, once per bulk creation (`createMany`), when every batch is in: a plugin that wrote
     * rows for them brings its tables' planner statistics up to date (ANALYZE) before it returns.
     */
    'clients.customersLoaded': { distributorId: string, count: number }
    /**
     * Inside the deleting transaction, before the customers' rows go: a plugin that keeps something
     * per customer deletes its rows, or throws (e.g. CustomerHasMovementsError) to refuse.
     */
    'clients.customersDeleting': { customers: { id: string, nic: string, distributorId: string }[] }
  }
}

/** Figures other plugins contribute (see figures.ts), by key: numbers, "0.00" strings or dates. */
export type CustomerFigures = Record<string, number | string | Date | null>
const DEFAULTS: Record<FigureKind, number | string | null> = { integer: 0, hundredths: '0.00', timestamp: null }

export interface CustomerJson {
  nic: string, legalName: string, tradeName: string | null, rfc: string, taxRegime: string | null, postalCode: string | null,
  address: string | null, phone: string | null, email: string | null,
  legalRepresentative: Contact, financialContact: Contact, technicalContact: Contact,
  notes: string | null, stampPrice: string | null, category: CustomerCategory | null, color: CustomerColor | null,
  createdAt: string,
  /** The figures the distributor's tier shows (stampBalance, points, lastStampedAt…): see figures.ts. */
  [figure: string]: unknown,
}

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString())
const contactJson = (c: Contact | null | undefined): Contact => ({ ...emptyContact(), ...(c ?? {}), phones: [...(c?.phones ?? [])] })

export const customerJson = (c: Customer, f: CustomerFigures = {}): CustomerJson => ({
  nic: c.nic, legalName: c.legalName, tradeName: c.tradeName ?? null, rfc: c.rfc, taxRegime: c.taxRegime ?? null,
  postalCode: c.postalCode ?? null, address: c.address ?? null, phone: c.phone ?? null, email: c.email ?? null,
  legalRepresentative: contactJson(c.legalRepresentative), financialContact: contactJson(c.financialContact), technicalContact: contactJson(c.technicalContact),
  notes: c.otherData ?? null, stampPrice: c.stampPrice == null ? null : String(c.stampPrice), category: c.category ?? null, color: c.color ?? null,
  createdAt: iso(c.createdAt)!,
  ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
})

/** The customer's own JSON fields (and CM properties): a contributed figure never takes one of these names. */
const OWN_KEYS = new Set(['id', 'distributorId', 'nic', 'legalName', 'tradeName', 'rfc', 'taxRegime', 'postalCode', 'address', 'phone', 'email',
  'legalRepresentative', 'financialContact', 'technicalContact', 'notes', 'otherData', 'stampPrice', 'category', 'color', 'createdAt', 'search', 'classification'])

/** The SAT's generic RFCs: sales to the general public and to foreigners. */
export const GENERIC_RFCS = ['XAXX010101000', 'XEXX010101000']

/** The customer's own sort keys; contributed figures add theirs (see `sortKeys`). */
export const BASE_SORT_KEYS = ['legalName', 'nic', 'createdAt'] as const
export type SortKey = string
export interface Sort { key: SortKey, desc: boolean }
export const DEFAULT_SORT: Sort = { key: 'createdAt', desc: true }

export interface ListQuery { q?: string, color?: CustomerColor, category?: CustomerCategory, sort?: Sort }

/** `sort=-stampBalance` → { key: 'stampBalance', desc: true }; whether the key exists is checked by `list` (it depends on the tier). */
export function parseSort(raw: unknown): Sort {
  if (raw === undefined || raw === '') return DEFAULT_SORT
  const s = typeof raw === 'string' ? raw : ''
  const desc = s.startsWith('-')
  const key = desc ? s.slice(1) : s
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(key)) throw new BadRequestError(`'sort' debe ser una clave de orden, con '-' delante para orden descendente`)
  return { key, desc }
}

/** Filters from query parameters: unknown colour or category → 400. */
export function parseFilters(query: Record<string, unknown>): ListQuery {
  const one = (name: string) => {
    const v = query[name]
    if (v === undefined || v === '') return undefined
    if (typeof v !== 'string') throw new BadRequestError(`'${name}' debe darse una sola vez`)
    return v
  }
  const q = one('q')
  if (q !== undefined && q.length > 200) throw new BadRequestError(`'q' admite a lo sumo 200 caracteres`)
  const color = one('color')
  if (color !== undefined && !COLORS.includes(color as CustomerColor)) throw new BadRequestError(`'color' debe ser uno de ${COLORS.join(', ')}`)
  const category = one('category')
  if (category !== undefined && !CATEGORIES.includes(category as CustomerCategory)) throw new BadRequestError(`'category' debe ser uno de ${CATEGORIES.join(', ')}`)
  return { q, color: color as CustomerColor | undefined, category: category as CustomerCategory | undefined, sort: parseSort(query.sort) }
}

const COLUMNS = `c.id, c.distributor_id as "distributorId", c.nic, c.legal_name as "legalName", c.trade_name as "tradeName", c.rfc,
  c.tax_regime as "taxRegime", c.postal_code as "postalCode", c.address, c.phone, c.email,
  c.legal_representative as "legalRepresentative", c.financial_contact as "financialContact", c.technical_contact as "technicalContact",
  c.other_data as "otherData", c.stamp_price as "stampPrice", c.category, c.color, c.created_at as "createdAt"`

const NIC_ORDER = '(c.nic)::bigint'

/**
 * Search-key rows to insert, from `src` (rows of customer_id, key, distributor_id, head; all of each
 * customer's keys at once) with `shared_prefix`: the characters each key shares with the customer's
 * previous key in byte order (0 for the first), and for heads `head_shared_prefix`, the same among
 * the customer's heads (null for a run inside a phone). Computed here rather than in JS because bulk
 * creation adds the NIC, which only the database knows. Duplicates are dropped first (a key that is
 * a head and a run is a head), so a key never counts itself as its own predecessor.
 */
const keyRows = (src: string) => `select customer_id, key, distributor_id, (${commonPrefixSql('key', 'prev')})::smallint,
  case when head then (${commonPrefixSql('key', 'head_prev')})::smallint end
  from (select customer_id, key, distributor_id, head, lag(key) over (partition by customer_id order by key collate "C") as prev,
      lag(key) over (partition by customer_id, head order by key collate "C") as head_prev
    from (select customer_id, key, distributor_id, bool_or(head) as head from (${src}) s0 group by customer_id, key, distributor_id) s1) s2`

/** "12345" hundredths → "123.45". */
export function hundredths(raw: string | number | bigint | null | undefined): string {
  const n = BigInt(raw ?? 0)
  const neg = n < 0n
  const abs = (neg ? -n : n).toString().padStart(3, '0')
  return `${neg ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`
}

interface Fragment { sql: string, params: unknown[] }

/**
 * One way the search box finds customers: the rows of `from` (as `alias`, with `customer_id`) that
 * meet `cond` (which starts with the tenant). `unique`: at most one row per customer.
 */
interface Branch { from: string, alias: string, cond: string, params: unknown[], unique?: boolean, sortName?: string }
/**
 * The search box's branches; `key`, when the text has letters or digits, is the first branch's
 * prefix, and `keyShared` the key column that counts each customer once for it (see `counts`). A
 * branch with `sortName` reads the customer's folded name in its own rows.
 */
interface Search { branches: Branch[], key?: string, keyShared?: string }

const idsOf = (b: Branch) => `select ${b.alias}.customer_id from ${b.from} where ${b.cond}`
/** The customer `id` (an SQL expression) matches: one index probe per branch, for a walk in sort order. */
const probeOf = (branches: Branch[], id: string): Fragment => ({
  sql: branches.map((b) => `exists (select 1 from ${b.from} where ${b.alias}.customer_id = ${id} and ${b.cond})`).join(' or '),
  params: branches.flatMap((b) => b.params),
})

/**
 * A list query's WHERE over `clients_customer c` (`sql`); `rest` is the same without the search
 * box (tenant, colour, category); `searchOnly` when the search box is the only filter.
 */
interface Where extends Fragment { rest: Fragment, search?: Search, searchOnly: boolean, enabled: readonly string[] }

/** How many customers match; `byKey`, when only the search box is used: how many of them the key prefix finds. */
interface Count { n: number, byKey?: number }

/**
 * A searched page is read by walking the sort order's index and probing each customer (stopping at
 * the page) when at least WALK_MIN customers match, over at most min(matches, WALK_MAX) customers:
 * a broad match fills the page within a few hundred; a rarer one falls back to reading the matches
 * and sorting them, having spent about what that costs.
 */
const WALK_MIN = 100
const WALK_MAX = 5000

interface FigureColumn { alias: string, column: string, kind: FigureKind, label: string, short?: string }

/** The clients plugin's public surface: what other plugins and routes use. */
export class CustomersService {
  constructor(private readonly events: EventBus, private readonly identity: Identity, private readonly extensions?: Extensions, private readonly log?: Logger,
    /** The plugins a distributor's tier enables: only their contributions are read for its customers. */
    private readonly pluginsOf: (distributorId: string) => Promise<readonly string[]> = async () => []) {}

  /** After commit: a failing side effect must not undo or fail the creation, but it must be seen. */
  private logFailures(event: string, failures: unknown[]) {
    for (const e of failures) this.log?.error(`${event} subscriber failed after commit`, { error: String((e as Error)?.stack ?? e) })
  }

  // ── figures and search sources contributed by other plugins ────────────────────────────────────

  /** For each figure key, the first source (of a plugin in `enabled`) that contributes it (read at query time). */
  private figureSources(enabled?: readonly string[]): { sources: CustomerFigureSource[], byKey: Map<string, FigureColumn> } {
    const sources = this.extensions?.list(CUSTOMER_FIGURES, enabled) ?? []
    const byKey = new Map<string, FigureColumn>()
    sources.forEach((s, i) => {
      for (const f of s.figures) if (!byKey.has(f.key) && !OWN_KEYS.has(f.key)) byKey.set(f.key, { alias: `f${i}`, column: `f${i}."${f.column.replace(/"/g, '')}"`, kind: f.kind, label: f.label, short: f.short })
    })
    return { sources, byKey }
  }

  /** The figure columns a distributor's customer list shows (key, Spanish label, kind), in contribution order. */
  async figureColumns(distributorId: string): Promise<Pick<CustomerFigure, 'key' | 'label' | 'kind'>[]> {
    return this.figureColumnsOf(await this.pluginsOf(distributorId))
  }

  /** The figure columns the given plugins contribute (all contributions without `enabled`). */
  figureColumnsOf(enabled?: readonly string[]): Pick<CustomerFigure, 'key' | 'label' | 'kind' | 'short'>[] {
    return [...this.figureSources(enabled).byKey].map(([key, f]) => ({ key, label: f.label, kind: f.kind, short: f.short }))
  }

  /** The keys a distributor's customer list sorts by: the customer's own, then its tier's figures. */
  async sortKeys(distributorId: string): Promise<string[]> {
    return [...BASE_SORT_KEYS, ...(await this.figureColumns(distributorId)).map((f) => f.key)]
  }

  /**
   * Figures of the given customers: one query per contributed relation, restricted to these ids
   * inside the relation (`customer_id = any(…)`), so an aggregate view is evaluated for the page's
   * customers only instead of being joined whole (a join condition is never pushed into a GROUP BY).
   */
  async figuresFor(em: EntityManager, ids: string[], enabled: readonly string[]): Promise<Map<string, CustomerFigures>> {
    const out = new Map<string, CustomerFigures>()
    if (!ids.length) return out
    const { sources, byKey } = this.figureSources(enabled)
    const raw = new Map<string, Record<string, unknown>>(ids.map((id) => [id, {}]))
    for (const [i, s] of sources.entries()) {
      const keys = [...byKey.keys()].filter((k) => byKey.get(k)?.alias === `f${i}`)
      if (!keys.length) continue
      const select = keys.map((k) => { const f = byKey.get(k)!; return `${f.kind === 'timestamp' ? f.column : `(${f.column})::text`} as "${k}"` })
      const rows = await sql<Record<string, unknown>[]>(em, `select f${i}.customer_id as id, ${select.join(', ')} from ${s.relation} f${i} where f${i}.customer_id = any(?::uuid[])`, [`{${ids.join(',')}}`])
      for (const r of rows) Object.assign(raw.get(r.id as string) ?? {}, r)
    }
    for (const [id, r] of raw) {
      out.set(id, Object.fromEntries([...byKey].map(([k, f]) => [k, r[k] == null ? DEFAULTS[f.kind]
        : f.kind === 'integer' ? Number(r[k]) : f.kind === 'hundredths' ? hundredths(r[k] as string) : new Date(r[k] as string)])))
    }
    return out
  }

  /**
   * Ids of the tenant's customers the search box matches, for other plugins' lists (stamping's CTIs
   * "by the customer's fields"): the same rules as the customer list, at most `limit` of them.
   */
  async searchIds(em: EntityManager, distributorId: string, q: string, limit = 10_000): Promise<string[]> {
    const where = await this.where(distributorId, { q })
    const rows = await sql<{ id: string }[]>(em, `select c.id from clients_customer c where ${where.sql} limit ?`, [...where.params, limit])
    return rows.map((r) => r.id)
  }

  /** The search box as a subquery of matching customer ids (`… where id in (<sql>)`), for the CM list. */
  async searchSubquery(distributorId: string, q: string): Promise<Fragment> {
    const s = this.search(distributorId, q, await this.pluginsOf(distributorId))
    return s?.branches.length ? { sql: s.branches.map(idsOf).join(' union all '), params: s.branches.flatMap((b) => b.params) } : { sql: 'select null::uuid where false', params: [] }
  }

  /** The search box's branches for `q` (none for an empty text). */
  private search(distributorId: string, raw: string | undefined, enabled: readonly string[]): Search | undefined {
    const q = raw?.trim()
    if (!q) return undefined
    const branches: Branch[] = []
    const key = keyOf(q) || undefined
    // From RUN_MIN characters on, every key (runs inside phones too); shorter, the heads of values only.
    const runs = !!key && key.length >= RUN_MIN
    if (key) branches.push({ from: 'clients_customer_search_key k', alias: 'k', cond: `k.distributor_id = ? and k.key like ?${runs ? '' : ' and k.head_shared_prefix is not null'}`, params: [distributorId, `${likeEscape(key)}%`] })
    const folded = fold(q)
    // Trigrams need three characters; shorter words would scan the tenant's whole list.
    if (folded.length >= 3) {
      branches.push({ from: 'clients_customer_search t', alias: 't', cond: 't.distributor_id = ? and t.search_text like ?', params: [distributorId, `%${likeEscape(folded)}%`], unique: true, sortName: 't.sort_name' })
    }
    for (const s of this.extensions?.list(CUSTOMER_SEARCH, enabled) ?? []) {
      const col = `s."${s.column.replace(/"/g, '')}"`
      branches.push({ from: `${s.relation} s`, alias: 's', cond: `s.distributor_id = ? and (${col} like ? or ${col} like ?)`, params: [distributorId, `${likeEscape(q)}%`, `${likeEscape(q.toUpperCase())}%`] })
    }
    return { branches, key, keyShared: runs ? 'k.shared_prefix' : 'k.head_shared_prefix' }
  }

  /** WHERE of a list query: tenant, search box, colour and category; a sort key the tier lacks → 400. */
  private async where(distributorId: string, query: ListQuery): Promise<Where> {
    const enabled = await this.pluginsOf(distributorId)
    if (query.sort && !(BASE_SORT_KEYS as readonly string[]).includes(query.sort.key) && !this.figureSources(enabled).byKey.has(query.sort.key)) {
      throw new BadRequestError(`'sort' must be one of ${(await this.sortKeys(distributorId)).join(', ')}, optionally prefixed with '-'`)
    }
    const parts = ['c.distributor_id = ?']
    const params: unknown[] = [distributorId]
    if (query.color) { parts.push('c.color = ?'); params.push(query.color) }
    if (query.category) { parts.push('c.category = ?'); params.push(query.category) }
    const rest = { sql: parts.join(' and '), params }
    const search = this.search(distributorId, query.q, enabled)
    if (!search) return { ...rest, rest, searchOnly: false, enabled }
    const ids = search.branches.map(idsOf).join(' union all ')
    return {
      sql: `${rest.sql} and ${search.branches.length ? `c.id in (${ids})` : 'false'}`,
      params: [...params, ...search.branches.flatMap((b) => b.params)],
      rest, search, searchOnly: !query.color && !query.category, enabled,
    }
  }

  /**
   * The tenant's customers filtered and sorted (ties by NIC, nulls last), one page, with figures.
   * The exact `total` is counted first (over the search tables alone when only `q` is given, see
   * `counts`); the page reads the customers' index in the sort order (a searched one walks it, see
   * `walk`, or ranks names, see `byName`), and a figure sort reads the contributing relation's index
   * (see `figurePage`); figures are then read for the page's customers only.
   */
  async list(em: EntityManager, distributorId: string, query: ListQuery, page: number, perPage: number): Promise<{ items: { customer: Customer, figures: CustomerFigures }[], total: number }> {
    const where = await this.where(distributorId, query)
    const { n, byKey } = await this.counts(em, where)
    if (!n || (page - 1) * perPage >= n) return { items: [], total: n }
    const items = await this.page(em, distributorId, where, query.sort ?? DEFAULT_SORT, perPage, (page - 1) * perPage, n, byKey)
    return { items, total: n }
  }

  /** How many of the tenant's customers a list query matches (the same count `list` gives). */
  async countMatching(em: EntityManager, distributorId: string, query: ListQuery): Promise<number> {
    return this.count(em, await this.where(distributorId, query))
  }

  private async count(em: EntityManager, where: Where): Promise<number> {
    return (await this.counts(em, where)).n
  }

  private async counts(em: EntityManager, where: Where): Promise<Count> {
    const s = where.search
    if (!s || !where.searchOnly) return (await sql<{ n: number }[]>(em, `select count(*)::int as n from clients_customer c where ${where.sql}`, where.params))[0]
    if (!s.branches.length) return { n: 0, byKey: 0 }
    // Only the search box: counted from the search tables (they carry the tenant), without visiting
    // the customers' rows and without a DISTINCT over the key matches (100,000 customers whose phone
    // starts with "5510" took 40 ms to de-duplicate): of a customer's keys with the prefix, only the
    // first in byte order shares fewer characters than the prefix has with its predecessor (see
    // CustomerSearchKey.sharedPrefix; among heads, headSharedPrefix), so counting those counts each
    // customer once, from the index.
    // The other branches add the customers they find that the key prefix does not.
    const keyBranch = s.key ? s.branches[0] : undefined
    const others = keyBranch ? s.branches.slice(1) : s.branches
    const terms: string[] = ['0', '0']
    const params: unknown[] = []
    if (keyBranch) {
      terms[0] = `(select count(*) from ${keyBranch.from} where ${keyBranch.cond} and ${s.keyShared} < ?)`
      params.push(...keyBranch.params, s.key!.length)
    }
    if (others.length) {
      // UNION de-duplicates; one branch alone needs its own DISTINCT unless it has a row per customer at most.
      const ids = others.length > 1 ? others.map(idsOf).join(' union ') : others[0].unique ? idsOf(others[0]) : idsOf(others[0]).replace(/^select /, 'select distinct ')
      // With the tenant in it, the planner can hash the key range (ferreter: none) instead of
      // probing the keys of each of 10,000 text matches.
      const notByKey = keyBranch ? ` where not exists (select 1 from ${keyBranch.from} where k.customer_id = x.customer_id and ${keyBranch.cond})` : ''
      terms[1] = `(select count(*) from (${ids}) x${notByKey})`
      params.push(...others.flatMap((b) => b.params), ...(keyBranch ? keyBranch.params : []))
    }
    const [{ byKey, rest }] = await sql<{ byKey: number, rest: number }[]>(em, `select ${terms[0]}::int as "byKey", ${terms[1]}::int as rest`, params)
    return { n: byKey + rest, byKey }
  }

  /**
   * A searched page (nic, legalName, createdAt) read by walking the sort order's index: each
   * customer in order is probed against the search branches, and the walk stops at the page. It
   * covers the first min(total, WALK_MAX) customers in that order (the inner LIMIT), ties by NIC
   * included, so a page it fills is exactly the page; null when it is not worth it or did not fill
   * the page (the matches are then read and sorted).
   */
  private async walk(em: EntityManager, distributorId: string, where: Where, sort: Sort, limit: number, offset: number, total: number, byKey?: number): Promise<Customer[] | null> {
    const s = where.search
    const bound = Math.min(total, WALK_MAX)
    const need = Math.min(limit, total - offset)
    if (!s?.branches.length || total < WALK_MIN || need <= 0 || offset + need > bound) return null
    const dir = sort.desc ? 'desc' : 'asc'
    let inner: string
    let innerParams = where.rest.params
    let order: string
    switch (sort.key) {
      case 'createdAt':
        inner = `select c.*, ${NIC_ORDER} as nic_order from clients_customer c where ${where.rest.sql} order by c.created_at ${dir}, ${NIC_ORDER} limit ?`
        order = `c.created_at ${dir}, c.nic_order`
        break
      case 'nic':
        inner = `select c.*, ${NIC_ORDER} as nic_order from clients_customer c where ${where.rest.sql} order by ${NIC_ORDER} ${dir} limit ?`
        order = `c.nic_order ${dir}`
        break
      case 'legalName':
        // Only for matches mostly by key (phones, NICs): text matches cluster in name order (every
        // "Ferretería …" together), which a walk would cross thousands of customers to reach.
        if (byKey === undefined || byKey * 2 < total) return null
        inner = `select c.*, ${NIC_ORDER} as nic_order, n.sort_name from clients_customer_search n join clients_customer c on c.id = n.customer_id
          where n.distributor_id = ? and ${where.rest.sql} order by n.sort_name ${dir}, ${NIC_ORDER} limit ?`
        innerParams = [distributorId, ...innerParams]
        order = `c.sort_name ${dir}, c.nic_order`
        break
      default: return null
    }
    const probe = probeOf(s.branches, 'c.id')
    // The probes sit behind a LATERAL fence (offset 0) so that each walked customer is probed by
    // index; unfenced, the planner hashes every branch's matches first, which is the cost avoided.
    const rows = await sql<Customer[]>(em, `select ${COLUMNS} from (${inner}) c cross join lateral (select 1 where ${probe.sql} offset 0) m
      order by ${order} limit ? offset ?`, [...innerParams, bound, ...probe.params, need, offset])
    return rows.length === need ? rows : null
  }

  /**
   * A page by name when only the search box is used and most matches come from the text: the
   * matches' folded names are ranked from the search rows (a text match is its search row; a key or
   * extension match looks its one up), the first offset + limit names kept with their ties, and only
   * those customers are read (a word in 10,000 names: 10,000 narrow rows ranked instead of 10,000
   * customer rows fetched and sorted).
   */
  private async byName(em: EntityManager, distributorId: string, where: Where, sort: Sort, limit: number, offset: number): Promise<Customer[]> {
    const branches = where.search!.branches
    const named = branches.map((b) => (b.sortName
      ? `select ${b.alias}.customer_id, ${b.sortName} as sort_name from ${b.from} where ${b.cond}`
      : `select ${b.alias}.customer_id, n.sort_name from ${b.from} join clients_customer_search n on n.customer_id = ${b.alias}.customer_id where ${b.cond}`))
    const dir = sort.desc ? 'desc' : 'asc'
    return sql<Customer[]>(em, `select ${COLUMNS} from (select x.customer_id, x.sort_name from (${named.join(' union ')}) x order by x.sort_name ${dir} fetch first (?) rows with ties) n
      join clients_customer c on c.id = n.customer_id where c.distributor_id = ? order by n.sort_name ${dir}, ${NIC_ORDER} limit ? offset ?`,
    [...branches.flatMap((b) => b.params), offset + limit, distributorId, limit, offset])
  }

  private async page(em: EntityManager, distributorId: string, where: Where, sort: Sort, limit: number, offset: number, total?: number, byKey?: number) {
    const dir = sort.desc ? 'desc' : 'asc'
    const select = (from: string, cond: string, params: unknown[], order: string, lim: number, off: number) =>
      sql<Customer[]>(em, `select ${COLUMNS} from ${from} where ${cond} order by ${order} limit ? offset ?`, [...params, lim, off])
    let rows: Customer[] | null = total === undefined ? null
      : sort.key === 'legalName' && where.searchOnly && where.search?.branches.length && byKey !== undefined && byKey * 2 < total ? await this.byName(em, distributorId, where, sort, limit, offset)
        : await this.walk(em, distributorId, where, sort, limit, offset, total, byKey)
    if (!rows) switch (sort.key) {
      case 'nic': rows = await select('clients_customer c', where.sql, where.params, `${NIC_ORDER} ${dir}`, limit, offset); break
      // n.distributor_id lets the planner walk (distributor_id, sort_name) in order; the rare ties
      // are sorted by NIC as they come (incremental sort).
      case 'legalName': rows = await select('clients_customer c join clients_customer_search n on n.customer_id = c.id', `n.distributor_id = ? and ${where.sql}`,
        [distributorId, ...where.params], `n.sort_name ${dir}, ${NIC_ORDER}`, limit, offset); break
      case 'createdAt': rows = await select('clients_customer c', where.sql, where.params, `c.created_at ${dir}, ${NIC_ORDER}`, limit, offset); break
      default: rows = await this.figurePage(em, distributorId, where, sort, limit, offset, total)
    }
    const figures = await this.figuresFor(em, rows.map((r) => r.id), where.enabled)
    return rows.map((customer) => ({ customer, figures: figures.get(customer.id)! }))
  }

  /**
   * A page sorted by a figure another plugin contributes. Most customers have the default (0, or no
   * date yet), so one ORDER BY over "coalesce(figure) then NIC" would sort the whole tenant. The
   * order is cut into segments instead, each read in index order:
   *   rows of the relation with a non-default value, from its (distributor_id, column) index,
   *   ties sorted by NIC as they come; and "the rest" (no row, or the default), from the customers'
   *   NIC index, skipping customers the relation gives a non-default value (anti-join on customer_id).
   * Timestamps: [not null] then [rest] (nulls last both ways). Numbers: ascending [< 0] [rest = 0]
   * [> 0], descending [> 0] [rest] [< 0]. A segment that lies wholly before the page is counted,
   * not read.
   */
  private async figurePage(em: EntityManager, distributorId: string, where: Where, sort: Sort, limit: number, offset: number, total?: number): Promise<Customer[]> {
    const { sources, byKey } = this.figureSources(where.enabled)
    const f = byKey.get(sort.key)
    if (!f) return sql<Customer[]>(em, `select ${COLUMNS} from clients_customer c where ${where.sql} order by ${NIC_ORDER} limit ? offset ?`, [...where.params, limit, offset])
    const rel = sources[Number(f.alias.slice(1))].relation
    const dir = sort.desc ? 'desc' : 'asc'
    const a = f.alias
    type Segment = { cond: string } | 'rest'
    const nonDefault = f.kind === 'timestamp' ? `${f.column} is not null` : `${f.column} <> 0`
    const segments: Segment[] = f.kind === 'timestamp'
      ? [{ cond: `${f.column} is not null` }, 'rest']
      : sort.desc ? [{ cond: `${f.column} > 0` }, 'rest', { cond: `${f.column} < 0` }] : [{ cond: `${f.column} < 0` }, 'rest', { cond: `${f.column} > 0` }]
    const relFrom = `${rel} ${a} join clients_customer c on c.id = ${a}.customer_id`
    const relWhere = (cond: string) => `${a}.distributor_id = ? and ${cond} and ${where.sql}`
    const restWhere = `${where.sql} and not exists (select 1 from ${rel} ${a} where ${a}.customer_id = c.id and ${nonDefault})`
    const counted = new Map<Segment, number>()
    const countOf = async (seg: Segment): Promise<number> => {
      if (counted.has(seg)) return counted.get(seg)!
      let n: number
      if (seg === 'rest') {
        let others = 0
        for (const s of segments) if (s !== 'rest') others += await countOf(s)
        n = (total ?? await this.count(em, where)) - others
      } else {
        n = (await sql<{ n: number }[]>(em, `select count(*)::int as n from ${relFrom} where ${relWhere(seg.cond)}`, [distributorId, ...where.params]))[0].n
      }
      counted.set(seg, n)
      return n
    }
    const out: Customer[] = []
    let off = offset
    for (const seg of segments) {
      const need = limit - out.length
      if (need <= 0) break
      const rows = seg === 'rest'
        ? await sql<Customer[]>(em, `select ${COLUMNS} from clients_customer c where ${restWhere} order by ${NIC_ORDER} limit ? offset ?`, [...where.params, need, off])
        : await sql<Customer[]>(em, `select ${COLUMNS} from ${relFrom} where ${relWhere(seg.cond)} order by ${f.column} ${dir}, ${NIC_ORDER} limit ? offset ?`,
          [distributorId, ...where.params, need, off])
      if (rows.length) { out.push(...rows); off = 0; continue }
      if (off > 0) off = Math.max(0, off - await countOf(seg)) // the page starts after this segment
    }
    return out
  }

  /** Every matching customer in list order, in batches (the CSV export). */
  async *listAll(em: EntityManager, distributorId: string, query: ListQuery, batch = 2000): AsyncGenerator<{ customer: Customer, figures: CustomerFigures }[]> {
    const where = await this.where(distributorId, query)
    for (let offset = 0; ; offset += batch) {
      const items = await this.page(em, distributorId, where, query.sort ?? DEFAULT_SORT, batch, offset)
      if (items.length) yield items
      if (items.length < batch) return
    }
  }

  // ── create and update ──────────────────────────────────────────────────────────────────────────

  private derived(c: Pick<Customer, 'legalName' | 'tradeName' | 'email' | 'legalRepresentative' | 'financialContact' | 'technicalContact'>) {
    return { searchText: searchTextOf(c), sortName: fold(c.legalName).slice(0, 300) }
  }

  private async writeKeys(tx: EntityManager, c: Customer, replace: boolean): Promise<void> {
    const { searchText, sortName } = this.derived(c)
    await sql(tx, `insert into clients_customer_search (customer_id, distributor_id, search_text, sort_name) values (?, ?, ?, ?)
      on conflict (customer_id) do update set search_text = excluded.search_text, sort_name = excluded.sort_name`, [c.id, c.distributorId, searchText, sortName])
    if (replace) await sql(tx, 'delete from clients_customer_search_key where customer_id = ?', [c.id])
    const keys = searchKeysOf(c)
    const values = `select * from (values ${keys.map(() => '(?::uuid, ?::varchar, ?::uuid, ?::boolean)').join(', ')}) v(customer_id, key, distributor_id, head)`
    await sql(tx, `insert into clients_customer_search_key (customer_id, key, distributor_id, shared_prefix, head_shared_prefix) ${keyRows(values)} on conflict do nothing`,
      keys.flatMap((k) => [c.id, k.key, c.distributorId, k.head]))
  }

  /** Creates the customer and runs `clients.customerCreated` subscribers in the same transaction. */
  async create(em: EntityManager, distributorId: string, input: CustomerInput): Promise<Customer> {
    const fields = parseCustomer(input) as CustomerFields
    const created = await em.transactional(async (tx) => {
      const customer = tx.create(CustomerSchema, { ...fields, distributorId } as Customer)
      await tx.flush()
      await this.writeKeys(tx, customer, false)
      await this.events.emit('clients.customerCreated', { customer }, tx)
      return customer
    })
    this.logFailures('clients.customerCreated', await this.events.emitCommitted('clients.customerCreated', { customer: created }))
    return created
  }

  /**
   * Deletes customers of the distributor, all or none, in one transaction: the rows are locked, the
   * `clients.customersDeleting` subscribers delete their own rows or refuse (a customer with any
   * movement is never deleted: "Baja" is the way), then the customer, its links and search rows go.
   */
  async deleteMany(em: EntityManager, distributorId: string, ids: string[]): Promise<void> {
    const wanted = [...new Set(ids.map(String))]
    await em.transactional(async (tx) => {
      const customers = await sql<{ id: string, nic: string, distributorId: string }[]>(tx,
        `select id, nic, distributor_id as "distributorId" from clients_customer where distributor_id = ? and id::text in (select jsonb_array_elements_text(?::jsonb)) order by id for update`, [distributorId, JSON.stringify(wanted)])
      if (customers.length !== wanted.length) throw new CustomerNotFoundError(wanted.find((id) => !customers.some((c) => c.id === id)) ?? '')
      await this.events.emit('clients.customersDeleting', { customers }, tx)
      const all = JSON.stringify(customers.map((c) => c.id))
      for (const table of ['clients_customer_search_key', 'clients_customer_search', 'clients_customer_profile']) {
        await sql(tx, `delete from ${table} where customer_id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`, [all])
      }
      await sql(tx, 'delete from clients_customer where id in (select (jsonb_array_elements_text(?::jsonb))::uuid)', [all])
    })
  }

  /**
   * Bulk insert for seeding and imports: rows already validated by the caller. One statement per
   * chunk (rows travel as one JSON parameter, so no limit on bind parameters) inserts the customers
   * and their search keys; one batch event per chunk inside the same transaction. The tables' planner
   * statistics are refreshed before it returns (`clients.customersLoaded` for subscribers' tables).
   */
  async createMany(em: EntityManager, distributorId: string, rows: CustomerFields[], chunk = 5000): Promise<string[]> {
    const nics: string[] = []
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk).map((r, n) => {
        const id = randomUUID()
        const full = { tradeName: null, email: null, legalRepresentative: null, financialContact: null, technicalContact: null, ...r }
        return { id, n, ...r, ...this.derived(full), keys: searchKeysOf(full) }
      })
      const keys = part.flatMap((r) => r.keys.map((k) => [r.id, k.key, k.head]))
      const json = part.map((r) => ({
        id: r.id, n: r.n, legal_name: r.legalName, trade_name: r.tradeName ?? null, rfc: r.rfc, tax_regime: r.taxRegime ?? null,
        postal_code: r.postalCode ?? null, address: r.address ?? null, phone: r.phone ?? null, email: r.email ?? null,
        legal_representative: r.legalRepresentative ?? null, financial_contact: r.financialContact ?? null, technical_contact: r.technicalContact ?? null,
        other_data: r.otherData ?? null, stamp_price: r.stampPrice ?? null, category: r.category ?? null, color: r.color ?? null,
        search_text: r.searchText, sort_name: r.sortName,
      }))
      const inserted = await em.transactional(async (tx) => {
        const inserted = await sql<Customer[]>(tx, `
          with ins as (
            insert into clients_customer (id, distributor_id, legal_name, trade_name, rfc, tax_regime, postal_code, address, phone, email,
              legal_representative, financial_contact, technical_contact, other_data, stamp_price, category, color)
            select r.id, ?::uuid, r.legal_name, r.trade_name, r.rfc, r.tax_regime, r.postal_code, r.address, r.phone, r.email,
              r.legal_representative, r.financial_contact, r.technical_contact, r.other_data, r.stamp_price, r.category, r.color
            from jsonb_to_recordset(?::jsonb) as r(id uuid, n int, legal_name varchar, trade_name varchar, rfc varchar, tax_regime varchar, postal_code varchar,
              address varchar, phone varchar, email varchar, legal_representative jsonb, financial_contact jsonb, technical_contact jsonb, other_data text,
              stamp_price numeric, category varchar, color varchar, search_text text, sort_name varchar)
            order by r.n
            returning *
          ), t as (
            insert into clients_customer_search (customer_id, distributor_id, search_text, sort_name)
            select r.id, ?::uuid, r.search_text, r.sort_name from jsonb_to_recordset(?::jsonb) as r(id uuid, search_text text, sort_name varchar)
          ), k as (
            insert into clients_customer_search_key (customer_id, key, distributor_id, shared_prefix, head_shared_prefix)
            ${keyRows(`select id as customer_id, nic as key, distributor_id, true as head from ins
              union all select (x->>0)::uuid, x->>1, ?::uuid, (x->>2)::boolean from jsonb_array_elements(?::jsonb) x`)}
            on conflict do nothing
          )
          select ${COLUMNS} from ins c order by ${NIC_ORDER}`,
        [distributorId, JSON.stringify(json), distributorId, JSON.stringify(json), distributorId, JSON.stringify(keys)])
        await this.events.emit('clients.customersCreated', { customers: inserted }, tx)
        return inserted
      })
      nics.push(...inserted.map((c) => c.nic))
      this.logFailures('clients.customersCreated', await this.events.emitCommitted('clients.customersCreated', { customers: inserted }))
    }
    // Until autoanalyze comes round the planner takes the loaded tables for near empty: lists sorted
    // right after `seed-demo --customers 100000` took 26 to 37 times GET /me's p95, 3 to 6 after ANALYZE.
    if (nics.length) {
      await sql(em, 'analyze clients_customer, clients_customer_search, clients_customer_search_key')
      this.logFailures('clients.customersLoaded', await this.events.emitCommitted('clients.customersLoaded', { distributorId, count: nics.length }))
    }
    return nics
  }

  /** By NIC within the tenant; another distributor's customer is "not found". */
  async getByNic(em: EntityManager, distributorId: string, nic: string): Promise<Customer> {
    const c = /^\d{1,18}$/.test(nic) ? await em.findOne(CustomerSchema, { nic, distributorId }) : null
    if (!c) throw new CustomerNotFoundError(nic)
    return c
  }

  /** Legal names by customer id, within the tenant (lists of other plugins show the name, not the NIC). */
  async namesOf(em: EntityManager, distributorId: string, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map()
    const rows = await sql<{ id: string, legalName: string }[]>(em, `select id, legal_name as "legalName" from clients_customer
      where distributor_id = ? and id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid))`, [distributorId, JSON.stringify([...new Set(ids)])])
    return new Map(rows.map((r) => [r.id, r.legalName]))
  }

  /** NIC of each of the distributor's customers among `ids` (another's is absent), to name customers as people read them. */
  async nicsOf(em: EntityManager, distributorId: string, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map()
    const rows = await sql<{ id: string, nic: string }[]>(em, `select id, nic from clients_customer
      where distributor_id = ? and id = any(array(select (jsonb_array_elements_text(?::jsonb))::uuid))`, [distributorId, JSON.stringify([...new Set(ids)])])
    return new Map(rows.map((r) => [r.id, r.nic]))
  }

  /**
   * NICs of the distributor's other customers with this RFC (a warning, not a refusal: branches share
   * one). The SAT's generic RFCs (público en general, extranjeros) are shared by design: never a duplicate.
   */
  async sameRfc(em: EntityManager, customer: Pick<Customer, 'id' | 'distributorId' | 'rfc'>): Promise<string[]> {
    if (GENERIC_RFCS.includes(customer.rfc)) return []
    const rows = await sql<{ nic: string }[]>(em, 'select nic from clients_customer where distributor_id = ? and rfc = ? and id <> ? order by nic limit 5',
      [customer.distributorId, customer.rfc, customer.id])
    return rows.map((r) => r.nic)
  }

  /** The customer as the API shows it (with figures). */
  async json(em: EntityManager, c: Customer): Promise<CustomerJson> {
    return customerJson(c, (await this.figuresFor(em, [c.id], await this.pluginsOf(c.distributorId))).get(c.id))
  }

  /** Changes the given fields only (PATCH); contacts merge sub-field by sub-field. */
  async update(em: EntityManager, customer: Customer, input: CustomerInput): Promise<Customer> {
    const fields = parseCustomer(input, customer)
    return em.transactional(async (tx) => {
      const c = await tx.findOneOrFail(CustomerSchema, { id: customer.id })
      tx.assign(c, fields as never)
      await tx.flush()
      await this.writeKeys(tx, c, true)
      return c
    })
  }

  /** One-click classification (CM): category and colour only. */
  async classify(em: EntityManager, customer: Customer, input: { category?: CustomerCategory | null, color?: CustomerColor | null }): Promise<Customer> {
    const fields = parseCustomer(input, customer)
    em.assign(customer, fields as never)
    await em.flush()
    return customer
  }

  // ── linked profiles and the owner ──────────────────────────────────────────────────────────────

  /** Customers whose PCC the profile may enter. */
  async linkedTo(em: EntityManager, profileId: string): Promise<Customer[]> {
    const links = await em.find(CustomerProfileSchema, { profileId })
    if (!links.length) return []
    return em.find(CustomerSchema, { id: { $in: links.map((l) => l.customerId) } }, { orderBy: { legalName: 'asc' } })
  }

  async link(em: EntityManager, customerId: string, profileId: string, role: 'owner' | 'member' = 'member'): Promise<void> {
    await em.insert(CustomerProfileSchema, { customerId, profileId, role, createdAt: new Date() } as never)
  }

  /** The profile with exactly this e-mail and mobile (both must match: a guess of one is not enough). */
  private async profileByEmailAndMobile(em: EntityManager, input: { email?: unknown, mobile?: unknown }) {
    const fields: Record<string, string> = {}
    const email = typeof input.email === 'string' ? normalizeEmail(input.email) : null
    const mobile = typeof input.mobile === 'string' ? normalizeMobile(input.mobile) : null
    if (!email) fields.email = 'Correo electrónico inválido'
    if (!mobile) fields.mobile = 'Número móvil inválido'
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    const profile = await this.identity.profileByEmailAndMobile(em, email!, mobile!)
    if (!profile) throw new ProfileNotMatchedError()
    return profile
  }

  /**
   * "Asignar Perfil Admin": the profile becomes the customer's owner (the previous owner stays
   * linked as a member). Refused for a profile that administers any CM, so that a distributor
   * cannot control its customer's account in the customer's name.
   */
  async assignOwner(em: EntityManager, customer: Customer, input: { email?: unknown, mobile?: unknown }) {
    const profile = await this.profileByEmailAndMobile(em, input)
    if ((await this.identity.memberDistributorIds(em, profile.id)).length) throw new OwnerAdministersCmError()
    await em.transactional(async (tx) => {
      await sql(tx, `update clients_customer_profile set role = 'member' where customer_id = ? and role = 'owner' and profile_id <> ?`, [customer.id, profile.id])
      await sql(tx, `insert into clients_customer_profile (customer_id, profile_id, role) values (?, ?, 'owner')
        on conflict (customer_id, profile_id) do update set role = 'owner'`, [customer.id, profile.id])
    })
    return { email: profile.email, mobile: profile.mobile, name: profile.name }
  }

  async linkedProfiles(em: EntityManager, customerId: string): Promise<{ profileId: string, name: string, email: string, mobile: string, role: string }[]> {
    const links = await em.find(CustomerProfileSchema, { customerId })
    const roles = new Map(links.map((l) => [l.profileId, l.role]))
    return (await this.identity.profiles(em, [...roles.keys()]))
      .map((p) => ({ profileId: p.id, name: p.name, email: p.email, mobile: p.mobile, role: roles.get(p.id)! }))
      // The owner first, then by name and e-mail.
      .sort((a, b) => Number(b.role === 'owner') - Number(a.role === 'owner') || a.name.localeCompare(b.name, 'es') || a.email.localeCompare(b.email))
  }


  /** A linked profile (PCC) links another existing profile, found by e-mail and mobile. */
  async linkProfile(em: EntityManager, customerId: string, input: { email?: unknown, mobile?: unknown }) {
    const profile = await this.profileByEmailAndMobile(em, input)
    if (await em.count(CustomerProfileSchema, { customerId, profileId: profile.id })) throw new ProfileAlreadyLinkedError()
    await this.link(em, customerId, profile.id, 'member')
    return profile
  }

  /** Unlinks a member; the owner stays (it is changed from the CM), and so does the last profile. */
  async unlinkProfile(em: EntityManager, customerId: string, profileId: string): Promise<void> {
    await em.transactional(async (tx) => {
      const links = await sql<{ profile_id: string, role: string }[]>(tx, 'select profile_id, role from clients_customer_profile where customer_id = ? for update', [customerId])
      const link = links.find((l) => l.profile_id === profileId)
      if (!link) throw new ProfileNotMatchedError()
      if (link.role === 'owner') throw new OwnerCannotBeUnlinkedError()
      if (links.length <= 1) throw new LastLinkedProfileError()
      await sql(tx, 'delete from clients_customer_profile where customer_id = ? and profile_id = ?', [customerId, profileId])
    })
  }
}

export { CONTACTS }
