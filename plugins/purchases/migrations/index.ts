import { sqlMigration } from '../../../core/plugin-api.js'

/*
 * No foreign keys into other plugins' tables: distributors (core), customers (clients), packages
 * (tools) and ledger transfers are ids, checked by their owners' services. CHECKs are allow-listed in
 * PURCHASES_ALLOWED_DRIFT for the schema-drift test.
 */
export const purchasesMigrations = [
  sqlMigration('purchases_0001_sale', `
create table "purchases_sale" ("id" uuid not null default gen_random_uuid(), "seller_id" uuid not null, "buyer_type" varchar(12) not null, "buyer_id" uuid not null, "buyer_distributor_id" uuid not null, "kind" varchar(30) not null, "asset" varchar(10) not null, "package_id" uuid null, "offer_id" uuid null, "cti_id" varchar(40) null, "description" varchar(200) not null, "quantity" bigint not null, "amount" bigint not null, "points" bigint not null default 0, "transfer_id" uuid null, "order_id" uuid null, "invoice_ref" varchar(100) null, "actor_profile_id" uuid null, "created_at" timestamptz not null default now(), constraint "purchases_sale_pkey" primary key ("id"));
create index "purchases_sale_seller_created_index" on "purchases_sale" ("seller_id", "created_at");
create index "purchases_sale_buyer_created_index" on "purchases_sale" ("buyer_distributor_id", "created_at");
create index "purchases_sale_transfer_index" on "purchases_sale" ("transfer_id");
alter table "purchases_sale" add constraint "purchases_sale_check" check ("buyer_type" in ('distributor', 'customer') and "asset" in ('stamps', 'points', 'offer') and "quantity" > 0 and "amount" >= 0 and "points" >= 0);
`),
  sqlMigration('purchases_0002_order', `
create table "purchases_order" ("id" uuid not null default gen_random_uuid(), "seller_id" uuid not null, "buyer_type" varchar(12) not null, "buyer_id" uuid not null, "buyer_distributor_id" uuid not null, "package_id" uuid not null, "package_quantity" bigint not null, "package_price" bigint not null, "package_description" varchar(200) not null, "count" int not null, "quantity" bigint not null, "amount" bigint not null, "state" varchar(10) not null default 'pending', "provider" varchar(30) not null default 'manual', "reference" varchar(100) null, "transfer_id" uuid null, "created_at" timestamptz not null default now(), "confirmed_at" timestamptz null, "cancelled_at" timestamptz null, "created_by" uuid null, "resolved_by" uuid null, constraint "purchases_order_pkey" primary key ("id"));
create index "purchases_order_seller_index" on "purchases_order" ("seller_id", "created_at");
create index "purchases_order_buyer_index" on "purchases_order" ("buyer_id", "created_at");
alter table "purchases_order" add constraint "purchases_order_check" check ("buyer_type" in ('distributor', 'customer') and "state" in ('pending', 'confirmed', 'cancelled') and "count" > 0 and "quantity" > 0 and "amount" >= 0 and ("state" = 'confirmed') = ("confirmed_at" is not null and "transfer_id" is not null and "reference" is not null) and ("state" = 'cancelled') = ("cancelled_at" is not null));
`),
]

export const PURCHASES_ALLOWED_DRIFT = [
  'alter table "purchases_sale" drop constraint purchases_sale_check;',
  'alter table "purchases_order" drop constraint purchases_order_check;',
]
