import { EntitySchema } from '@mikro-orm/postgresql'

export interface Customer {
  id: string
  /** Tenant: the distributor that owns this customer. */
  distributorId: string
  /** Número de Identificación de Cliente: from a sequence, so never reused. */
  nic: string
  legalName: string
  tradeName?: string | null
  rfc: string
  phone?: string | null
  createdAt: Date
}

export const CustomerSchema = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'clients_customer',
  indexes: [{ name: 'clients_customer_distributor_created_index', properties: ['distributorId', 'createdAt'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid' },
    // Spelled as PostgreSQL reports it back, so the schema-drift check sees no difference.
    nic: { type: 'string', length: 20, unique: 'clients_customer_nic_unique', defaultRaw: `(nextval('clients_customer_nic_seq'::regclass))::text` },
    legalName: { type: 'string', length: 300 },
    tradeName: { type: 'string', length: 300, nullable: true },
    rfc: { type: 'string', length: 13 },
    phone: { type: 'string', length: 30, nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
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
