import { sqlMigration } from '../../../core/plugin-api.js'

export const distributorsMigrations = [
  sqlMigration('distributors_0001_account', `
create table "distributors_account" ("id" uuid not null, "parent_id" uuid null, "name" varchar(200) not null, "state" varchar(20) not null, "cm_expires_at" date null, "legal_name" varchar(300) not null, "rfc" varchar(13) null, "contact_name" varchar(200) null, "contact_email" varchar(254) null, "contact_phone" varchar(30) null, "invited_profile_id" uuid null, "state_changed_at" timestamptz not null default now(), "purged_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "distributors_account_pkey" primary key ("id"));
create index "distributors_account_state_index" on "distributors_account" ("state", "created_at");
create index "distributors_account_parent_id_index" on "distributors_account" ("parent_id");
`),
]
