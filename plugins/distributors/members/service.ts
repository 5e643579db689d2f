import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, textProblem, type PluginContext } from '../../../core/plugin-api.js'
import { invite } from '../invitations.js'
import type { ConvertService } from '../convert/service.js'
import { AlreadyMemberError, MemberNotFoundError } from './errors.js'

/** A member as the API and the CM show it. */
export interface MemberJson { id: string, name: string, email: string, mobile: string, emailVerified: boolean, mobileVerified: boolean }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '')

/**
 * "Herramientas → Usuarios": the profiles admitted to a distributor's CM. Admission goes through
 * identity.addMember (the owner rule), removal through identity.removeMember (never the last member;
 * the removed profile's sessions and API tokens for this distributor end in the same transaction).
 */
export class MembersService {
  constructor(private readonly ctx: PluginContext<any>, private readonly convert: ConvertService) {}

  async list(em: EntityManager, distributorId: string): Promise<MemberJson[]> {
    return (await this.ctx.identity.members(em, distributorId)).map((p) => ({
      id: p.id, name: p.name, email: p.email, mobile: p.mobile, emailVerified: !!p.emailVerifiedAt, mobileVerified: !!p.mobileVerifiedAt,
    }))
  }

  async get(em: EntityManager, distributorId: string, profileId: string): Promise<MemberJson> {
    const m = UUID.test(profileId) ? (await this.list(em, distributorId)).find((x) => x.id === profileId) : undefined
    if (!m) throw new MemberNotFoundError()
    return m
  }

  /** Admits by e-mail + mobile; a profile that does not exist yet is created and invited. */
  async admit(em: EntityManager, distributorId: string, input: Record<string, unknown>, actorProfileId: string | null): Promise<{ member: MemberJson, invited: boolean }> {
    const fields: Record<string, string> = {}
    for (const key of ['email', 'mobile', 'name'] as const) {
      if (input[key] !== undefined && input[key] !== null && typeof input[key] !== 'string') fields[key] = 'Debe ser texto'
      const problem = typeof input[key] === 'string' ? textProblem(input[key] as string, key === 'name' ? 200 : 254) : null
      if (problem) fields[key] = `El campo ${problem}`
    }
    if (!text(input.email)) fields.email ??= 'Indique el correo electrónico'
    if (!text(input.mobile)) fields.mobile ??= 'Indique el número móvil'
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    return em.transactional(async (tx) => {
      const d = await this.ctx.directory.get(tx, distributorId)
      const { profileId, created } = await invite(this.ctx, tx, {
        email: text(input.email), mobile: text(input.mobile), name: text(input.name) || undefined,
        reason: `Se le dio acceso a la Cuenta Maestra de ${d?.name ?? 'un distribuidor'}.`,
      })
      if (await this.ctx.identity.isMember(tx, profileId, distributorId)) throw new AlreadyMemberError()
      // A converted customer's main profile may come back to the distributor that customer is.
      const except = await this.convert.accountOf(tx, distributorId) ?? undefined
      await this.ctx.identity.addMember(tx, distributorId, profileId, { actorProfileId, except })
      const member = await this.get(tx, distributorId, profileId)
      await this.ctx.audit(tx, { action: 'distributors.memberAdmitted', subject: profileId, distributorId, actorProfileId, after: { email: member.email, mobile: member.mobile, invited: created } })
      return { member, invited: created }
    })
  }

  /** 404 for a profile that is not a member; 409 `last_member` for the last one. */
  async remove(em: EntityManager, distributorId: string, profileId: string, actorProfileId: string | null): Promise<void> {
    await em.transactional(async (tx) => {
      const member = await this.get(tx, distributorId, profileId)
      await this.ctx.identity.removeMember(tx, distributorId, profileId, { actorProfileId })
      await this.ctx.audit(tx, { action: 'distributors.memberRemoved', subject: profileId, distributorId, actorProfileId, before: { email: member.email, mobile: member.mobile } })
    })
  }
}
