import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { EntityManager } from '@mikro-orm/postgresql'
import { RateLimiterPostgres } from 'rate-limiter-flexible'
import { FieldValidationError, sql, textProblem, throttleUsed, type DirectoryEntry, type PluginContext } from '../../../core/plugin-api.js'
import { isValidRfc, normalizeRfc } from '../../clients/index.js'
import { baseUrl } from '../invitations.js'
import { requireMultilevel } from '../services/distributors.js'
import type { DistributorsService } from '../services/distributors.js'

/** Sign-up attempts (POSTs, refused or not) per IP and hour. */
export const SIGNUP_PER_IP = 5
const HOUR_S = 3600
/** A sign-up form is good for this long after the page was served. */
const FORM_TTL_MS = 2 * 3600_000
const DAY_MS = 86_400_000
export const SIGNUP_PATH = '/distributors/alta'

const hmac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('base64url').slice(0, 32)
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
const hexId = (id: string) => id.replaceAll('-', '')
const uuidOf = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`

/** Why a sign-up was refused: a Spanish message for the page and the HTTP status. */
export class SignupRefusal extends Error {
  constructor(readonly status: number, message: string, readonly fields: Record<string, string> = {}) { super(message) }
}
const GONE = () => new SignupRefusal(404, 'Este enlace de alta no existe o ya no es válido. Pida a su distribuidor un enlace nuevo.')

export interface SignupInput { name: string, email: string, mobile: string, password: string, passwordConfirmation: string, legalName: string, rfc: string, website: string, form: string }

/**
 * "Enlace de alta": each distributor's public sign-up link, signed with HMAC under a secret of its
 * own; revoking it rotates secret and version, so every earlier link (and form) stops working. The
 * page behind it creates a profile and a "Sin validar" sub-distributor under that distributor.
 */
export class SignupService {
  private readonly byIp: RateLimiterPostgres
  constructor(private readonly ctx: PluginContext<any>, private readonly distributors: DistributorsService) {
    this.byIp = new RateLimiterPostgres({
      storeClient: ctx.orm.em.getConnection().getKnex(), storeType: 'knex', tableName: 'core_throttle', tableCreated: true,
      clearExpiredByTimeout: false, duration: HOUR_S, keyPrefix: 'distributors_signup_ip', points: SIGNUP_PER_IP,
    })
  }

  private async row(em: EntityManager, distributorId: string, create: boolean) {
    if (create) {
      await sql(em, 'insert into distributors_signup_link (distributor_id, secret) values (?, ?) on conflict do nothing', [distributorId, randomBytes(32).toString('hex')])
    }
    const [r] = await sql<{ version: number, secret: string }[]>(em, 'select version, secret from distributors_signup_link where distributor_id = ?', [distributorId])
    return r ?? null
  }

  private url(distributorId: string, r: { version: number, secret: string }) {
    const token = `${hexId(distributorId)}.${r.version}.${hmac(r.secret, `link.${distributorId}.${r.version}`)}`
    return `${baseUrl()}${SIGNUP_PATH}/${token}`
  }

  /** The distributor's current link (made on first use); needs "MKL Multi-nivel". */
  async link(em: EntityManager, distributorId: string): Promise<{ url: string, version: number }> {
    await requireMultilevel(this.ctx, em, distributorId)
    const r = (await this.row(em, distributorId, true))!
    return { url: this.url(distributorId, r), version: r.version }
  }

  /** Revokes every earlier link and returns the new one. */
  async rotate(em: EntityManager, distributorId: string, actorProfileId: string | null): Promise<{ url: string, version: number }> {
    return em.transactional(async (tx) => {
      await requireMultilevel(this.ctx, tx, distributorId)
      await this.row(tx, distributorId, true)
      const [r] = await sql<{ version: number, secret: string }[]>(tx,
        'update distributors_signup_link set version = version + 1, secret = ?, rotated_at = now() where distributor_id = ? returning version, secret', [randomBytes(32).toString('hex'), distributorId])
      await this.ctx.audit(tx, { action: 'distributors.signupLinkRotated', subject: distributorId, distributorId, actorProfileId, before: { version: r.version - 1 }, after: { version: r.version } })
      return { url: this.url(distributorId, r), version: r.version }
    })
  }

  /** The parent behind a link token, or a 404 refusal (forged, revoked, unknown); 403 when it may not take sign-ups now. */
  async resolve(em: EntityManager, token: string): Promise<{ parent: DirectoryEntry, secret: string }> {
    const m = /^([0-9a-f]{32})\.(\d{1,9})\.([\w-]{32})$/.exec(token)
    if (!m) throw GONE()
    const parentId = uuidOf(m[1])
    const r = await this.row(em, parentId, false)
    if (!r || String(r.version) !== m[2] || !same(hmac(r.secret, `link.${parentId}.${r.version}`), m[3])) throw GONE()
    const parent = await this.ctx.directory.get(em, parentId)
    if (!parent) throw GONE()
    const open = parent.state === 'active' && this.ctx.tierEnables(parent.tier) && await requireMultilevel(this.ctx, em, parentId).then(() => true, () => false)
    if (!open) throw new SignupRefusal(403, 'Por ahora este distribuidor no puede recibir altas. Inténtelo más tarde o comuníquese con él.')
    return { parent, secret: r.secret }
  }

  /** A token the page's form carries: when it was served, signed with the link's secret. */
  formToken(secret: string, now = Date.now()): string { return `${now}.${hmac(secret, `form.${now}`)}` }

  private formValid(secret: string, form: string): boolean {
    const m = /^(\d{13})\.([\w-]{32})$/.exec(form)
    if (!m) return false
    const age = Date.now() - Number(m[1])
    return age >= 0 && age < FORM_TTL_MS && same(hmac(secret, `form.${m[1]}`), m[2])
  }

  /** Counts one attempt from the IP; false over the limit. */
  async allow(ip: string): Promise<boolean> {
    return await throttleUsed(this.byIp.consume(ip)) <= SIGNUP_PER_IP
  }

  /**
   * A profile (unverified: links to verify e-mail and mobile are sent) and a "Sin validar"
   * sub-distributor under the link's distributor, with the profile as its first member.
   */
  async signUp(token: string, input: SignupInput): Promise<{ distributor: DirectoryEntry }> {
    const em = this.ctx.em()
    const { parent, secret } = await this.resolve(em, token)
    // A filled honeypot (a field people never see) or a form not served by this page: a bot.
    if (input.website) throw new SignupRefusal(400, 'No se pudo procesar la solicitud. Recargue la página y envíe el formulario otra vez.')
    if (!this.formValid(secret, input.form)) throw new SignupRefusal(400, 'El formulario venció o no es válido. Recargue la página e inténtelo de nuevo.')
    const fields: Record<string, string> = {}
    for (const [k, v] of Object.entries(input)) { const p = textProblem(v, k === 'password' || k === 'passwordConfirmation' ? 200 : 254); if (p) fields[k] = `El campo ${p}` }
    const legalName = input.legalName.trim()
    if (!legalName || legalName.length > 200) fields.legalName ??= 'Indique la razón social (hasta 200 caracteres)'
    const rfc = input.rfc.trim() ? normalizeRfc(input.rfc) : ''
    if (rfc && !isValidRfc(rfc)) fields.rfc ??= 'El RFC no es válido (revise el dígito verificador)'
    if (input.password !== input.passwordConfirmation) fields.passwordConfirmation ??= 'La confirmación no coincide con la contraseña'
    if (Object.keys(fields).length) throw new SignupRefusal(422, 'Revise los campos marcados.', fields)
    const out = await em.transactional(async (tx) => {
      let profile
      try {
        profile = await this.ctx.identity.createProfile(tx, { name: input.name, email: input.email, mobile: input.mobile, password: input.password })
      } catch (e) {
        if (e instanceof FieldValidationError) throw new SignupRefusal(422, 'Revise los campos marcados.', e.fields)
        if (['email_taken', 'mobile_taken'].includes((e as { code?: string }).code ?? '')) {
          throw new SignupRefusal(409, 'Ya existe un perfil con ese correo o ese móvil. Si es suyo, pida a su distribuidor que le dé de alta desde su Cuenta Maestra.')
        }
        throw e
      }
      const distributor = await this.ctx.directory.create(tx, { name: legalName, tier: parent.tier, parentId: parent.id, state: 'unvalidated' })
      await this.ctx.identity.addMember(tx, distributor.id, profile.id)
      // The expiry job's `validate` moves it to "Sin activar" once this profile verifies e-mail and mobile.
      await this.distributors.recordInvited(tx, distributor.id, profile.id, rfc || null)
      // The record of which accounts came through the link.
      await sql(tx, 'insert into distributors_signup (distributor_id, parent_id, profile_id, rfc) values (?, ?, ?, ?)', [distributor.id, parent.id, profile.id, rfc || null])
      await this.ctx.audit(tx, { action: 'distributors.signedUp', subject: distributor.id, distributorId: parent.id, actorProfileId: profile.id, after: { name: legalName, rfc: rfc || null, email: profile.email } })
      const emailToken = await this.ctx.identity.issueOneTimeToken(tx, profile.id, 'verify_email', 3 * DAY_MS)
      const mobileToken = await this.ctx.identity.issueOneTimeToken(tx, profile.id, 'verify_mobile', 3 * DAY_MS)
      return { distributor, profile, emailToken, mobileToken }
    })
    // After commit: the links point at rows that exist.
    await this.ctx.transport.send({ channel: 'email', to: out.profile.email, subject: 'Verifique su correo', body: `Para confirmar su correo abra ${baseUrl()}/verify?channel=email&token=${out.emailToken}` })
    await this.ctx.transport.send({ channel: 'sms', to: out.profile.mobile, subject: 'Verifique su móvil', body: `Cuenta Maestra: confirme su móvil en ${baseUrl()}/verify?channel=mobile&token=${out.mobileToken}` })
    return { distributor: out.distributor }
  }
}
