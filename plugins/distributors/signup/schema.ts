import { EntitySchema } from '@mikro-orm/postgresql'
import { sqlMigration } from '../../../core/plugin-api.js'

/** A distributor's sign-up link: signed with its own secret; revoking rotates both secret and version. */
export interface SignupLink { distributorId: string, version: number, secret: string, rotatedAt: Date }
/**
 * A sub-distributor made through a sign-up link (the record; the account's own row carries its
 * profile and RFC, and the expiry job validates it). `validatedAt` is no longer written.
 */
export interface Signup { distributorId: string, parentId: string, profileId: string, rfc?: string | null, createdAt: Date, validatedAt?: Date | null }

export const SignupLinkSchema = new EntitySchema<SignupLink>({
  name: 'DistributorSignupLink',
  tableName: 'distributors_signup_link',
  properties: {
    distributorId: { type: 'uuid', primary: true },
    version: { type: 'integer', default: 1 },
    secret: { type: 'string', length: 64, hidden: true },
    rotatedAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export const SignupSchema = new EntitySchema<Signup>({
  name: 'DistributorSignup',
  tableName: 'distributors_signup',
  properties: {
    distributorId: { type: 'uuid', primary: true },
    parentId: { type: 'uuid', index: 'distributors_signup_parent_id_index' },
    profileId: { type: 'uuid' },
    rfc: { type: 'string', length: 13, nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
    validatedAt: { type: 'datetime', nullable: true },
  },
})

export const signupMigration = sqlMigration('distributors_1002_signup', `
create table "distributors_signup_link" ("distributor_id" uuid not null, "version" int not null default 1, "secret" varchar(64) not null, "rotated_at" timestamptz not null default now(), constraint "distributors_signup_link_pkey" primary key ("distributor_id"));
create table "distributors_signup" ("distributor_id" uuid not null, "parent_id" uuid not null, "profile_id" uuid not null, "rfc" varchar(13) null, "created_at" timestamptz not null default now(), "validated_at" timestamptz null, constraint "distributors_signup_pkey" primary key ("distributor_id"));
create index "distributors_signup_parent_id_index" on "distributors_signup" ("parent_id");
`)
