import { BaseRecord, ValidationError, flat, type Filter } from 'adminjs'
import { Resource } from '@adminjs/mikroorm'
import { wrap, type EntityManager, type EntitySchema, type MikroORM } from '@mikro-orm/postgresql'
import { FieldValidationError, ForbiddenError, NotFoundError } from '../kernel/errors.js'
import type { AdminUser } from '../http/types.js'
import { findBadText } from '../http/request.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Credentials (token hashes, password hashes, generated passwords): never filtered, sorted or sent. */
const SECRET = /hash|password|secret/i
type Ctx = any
type Params = Record<string, unknown>

export interface ScopedResourceSpec<T extends object> {
  entity: EntitySchema<T, any>
  /**
   * 'tenant': every row belongs to the current distributor (column `tenantKey`); 'staff': platform
   * staff only, all rows.
   */
  scope: 'tenant' | 'staff'
  tenantKey?: string
  /** A 'tenant' scope other than `tenantKey` = the distributor (e.g. the rows of its subtree). */
  tenantWhere?(distributorId: string): Record<string, unknown>
  /** The only fields create and update accept; anything else posted is dropped. */
  writable: string[]
  /** Properties the list may filter on (default: every scalar property). */
  filterable?: string[]
  /** Create through the owning service (validation, generated ids, events); default: plain insert. */
  create?(args: { em: EntityManager, distributorId: string, params: Params, actor: AdminUser }): Promise<T>
  update?(args: { em: EntityManager, distributorId: string, entity: T, params: Params, actor: AdminUser }): Promise<T>
  /** false: rows of this resource are never deleted from the admin. */
  deletable?: boolean
  /**
   * Filters on no column of the entity: the plugin turns the typed text into a condition (e.g. the
   * CTIs whose customer the customer search box matches). Declare the property in the resource's
   * options so the filter shows; the tenant scope still applies on top.
   */
  virtualFilters?: Record<string, (args: { em: EntityManager, distributorId: string, value: string }) => Promise<Record<string, unknown>>>
}

/**
 * The one place the admin reads and writes plugin rows. Every find/count/findOne/findMany/create/
 * update/delete (and so the list, filters, show, edit, delete, bulk delete and the `search` action
 * behind reference pickers) is scoped to the current distributor; without one it refuses (fails
 * closed). Filters are rebuilt from typed values, never passed through as query operators.
 */
export class ScopedResource<T extends object> extends Resource {
  private readonly tenantKey: string

  constructor(orm: MikroORM, readonly spec: ScopedResourceSpec<T>) {
    super({ model: spec.entity.meta.class ?? spec.entity, orm } as never)
    this.tenantKey = spec.tenantKey ?? 'distributorId'
  }

  private actorOf(context: Ctx): AdminUser {
    const actor = context?.currentAdmin as AdminUser | undefined
    if (!actor?.distributorId) throw new ForbiddenError('No hay un distribuidor en la sesión')
    if (this.spec.scope === 'staff' && !actor.isStaff) throw new ForbiddenError('Solo para el personal de la plataforma')
    return actor
  }

  private scopeWhere(context: Ctx): Record<string, unknown> {
    const actor = this.actorOf(context)
    if (this.spec.scope !== 'tenant') return {}
    return this.spec.tenantWhere?.(actor.distributorId) ?? { [this.tenantKey]: actor.distributorId }
  }

  /**
   * Only the entity's own properties: AdminJS looks paths up in a plain object, where '__proto__'
   * or 'constructor' (a sortBy, a filter) found Object's and reached the ORM as a column (a 500).
   */
  override property(path: string) {
    return typeof path === 'string' && this.properties().some((p) => p.path() === path) ? super.property(path) : null as never
  }

  private em(): EntityManager { return (this as unknown as { orm: MikroORM }).orm.em.fork() }
  private get entityName(): string { return this.spec.entity.meta.className }
  /** From the ORM's metadata: the schema's own list is empty until discovery (a key not named id, e.g. Job.name). */
  private get pk(): string { return (this as unknown as { orm: MikroORM }).orm.getMetadata().get(this.entityName).primaryKeys[0] }

  private filterWhere(filter: Filter | undefined): Record<string, unknown>[] {
    const conditions: Record<string, unknown>[] = []
    if (!filter) return conditions
    const allowed = this.spec.filterable
    for (const element of Object.values(filter.filters ?? {})) {
      const { path, property, value } = element as { path: string, property: { type(): string }, value: unknown }
      if ((allowed && !allowed.includes(path)) || SECRET.test(path)) continue
      if (!this.property(path)) continue
      // The adapter reports uuid columns as 'string'; an ilike on them is a database error (a 500).
      const column = (this.spec.entity.meta.properties as Record<string, { type?: string }> | undefined)?.[path]?.type
      const type = column === 'uuid' ? 'uuid' : property.type()
      if (type === 'string' || type === 'textarea' || type === 'richtext') {
        if (typeof value === 'string' && value) conditions.push({ [path]: { $ilike: `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } })
      } else if (type === 'uuid' || type === 'id' || type === 'reference') {
        conditions.push({ [path]: typeof value === 'string' && UUID.test(value) ? value : { $in: [] } })
      } else if (type === 'number' || type === 'float' || type === 'currency') {
        const n = Number(value)
        if (typeof value === 'string' && value !== '' && Number.isFinite(n)) conditions.push({ [path]: n })
      } else if (type === 'boolean') {
        if (value === 'true' || value === 'false') conditions.push({ [path]: value === 'true' })
      } else if (type === 'date' || type === 'datetime') {
        const range = (value ?? {}) as { from?: unknown, to?: unknown }
        const from = typeof range.from === 'string' ? new Date(range.from) : null
        const to = typeof range.to === 'string' ? new Date(range.to) : null
        if (from && !Number.isNaN(from.getTime())) conditions.push({ [path]: { $gte: from } })
        if (to && !Number.isNaN(to.getTime())) conditions.push({ [path]: { $lte: to } })
      }
    }
    return conditions
  }

  private where(filter: Filter | undefined, context: Ctx, extra?: Record<string, unknown>) {
    return { $and: [this.scopeWhere(context), ...this.filterWhere(filter), ...(extra ? [extra] : [])] }
  }

  /** The conditions of the virtual filters present in `filter` (each value trimmed, at most 200 characters). */
  private async virtualWhere(filter: Filter | undefined, context: Ctx): Promise<Record<string, unknown> | undefined> {
    const virtual = this.spec.virtualFilters
    if (!virtual || !filter) return undefined
    const conditions: Record<string, unknown>[] = []
    for (const [path, toWhere] of Object.entries(virtual)) {
      const value = (filter.filters?.[path] as { value?: unknown } | undefined)?.value
      if (typeof value !== 'string' || !value.trim()) continue
      conditions.push(await toWhere({ em: this.em(), distributorId: this.actorOf(context).distributorId, value: value.trim().slice(0, 200) }))
    }
    return conditions.length ? { $and: conditions } : undefined
  }

  private record(entity: T): BaseRecord {
    return new BaseRecord(publicParams(entity), this)
  }

  override async count(filter: Filter, context?: Ctx): Promise<number> {
    return this.em().count(this.entityName, this.where(filter, context, await this.virtualWhere(filter, context)) as never)
  }

  override async find(filter: Filter, params: { limit?: number, offset?: number, sort?: { sortBy?: string, direction?: 'asc' | 'desc' } } = {}, context?: Ctx): Promise<BaseRecord[]> {
    const { limit = 10, offset = 0, sort = {} } = params
    const sortBy = sort.sortBy && !SECRET.test(sort.sortBy) && this.property(sort.sortBy) ? sort.sortBy : undefined
    const direction = sort.direction === 'desc' ? 'desc' : 'asc'
    const pk = this.pk
    const rows = await this.em().find(this.entityName, this.where(filter, context, await this.virtualWhere(filter, context)) as never, {
      orderBy: (sortBy ? { [sortBy]: direction, [pk]: 'asc' } : { [pk]: 'asc' }) as never,
      limit: Math.min(Math.max(Number(limit) || 10, 1), 500),
      offset: Math.max(Number(offset) || 0, 0),
    })
    return rows.map((r) => this.record(r as T))
  }

  private idWhere(id: string | number): Record<string, unknown> | null {
    const pk = this.pk
    const isUuid = (this.spec.entity.meta.properties as Record<string, { type?: string }> | undefined)?.[pk]?.type === 'uuid'
    if (isUuid && !(typeof id === 'string' && UUID.test(id))) return null
    return { [pk]: id }
  }

  private async loadScoped(em: EntityManager, id: string | number, context: Ctx): Promise<T | null> {
    const byId = this.idWhere(id)
    if (!byId) { this.actorOf(context); return null }
    return em.findOne(this.entityName, { $and: [this.scopeWhere(context), byId] } as never) as Promise<T | null>
  }

  override async findOne(id: string | number, context?: Ctx): Promise<BaseRecord | null> {
    const row = await this.loadScoped(this.em(), id, context)
    return row ? this.record(row) : null
  }

  override async findMany(ids: (string | number)[], context?: Ctx): Promise<BaseRecord[]> {
    const pk = this.pk
    const valid = ids.filter((id) => this.idWhere(id))
    const rows = await this.em().find(this.entityName, this.where(undefined, context, { [pk]: { $in: valid } }) as never)
    return rows.map((r) => this.record(r as T))
  }

  private pick(params: Params): Params {
    const input = flat.unflatten(params) as Params
    const out: Params = {}
    for (const key of this.spec.writable) if (key in input) out[key] = input[key] === '' ? null : input[key]
    // Text PostgreSQL refuses (a NUL, a lone surrogate) is a field error, not a failed statement.
    const bad = findBadText(out, 100_000)
    if (bad) throw toAdminError(new FieldValidationError({ [bad[0].split('.')[0]]: bad[1] }))
    return out
  }

  override async create(params: Params, context?: Ctx): Promise<Params> {
    const actor = this.actorOf(context)
    const em = this.em()
    const values = this.pick(params)
    try {
      const entity = this.spec.create
        ? await this.spec.create({ em, distributorId: actor.distributorId, params: values, actor })
        : await this.insertPlain(em, values, actor)
      return publicParams(entity)
    } catch (e) { throw toAdminError(e) }
  }

  private async insertPlain(em: EntityManager, values: Params, actor: AdminUser): Promise<T> {
    const entity = em.create(this.entityName, (this.spec.scope === 'tenant' ? { ...values, [this.tenantKey]: actor.distributorId } : values) as never) as T
    await em.flush()
    return entity
  }

  override async update(id: string | number, params: Params = {}, context?: Ctx): Promise<Params> {
    const actor = this.actorOf(context)
    const em = this.em()
    const entity = await this.loadScoped(em, id, context)
    if (!entity) throw new NotFoundError()
    const values = this.pick(params)
    try {
      const updated = this.spec.update
        ? await this.spec.update({ em, distributorId: actor.distributorId, entity, params: values, actor })
        : (wrap(entity).assign(values as never), await em.flush(), entity)
      return publicParams(updated)
    } catch (e) { throw toAdminError(e) }
  }

  override async delete(id: string | number, context?: Ctx): Promise<void> {
    if (this.spec.deletable === false) throw new ForbiddenError('Este registro no puede eliminarse')
    const byId = this.idWhere(id)
    const deleted = byId ? await this.em().nativeDelete(this.entityName, { $and: [this.scopeWhere(context), byId] } as never) : (this.actorOf(context), 0)
    if (!deleted) throw new NotFoundError()
  }
}

function publicParams(entity: object): Params {
  const params = flat.flatten(wrap(entity).toObject()) as Params
  for (const k of Object.keys(params)) if (SECRET.test(k)) delete params[k]
  return params
}

/** Field errors become AdminJS's ValidationError so the form shows them beside the fields. */
function toAdminError(e: unknown): unknown {
  if (e instanceof FieldValidationError) {
    return new ValidationError(Object.fromEntries(Object.entries(e.fields).map(([k, message]) => [k, { type: 'invalid', message }])))
  }
  return e
}
