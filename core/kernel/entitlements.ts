import { randomUUID } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError } from './errors.js'
import { EntitlementSchema, type Entitlement } from './entities.js'

export interface EntitlementGrant { distributorId: string, key: string, since?: Date, until?: Date | null, source: string }

/** What a distributor bought or was given (e.g. 'mkl-multinivel'), as data valid from `since` until `until`. */
export class Entitlements {
  constructor(private readonly clock: () => Date) {}

  private active(now: Date) { return { since: { $lte: now }, $or: [{ until: null }, { until: { $gt: now } }] } }

  async entitled(em: EntityManager, distributorId: string, key: string): Promise<boolean> {
    return (await em.count(EntitlementSchema, { distributorId, key, ...this.active(this.clock()) })) > 0
  }

  async grant(em: EntityManager, g: EntitlementGrant): Promise<Entitlement> {
    const since = g.since ?? this.clock()
    const fields: Record<string, string> = {}
    if (!g.key || g.key.length > 100) fields.key = 'Indique la clave del derecho'
    if (Number.isNaN(since.getTime())) fields.since = 'Fecha inválida'
    if (g.until && (Number.isNaN(g.until.getTime()) || g.until <= since)) fields.until = 'Debe ser posterior al inicio'
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    const row: Entitlement = { id: randomUUID(), distributorId: g.distributorId, key: g.key, since, until: g.until ?? null, source: g.source, createdAt: this.clock() }
    await em.insert(EntitlementSchema, row)
    return row
  }

  /** Ends an entitlement now (never deleted); false if it had already ended. */
  async revoke(em: EntityManager, id: string): Promise<boolean> {
    const now = this.clock()
    return (await em.nativeUpdate(EntitlementSchema, { id, $or: [{ until: null }, { until: { $gt: now } }] }, { until: now })) > 0
  }

  list(em: EntityManager, distributorId: string): Promise<Entitlement[]> {
    return em.find(EntitlementSchema, { distributorId }, { orderBy: { since: 'desc', id: 'asc' } })
  }
}
