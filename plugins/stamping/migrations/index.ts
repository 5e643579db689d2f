import { sqlMigration } from '../../../core/plugin-api.js'

/*
 * What MikroORM cannot model (the CTI id sequence, CHECKs) is allow-listed in
 * migrations/unmodelled.ts for the schema-drift test. No foreign keys into other plugins' tables:
 * customer ids (clients) and ledger accounts (ledger) are ids, checked by their owners' services.
 */
export const stampingMigrations = [
  sqlMigration('stamping_0001_ctis', `
create sequence "stamping_cti_seq" start with 1000001;
create table "stamping_cti" ("id" varchar(40) not null, "distributor_id" uuid not null, "customer_id" uuid not null, "customer_nic" varchar(20) not null, "type" varchar(10) not null default 'standard', "active" boolean not null default true, "password_hash" text not null, "credentials_version" int not null default 1, "initial_password" varchar(64) null, "account_id" uuid null, "valid_until" timestamptz null, "rfc" varchar(13) null, "auto_sale_minimum" int null, "auto_sale_quantity" int null, "auto_sale_amount" bigint null, "auto_sale_warning" varchar(300) null, "auto_sale_warned_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "stamping_cti_pkey" primary key ("id"));
create index "stamping_cti_distributor_customer_index" on "stamping_cti" ("distributor_id", "customer_id");
create index "stamping_cti_customer_index" on "stamping_cti" ("customer_id");
create index "stamping_cti_search_index" on "stamping_cti" ("distributor_id", upper("id") varchar_pattern_ops);
alter table "stamping_cti" add constraint "stamping_cti_type_check" check ("type" in ('standard', 'unlimited'));
alter table "stamping_cti" add constraint "stamping_cti_auto_sale_check" check (("auto_sale_minimum" is null) = ("auto_sale_quantity" is null) and ("auto_sale_quantity" is null) = ("auto_sale_amount" is null) and coalesce("auto_sale_minimum", 0) >= 0 and coalesce("auto_sale_quantity", 1) > 0 and coalesce("auto_sale_amount", 0) >= 0);

create table "stamping_stamp" ("id" bigserial primary key, "cti_id" varchar(40) not null, "distributor_id" uuid not null, "doc_sha256" varchar(64) not null, "status" varchar(10) not null default 'pending', "claimed_at" timestamptz not null default now(), "claim_token" uuid not null, "pending_id" bigint null, "uuid" uuid null, "stamped_xml" text null, "stamped_at" timestamptz null, "app" varchar(100) null);
create index "stamping_stamp_distributor_stamped_index" on "stamping_stamp" ("distributor_id", "stamped_at");
alter table "stamping_stamp" add constraint "stamping_stamp_cti_doc_unique" unique ("cti_id", "doc_sha256");
alter table "stamping_stamp" add constraint "stamping_stamp_status_check" check ("status" in ('pending', 'stamped'));
create table "stamping_stamp_idd" ("cti_id" varchar(40) not null, "idd" varchar(100) not null, "stamp_id" bigint not null, constraint "stamping_stamp_idd_pkey" primary key ("cti_id", "idd"));

create table "stamping_sale" ("id" uuid not null default gen_random_uuid(), "distributor_id" uuid not null, "customer_id" uuid not null, "cti_id" varchar(40) not null, "kind" varchar(20) not null, "quantity" int not null, "amount" bigint not null, "transfer_id" uuid not null, "invoice_ref" varchar(100) null, "actor_profile_id" uuid null, "created_at" timestamptz not null default now(), constraint "stamping_sale_pkey" primary key ("id"));
create index "stamping_sale_distributor_created_index" on "stamping_sale" ("distributor_id", "created_at");
create index "stamping_sale_transfer_index" on "stamping_sale" ("transfer_id");
alter table "stamping_sale" add constraint "stamping_sale_kind_check" check ("kind" in ('transfer', 'mass_transfer', 'auto_sale') and "quantity" > 0 and "amount" >= 0);

create table "stamping_customer_figures" ("customer_id" uuid not null, "distributor_id" uuid not null, "stamp_balance" bigint not null default 0, "last_stamp_purchase_at" timestamptz null, "last_stamped_at" timestamptz null, constraint "stamping_customer_figures_pkey" primary key ("customer_id"));
create index "stamping_figures_balance_index" on "stamping_customer_figures" ("distributor_id", "stamp_balance");
create index "stamping_figures_purchase_index" on "stamping_customer_figures" ("distributor_id", "last_stamp_purchase_at");
create index "stamping_figures_stamped_index" on "stamping_customer_figures" ("distributor_id", "last_stamped_at");

create table "stamping_pac_key" ("id" int not null, "private_key_pem" text not null, "certificate_pem" text not null, "no_certificado" varchar(20) not null, "created_at" timestamptz not null default now(), constraint "stamping_pac_key_pkey" primary key ("id"));
`),
  // The unlimited CTIs' yearly renewal (stamping.unlimited-renewal job): why the last charge failed.
  sqlMigration('stamping_0002_unlimited_renewal', `
alter table "stamping_cti" add column "renewal_warning" varchar(300) null, add column "renewal_warned_at" timestamptz null;
`),
]
