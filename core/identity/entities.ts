import { EntitySchema } from '@mikro-orm/postgresql'
import { kernelServiceEntities } from '../kernel/entities.js'

// Profiles, distributors, members, tokens (migration core_0001). Shared column shapes first.
const id = { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' } as const
const createdAt = { type: 'datetime', defaultRaw: 'now()' } as const
const at = { type: 'datetime', nullable: true } as const

/** `email` is stored trimmed and lower-cased (unique case-insensitively), `mobile` in E.164 (+52…). */
export interface Profile { id: string, email: string, mobile: string, name: string, passwordHash: string, emailVerifiedAt?: Date | null, mobileVerifiedAt?: Date | null, createdAt: Date }
export const ProfileSchema = new EntitySchema<Profile>({
  name: 'Profile', tableName: 'core_profile',
  properties: {
    id, email: { type: 'string', length: 254, unique: 'core_profile_email_unique' }, mobile: { type: 'string', length: 20, unique: 'core_profile_mobile_unique' },
    name: { type: 'string', length: 200 }, passwordHash: { type: 'string', length: 255, hidden: true, lazy: true },
    emailVerifiedAt: at, mobileVerifiedAt: at, createdAt,
  },
})

export type DistributorState = 'unvalidated' | 'inactive' | 'active' | 'suspended' | 'cancelled' | 'expired'
export const DISTRIBUTOR_STATES: DistributorState[] = ['unvalidated', 'inactive', 'active', 'suspended', 'cancelled', 'expired']

/**
 * The platform itself is the one root distributor (`isRoot`); staff are its members. `path` is the
 * ltree of uuid labels (dashes removed) from the top down, written by a trigger, never by code.
 */
export interface Distributor { id: string, name: string, isRoot: boolean, parentId?: string | null, path: string, state: DistributorState, tier: string, cmExpiresAt?: Date | null, createdAt: Date }
export const DistributorSchema = new EntitySchema<Distributor>({
  name: 'Distributor', tableName: 'core_distributor',
  indexes: [{ name: 'core_distributor_path_index', properties: ['path'], type: 'gist' }],
  properties: {
    id, name: { type: 'string', length: 200 }, isRoot: { type: 'boolean', default: false },
    parentId: { type: 'uuid', nullable: true, index: 'core_distributor_parent_id_index' }, path: { type: 'string', columnType: 'ltree' },
    state: { type: 'string', length: 20, default: 'active' }, tier: { type: 'string', length: 50 }, cmExpiresAt: { type: 'date', nullable: true }, createdAt,
  },
})

export interface DistributorMember { id: string, distributorId: string, profileId: string, createdAt: Date }
export const DistributorMemberSchema = new EntitySchema<DistributorMember>({
  name: 'DistributorMember', tableName: 'core_distributor_member',
  uniques: [{ name: 'core_distributor_member_unique', properties: ['distributorId', 'profileId'] }],
  properties: { id, distributorId: { type: 'uuid' }, profileId: { type: 'uuid', index: 'core_distributor_member_profile_id_index' }, createdAt },
})

/**
 * `prefix` is the token's first characters, to recognise it in lists; the token itself is never
 * stored, only its SHA-256 (it is 32 random bytes, so a fast hash is enough).
 */
export interface ApiToken { id: string, profileId: string, distributorId: string, label: string, prefix: string, tokenHash: string, createdAt: Date, revokedAt?: Date | null, lastUsedAt?: Date | null }
export const ApiTokenSchema = new EntitySchema<ApiToken>({
  name: 'ApiToken', tableName: 'core_api_token',
  properties: {
    id, profileId: { type: 'uuid', index: 'core_api_token_profile_id_index' }, distributorId: { type: 'uuid', index: 'core_api_token_distributor_id_index' },
    label: { type: 'string', length: 100, default: '' }, prefix: { type: 'string', length: 16 },
    tokenHash: { type: 'string', length: 64, unique: 'core_api_token_token_hash_unique', hidden: true }, createdAt, revokedAt: at, lastUsedAt: at,
  },
})

export type OneTimeTokenPurpose = 'verify_email' | 'verify_mobile' | 'reset_password' | 'change_email' | 'change_mobile'
export interface OneTimeToken { id: string, profileId: string, purpose: OneTimeTokenPurpose, tokenHash: string, expiresAt: Date, usedAt?: Date | null, createdAt: Date }
export const OneTimeTokenSchema = new EntitySchema<OneTimeToken>({
  name: 'OneTimeToken', tableName: 'core_one_time_token',
  properties: {
    id, profileId: { type: 'uuid', index: 'core_one_time_token_profile_id_index' }, purpose: { type: 'string', length: 20 },
    tokenHash: { type: 'string', length: 64, unique: 'core_one_time_token_token_hash_unique' }, expiresAt: { type: 'datetime' }, usedAt: at, createdAt,
  },
})

/** Mirror of config/tiers.ts, rewritten at boot, so staff can see tiers and pick one in the console. */
export interface Tier { id: string, name: string, plugins: string[] }
export const TierSchema = new EntitySchema<Tier>({
  name: 'Tier', tableName: 'core_tier',
  properties: { id: { type: 'string', length: 50, primary: true }, name: { type: 'string', length: 100 }, plugins: { type: 'json' } },
})

export interface Setting { key: string, value: string }

export const SettingSchema = new EntitySchema<Setting>({
  name: 'Setting', tableName: 'core_setting',
  properties: { key: { type: 'string', length: 100, primary: true }, value: { type: 'text' } },
})

export interface AuditEntry { id: string, at: Date, actorProfileId?: string | null, distributorId?: string | null, action: string, subject?: string | null, detail?: Record<string, unknown> | null }
export const AuditEntrySchema = new EntitySchema<AuditEntry>({
  name: 'AuditEntry', tableName: 'core_audit_log',
  properties: {
    id, at: createdAt, actorProfileId: { type: 'uuid', nullable: true }, distributorId: { type: 'uuid', nullable: true, index: 'core_audit_log_distributor_id_index' },
    action: { type: 'string', length: 100 }, subject: { type: 'string', length: 200, nullable: true }, detail: { type: 'json', nullable: true },
  },
})

/** Rows of connect-session-knex and rate-limiter-flexible; declared so the drift test sees them. */
export interface SessionRow { sid: string, sess: unknown, expired: Date }
export const SessionSchema = new EntitySchema<SessionRow>({
  name: 'Session', tableName: 'core_session',
  properties: { sid: { type: 'string', length: 255, primary: true }, sess: { type: 'json' }, expired: { type: 'datetime', index: 'core_session_expired_index' } },
})

export interface ThrottleRow { key: string, points: number, expire?: string | null }
export const ThrottleSchema = new EntitySchema<ThrottleRow>({
  name: 'Throttle', tableName: 'core_throttle',
  properties: { key: { type: 'string', length: 255, primary: true }, points: { type: 'integer', default: 0 }, expire: { type: 'bigint', nullable: true } },
})

export const coreEntities = [
  ProfileSchema, DistributorSchema, DistributorMemberSchema, ApiTokenSchema, OneTimeTokenSchema,
  TierSchema, SettingSchema, AuditEntrySchema, SessionSchema, ThrottleSchema, ...kernelServiceEntities,
]
