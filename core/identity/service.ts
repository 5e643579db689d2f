import { sql } from '../db/sql.js'
import argon2 from 'argon2'
import { createHash, randomBytes } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError } from '../kernel/errors.js'
import {
  AmbiguousDistributorError, DistributorNotFoundError, EmailTakenError, InvalidTokenError, MobileTakenError,
  LastMemberError, NotAMemberError, ProfileNotFoundError,
} from './errors.js'
import { normalizeEmail, normalizeLogin, normalizeMobile } from './normalize.js'
import type { PortalProvider } from '../kernel/plugin.js'
import { audit, isUuid } from './directory.js'
import {
  ApiTokenSchema, DistributorMemberSchema, DistributorSchema, OneTimeTokenSchema, ProfileSchema,
  type Distributor, type OneTimeTokenPurpose, type Profile,
} from './entities.js'

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url')

/** A profile without its password hash: what plugins get. */
export type ProfileInfo = Pick<Profile, 'id' | 'email' | 'mobile' | 'name' | 'emailVerifiedAt' | 'mobileVerifiedAt' | 'createdAt'>
const info = (p: Profile | null): ProfileInfo | null => p && { id: p.id, email: p.email, mobile: p.mobile, name: p.name, emailVerifiedAt: p.emailVerifiedAt ?? null, mobileVerifiedAt: p.mobileVerifiedAt ?? null, createdAt: p.createdAt }

export interface NewProfile { email: string, mobile: string, name: string, password: string }

/** Checks and normalises profile fields; throws 422 naming the bad ones. */
export function parseNewProfile(input: Partial<Record<keyof NewProfile, unknown>>): NewProfile {
  const fields: Record<string, string> = {}
  const email = typeof input.email === 'string' ? normalizeEmail(input.email) : null
  if (!email) fields.email = 'Correo electrónico inválido'
  const mobile = typeof input.mobile === 'string' ? normalizeMobile(input.mobile) : null
  if (!mobile) fields.mobile = 'Número móvil inválido'
  const name = typeof input.name === 'string' ? input.name.trim() : ''
  if (!name || name.length > 200) fields.name = 'El nombre es obligatorio'
  const password = typeof input.password === 'string' ? input.password : ''
  if (password.length < 8 || password.length > 200) fields.password = 'La contraseña debe tener al menos 8 caracteres'
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return { email: email!, mobile: mobile!, name, password }
}

/** Two profiles racing for one e-mail or mobile: the unique constraint decides. */
const taken = (e: unknown) => {
  const constraint = (e as { constraint?: string }).constraint
  return constraint === 'core_profile_email_unique' ? new EmailTakenError() : constraint === 'core_profile_mobile_unique' ? new MobileTakenError() : e
}

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id })

/** Identity: profiles, distributors and their members, API and one-time tokens. */
export class IdentityService {
  /** Hash of a random password, to spend the same time on unknown logins as on known ones. */
  private dummyHash?: Promise<string>
  constructor(private readonly portals: readonly PortalProvider[] = []) {}

  async createProfile(em: EntityManager, input: NewProfile, opts: { verified?: boolean, passwordHash?: string } = {}): Promise<Profile> {
    const p = parseNewProfile(input)
    if (await em.count(ProfileSchema, { email: p.email })) throw new EmailTakenError()
    if (await em.count(ProfileSchema, { mobile: p.mobile })) throw new MobileTakenError()
    const now = new Date()
    const profile = em.create(ProfileSchema, {
      email: p.email, mobile: p.mobile, name: p.name,
      passwordHash: opts.passwordHash ?? await hashPassword(p.password),
      emailVerifiedAt: opts.verified ? now : null, mobileVerifiedAt: opts.verified ? now : null,
      createdAt: now,
    } as Profile)
    await em.flush().catch((e) => { throw taken(e) })
    return profile
  }

  async findByLogin(em: EntityManager, login: string): Promise<Profile | null> {
    const where = normalizeLogin(login)
    if (!where) return null
    return em.findOne(ProfileSchema, where, { populate: ['passwordHash'] as never })
  }

  /** The profile (from findByLogin) when the password matches; unknown logins cost the same time. */
  async checkPassword(profile: Profile | null, password: string): Promise<Profile | null> {
    if (!profile) {
      this.dummyHash ??= hashPassword(randomToken())
      await argon2.verify(await this.dummyHash, password).catch(() => false)
      return null
    }
    return (await argon2.verify(profile.passwordHash, password).catch(() => false)) ? profile : null
  }

  /** Whether `password` is the profile's; an unknown id costs the same time as a known one. */
  async verifyPassword(em: EntityManager, profileId: string, password: string): Promise<boolean> {
    const profile = isUuid(profileId) ? await em.findOne(ProfileSchema, { id: profileId }, { populate: ['passwordHash'] as never }) : null
    return !!await this.checkPassword(profile, password.slice(0, 200))
  }

  /**
   * A new password, hashed before the transaction (argon2 is slow: nothing waits on it). In the
   * transaction `who` names the profile (or finds it: a reset link used up), the change is audited,
   * and every session of the profile but `keepSid` ends: one opened with the old password, perhaps a
   * thief's, dies with it.
   */
  async setPassword(em: EntityManager, who: string | ((tx: EntityManager) => Promise<string>), password: string, keepSid = ''): Promise<string> {
    if (password.length < 8 || password.length > 200) throw new FieldValidationError({ password: 'La contraseña debe tener al menos 8 caracteres' })
    const hash = await hashPassword(password)
    return em.transactional(async (tx) => {
      const profileId = typeof who === 'string' ? who : await who(tx)
      await tx.nativeUpdate(ProfileSchema, { id: profileId }, { passwordHash: hash })
      await sql(tx, `delete from core_session where sess->>'profileId' = ? and sid <> ?`, [profileId, keepSid])
      await audit(tx, { action: 'core.passwordChanged', subject: profileId, actorProfileId: profileId })
      return profileId
    })
  }

  /**
   * Writes a profile's own data, validated and normalised by the caller (in its transaction, if any);
   * an address another profile holds is EmailTakenError / MobileTakenError. A new address is audited.
   */
  async updateProfile(em: EntityManager, profileId: string,
    data: Partial<Pick<Profile, 'name' | 'email' | 'mobile' | 'emailVerifiedAt' | 'mobileVerifiedAt'>>): Promise<void> {
    await em.nativeUpdate(ProfileSchema, { id: profileId }, data).catch((e) => { throw taken(e) })
    for (const k of ['email', 'mobile'] as const) if (data[k]) await audit(em, { action: `core.${k}Changed`, subject: profileId, actorProfileId: profileId })
  }

  /** Whether a token would be accepted (a reset link is checked before its form is shown). */
  async isTokenUsable(em: EntityManager, token: string, purpose: OneTimeTokenPurpose): Promise<boolean> {
    return (await sql(em, 'select 1 from core_one_time_token where token_hash = ? and purpose = ? and used_at is null and expires_at > now()', [sha256(token), purpose])).length > 0
  }

  async profile(em: EntityManager, id: string): Promise<ProfileInfo | null> {
    return isUuid(id) ? info(await em.findOne(ProfileSchema, { id })) : null
  }

  /** Many at once (e.g. a customer's linked profiles), in no particular order. */
  async profiles(em: EntityManager, ids: string[]): Promise<ProfileInfo[]> {
    const valid = ids.filter(isUuid)
    return valid.length ? (await em.find(ProfileSchema, { id: { $in: valid } })).map((p) => info(p)!) : []
  }

  /** By e-mail or mobile, normalised as at sign-in. */
  async profileByLogin(em: EntityManager, login: string): Promise<ProfileInfo | null> {
    const where = normalizeLogin(login)
    return where ? info(await em.findOne(ProfileSchema, where)) : null
  }

  /** The profile with exactly this e-mail and mobile (both must match: a guess of one is not enough). */
  async profileByEmailAndMobile(em: EntityManager, email: string, mobile: string): Promise<ProfileInfo | null> {
    const e = normalizeEmail(email), m = normalizeMobile(mobile)
    return e && m ? info(await em.findOne(ProfileSchema, { email: e, mobile: m })) : null
  }

  async memberDistributorIds(em: EntityManager, profileId: string): Promise<string[]> {
    return (await em.find(DistributorMemberSchema, { profileId }, { orderBy: { createdAt: 'asc' } })).map((m) => m.distributorId)
  }

  async members(em: EntityManager, distributorId: string): Promise<ProfileInfo[]> {
    return sql(em, `select p.id, p.email, p.mobile, p.name, p.email_verified_at as "emailVerifiedAt", p.mobile_verified_at as "mobileVerifiedAt", p.created_at as "createdAt"
      from core_distributor_member m join core_profile p on p.id = m.profile_id where m.distributor_id = ? order by p.name, p.email`, [distributorId])
  }

  /** The owner rule on every path: a portal may refuse the profile (422 on `email`) but for the target `except`. */
  async addMember(em: EntityManager, distributorId: string, profileId: string, opts: { actorProfileId?: string | null, except?: string } = {}): Promise<void> {
    for (const p of this.portals) {
      const reason = await p.refuseMember?.(profileId, em, opts.except)
      if (reason) throw new FieldValidationError({ email: reason })
    }
    await em.insert(DistributorMemberSchema, { distributorId, profileId, createdAt: new Date() } as never)
    await audit(em, { action: 'core.memberAdded', subject: profileId, distributorId, actorProfileId: opts.actorProfileId })
  }

  /** Refuses the last member; the removed profile's API tokens and CM sessions for it end at once. */
  async removeMember(em: EntityManager, distributorId: string, profileId: string, opts: { actorProfileId?: string | null } = {}): Promise<void> {
    await em.transactional(async (tx) => {
      // The distributor's row serialises removals: two at once could otherwise remove the last two.
      await sql(tx, 'select 1 from core_distributor where id = ? for update', [distributorId])
      const ids = (await sql<{ profile_id: string }[]>(tx, 'select profile_id from core_distributor_member where distributor_id = ?', [distributorId])).map((r) => r.profile_id)
      if (!ids.includes(profileId)) throw new NotAMemberError(profileId)
      if (ids.length === 1) throw new LastMemberError()
      await sql(tx, 'delete from core_distributor_member where distributor_id = ? and profile_id = ?', [distributorId, profileId])
      await sql(tx, 'update core_api_token set revoked_at = now() where distributor_id = ? and profile_id = ? and revoked_at is null', [distributorId, profileId])
      await sql(tx, `delete from core_session where sess->>'profileId' = ? and sess->>'distributorId' = ?`, [profileId, distributorId])
      await audit(tx, { action: 'core.memberRemoved', subject: profileId, distributorId, actorProfileId: opts.actorProfileId })
    })
  }

  async memberships(em: EntityManager, profileId: string): Promise<Distributor[]> {
    const rows = await em.find(DistributorMemberSchema, { profileId })
    if (!rows.length) return []
    return em.find(DistributorSchema, { id: { $in: rows.map((r) => r.distributorId) } }, { orderBy: { isRoot: 'desc', name: 'asc' } })
  }

  async isMember(em: EntityManager, profileId: string, distributorId: string): Promise<boolean> {
    return (await em.count(DistributorMemberSchema, { profileId, distributorId })) > 0
  }

  /** A new API token for (profile, distributor); the token is returned once and stored hashed. */
  async createApiToken(em: EntityManager, login: string, distributorId?: string, label = ''): Promise<{ token: string, id: string, distributorId: string }> {
    const profile = await this.findByLogin(em, login)
    if (!profile) throw new ProfileNotFoundError(login)
    const member = await this.memberships(em, profile.id)
    let distributor: Distributor | undefined
    if (distributorId) {
      distributor = member.find((d) => d.id === distributorId)
      if (!distributor) throw new DistributorNotFoundError(distributorId)
    } else {
      if (member.length === 0) throw new NotAMemberError(login)
      if (member.length > 1) throw new AmbiguousDistributorError(login)
      distributor = member[0]
    }
    const token = `cm_${randomToken()}`
    const row = em.create(ApiTokenSchema, {
      profileId: profile.id, distributorId: distributor.id, label, prefix: token.slice(0, 10),
      tokenHash: sha256(token), createdAt: new Date(),
    } as never)
    await em.flush()
    return { token, id: (row as { id: string }).id, distributorId: distributor.id }
  }

  /**
   * `address`: the new e-mail or mobile a change is for. The token's hash covers it, so the link names
   * it and cannot be bent to another one; nothing else is stored.
   */
  async issueOneTimeToken(em: EntityManager, profileId: string, purpose: OneTimeTokenPurpose, ttlMs: number, address?: string): Promise<string> {
    const token = randomToken()
    const tokenHash = sha256(address === undefined ? token : `${token}:${address}`)
    await em.insert(OneTimeTokenSchema, { profileId, purpose, tokenHash, expiresAt: new Date(Date.now() + ttlMs), createdAt: new Date() } as never)
    return token
  }

  /**
   * Marks the token used (once, atomically) and returns its profile id. Only `profileId`'s token if
   * given, issued for `address` if given; `others`: the profile's other outstanding tokens of the
   * purpose are used up too (an older link must not undo what this one did).
   */
  async consumeOneTimeToken(em: EntityManager, token: string, purpose: OneTimeTokenPurpose,
    opts: { profileId?: string, address?: string, others?: boolean } = {}): Promise<string> {
    const rows = await sql<{ profile_id: string }[]>(em, `update core_one_time_token set used_at = now()
      where token_hash = ? and purpose = ? and profile_id = coalesce(?::uuid, profile_id) and used_at is null and expires_at > now() returning profile_id`,
    [sha256(opts.address === undefined ? token : `${token}:${opts.address}`), purpose, opts.profileId ?? null])
    if (!rows.length) throw new InvalidTokenError()
    if (opts.others) {
      await sql(em, 'update core_one_time_token set used_at = now() where profile_id = ? and purpose = ? and used_at is null', [rows[0].profile_id, purpose])
    }
    return rows[0].profile_id
  }
}
