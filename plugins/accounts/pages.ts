import express, { Router, type Request, type Response, type NextFunction } from 'express'
import { RateLimiterPostgres } from 'rate-limiter-flexible'
import {
  EmailTakenError, FieldValidationError, InvalidTokenError, MobileTakenError, normalizeEmail, normalizeMobile, parseNewProfile,
  throttleUsed as used, type PluginContext, type SitePages,
} from '../../core/plugin-api.js'

const form = express.urlencoded({ extended: false, limit: '64kb' })
const DAY = 86_400_000
/** Reset links sent per profile (or unknown login) and per IP in 15 minutes. */
export const FORGOT_PER_ACCOUNT = 3
export const FORGOT_PER_IP = 20

const str = (v: unknown) => (typeof v === 'string' ? v : '')

export function accountPages(ctx: PluginContext, site: SitePages): Router {
  const r = Router()
  const em = () => ctx.em()
  const { render, csrf, requireProfile } = site
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next)
  // In the kernel's throttle table, beside the sign-in counts.
  const limiter = (keyPrefix: string, points: number) => new RateLimiterPostgres({ storeClient: ctx.orm.em.getConnection().getKnex(), storeType: 'knex',
    tableName: 'core_throttle', tableCreated: true, clearExpiredByTimeout: false, duration: 15 * 60, keyPrefix, points })
  const forgotByAccount = limiter('forgot_account', FORGOT_PER_ACCOUNT), forgotByIp = limiter('forgot_ip', FORGOT_PER_IP)
  /** Counts a reset request; false when no message may be sent for it. */
  const mayReset = async (account: string, ip: string) =>
    await used(forgotByIp.consume(ip)) <= FORGOT_PER_IP && await used(forgotByAccount.consume(account)) <= FORGOT_PER_ACCOUNT

  async function sendVerifications(profileId: string, email: string, mobile: string) {
    const emailToken = await ctx.identity.issueOneTimeToken(em(), profileId, 'verify_email', 3 * DAY)
    const mobileToken = await ctx.identity.issueOneTimeToken(em(), profileId, 'verify_mobile', 3 * DAY)
    await ctx.transport.send({ channel: 'email', to: email, subject: 'Verifique su correo', body: `Abra ${site.baseUrl()}/verify?channel=email&token=${emailToken}` })
    await ctx.transport.send({ channel: 'sms', to: mobile, subject: 'Verifique su móvil', body: `Cuenta Maestra: ${site.baseUrl()}/verify?channel=mobile&token=${mobileToken}` })
  }

  r.get('/signup', wrap(async (req, res) => render(req, res, 'accounts/signup', { title: 'Crear perfil', values: {} })))

  r.post('/signup', form, csrf, wrap(async (req, res) => {
    const values = { name: str(req.body.name), email: str(req.body.email), mobile: str(req.body.mobile) }
    const password = str(req.body.password)
    const mismatch = password !== str(req.body.passwordConfirmation) ? { passwordConfirmation: 'La confirmación no coincide con la contraseña' } : null
    try {
      // A mismatch is reported with whatever else is wrong in the form.
      if (mismatch) { parseNewProfile({ ...values, password }); throw new FieldValidationError(mismatch) }
      const profile = await ctx.identity.createProfile(em(), { ...values, password })
      await sendVerifications(profile.id, profile.email, profile.mobile)
      await site.signIn(req, profile.id)
      req.session.flash = { type: 'success', message: 'Perfil creado. Le enviamos enlaces para verificar su correo y su móvil.' }
      await site.redirectAfterSave(req, res, '/profile')
    } catch (e) {
      if (e instanceof FieldValidationError) return render(req, res, 'accounts/signup', { title: 'Crear perfil', values, fields: { ...e.fields, ...mismatch } }, 422)
      if (e instanceof EmailTakenError || e instanceof MobileTakenError) {
        return render(req, res, 'accounts/signup', { title: 'Crear perfil', values, error: 'Ya existe un perfil con ese correo o móvil. Inicie sesión o restablezca su contraseña.' }, 409)
      }
      throw e
    }
  }))

  r.get('/verify', wrap(async (req, res) => {
    const purpose = req.query.channel === 'mobile' ? 'verify_mobile' : 'verify_email'
    try {
      const profileId = await ctx.identity.consumeOneTimeToken(em(), str(req.query.token), purpose)
      await ctx.identity.updateProfile(em(), profileId, purpose === 'verify_email' ? { emailVerifiedAt: new Date() } : { mobileVerifiedAt: new Date() })
      render(req, res, 'pages/message', { heading: 'Verificado', message: purpose === 'verify_email' ? 'Su correo quedó verificado.' : 'Su móvil quedó verificado.', link: { href: '/', label: 'Continuar' } })
    } catch (e) {
      if (e instanceof InvalidTokenError) return render(req, res, 'pages/message', { heading: 'Enlace no válido', message: 'El enlace no es válido o ya expiró.' }, 400)
      throw e
    }
  }))

  r.get('/forgot', wrap(async (req, res) => render(req, res, 'accounts/forgot', { title: 'Restablecer contraseña' })))

  r.post('/forgot', form, csrf, wrap(async (req, res) => {
    const login = str(req.body.login).trim()
    const profile = await ctx.identity.profileByLogin(em(), login)
    // Throttled per profile (unknown logins per spelling) and per IP; the answer is the same either way.
    if (await mayReset(profile ? `profile:${profile.id}` : login.toLowerCase().slice(0, 200), req.ip ?? 'unknown') && profile) {
      const token = await ctx.identity.issueOneTimeToken(em(), profile.id, 'reset_password', DAY / 24)
      const link = `${site.baseUrl()}/reset?token=${token}`
      await ctx.transport.send({ channel: 'email', to: profile.email, subject: 'Restablecer su contraseña', body: `Para elegir una contraseña nueva abra ${link} (vence en una hora).` })
      await ctx.transport.send({ channel: 'sms', to: profile.mobile, subject: 'Restablecer contraseña', body: `Cuenta Maestra: ${link}` })
    }
    // The same answer either way: the form must not tell who has a profile.
    render(req, res, 'pages/message', { heading: 'Revise su correo', message: 'Si el dato corresponde a un perfil, le enviamos un enlace para restablecer la contraseña.', link: { href: '/login', label: 'Volver a iniciar sesión' } })
  }))

  const badLink = (req: Request, res: Response) => render(req, res, 'pages/message', { title: 'Enlace no válido', heading: 'Enlace no válido', message: 'El enlace no es válido o ya expiró. Solicite uno nuevo.', link: { href: '/forgot', label: 'Solicitar un enlace nuevo' } }, 400)

  r.get('/reset', wrap(async (req, res) => {
    const token = str(req.query.token)
    if (!token || token.length > 100 || !await ctx.identity.isTokenUsable(em(), token, 'reset_password')) return badLink(req, res)
    render(req, res, 'accounts/reset', { title: 'Nueva contraseña', token })
  }))

  r.post('/reset', form, csrf, wrap(async (req, res) => {
    const password = str(req.body.password)
    const token = str(req.body.token)
    if (password !== str(req.body.passwordConfirmation)) return render(req, res, 'accounts/reset', { token, fields: { passwordConfirmation: 'La confirmación no coincide con la contraseña' } }, 422)
    try {
      // One transaction: the link is used up with every other outstanding reset link of the profile,
      // and the profile's other sessions end.
      await ctx.identity.setPassword(em(), (tx) => ctx.identity.consumeOneTimeToken(tx, token, 'reset_password', { others: true }), password, req.sessionID)
      req.session.flash = { type: 'success', message: 'Contraseña actualizada. Ya puede iniciar sesión.' }
      await site.redirectAfterSave(req, res, '/login')
    } catch (e) {
      if (e instanceof InvalidTokenError) return badLink(req, res)
      if (e instanceof FieldValidationError) return render(req, res, 'accounts/reset', { token, fields: e.fields }, 422)
      throw e
    }
  }))

  const profilePage = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const profile = await ctx.identity.profile(em(), req.session.profileId!)
    render(req, res, 'accounts/profile', { title: 'Mi perfil', profile, destinations: await site.destinations(req.session.profileId!), errors: {}, ...extra }, status)
  }
  r.get('/profile', requireProfile, wrap((req, res) => profilePage(req, res)))

  r.post('/profile/password', requireProfile, form, csrf, wrap(async (req, res) => {
    const profileId = req.session.profileId!
    // Guesses of the current password count against the same limit as sign-in.
    const account = `profile:${profileId}`, ip = req.ip ?? 'unknown'
    if (!await site.throttle.attempt(account, ip)) return profilePage(req, res, { errors: { currentPassword: 'Demasiados intentos fallidos. Espere 15 minutos.' } }, 429)
    const password = str(req.body.password)
    const fields: Record<string, string> = {}
    if (password.length < 8 || password.length > 200) fields.password = 'La contraseña debe tener al menos 8 caracteres'
    else if (password !== str(req.body.passwordConfirmation)) fields.passwordConfirmation = 'La confirmación no coincide con la contraseña nueva'
    if (!await ctx.identity.verifyPassword(em(), profileId, str(req.body.currentPassword))) fields.currentPassword = 'La contraseña actual no es correcta'
    if (Object.keys(fields).length) return profilePage(req, res, { errors: fields }, 422)
    // The profile's other sessions end.
    await ctx.identity.setPassword(em(), profileId, password, req.sessionID)
    await site.throttle.succeeded(account, ip)
    req.session.flash = { type: 'success', message: 'Contraseña cambiada. Sus otras sesiones se cerraron.' }
    await site.redirectAfterSave(req, res, '/profile')
  }))

  // A new e-mail or mobile waits for a one-time link sent to it; the link names the address, and its
  // token's hash covers it, so it cannot be bent to another one.
  for (const channel of ['email', 'mobile'] as const) {
    r.post(`/profile/${channel}`, requireProfile, form, csrf, wrap(async (req, res) => {
      const profileId = req.session.profileId!
      const value = str(req.body[channel]).trim()
      const to = value.length > 254 || /[\u0000-\u001f]/.test(value) ? null : channel === 'email' ? normalizeEmail(value) : normalizeMobile(value)
      const what = channel === 'email' ? 'correo' : 'móvil'
      const problem = !to ? (channel === 'email' ? 'Correo electrónico inválido' : 'Número móvil inválido')
        : (await ctx.identity.profile(em(), profileId))?.[channel] === to ? `Ese ya es su ${what}`
          : await ctx.identity.profileByLogin(em(), to) ? `Ya existe otro perfil con ese ${what}` : null
      if (problem) return profilePage(req, res, { errors: { [channel]: problem }, values: { [channel]: value } }, 422)
      const token = await ctx.identity.issueOneTimeToken(em(), profileId, `change_${channel}`, DAY, to!)
      const link = `${site.baseUrl()}/profile/confirm?channel=${channel}&to=${encodeURIComponent(to!)}&token=${token}`
      await ctx.transport.send(channel === 'email'
        ? { channel: 'email', to: to!, subject: 'Confirme su nuevo correo', body: `Para usar este correo en su perfil de Cuenta Maestra abra ${link} (vence en 24 horas).` }
        : { channel: 'sms', to: to!, subject: 'Confirme su nuevo móvil', body: `Cuenta Maestra, confirme su nuevo móvil: ${link}` })
      req.session.flash = { type: 'info', message: `Le enviamos un enlace a ${to}. El cambio se hará cuando lo abra.` }
      await site.redirectAfterSave(req, res, '/profile')
    }))
  }

  r.get('/profile/confirm', requireProfile, wrap(async (req, res) => {
    const profileId = req.session.profileId!
    const channel = req.query.channel === 'mobile' ? 'mobile' : 'email'
    const what = channel === 'email' ? 'correo' : 'móvil'
    const to = str(req.query.to)
    try {
      // The token of this very profile, for this address, used up with any older one for the same
      // change; the new address counts as verified (the kernel audits it).
      await em().transactional(async (tx) => {
        await ctx.identity.consumeOneTimeToken(tx, str(req.query.token), `change_${channel}`, { profileId, address: to, others: true })
        await ctx.identity.updateProfile(tx, profileId, channel === 'email'
          ? { email: to, emailVerifiedAt: new Date() } : { mobile: to, mobileVerifiedAt: new Date() })
      })
      render(req, res, 'pages/message', { title: 'Cambio confirmado', heading: 'Cambio confirmado', message: `Su ${what} ahora es ${to}.`, link: { href: '/profile', label: 'Volver a mi perfil' } })
    } catch (e) {
      // Another profile may have taken the address since the link was sent.
      const taken = e instanceof EmailTakenError || e instanceof MobileTakenError
      if (!taken && !(e instanceof InvalidTokenError)) throw e
      render(req, res, 'pages/message', { title: 'Enlace no válido', heading: 'Enlace no válido', link: { href: '/profile', label: 'Volver a mi perfil' },
        message: taken ? `Otro perfil ya usa ese ${what}.` : 'El enlace no es válido, ya se usó o expiró. Solicite el cambio de nuevo desde su perfil.' }, taken ? 409 : 400)
    }
  }))

  r.post('/profile', requireProfile, form, csrf, wrap(async (req, res) => {
    const name = str(req.body.name).trim()
    if (!name || name.length > 200 || /[\u0000-\u001f]/.test(name)) return profilePage(req, res, { errors: { name: 'Escriba su nombre (hasta 200 caracteres)' } }, 422)
    await ctx.identity.updateProfile(em(), req.session.profileId!, { name })
    req.session.flash = { type: 'success', message: 'Datos guardados.' }
    await site.redirectAfterSave(req, res, '/profile')
  }))

  return r
}
