import { randomBytes } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, normalizeEmail, normalizeMobile, textProblem, type Message, type PluginContext } from '../../core/plugin-api.js'

const DAY = 86_400_000
const INVITATION = 'distributors.invitation'

/**
 * Sends invitations once the inviting transaction has committed (the kernel's outbox, retried): a
 * creation that fails after inviting sends nothing. Call it from the plugin's bootstrap.
 */
export function deliverInvitations(ctx: PluginContext): void {
  ctx.outbox.on(INVITATION, async ({ payload }) => {
    for (const m of (payload as { messages: Message[] }).messages) await ctx.transport.send(m)
  })
}
export const baseUrl = () => process.env.CM_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`

/**
 * The profile with exactly this e-mail and mobile, or a new unverified one invited through the
 * transport (outbox by default): the e-mail carries a link that verifies the address and one to choose
 * a password, the SMS a link that verifies the mobile. The e-mail or the mobile of another profile
 * is refused (a Spanish field error) and nothing is written. The messages go out after the caller's
 * transaction commits (see deliverInvitations). A distributor invited this way stays
 * "Sin validar" until both are verified (the plugin's `validate` job then makes it "Sin activar").
 */
export async function invite(ctx: PluginContext, em: EntityManager,
  input: { email: string, mobile: string, name?: string, reason: string }): Promise<{ profileId: string, created: boolean }> {
  const fields: Record<string, string> = {}
  const email = typeof input.email === 'string' && !textProblem(input.email, 254) ? normalizeEmail(input.email) : null
  if (!email) fields.email = 'Correo electrónico inválido'
  const mobile = typeof input.mobile === 'string' && !textProblem(input.mobile, 30) ? normalizeMobile(input.mobile) : null
  if (!mobile) fields.mobile = 'Número móvil inválido'
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  const same = await ctx.identity.profileByEmailAndMobile(em, email!, mobile!)
  if (same) return { profileId: same.id, created: false }
  // One conflict at a time, the e-mail first: someone else's e-mail is the error, whatever the mobile.
  if (await ctx.identity.profileByLogin(em, email!)) throw new FieldValidationError({ email: 'Ese correo pertenece a un perfil con otro móvil' })
  if (await ctx.identity.profileByLogin(em, mobile!)) throw new FieldValidationError({ mobile: 'Ese móvil pertenece a otro perfil' })
  const name = (input.name ?? '').trim().slice(0, 200) || email!
  // A password nobody knows: the invitee chooses one through the link.
  const profile = await ctx.identity.createProfile(em, { email: email!, mobile: mobile!, name, password: randomBytes(24).toString('base64url') })
  const verifyEmail = await ctx.identity.issueOneTimeToken(em, profile.id, 'verify_email', 7 * DAY)
  const verifyMobile = await ctx.identity.issueOneTimeToken(em, profile.id, 'verify_mobile', 7 * DAY)
  const reset = await ctx.identity.issueOneTimeToken(em, profile.id, 'reset_password', 7 * DAY)
  const url = baseUrl()
  await ctx.outbox.emit(em, INVITATION, { messages: [
    {
      channel: 'email', to: profile.email, subject: 'Invitación a Cuenta Maestra',
      body: `${input.reason}\n\n1. Confirme su correo: ${url}/verify?channel=email&token=${verifyEmail}\n2. Elija su contraseña: ${url}/reset?token=${reset}\n\nTambién le enviamos un mensaje a su móvil para confirmarlo. Los enlaces vencen en 7 días.`,
    },
    { channel: 'sms', to: profile.mobile, subject: 'Invitación a Cuenta Maestra', body: `Cuenta Maestra: confirme su móvil en ${url}/verify?channel=mobile&token=${verifyMobile}` },
  ] satisfies Message[] })
  return { profileId: profile.id, created: true }
}
