import type { EntityManager } from '@mikro-orm/postgresql'
import {
  BadRequestError, FieldValidationError, ForbiddenError, normalizeEmail, normalizeMobile, NotFoundError, sql, textProblem, type DirectoryEntry, type PluginContext,
} from '../../../core/plugin-api.js'
import { isValidRfc, normalizeRfc } from '../../clients/index.js'
import { InvalidTransitionError, MultilevelNotEntitledError } from '../errors.js'
import { invite } from '../invitations.js'
import { allows, renewedExpiry, STATE_NAME, STATE_ORDER, TRANSITIONS, type State, type TransitionName } from '../transitions.js'
import type { DistributorAccount } from '../entities/account.js'

/** A distributor in the API. */
export interface DistributorJson { id: string, parentId: string | null, legalName: string, rfc: string | null, state: State, cmExpiresAt: string | null, createdAt: string }
/** Who acts: a member of a distributor (the root: staff, the whole tree). */
export interface Caller { distributorId: string, profileId?: string | null }
export interface ListQuery { state?: State, q?: string }

export const MULTILEVEL = 'mkl-multinivel'

/**
 * The one check of the entitlement on every path (API, CM, sign-up link, convert): 403
 * `multilevel_not_entitled` without "MKL Multi-nivel"; the platform (staff) needs none.
 */
export async function requireMultilevel(ctx: PluginContext<any>, em: EntityManager, distributorId: string): Promise<DirectoryEntry> {
  const d = await ctx.directory.get(em, distributorId)
  if (!d) throw new ForbiddenError()
  if (!d.isRoot && !await ctx.entitled(distributorId, MULTILEVEL, em)) throw new MultilevelNotEntitledError()
  return d
}
export const PURGE_AFTER_DAYS = 30
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const COLUMNS = `id, parent_id as "parentId", name, state, cm_expires_at::text as "cmExpiresAt", legal_name as "legalName", rfc,
  contact_name as "contactName", contact_email as "contactEmail", contact_phone as "contactPhone", invited_profile_id as "invitedProfileId",
  state_changed_at as "stateChangedAt", purged_at as "purgedAt", created_at as "createdAt"`

export const distributorJson = (a: DistributorAccount): DistributorJson => ({
  id: a.id, parentId: a.parentId, legalName: a.legalName, rfc: a.rfc, state: a.state as State,
  cmExpiresAt: a.cmExpiresAt ? String(a.cmExpiresAt).slice(0, 10) : null, createdAt: new Date(a.createdAt).toISOString(),
})

/** Query parameters of the list: `state` one of the API's names, `q` a short text. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const out: ListQuery = {}
  if (query.state !== undefined && query.state !== '') {
    if (typeof query.state !== 'string' || !STATE_ORDER.includes(query.state as State)) throw new BadRequestError(`'state' debe ser uno de: ${STATE_ORDER.join(', ')}`)
    out.state = query.state as State
  }
  if (query.q !== undefined && query.q !== '') {
    if (typeof query.q !== 'string' || query.q.length > 200) throw new BadRequestError("'q' debe ser un texto de a lo sumo 200 caracteres")
    out.q = query.q.trim()
  }
  return out
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * Sub-distributors: the caller's subtree (itself excluded) and nobody else's. Every read and write
 * takes the caller and answers 404 for a distributor outside it (siblings, ancestors, strangers).
 */
export class DistributorsService {
  constructor(private readonly ctx: PluginContext) {}

  /** `<alias>.id` in the caller's subtree, the caller excluded: [sql, params]. */
  scopeSql(alias: string, callerId: string): [string, unknown[]] {
    return [`(${this.ctx.directory.subtreeSql(`${alias}.id`)} and ${alias}.id <> ?)`, [callerId, callerId]]
  }

  // ── Read model: refreshed from the kernel's events, in the writer's transaction ──────────────

  async sync(em: EntityManager, d: DirectoryEntry): Promise<void> {
    if (d.isRoot) return
    await sql(em, `insert into distributors_account (id, parent_id, name, state, cm_expires_at, legal_name, state_changed_at, created_at)
      values (?, ?, ?, ?, ?::date, ?, ?, ?)
      on conflict (id) do update set parent_id = excluded.parent_id, name = excluded.name, cm_expires_at = excluded.cm_expires_at, state = excluded.state,
        state_changed_at = case when distributors_account.state <> excluded.state then excluded.state_changed_at else distributors_account.state_changed_at end`,
    [d.id, d.parentId, d.name, d.state, d.cmExpiresAt, d.name, this.ctx.clock(), d.createdAt])
  }

  /** Accounts for distributors created before the plugin was installed (once, at boot). */
  async backfill(em: EntityManager): Promise<number> {
    const root = await this.ctx.directory.root(em)
    if (!root) return 0
    const ids = (await this.ctx.directory.subtreeIds(em, root.id)).filter((id) => id !== root.id)
    if (!ids.length) return 0
    const known = new Set((await sql<{ id: string }[]>(em, 'select id from distributors_account where id = any(?::uuid[])', [`{${ids.join(',')}}`])).map((r) => r.id))
    let n = 0
    for (const id of ids) {
      if (known.has(id)) continue
      const d = await this.ctx.directory.get(em, id)
      if (d) { await this.sync(em, d); n++ }
    }
    return n
  }

  // ── Reads ────────────────────────────────────────────────────────────────────────────────────

  private async where(callerId: string, query: ListQuery): Promise<[string, unknown[]]> {
    const [scope, params] = this.scopeSql('a', callerId)
    const parts = [scope]
    if (query.state) { parts.push('a.state = ?'); params.push(query.state) }
    if (query.q) {
      const bad = textProblem(query.q, 200)
      if (bad) throw new BadRequestError(`'q' ${bad}`)
      parts.push('(a.legal_name ilike ? or a.name ilike ? or a.rfc like ?)')
      params.push(like(query.q), like(query.q), `${normalizeRfc(query.q).replace(/[\\%_]/g, '')}%`)
    }
    return [parts.join(' and '), params]
  }

  async list(em: EntityManager, callerId: string, query: ListQuery, page: number, perPage: number): Promise<{ items: DistributorAccount[], total: number }> {
    const [where, params] = await this.where(callerId, query)
    const [{ total }] = await sql<{ total: number }[]>(em, `select count(*)::int as total from distributors_account a where ${where}`, params)
    const items = await sql<DistributorAccount[]>(em, `select ${COLUMNS} from distributors_account a where ${where} order by a.created_at desc, a.id limit ? offset ?`,
      [...params, perPage, (page - 1) * perPage])
    return { items, total }
  }

  /** Distributors of the caller's subtree per state (the CM's tabs). */
  async counts(em: EntityManager, callerId: string): Promise<Record<State, number>> {
    const [scope, params] = this.scopeSql('a', callerId)
    const rows = await sql<{ state: State, n: number }[]>(em, `select a.state, count(*)::int as n from distributors_account a where ${scope} group by a.state`, params)
    const out = Object.fromEntries(STATE_ORDER.map((s) => [s, 0])) as Record<State, number>
    for (const r of rows) out[r.state] = r.n
    return out
  }

  /** One distributor of the caller's subtree (not the caller itself); anything else is 404. */
  async get(em: EntityManager, callerId: string, id: string, lock = false): Promise<DistributorAccount> {
    if (typeof id !== 'string' || !UUID.test(id)) throw new NotFoundError('El distribuidor')
    const [scope, params] = this.scopeSql('a', callerId)
    const [row] = await sql<DistributorAccount[]>(em, `select ${COLUMNS} from distributors_account a where a.id = ? and ${scope}${lock ? ' for update of a' : ''}`, [id, ...params])
    if (!row) throw new NotFoundError('El distribuidor')
    return row
  }

  /** Staff (the root) always; any other distributor needs the "MKL Multi-nivel" entitlement. */
  async assertMultilevel(em: EntityManager, callerId: string): Promise<void> {
    await requireMultilevel(this.ctx, em, callerId)
  }

  /** The audit log of a distributor of the caller's subtree (transitions, members, edits), newest first, with who acted. */
  async history(em: EntityManager, callerId: string, id: string): Promise<{ at: string, action: string, actor: string | null, before: unknown, after: unknown }[]> {
    await this.get(em, callerId, id)
    const rows = await this.ctx.directory.history(em, id)
    const actors = new Map((await this.ctx.identity.profiles(em, [...new Set(rows.map((r) => r.actorProfileId).filter((x): x is string => !!x))])).map((p) => [p.id, `${p.name} <${p.email}>`]))
    return rows.map((r) => {
      const detail = (r.detail ?? {}) as { before?: unknown, after?: unknown }
      return { at: new Date(r.at).toISOString(), action: r.action, actor: r.actorProfileId ? actors.get(r.actorProfileId) ?? null : null, before: detail.before ?? null, after: detail.after ?? null }
    })
  }

  // ── Writes ───────────────────────────────────────────────────────────────────────────────────

  /**
   * A sub-distributor under the caller: e-mail + mobile of its first member (refused when they are
   * the caller's own member's, or a customer's main profile's), legal name, RFC with its check digit,
   * contacts. A new profile is invited and the account is "Sin validar" until it is verified; an
   * existing verified one makes it "Sin activar".
   */
  async create(em: EntityManager, caller: Caller, body: Record<string, unknown>): Promise<DistributorAccount> {
    const input = parseNew(body)
    return em.transactional(async (tx) => {
      await this.assertMultilevel(tx, caller.distributorId)
      const parent = await this.ctx.directory.get(tx, caller.distributorId)
      if (!parent) throw new NotFoundError('El distribuidor')
      // An existing profile is checked before anything is sent; a new one cannot be refused.
      const existing = await this.ctx.identity.profileByEmailAndMobile(tx, input.email, input.mobile)
      if (existing) await this.refuseProfile(tx, caller.distributorId, existing.id)
      const { profileId, created } = await invite(this.ctx, tx, {
        email: input.email, mobile: input.mobile, name: input.contactName ?? input.legalName,
        reason: `${parent.name} le invita a administrar la Cuenta Maestra de ${input.legalName}.`,
      })
      const profile = (await this.ctx.identity.profile(tx, profileId))!
      const verified = !created && !!profile.emailVerifiedAt && !!profile.mobileVerifiedAt
      const d = await this.ctx.directory.create(tx, {
        name: input.legalName, tier: parent.tier, parentId: parent.id, state: verified ? 'inactive' : 'unvalidated', actorProfileId: caller.profileId,
      })
      await sql(tx, `update distributors_account set legal_name = ?, rfc = ?, contact_name = ?, contact_email = ?, contact_phone = ?, invited_profile_id = ? where id = ?`,
        [input.legalName, input.rfc, input.contactName, input.contactEmail, input.contactPhone, verified ? null : profileId, d.id])
      await this.ctx.identity.addMember(tx, d.id, profileId, { actorProfileId: caller.profileId })
      return this.get(tx, caller.distributorId, d.id)
    })
  }

  /**
   * The first step of "Agregar distribuidor": whether this e-mail and mobile can administer a new
   * sub-distributor of the caller, and what will happen (an existing profile, or an invitation).
   * Refusals are the same field errors the creation raises; nothing is written.
   */
  async checkAdministrator(em: EntityManager, callerId: string, body: Record<string, unknown>): Promise<{ existing: boolean, verified: boolean }> {
    const fields: Record<string, string> = {}
    const email = typeof body.email === 'string' && !textProblem(body.email, 254) ? normalizeEmail(body.email) : null
    if (!email) fields.email = 'Correo electrónico inválido'
    const mobile = typeof body.mobile === 'string' && !textProblem(body.mobile, 30) ? normalizeMobile(body.mobile) : null
    if (!mobile) fields.mobile = 'Número móvil inválido'
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    const same = await this.ctx.identity.profileByEmailAndMobile(em, email!, mobile!)
    if (same) {
      await this.refuseProfile(em, callerId, same.id)
      return { existing: true, verified: !!same.emailVerifiedAt && !!same.mobileVerifiedAt }
    }
    if (await this.ctx.identity.profileByLogin(em, email!)) fields.email = 'Ese correo pertenece a un perfil con otro móvil'
    if (await this.ctx.identity.profileByLogin(em, mobile!)) fields.mobile = 'Ese móvil pertenece a otro perfil'
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    return { existing: false, verified: false }
  }

  /** The owner rule and "not the parent's own": a Spanish field error, nothing written. */
  private async refuseProfile(em: EntityManager, parentId: string, profileId: string): Promise<void> {
    if (await this.ctx.identity.isMember(em, profileId, parentId)) {
      throw new FieldValidationError({ email: 'Ese correo y ese móvil son de un usuario de su propia cuenta: indique los de la persona que administrará la nueva cuenta' })
    }
    const { customers } = this.ctx.use('clients')
    for (const c of await customers.linkedTo(em, profileId)) {
      const owner = (await customers.linkedProfiles(em, c.id)).find((p) => p.profileId === profileId && p.role === 'owner')
      if (owner) throw new FieldValidationError({ email: 'Ese perfil es el perfil principal de un cliente, y un perfil principal no puede administrar una Cuenta Maestra. Use otro perfil.' })
    }
  }

  /**
   * A sub-distributor made elsewhere in this plugin (the sign-up link, a converted customer): the
   * profile (null if already verified) whose verified e-mail and mobile move the "Sin validar" account
   * to "Sin activar" (`validate`, in the expiry job), and the RFC it was given, if any.
   */
  async recordInvited(em: EntityManager, id: string, profileId: string | null, rfc?: string | null): Promise<void> {
    await sql(em, 'update distributors_account set invited_profile_id = ?, rfc = coalesce(?, rfc) where id = ?', [profileId, rfc ?? null, id])
  }

  /** Edits of the account data (legal name, RFC, contacts); the state changes only by transitions. */
  async update(em: EntityManager, caller: Caller, id: string, body: Record<string, unknown>): Promise<DistributorAccount> {
    const input = parseData(body, true)
    return em.transactional(async (tx) => {
      const before = await this.get(tx, caller.distributorId, id, true)
      const set = Object.entries(input).filter(([, v]) => v !== undefined)
      if (!set.length) return before
      const column: Record<string, string> = { legalName: 'legal_name', rfc: 'rfc', contactName: 'contact_name', contactEmail: 'contact_email', contactPhone: 'contact_phone' }
      await sql(tx, `update distributors_account set ${set.map(([k]) => `${column[k]} = ?`).join(', ')} where id = ?`, [...set.map(([, v]) => v), id])
      await this.ctx.audit(tx, { action: 'distributors.updated', subject: id, distributorId: id, actorProfileId: caller.profileId,
        before: Object.fromEntries(set.map(([k]) => [k, (before as never)[k]])), after: Object.fromEntries(set) })
      return this.get(tx, caller.distributorId, id)
    })
  }

  /**
   * One transition of the table, on a distributor of the caller's subtree. The account row is locked
   * first, so two transitions of one distributor at once run one after the other, each checked
   * against the state the other left. The kernel's setState writes the audit row (actor, before,
   * after, when) and the event that refreshes this plugin's row.
   */
  async transition(em: EntityManager, caller: Caller, id: string, name: TransitionName): Promise<DistributorAccount> {
    const t = TRANSITIONS[name]
    if (!t) throw new NotFoundError('La acción')
    return em.transactional(async (tx) => {
      await this.get(tx, caller.distributorId, id, true)
      await this.assertMultilevel(tx, caller.distributorId)
      const d = await this.ctx.directory.get(tx, id)
      if (!d) throw new NotFoundError('El distribuidor')
      if (!allows(name, d.state)) throw new InvalidTransitionError(t.label.toLowerCase(), STATE_NAME[d.state])
      const now = this.ctx.clock()
      // Activation starts the CM's validity (a year) if it has none; renewal extends it a year.
      const cmExpiresAt = name === 'renew' || (name === 'activate' && !d.cmExpiresAt) ? renewedExpiry(d.cmExpiresAt, now) : undefined
      // What renews with the CM (e.g. yearly contracts) is charged here, in this transaction; a
      // contributor that throws refuses the renewal, and neither the expiry nor any points move.
      if (name === 'renew') {
        for (const hook of this.ctx.extensions.list('distributors.renewal')) await hook(tx, { distributorId: id, from: d.cmExpiresAt, to: cmExpiresAt!, actorProfileId: caller.profileId ?? null })
      }
      await this.ctx.directory.setState(tx, id, t.to, { actorProfileId: caller.profileId, cmExpiresAt })
      return this.get(tx, caller.distributorId, id)
    })
  }

  // ── Jobs ─────────────────────────────────────────────────────────────────────────────────────

  /** Active accounts whose CM expiry has passed become "Vencido". */
  async expire(em: EntityManager, now: Date): Promise<number> {
    const today = now.toISOString().slice(0, 10)
    const due = await sql<{ id: string }[]>(em, `select id from distributors_account where state = 'active' and cm_expires_at < ?::date order by id for update skip locked`, [today])
    for (const { id } of due) await this.ctx.directory.setState(em, id, 'expired')
    return due.length
  }

  /** "Sin validar" accounts whose invited profile has verified its e-mail and mobile become "Sin activar". */
  async validate(em: EntityManager): Promise<number> {
    const rows = await sql<{ id: string, invitedProfileId: string }[]>(em,
      `select id, invited_profile_id as "invitedProfileId" from distributors_account where state = 'unvalidated' and invited_profile_id is not null order by id for update skip locked`)
    if (!rows.length) return 0
    const verified = new Set((await this.ctx.identity.profiles(em, rows.map((r) => r.invitedProfileId))).filter((p) => p.emailVerifiedAt && p.mobileVerifiedAt).map((p) => p.id))
    let n = 0
    for (const r of rows) {
      if (!verified.has(r.invitedProfileId)) continue
      await this.ctx.directory.setState(em, r.id, 'inactive')
      await sql(em, 'update distributors_account set invited_profile_id = null where id = ?', [r.id])
      n++
    }
    return n
  }

  /**
   * Accounts cancelled 30 natural days ago (by the kernel's clock) are purged, each in its own
   * savepoint: its sub-distributors move to its parent; its stamp inventory and points go back to
   * the parent through the ledger (one idempotent transfer per asset); its personal data is
   * anonymised; the kernel ends its members' access and emits core.distributorPurged, on which
   * every plugin moves or cleans up its own rows (clients moves its customers to the parent). A row
   * is taken FOR UPDATE SKIP LOCKED and marked purged in the same transaction: run twice, or by
   * two processes at once, each account is purged once.
   */
  async purge(em: EntityManager, now: Date, limit = 100): Promise<number> {
    const due = await sql<{ id: string, parentId: string }[]>(em, `select id, parent_id as "parentId" from distributors_account
      where state = 'cancelled' and purged_at is null and state_changed_at <= ?::timestamptz - ?::int * interval '1 day'
      order by state_changed_at, id limit ? for update skip locked`, [now.toISOString(), PURGE_AFTER_DAYS, limit])
    let n = 0
    for (const { id, parentId } of due) {
      await em.transactional(async (tx) => {
        const children = await sql<{ id: string }[]>(tx, 'select id from distributors_account where parent_id = ? order by id', [id])
        for (const c of children) await this.ctx.directory.move(tx, c.id, parentId)
        await this.returnBalances(tx, id, parentId)
        await sql(tx, `update distributors_account set legal_name = 'Distribuidor eliminado', name = 'Distribuidor eliminado', rfc = null, contact_name = null,
          contact_email = null, contact_phone = null, invited_profile_id = null, purged_at = ? where id = ?`, [now, id])
        await this.ctx.directory.markPurged(tx, id)
      })
      n++
    }
    return n
  }

  private async returnBalances(em: EntityManager, id: string, parentId: string): Promise<void> {
    const ledger = this.ctx.use('ledger')
    for (const asset of ['stamps', 'points'] as const) {
      const from = await ledger.accountOf(em, 'distributor', id, asset)
      if (!from) continue
      const amount = await ledger.balance(em, from.id)
      if (amount <= 0) continue
      const to = await ledger.ensureAccount(em, { ownerType: 'distributor', ownerId: parentId, asset, distributorId: parentId })
      await ledger.transfer(em, { from: from.id, to: to.id, amount, kind: 'transfer', memo: 'Devolución al distribuidor por depuración de una cuenta cancelada', idempotencyKey: `distributors.purge:${id}:${asset}` })
    }
  }
}

// ── Input ──────────────────────────────────────────────────────────────────────────────────────

interface Data { legalName?: string, rfc?: string | null, contactName?: string | null, contactEmail?: string | null, contactPhone?: string | null }

function text(body: Record<string, unknown>, key: string, max: number, fields: Record<string, string>, required: boolean): string | null | undefined {
  const v = body[key]
  if (v === undefined || v === null || v === '') { if (required) fields[key] = 'Es obligatorio'; return v === undefined ? undefined : null }
  if (typeof v !== 'string') { fields[key] = 'Debe ser texto'; return undefined }
  const problem = textProblem(v, max)
  if (problem) { fields[key] = `El texto ${problem}`; return undefined }
  const t = v.trim()
  if (!t && required) fields[key] = 'Es obligatorio'
  return t || null
}

function parseData(body: Record<string, unknown>, partial: boolean): Data {
  const fields: Record<string, string> = {}
  const out: Data = {}
  const legalName = text(body, 'legalName', 300, fields, !partial || 'legalName' in body)
  if (legalName) out.legalName = legalName
  const rfc = text(body, 'rfc', 20, fields, !partial || 'rfc' in body)
  if (rfc) {
    const r = normalizeRfc(rfc)
    if (!isValidRfc(r)) fields.rfc = 'RFC inválido: revise el formato y el dígito verificador'
    else out.rfc = r
  }
  for (const [k, max] of [['contactName', 200], ['contactEmail', 254], ['contactPhone', 30]] as const) {
    const v = text(body, k, max, fields, false)
    if (v !== undefined) out[k] = v
  }
  if (out.contactEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(out.contactEmail)) fields.contactEmail = 'Correo electrónico inválido'
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return out
}

function parseNew(body: Record<string, unknown>): Required<Pick<Data, 'legalName' | 'rfc'>> & Data & { email: string, mobile: string } {
  const fields: Record<string, string> = {}
  for (const k of ['email', 'mobile']) if (typeof body[k] !== 'string' || !(body[k] as string).trim()) fields[k] = 'Es obligatorio'
  let data: Data = {}
  try { data = parseData(body, false) } catch (e) { if (e instanceof FieldValidationError) Object.assign(fields, e.fields); else throw e }
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return { ...data, legalName: data.legalName!, rfc: data.rfc!, email: body.email as string, mobile: body.mobile as string }
}
