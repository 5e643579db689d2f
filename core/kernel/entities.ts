import { EntitySchema } from '@mikro-orm/postgresql'

// Tables of the kernel services (jobs, outbox, settings, entitlements); migration core_0002_kernel_services.
const at = { type: 'datetime', nullable: true } as const
const text = { type: 'text', nullable: true } as const

export interface JobRecord { name: string, lastStartedAt?: Date | null, lastFinishedAt?: Date | null, lastResult?: string | null, lastError?: string | null, runs: number }
export const JobSchema = new EntitySchema<JobRecord>({
  name: 'Job', tableName: 'core_job',
  properties: { name: { type: 'string', length: 200, primary: true }, lastStartedAt: at, lastFinishedAt: at, lastResult: text, lastError: text, runs: { type: 'integer', default: 0 } },
})

export interface OutboxRow { id: string, name: string, subscriber: string, payload: unknown, createdAt: Date, attempts: number, nextAttemptAt: Date, deliveredAt?: Date | null, lastError?: string | null }
export const OutboxSchema = new EntitySchema<OutboxRow>({
  name: 'OutboxMessage', tableName: 'core_outbox',
  indexes: [{ name: 'core_outbox_due_index', properties: ['deliveredAt', 'nextAttemptAt'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' }, name: { type: 'string', length: 200 }, subscriber: { type: 'string', length: 200 },
    payload: { type: 'json' }, createdAt: { type: 'datetime', defaultRaw: 'now()' }, attempts: { type: 'integer', default: 0 },
    nextAttemptAt: { type: 'datetime' }, deliveredAt: at, lastError: text,
  },
})

export interface DistributorSetting { distributorId: string, plugin: string, value: Record<string, unknown> }
export const DistributorSettingSchema = new EntitySchema<DistributorSetting>({
  name: 'DistributorSetting', tableName: 'core_distributor_setting',
  properties: { distributorId: { type: 'uuid', primary: true }, plugin: { type: 'string', length: 50, primary: true }, value: { type: 'json' } },
})

export interface Entitlement { id: string, distributorId: string, key: string, since: Date, until?: Date | null, source: string, createdAt: Date }
export const EntitlementSchema = new EntitySchema<Entitlement>({
  name: 'Entitlement', tableName: 'core_entitlement',
  indexes: [{ name: 'core_entitlement_distributor_id_key_index', properties: ['distributorId', 'key'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' }, distributorId: { type: 'uuid' }, key: { type: 'string', length: 100 },
    since: { type: 'datetime' }, until: at, source: { type: 'string', length: 50 }, createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export const kernelServiceEntities = [JobSchema, OutboxSchema, DistributorSettingSchema, EntitlementSchema]
