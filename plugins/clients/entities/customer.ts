import { EntitySchema } from '@mikro-orm/postgresql'

/** A contact of the customer (legal representative, financial, technical). */
export interface Contact { name: string | null, email: string | null, phones: string[] }

export const CATEGORIES = ['favorite', 'dropped'] as const
export type CustomerCategory = typeof CATEGORIES[number]
export const COLORS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'] as const
export type CustomerColor = typeof COLORS[number]

export interface Customer {
  id: string
  /** Tenant: the distributor that owns this customer. */
  distributorId: string
  /** Número de Identificación de Cliente: from a sequence, so never reused. */
  nic: string
  legalName: string
  tradeName?: string | null
  rfc: string
  /** SAT c_RegimenFiscal code (e.g. 601). */
  taxRegime?: string | null
  postalCode?: string | null
  address?: string | null
  /** Company phone and e-mail. */
  phone?: string | null
  email?: string | null
  legalRepresentative?: Contact | null
  financialContact?: Contact | null
  technicalContact?: Contact | null
  /**
   * "Otros datos": free notes (the API's `notes`). Not called `notes` in the schema: the shared
   * schema-drift test adds a `notes` column to prove that an unmigrated property is caught.
   */
  otherData?: string | null
  /** Custom stamp price in MXN incl. IVA, two decimals (a string, as PostgreSQL numeric arrives). */
  stampPrice?: string | null
  category?: CustomerCategory | null
  color?: CustomerColor | null
  createdAt: Date
}

export const CustomerSchema = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'clients_customer',
  indexes: [
    { name: 'clients_customer_distributor_color_index', properties: ['distributorId', 'color'] },
    { name: 'clients_customer_distributor_category_index', properties: ['distributorId', 'category'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid' },
    // Spelled as PostgreSQL reports it back, so the schema-drift check sees no difference.
    nic: { type: 'string', length: 20, unique: 'clients_customer_nic_unique', defaultRaw: `(nextval('clients_customer_nic_seq'::regclass))::text` },
    legalName: { type: 'string', length: 300 },
    tradeName: { type: 'string', length: 300, nullable: true },
    rfc: { type: 'string', length: 13 },
    taxRegime: { type: 'string', length: 3, nullable: true },
    postalCode: { type: 'string', length: 5, nullable: true },
    address: { type: 'string', length: 500, nullable: true },
    phone: { type: 'string', length: 30, nullable: true },
    email: { type: 'string', length: 254, nullable: true },
    legalRepresentative: { type: 'json', nullable: true },
    financialContact: { type: 'json', nullable: true },
    technicalContact: { type: 'json', nullable: true },
    otherData: { type: 'text', nullable: true },
    stampPrice: { type: 'decimal', precision: 10, scale: 2, nullable: true },
    category: { type: 'string', length: 10, nullable: true },
    color: { type: 'string', length: 10, nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

/**
 * Derived from the customer by the service, in a table of its own so the record stays what users
 * typed: lower-cased, accent-folded names and e-mails (legal, trade, contacts) behind a pg_trgm
 * index, and the folded legal name the name sort uses (case and accents ignored).
 */
export interface CustomerSearchText { customerId: string, distributorId: string, searchText: string, sortName: string }

export const CustomerSearchTextSchema = new EntitySchema<CustomerSearchText>({
  name: 'CustomerSearchText',
  tableName: 'clients_customer_search',
  indexes: [{ name: 'clients_customer_search_sort_name_index', properties: ['distributorId', 'sortName'] }],
  properties: {
    customerId: { type: 'uuid', primary: true },
    distributorId: { type: 'uuid' },
    searchText: { type: 'text' },
    sortName: { type: 'string', length: 300 },
  },
})

/**
 * Exact and prefix keys of a customer (NIC, RFC, company and contact phones as digits, and each
 * phone's runs from its second digit on), one row per key, behind a B-tree with `varchar_pattern_ops`
 * so `key like 'abc%'` is an index range.
 */
export interface CustomerSearchKey {
  customerId: string, distributorId: string, key: string
  /**
   * How many leading characters the key shares with the customer's previous key in byte order (0
   * for the first): of a customer's keys matching `like 'P%'`, exactly one shares fewer than
   * length(P), so a prefix's customers are counted without a DISTINCT.
   */
  sharedPrefix: number
  /**
   * For a key that starts a value (NIC, RFC, a phone's digits or its national number): the same
   * among the customer's such keys, for texts shorter than RUN_MIN; null for a run inside a phone (its
   * digits from the second on), which only longer texts reach.
   */
  headSharedPrefix: number | null
}

export const CustomerSearchKeySchema = new EntitySchema<CustomerSearchKey>({
  name: 'CustomerSearchKey',
  tableName: 'clients_customer_search_key',
  properties: {
    customerId: { type: 'uuid', primary: true },
    key: { type: 'string', length: 40, primary: true },
    distributorId: { type: 'uuid' },
    sharedPrefix: { type: 'smallint', default: 0 },
    headSharedPrefix: { type: 'smallint', nullable: true },
  },
})

export type CustomerProfileRole = 'owner' | 'member'

/** A profile linked to a customer: it may enter that customer's PCC. */
export interface CustomerProfile {
  id: string
  customerId: string
  profileId: string
  role: CustomerProfileRole
  createdAt: Date
}

export const CustomerProfileSchema = new EntitySchema<CustomerProfile>({
  name: 'CustomerProfile',
  tableName: 'clients_customer_profile',
  uniques: [{ name: 'clients_customer_profile_unique', properties: ['customerId', 'profileId'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    customerId: { type: 'uuid' },
    profileId: { type: 'uuid', index: 'clients_customer_profile_profile_id_index' },
    role: { type: 'string', length: 10, default: 'member' },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})
