import { EntitySchema } from '@mikro-orm/postgresql'
import { sqlMigration } from '../../../core/plugin-api.js'

/** A converted customer: the parent's customer record that is the new distributor's own account. */
export interface CustomerAccount { distributorId: string, customerId: string, parentId: string, createdAt: Date }

export const CustomerAccountSchema = new EntitySchema<CustomerAccount>({
  name: 'DistributorCustomerAccount',
  tableName: 'distributors_customer_account',
  properties: {
    distributorId: { type: 'uuid', primary: true },
    customerId: { type: 'uuid', unique: 'distributors_customer_account_customer_id_unique' },
    parentId: { type: 'uuid' },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export const convertMigration = sqlMigration('distributors_1001_customer_account', `
create table "distributors_customer_account" ("distributor_id" uuid not null, "customer_id" uuid not null, "parent_id" uuid not null, "created_at" timestamptz not null default now(), constraint "distributors_customer_account_pkey" primary key ("distributor_id"));
alter table "distributors_customer_account" add constraint "distributors_customer_account_customer_id_unique" unique ("customer_id");
`)
