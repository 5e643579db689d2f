import { sqlMigration } from '../db/sql-migration.js'

/** DDL of the core's migrations that MikroORM cannot model (see PluginDefinition.unmodelledDdl). */
export const CORE_UNMODELLED_DDL = [
  // core_0001_identity
  'alter table "core_profile" drop constraint core_profile_email_lower;',
  'alter table "core_distributor" drop constraint if exists "core_distributor_state_check";',
  'alter table "core_distributor" alter column "state" type varchar(20) using ("state"::varchar(20));',
  'drop index "core_distributor_one_root";',
]

export const coreMigrations = [
  sqlMigration('core_0001_identity', `
create table "core_profile" ("id" uuid not null default gen_random_uuid(), "email" varchar(254) not null, "mobile" varchar(20) not null, "name" varchar(200) not null, "password_hash" varchar(255) not null, "email_verified_at" timestamptz null, "mobile_verified_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "core_profile_pkey" primary key ("id"));
alter table "core_profile" add constraint "core_profile_email_unique" unique ("email");
alter table "core_profile" add constraint "core_profile_mobile_unique" unique ("mobile");
alter table "core_profile" add constraint "core_profile_email_lower" check ("email" = lower("email"));

create table "core_distributor" ("id" uuid not null default gen_random_uuid(), "name" varchar(200) not null, "is_root" boolean not null default false, "parent_id" uuid null, "state" varchar(20) not null default 'active', "tier" varchar(50) not null, "cm_expires_at" date null, "created_at" timestamptz not null default now(), constraint "core_distributor_pkey" primary key ("id"));
create index "core_distributor_parent_id_index" on "core_distributor" ("parent_id");
create unique index "core_distributor_one_root" on "core_distributor" ("is_root") where "is_root";
alter table "core_distributor" add constraint "core_distributor_state_check" check ("state" in ('unvalidated', 'inactive', 'active', 'suspended', 'cancelled', 'expired'));

create table "core_distributor_member" ("id" uuid not null default gen_random_uuid(), "distributor_id" uuid not null, "profile_id" uuid not null, "created_at" timestamptz not null default now(), constraint "core_distributor_member_pkey" primary key ("id"));
create index "core_distributor_member_profile_id_index" on "core_distributor_member" ("profile_id");
alter table "core_distributor_member" add constraint "core_distributor_member_unique" unique ("distributor_id", "profile_id");

create table "core_api_token" ("id" uuid not null default gen_random_uuid(), "profile_id" uuid not null, "distributor_id" uuid not null, "label" varchar(100) not null default '', "prefix" varchar(16) not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null default now(), "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "core_api_token_pkey" primary key ("id"));
create index "core_api_token_profile_id_index" on "core_api_token" ("profile_id");
create index "core_api_token_distributor_id_index" on "core_api_token" ("distributor_id");
alter table "core_api_token" add constraint "core_api_token_token_hash_unique" unique ("token_hash");

create table "core_one_time_token" ("id" uuid not null default gen_random_uuid(), "profile_id" uuid not null, "purpose" varchar(20) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "core_one_time_token_pkey" primary key ("id"));
create index "core_one_time_token_profile_id_index" on "core_one_time_token" ("profile_id");
alter table "core_one_time_token" add constraint "core_one_time_token_token_hash_unique" unique ("token_hash");

create table "core_tier" ("id" varchar(50) not null, "name" varchar(100) not null, "plugins" jsonb not null, constraint "core_tier_pkey" primary key ("id"));

create table "core_setting" ("key" varchar(100) not null, "value" text not null, constraint "core_setting_pkey" primary key ("key"));

create table "core_audit_log" ("id" uuid not null default gen_random_uuid(), "at" timestamptz not null default now(), "actor_profile_id" uuid null, "distributor_id" uuid null, "action" varchar(100) not null, "subject" varchar(200) null, "detail" jsonb null, constraint "core_audit_log_pkey" primary key ("id"));
create index "core_audit_log_distributor_id_index" on "core_audit_log" ("distributor_id");

create table "core_session" ("sid" varchar(255) not null, "sess" jsonb not null, "expired" timestamptz not null, constraint "core_session_pkey" primary key ("sid"));
create index "core_session_expired_index" on "core_session" ("expired");

create table "core_throttle" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, constraint "core_throttle_pkey" primary key ("key"));
`),  sqlMigration('core_0002_kernel_services', `
create table "core_job" ("name" varchar(200) not null, "last_started_at" timestamptz null, "last_finished_at" timestamptz null, "last_result" text null, "last_error" text null, "runs" int not null default 0, constraint "core_job_pkey" primary key ("name"));

create table "core_outbox" ("id" uuid not null default gen_random_uuid(), "name" varchar(200) not null, "subscriber" varchar(200) not null, "payload" jsonb not null, "created_at" timestamptz not null default now(), "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "delivered_at" timestamptz null, "last_error" text null, constraint "core_outbox_pkey" primary key ("id"));
create index "core_outbox_due_index" on "core_outbox" ("delivered_at", "next_attempt_at");

create table "core_distributor_setting" ("distributor_id" uuid not null, "plugin" varchar(50) not null, "value" jsonb not null, constraint "core_distributor_setting_pkey" primary key ("distributor_id", "plugin"));

create table "core_entitlement" ("id" uuid not null default gen_random_uuid(), "distributor_id" uuid not null, "key" varchar(100) not null, "since" timestamptz not null, "until" timestamptz null, "source" varchar(50) not null, "created_at" timestamptz not null default now(), constraint "core_entitlement_pkey" primary key ("id"));
create index "core_entitlement_distributor_id_key_index" on "core_entitlement" ("distributor_id", "key");
`),
  // The tree as an ltree path of uuid labels (dashes removed), kept by a trigger: set on insert, the
  // subtree rewritten when parent_id changes, a move under its own subtree refused (CM001). Inserts
  // and moves take one transaction lock, so two concurrent moves cannot make a cycle between them.
  sqlMigration('core_0003_directory', `
create extension if not exists ltree;
alter table "core_distributor" add column "path" ltree null;
with recursive t (id, path) as (select id, text2ltree(replace(id::text, '-', '')) from core_distributor where parent_id is null union all select d.id, t.path || text2ltree(replace(d.id::text, '-', '')) from core_distributor d join t on d.parent_id = t.id) update core_distributor c set path = t.path from t where c.id = t.id;
alter table "core_distributor" alter column "path" set not null;
create index "core_distributor_path_index" on "core_distributor" using gist ("path");
create function core_distributor_path() returns trigger language plpgsql as $$ declare parent ltree; begin if tg_when = 'AFTER' then update core_distributor set path = new.path || subpath(path, nlevel(old.path)) where path <@ old.path and id <> new.id; return null; end if; perform pg_advisory_xact_lock(hashtext('core_distributor_tree')); if new.parent_id is null then new.path := text2ltree(replace(new.id::text, '-', '')); return new; end if; select d.path into parent from core_distributor d where d.id = new.parent_id; if parent is null then raise exception 'core_distributor_parent_missing: %', new.parent_id using errcode = 'foreign_key_violation'; end if; if tg_op = 'UPDATE' and parent <@ old.path then raise exception 'core_distributor_cycle: % cannot move under its own subtree', new.id using errcode = 'CM001'; end if; new.path := parent || text2ltree(replace(new.id::text, '-', '')); return new; end $$;
create trigger core_distributor_path before insert or update of "parent_id" on "core_distributor" for each row execute function core_distributor_path();
create trigger core_distributor_subtree after update of "parent_id" on "core_distributor" for each row when (old.path is distinct from new.path) execute function core_distributor_path();
`),
]
