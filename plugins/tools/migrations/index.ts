import { sqlMigration } from '../../../core/plugin-api.js'

/*
 * No foreign key to core_distributor (a purge keeps rows that name it, like the ledger's). The
 * CHECKs are the service's rules again, so a bug cannot store a package that sells nothing or for
 * nothing; they are allow-listed in unmodelled.ts for the schema-drift test.
 */
export const toolsMigrations = [
  sqlMigration('tools_0001_package', `
create table "tools_package" ("id" uuid not null default gen_random_uuid(), "distributor_id" uuid not null, "asset" varchar(10) not null, "quantity" bigint not null, "price" bigint not null, "description" varchar(200) not null, "for_distributors" boolean not null default false, "created_at" timestamptz not null default now(), "archived_at" timestamptz null, constraint "tools_package_pkey" primary key ("id"));
create index "tools_package_distributor_index" on "tools_package" ("distributor_id", "asset", "for_distributors");
alter table "tools_package" add constraint "tools_package_check" check ("asset" in ('stamps', 'points') and "quantity" > 0 and "price" > 0);
`),
]

/** DDL above that MikroORM cannot model: the schema-drift test accepts exactly these statements. */
export const TOOLS_ALLOWED_DRIFT = [
  'alter table "tools_package" drop constraint tools_package_check;',
]
