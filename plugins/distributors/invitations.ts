// Minimal working invite() (the "members" branch); the "dist" branch writes the full one with its
// acceptance page, and the lead keeps that one on merge. Same signature on both branches.
import { randomBytes } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, normalizeEmail, normalizeMobile, textProblem, type PluginContext } from '../../core/plugin-api.js'

const WEEK_MS = 7 * 86_400_000
export const baseUrl = () => process.env.CM_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`

/**
 * The profile with exactly this e-mail and mobile, or a new unverified one that gets an invitation
 * (a one-time link to choose its password, and links to verify its e-mail and mobile). An e-mail or
 * a mobile that belongs to another profile is refused (422 naming the field).
 */
export async function invite(ctx: PluginContext, em: EntityManager,
  input: { email: string, mobile: string, name?: string, reason: string }): Promise<{ profileId: string, created: boolean }> {
  const email = typeof input.email === 'string' && !textProblem(input.email, 254) ? normalizeEmail(input.email) : null
  const mobile = typeof input.mobile === 'string' && !textProblem(input.mobile, 40) ? normalizeMobile(input.mobile) : null
  const fields: Record<string, string> = {}
  if (!email) fields.email = 'Correo electrónico inválido'
  if (!mobile) fields.mobile = 'Número móvil inválido'
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  const existing = await ctx.identity.profileByEmailAndMobile(em, email!, mobile!)
  if (existing) return { profileId: existing.id, created: false }
  if (await ctx.identity.profileByLogin(em, email!)) throw new FieldValidationError({ email: 'Ese correo pertenece a un perfil con otro número móvil' })
  if (await ctx.identity.profileByLogin(em, mobile!)) throw new FieldValidationError({ mobile: 'Ese número móvil pertenece a un perfil con otro correo' })
  const name = (input.name ?? '').trim().slice(0, 200) || email!.split('@')[0]
  const profile = await ctx.identity.createProfile(em, { email: email!, mobile: mobile!, name, password: randomBytes(24).toString('base64url') })
  const reset = await ctx.identity.issueOneTimeToken(em, profile.id, 'reset_password', WEEK_MS)
  const verifyEmail = await ctx.identity.issueOneTimeToken(em, profile.id, 'verify_email', WEEK_MS)
  const verifyMobile = await ctx.identity.issueOneTimeToken(em, profile.id, 'verify_mobile', WEEK_MS)
  await ctx.transport.send({
    channel: 'email', to: profile.email, subject: 'Invitación a Cuenta Maestra',
    body: `${input.reason}\n\nConfirme su correo: ${baseUrl()}/verify?channel=email&token=${verifyEmail}\nElija su contraseña: ${baseUrl()}/reset?token=${reset}\n(Los enlaces vencen en 7 días.)`,
  })
  await ctx.transport.send({ channel: 'sms', to: profile.mobile, subject: 'Confirme su móvil', body: `Cuenta Maestra: confirme su móvil en ${baseUrl()}/verify?channel=mobile&token=${verifyMobile}` })
  return { profileId: profile.id, created: true }
}
