import { EntitySchema } from '@mikro-orm/postgresql'
import { kernelServiceEntities } from '../kernel/entities.js'

export interface Profile {
  id: string
  /** Stored trimmed and lower-cased: unique case-insensitively. */
  email: string
  /** E.164 (+52…): unique after normalisation. */
  mobile: string
  name: string
  passwordHash: string
  emailVerifiedAt?: Date | null
  mobileVerifiedAt?: Date | null
  createdAt: Date
}

export const ProfileSchema = new EntitySchema<Profile>({
  name: 'Profile',
  tableName: 'core_profile',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    email: { type: 'string', length: 254, unique: 'core_profile_email_unique' },
    mobile: { type: 'string', length: 20, unique: 'core_profile_mobile_unique' },
    name: { type: 'string', length: 200 },
    passwordHash: { type: 'string', length: 255, hidden: true, lazy: true },
    emailVerifiedAt: { type: 'datetime', nullable: true },
    mobileVerifiedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export type DistributorState = 'unvalidated' | 'inactive' | 'active' | 'suspended' | 'cancelled' | 'expired'
export const DISTRIBUTOR_STATES: DistributorState[] = ['unvalidated', 'inactive', 'active', 'suspended', 'cancelled', 'expired']

export interface Distributor {
  id: string
  name: string
  /** The platform itself is the one root distributor; staff are its members. */
  isRoot: boolean
  parentId?: string | null
  /** ltree of uuid labels (dashes removed) from the top down; written by a trigger, never by code. */
  path: string
  state: DistributorState
  tier: string
  cmExpiresAt?: Date | null
  createdAt: Date
}

export const DistributorSchema = new EntitySchema<Distributor>({
  name: 'Distributor',
  tableName: 'core_distributor',
  indexes: [{ name: 'core_distributor_path_index', properties: ['path'], type: 'gist' }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    name: { type: 'string', length: 200 },
    isRoot: { type: 'boolean', default: false },
    parentId: { type: 'uuid', nullable: true, index: 'core_distributor_parent_id_index' },
    path: { type: 'string', columnType: 'ltree' },
    state: { type: 'string', length: 20, default: 'active' },
    tier: { type: 'string', length: 50 },
    cmExpiresAt: { type: 'date', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export interface DistributorMember {
  id: string
  distributorId: string
  profileId: string
  createdAt: Date
}

export const DistributorMemberSchema = new EntitySchema<DistributorMember>({
  name: 'DistributorMember',
  tableName: 'core_distributor_member',
  uniques: [{ name: 'core_distributor_member_unique', properties: ['distributorId', 'profileId'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid' },
    profileId: { type: 'uuid', index: 'core_distributor_member_profile_id_index' },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export interface ApiToken {
  id: string
  profileId: string
  distributorId: string
  label: string
  /** First characters of the token, to recognise it in lists; the token itself is never stored. */
  prefix: string
  /** SHA-256 of the token: it is 32 random bytes, so a fast hash is enough. */
  tokenHash: string
  createdAt: Date
  revokedAt?: Date | null
  lastUsedAt?: Date | null
}

export const ApiTokenSchema = new EntitySchema<ApiToken>({
  name: 'ApiToken',
  tableName: 'core_api_token',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    profileId: { type: 'uuid', index: 'core_api_token_profile_id_index' },
    distributorId: { type: 'uuid', index: 'core_api_token_distributor_id_index' },
    label: { type: 'string', length: 100, default: '' },
    prefix: { type: 'string', length: 16 },
    tokenHash: { type: 'string', length: 64, unique: 'core_api_token_token_hash_unique', hidden: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
    revokedAt: { type: 'datetime', nullable: true },
    lastUsedAt: { type: 'datetime', nullable: true },
  },
})

export type OneTimeTokenPurpose = 'verify_email' | 'verify_mobile' | 'reset_password'

export interface OneTimeToken {
  id: string
  profileId: string
  purpose: OneTimeTokenPurpose
  tokenHash: string
  expiresAt: Date
  usedAt?: Date | null
  createdAt: Date
}

export const OneTimeTokenSchema = new EntitySchema<OneTimeToken>({
  name: 'OneTimeToken',
  tableName: 'core_one_time_token',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    profileId: { type: 'uuid', index: 'core_one_time_token_profile_id_index' },
    purpose: { type: 'string', length: 20 },
    tokenHash: { type: 'string', length: 64, unique: 'core_one_time_token_token_hash_unique' },
    expiresAt: { type: 'datetime' },
    usedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export interface Tier {
  id: string
  name: string
  plugins: string[]
}

/** Mirror of config/tiers.ts, rewritten at boot, so staff can see tiers and pick one in the console. */
export const TierSchema = new EntitySchema<Tier>({
  name: 'Tier',
  tableName: 'core_tier',
  properties: {
    id: { type: 'string', length: 50, primary: true },
    name: { type: 'string', length: 100 },
    plugins: { type: 'json' },
  },
})

export interface Setting { key: string, value: string }

export const SettingSchema = new EntitySchema<Setting>({
  name: 'Setting',
  tableName: 'core_setting',
  properties: {
    key: { type: 'string', length: 100, primary: true },
    value: { type: 'text' },
  },
})

export interface AuditEntry {
  id: string
  at: Date
  actorProfileId?: string | null
  distributorId?: string | null
  action: string
  subject?: string | null
  detail?: Record<string, unknown> | null
}

export const AuditEntrySchema = new EntitySchema<AuditEntry>({
  name: 'AuditEntry',
  tableName: 'core_audit_log',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    at: { type: 'datetime', defaultRaw: 'now()' },
    actorProfileId: { type: 'uuid', nullable: true },
    distributorId: { type: 'uuid', nullable: true, index: 'core_audit_log_distributor_id_index' },
    action: { type: 'string', length: 100 },
    subject: { type: 'string', length: 200, nullable: true },
    detail: { type: 'json', nullable: true },
  },
})

/** Rows of connect-session-knex and rate-limiter-flexible; declared so the drift test sees them. */
export interface SessionRow { sid: string, sess: unknown, expired: Date }
export const SessionSchema = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'core_session',
  properties: {
    sid: { type: 'string', length: 255, primary: true },
    sess: { type: 'json' },
    expired: { type: 'datetime', index: 'core_session_expired_index' },
  },
})

export interface ThrottleRow { key: string, points: number, expire?: string | null }
export const ThrottleSchema = new EntitySchema<ThrottleRow>({
  name: 'Throttle',
  tableName: 'core_throttle',
  properties: {
    key: { type: 'string', length: 255, primary: true },
    points: { type: 'integer', default: 0 },
    expire: { type: 'bigint', nullable: true },
  },
})

export const coreEntities = [
  ProfileSchema, DistributorSchema, DistributorMemberSchema, ApiTokenSchema, OneTimeTokenSchema,
  TierSchema, SettingSchema, AuditEntrySchema, SessionSchema, ThrottleSchema, ...kernelServiceEntities,
]
