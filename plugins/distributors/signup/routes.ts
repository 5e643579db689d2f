import express from 'express'
import type { Request, Response } from 'express'
import type { PluginContext, PluginRouter } from '../../../core/plugin-api.js'
import { formPage, messagePage } from './page.js'
import { SIGNUP_PATH, SignupRefusal, type SignupInput, type SignupService } from './service.js'

const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 })
const str = (v: unknown) => (typeof v === 'string' ? v : '')
const FIELDS = ['name', 'email', 'mobile', 'password', 'passwordConfirmation', 'legalName', 'rfc', 'website', 'form'] as const

/** Another site's page may link here but not post here: a browser tells where a form came from. */
function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site')
  if (site) return site !== 'same-origin' && site !== 'none'
  const origin = req.get('origin')
  if (!origin || origin === 'null') return !!origin
  try { return new URL(origin).host !== req.get('host') } catch { return true }
}

const html = (res: Response, status: number, page: string) => res.status(status).type('html').set('cache-control', 'no-store').send(page)

/**
 * The public page behind a distributor's "Enlace de alta": GET shows the form, POST creates the
 * profile and the "Sin validar" sub-distributor. Per IP at most SIGNUP_PER_IP POSTs an hour (429);
 * a forged or revoked link is a 404; every refusal is a page with a Spanish message.
 */
export function signupPages(ctx: PluginContext<any>, signup: SignupService, pub: PluginRouter = ctx.http.publicRouter()): PluginRouter {
  const path = `${SIGNUP_PATH.replace('/distributors', '')}/:token`
  const refused = (res: Response, e: unknown, values: Record<string, string> = {}, parentName?: string, action?: string, formToken?: string) => {
    if (!(e instanceof SignupRefusal)) throw e
    if (e.status === 422 && parentName) {
      return html(res, 422, formPage({ title: 'Alta de distribuidor', parentName, action, form: formToken, values, fields: e.fields, error: e.message }))
    }
    return html(res, e.status, messagePage({ title: 'Alta de distribuidor', heading: e.status === 404 ? 'Enlace no válido' : 'No se pudo completar el alta', message: e.message }))
  }

  pub.get(path, async (req, res) => {
    try {
      const { parent, secret } = await signup.resolve(ctx.em(), String(req.params.token))
      html(res, 200, formPage({ title: 'Alta de distribuidor', parentName: parent.name, action: req.originalUrl.split('?')[0], form: signup.formToken(secret), values: {} }))
    } catch (e) { refused(res, e) }
  })

  pub.post(path, { bodyLimit: '16kb' }, form, async (req, res) => {
    const token = String(req.params.token)
    if (!await signup.allow(req.ip ?? 'unknown')) {
      return html(res, 429, messagePage({ title: 'Alta de distribuidor', heading: 'Demasiados intentos', message: 'Se recibieron demasiadas solicitudes de alta desde su conexión. Espere una hora e inténtelo de nuevo.' }))
    }
    if (crossSite(req)) return html(res, 403, messagePage({ title: 'Alta de distribuidor', heading: 'Formulario no válido', message: 'El formulario debe enviarse desde esta misma página. Ábrala de nuevo e inténtelo otra vez.' }))
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>
    const input = Object.fromEntries(FIELDS.map((k) => [k, str(body[k])])) as unknown as SignupInput
    const values = { legalName: input.legalName, rfc: input.rfc, name: input.name, email: input.email, mobile: input.mobile }
    try {
      await signup.signUp(token, input)
      html(res, 201, messagePage({ title: 'Alta de distribuidor', heading: 'Cuenta creada', login: true,
        message: 'Su perfil y la cuenta de su empresa quedaron creados. Le enviamos enlaces para verificar su correo y su móvil; cuando los abra, su distribuidor podrá activar la cuenta.' }))
    } catch (e) {
      if (e instanceof SignupRefusal && e.status === 422) {
        const { parent, secret } = await signup.resolve(ctx.em(), token)
        return refused(res, e, values, parent.name, req.originalUrl.split('?')[0], signup.formToken(secret))
      }
      refused(res, e)
    }
  })
  return pub
}
