import type { EntityManager, MikroORM } from '@mikro-orm/postgresql'
import { sql } from '../db/sql.js'
import type { EventBus } from '../kernel/events.js'
import type { CachePeers } from '../kernel/peers.js'
import { FieldValidationError } from '../kernel/errors.js'
import { pluginsOfTier } from '../kernel/tiers.js'
import type { TierConfig } from '../../config/tiers.js'
import type { Actor as SignedIn } from '../http/types.js'
import { DISTRIBUTOR_STATES, type DistributorState } from './entities.js'
import { DistributorCycleError, DistributorNotFoundError } from './errors.js'

/** A distributor as plugins see it; `path` is the ltree of uuid labels, `cmExpiresAt` 'YYYY-MM-DD'. */
export interface DirectoryEntry {
  id: string, name: string, parentId: string | null, path: string, state: DistributorState, tier: string
  cmExpiresAt: string | null, isRoot: boolean, createdAt: Date
}

declare module '../kernel/events.js' {
  interface PluginEvents {
    'core.distributorCreated': { distributor: DirectoryEntry }
    'core.distributorStateChanged': { distributor: DirectoryEntry, from: DistributorState, to: DistributorState }
    'core.distributorPurged': { distributorId: string, parentId: string | null }
    /** Any other change of the row (parent, CM expiry, name, tier): read models refresh from it. */
    'core.distributorUpdated': { distributor: DirectoryEntry }
  }
}

export interface AuditInput {
  action: string, subject?: string | null, distributorId?: string | null, actorProfileId?: string | null
  before?: unknown, after?: unknown
}

/** One row of core_audit_log, written in the caller's transaction (it commits or rolls back with it). */
export async function audit(em: EntityManager, e: AuditInput): Promise<void> {
  await sql(em, 'insert into core_audit_log (action, subject, distributor_id, actor_profile_id, detail) values (?, ?, ?, ?, ?::jsonb)',
    [e.action, e.subject ?? null, e.distributorId ?? null, e.actorProfileId ?? null, JSON.stringify({ before: e.before ?? null, after: e.after ?? null })])
}

const COLUMNS = `id, name, parent_id as "parentId", path::text as path, state, tier, cm_expires_at::text as "cmExpiresAt", is_root as "isRoot", created_at as "createdAt"`
const SUBTREE = 'select d.id from core_distributor d join core_distributor a on d.path <@ a.path where a.id = ?'
export const isUuid = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)
const TTL_MS = 30_000
type Actor = { actorProfileId?: string | null }

/**
 * Distributors, their tree and state: what plugins read instead of core_distributor. Writes emit the
 * lifecycle events inside the caller's transaction and leave an audit row. Sign-in (CM, API, PCC)
 * reads rows from a short per-process cache, so a tier change takes effect within TTL_MS and a state
 * written here at the next request.
 */
export class DistributorDirectory {
  private readonly cache = new Map<string, { at: number, d: DirectoryEntry | null }>()
  constructor(private readonly events: EventBus, private readonly orm: MikroORM, private readonly tierConfig: TierConfig, private readonly installed: readonly string[], private readonly peers?: CachePeers) {
    peers?.on('directory', (id) => { if (id) this.cache.delete(id); else this.cache.clear() })
  }

  async get(em: EntityManager, id: string): Promise<DirectoryEntry | null> {
    if (!isUuid(id)) return null
    return (await sql<DirectoryEntry[]>(em, `select ${COLUMNS} from core_distributor where id = ?`, [id]))[0] ?? null
  }

  async root(em: EntityManager): Promise<DirectoryEntry | null> {
    return (await sql<DirectoryEntry[]>(em, `select ${COLUMNS} from core_distributor where is_root`))[0] ?? null
  }

  /** True when `id` is `ancestorId` or below it. */
  async isWithin(em: EntityManager, ancestorId: string, id: string): Promise<boolean> {
    if (!isUuid(ancestorId) || !isUuid(id)) return false
    const [row] = await sql<{ ok: boolean }[]>(em, 'select exists (select 1 from core_distributor a, core_distributor d where a.id = ? and d.id = ? and d.path <@ a.path) as ok', [ancestorId, id])
    return row.ok
  }

  /** Ids of the subtree rooted at `id`, itself included. */
  async subtreeIds(em: EntityManager, id: string): Promise<string[]> {
    if (!isUuid(id)) return []
    return (await sql<{ id: string }[]>(em, SUBTREE, [id])).map((r) => r.id)
  }

  /** `<column> in (subtree of ?)`: a filter for a plugin's own query; bind the subtree's root id. */
  subtreeSql(column: string): string { return `${column} in (${SUBTREE})` }

  /** A distributor from the per-process cache: for sign-in and hot paths. */
  async distributor(id: string, em: EntityManager = this.orm.em.fork()): Promise<DirectoryEntry | null> {
    const hit = this.cache.get(id)
    if (hit && Date.now() - hit.at < TTL_MS) return hit.d
    const d = await this.get(em, id)
    this.cache.set(id, { at: Date.now(), d })
    return d
  }

  async tierOf(em: EntityManager, id: string): Promise<string | null> { return (await this.distributor(id, em))?.tier ?? null }

  /** Drops a cached row here and in the other processes (when `em`'s transaction, if any, commits). */
  invalidate(id?: string, em: EntityManager = this.orm.em.fork()): Promise<void> {
    if (id) this.cache.delete(id); else this.cache.clear()
    return this.peers?.publish(em, 'directory', id ?? null) ?? Promise.resolve()
  }

  pluginsFor(d: { tier: string }): string[] { return pluginsOfTier(this.tierConfig, d.tier, this.installed) }

  /** A distributor can use the CM while active and within its CM expiry (that day included); the platform always. */
  isUsable(d: { isRoot: boolean, state: string, cmExpiresAt?: Date | string | null }): boolean {
    if (d.isRoot) return true
    return d.state === 'active' && (!d.cmExpiresAt || new Date(d.cmExpiresAt).getTime() + 86_400_000 > Date.now())
  }

  /** The signed-in actor, or null when the profile is not a member or the distributor cannot use the CM. */
  async actor(profileId: string, distributorId: string): Promise<SignedIn | null> {
    const d = await this.distributor(distributorId)
    if (!d || !this.isUsable(d) || !isUuid(profileId)) return null
    const [p] = await sql<{ id: string, email: string, mobile: string, name: string }[]>(this.orm.em.fork(),
      'select p.id, p.email, p.mobile, p.name from core_profile p join core_distributor_member m on m.profile_id = p.id where p.id = ? and m.distributor_id = ?', [profileId, d.id])
    if (!p) return null
    return {
      profileId: p.id, email: p.email, mobile: p.mobile, name: p.name,
      distributorId: d.id, distributorName: d.name, distributorParentId: d.parentId ?? null, distributorState: d.state, isStaff: d.isRoot, tier: d.tier, plugins: this.pluginsFor(d),
    }
  }

  /** A new distributor under `parentId` (default: the root); emits core.distributorCreated. */
  async create(em: EntityManager, input: { name: string, tier: string, parentId?: string | null, state?: DistributorState, cmExpiresAt?: Date | string | null } & Actor): Promise<DirectoryEntry> {
    const state = input.state ?? 'active'
    if (!DISTRIBUTOR_STATES.includes(state)) throw new FieldValidationError({ state: 'Estado desconocido' })
    return em.transactional(async (tx) => {
      const parentId = input.parentId ?? (await this.root(tx))?.id ?? null
      if (parentId && !(await this.get(tx, parentId))) throw new DistributorNotFoundError(String(parentId))
      const [d] = await sql<DirectoryEntry[]>(tx, `insert into core_distributor (name, parent_id, tier, state, cm_expires_at) values (?, ?, ?, ?, ?) returning ${COLUMNS}`,
        [input.name, parentId, input.tier, state, input.cmExpiresAt ?? null])
      await audit(tx, { action: 'core.distributorCreated', subject: d.id, distributorId: d.id, actorProfileId: input.actorProfileId, after: d })
      await this.events.emit('core.distributorCreated', { distributor: d }, tx)
      return d
    })
  }

  /** Writes the state (the allowed transitions are the distributors plugin's), and a renewal's new CM expiry; emits core.distributorStateChanged. */
  async setState(em: EntityManager, id: string, to: DistributorState, opts: Actor & { cmExpiresAt?: string } = {}): Promise<DirectoryEntry> {
    if (!DISTRIBUTOR_STATES.includes(to)) throw new FieldValidationError({ state: 'Estado desconocido' })
    // Dropped from the cache again after our (savepoint's) commit: a read in between may have cached the old row.
    try { return await this.writeState(em, id, to, opts) } finally { void this.invalidate(id) }
  }

  private async writeState(em: EntityManager, id: string, to: DistributorState, opts: Actor & { cmExpiresAt?: string }): Promise<DirectoryEntry> {
    return em.transactional(async (tx) => {
      const [before] = isUuid(id) ? await sql<DirectoryEntry[]>(tx, `select ${COLUMNS} from core_distributor where id = ? for update`, [id]) : []
      if (!before) throw new DistributorNotFoundError(id)
      if (before.isRoot && to !== 'active') throw new FieldValidationError({ state: 'La plataforma siempre está activa' })
      if (before.state === to && !opts.cmExpiresAt) return before
      const [after] = await sql<DirectoryEntry[]>(tx, `update core_distributor set state = ?, cm_expires_at = coalesce(?::date, cm_expires_at) where id = ? returning ${COLUMNS}`, [to, opts.cmExpiresAt ?? null, id])
      await this.invalidate(id, tx)
      await audit(tx, { action: 'core.distributorStateChanged', subject: id, distributorId: id, actorProfileId: opts.actorProfileId, before: { state: before.state, ...(opts.cmExpiresAt && { cmExpiresAt: before.cmExpiresAt }) }, after: { state: to, ...(opts.cmExpiresAt && { cmExpiresAt: after.cmExpiresAt }) } })
      await this.events.emit('core.distributorStateChanged', { distributor: after, from: before.state, to }, tx)
      return after
    })
  }

  /** Moves a distributor (with its subtree) under another; a move under its own subtree is refused. */
  async move(em: EntityManager, id: string, parentId: string, opts: Actor = {}): Promise<DirectoryEntry> {
    try {
      return await em.transactional(async (tx) => {
        const before = await this.get(tx, id)
        if (!before || before.isRoot) throw new DistributorNotFoundError(id)
        if (!(await this.get(tx, parentId))) throw new DistributorNotFoundError(parentId)
        const [after] = await sql<DirectoryEntry[]>(tx, `update core_distributor set parent_id = ? where id = ? returning ${COLUMNS}`, [parentId, id])
        await audit(tx, { action: 'core.distributorMoved', subject: id, distributorId: id, actorProfileId: opts.actorProfileId, before: { parentId: before.parentId }, after: { parentId } })
        await this.changed(tx, id)
        await this.invalidate(id, tx)
        return after
      })
    } catch (e) {
      if ((e as { code?: string }).code === 'CM001') throw new DistributorCycleError(id, parentId)
      throw e
    }
  }

  /** The audit rows about a distributor, newest first (its parent reads them in the CM). */
  history(em: EntityManager, id: string, limit = 100): Promise<{ at: Date, action: string, actorProfileId: string | null, detail: unknown }[]> {
    return sql(em, 'select at, action, actor_profile_id as "actorProfileId", detail from core_audit_log where distributor_id = ? order by at desc, id limit ?', [id, limit])
  }

  /** Emits core.distributorUpdated with the row as it is now (after an edit outside setState). */
  async changed(em: EntityManager, id: string): Promise<void> {
    const d = await this.get(em, id)
    if (d) await this.events.emit('core.distributorUpdated', { distributor: d }, em)
  }

  /**
   * The kernel's part of the purge of a cancelled distributor (the rest is the distributors plugin's):
   * its members, sessions and API tokens end, its name is anonymised; emits core.distributorPurged.
   */
  async markPurged(em: EntityManager, id: string, opts: Actor = {}): Promise<void> {
    await em.transactional(async (tx) => {
      const d = await this.get(tx, id)
      if (!d) throw new DistributorNotFoundError(id)
      await sql(tx, `update core_distributor set name = 'Distribuidor eliminado' where id = ?`, [id])
      await sql(tx, 'update core_api_token set revoked_at = now() where distributor_id = ? and revoked_at is null', [id])
      await sql(tx, `delete from core_session where sess->>'distributorId' = ?`, [id])
      await sql(tx, 'delete from core_distributor_member where distributor_id = ?', [id])
      await audit(tx, { action: 'core.distributorPurged', subject: id, distributorId: id, actorProfileId: opts.actorProfileId })
      await this.events.emit('core.distributorPurged', { distributorId: id, parentId: d.parentId }, tx)
    })
  }
}
