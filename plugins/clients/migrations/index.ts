import { sqlMigration } from '../../../core/db/sql-migration.js'

export const clientsMigrations = [
  sqlMigration('clients_0001_customer', `
create sequence "clients_customer_nic_seq" start with 100001;
create table "clients_customer" ("id" uuid not null default gen_random_uuid(), "distributor_id" uuid not null, "nic" varchar(20) not null default nextval('clients_customer_nic_seq')::text, "legal_name" varchar(300) not null, "trade_name" varchar(300) null, "rfc" varchar(13) not null, "phone" varchar(30) null, "created_at" timestamptz not null default now(), constraint "clients_customer_pkey" primary key ("id"));
alter table "clients_customer" add constraint "clients_customer_nic_unique" unique ("nic");
create index "clients_customer_distributor_created_index" on "clients_customer" ("distributor_id", "created_at");

create table "clients_customer_profile" ("id" uuid not null default gen_random_uuid(), "customer_id" uuid not null, "profile_id" uuid not null, "role" varchar(10) not null default 'member', "created_at" timestamptz not null default now(), constraint "clients_customer_profile_pkey" primary key ("id"));
create index "clients_customer_profile_profile_id_index" on "clients_customer_profile" ("profile_id");
alter table "clients_customer_profile" add constraint "clients_customer_profile_unique" unique ("customer_id", "profile_id");
alter table "clients_customer_profile" add constraint "clients_customer_profile_role_check" check ("role" in ('owner', 'member'));
create unique index "clients_customer_one_owner" on "clients_customer_profile" ("customer_id") where "role" = 'owner';
`),
]
