import type { Request } from 'express'
import { FieldValidationError, isCatalogedError, type PccPage, type PccRequestContext } from '../../core/plugin-api.js'
import { CustomerSchema, type Customer } from './entities/customer.js'
import type { CustomerInput, CustomersService } from './services/customers.js'
import { CONTACTS, TAX_REGIMES } from './services/validate.js'

const CONTACT_TITLES = { legalRepresentative: 'Representante legal', financialContact: 'Contacto financiero', technicalContact: 'Contacto técnico' }
/** What the customer may change itself: fiscal and contact data (not price, notes or classification, which are the distributor's). */
const SELF_FIELDS = ['legalName', 'tradeName', 'rfc', 'taxRegime', 'postalCode', 'address', 'phone', 'email'] as const

const MESSAGES: Record<string, string> = {
  profile_not_matched: 'No existe un perfil con ese correo y móvil. La persona debe registrarse primero.',
  profile_already_linked: 'Ese perfil ya está vinculado a este cliente.',
  owner_cannot_be_unlinked: 'El perfil principal no se puede desvincular; su distribuidor puede asignar otro.',
  last_linked_profile: 'El cliente necesita al menos un perfil vinculado.',
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined)

/** The form's flat fields (`financialContact.phones` = "33 1111 2222, 33 1111 3333") as the service's input. */
function formInput(body: Record<string, unknown>): CustomerInput {
  const input: Record<string, unknown> = {}
  for (const k of SELF_FIELDS) if (str(body[k]) !== undefined) input[k] = str(body[k])
  for (const k of CONTACTS) {
    const phones = str(body[`${k}.phones`])
    input[k] = {
      name: str(body[`${k}.name`]) ?? null,
      email: str(body[`${k}.email`]) ?? null,
      phones: phones === undefined ? [] : phones.split(/[,;\n]/).map((p) => p.trim()).filter(Boolean),
    }
  }
  return input
}

async function customerPage(customers: CustomersService, pcc: PccRequestContext, extra: { form?: Record<string, unknown>, errors?: Record<string, string>, saved?: boolean } = {}) {
  const customer = await pcc.em.findOneOrFail(CustomerSchema, { id: pcc.customerId, distributorId: pcc.distributorId })
  const json = await customers.json(pcc.em, customer)
  const form = extra.form ?? json
  const contacts = CONTACTS.map((key) => {
    const value = (extra.form ? { name: extra.form[`${key}.name`], email: extra.form[`${key}.email`] } : json[key]) as { name: unknown, email: unknown }
    const phones = extra.form ? extra.form[`${key}.phones`] : json[key].phones.join(', ')
    return { key, title: CONTACT_TITLES[key], value, phones }
  })
  const regimes = Object.entries(TAX_REGIMES).map(([code, name]) => ({ code, name }))
  return { view: 'clients/customer', data: { customer: json, form, contacts, regimes, errors: extra.errors, saved: extra.saved } }
}

export function clientsPccPages(customers: CustomersService): PccPage[] {
  const load = (pcc: PccRequestContext): Promise<Customer> => pcc.em.findOneOrFail(CustomerSchema, { id: pcc.customerId, distributorId: pcc.distributorId })
  return [
    {
      path: 'datos',
      title: 'Datos del cliente',
      get: (req: Request, pcc) => customerPage(customers, pcc, { saved: req.query.guardado === '1' }),
      async post(req, _res, pcc) {
        const body = (req.body ?? {}) as Record<string, unknown>
        try {
          await customers.update(pcc.em, await load(pcc), formInput(body))
        } catch (e) {
          if (e instanceof FieldValidationError) return customerPage(customers, pcc, { form: body, errors: e.fields })
          throw e
        }
        return { redirect: `/pcc/${pcc.customerId}/datos?guardado=1` }
      },
    },
    {
      path: 'perfiles',
      title: 'Perfiles vinculados',
      async get(req, pcc) {
        const notice = req.query.hecho === 'vinculado' ? 'Perfil vinculado.' : req.query.hecho === 'desvinculado' ? 'Perfil desvinculado.' : undefined
        return { view: 'clients/profiles', data: { profiles: await customers.linkedProfiles(pcc.em, pcc.customerId), notice } }
      },
      async post(req, _res, pcc) {
        const body = (req.body ?? {}) as Record<string, unknown>
        const action = str(body.action)
        try {
          if (action === 'link') {
            await customers.linkProfile(pcc.em, pcc.customerId, { email: body.email, mobile: body.mobile })
            return { redirect: `/pcc/${pcc.customerId}/perfiles?hecho=vinculado` }
          }
          if (action === 'unlink') {
            await customers.unlinkProfile(pcc.em, pcc.customerId, str(body.profileId) ?? '')
            // Unlinking oneself ends one's access to this panel.
            return { redirect: str(body.profileId) === pcc.profileId ? '/pcc' : `/pcc/${pcc.customerId}/perfiles?hecho=desvinculado` }
          }
          throw new FieldValidationError({ action: 'Acción desconocida' })
        } catch (e) {
          let error: string
          if (e instanceof FieldValidationError) error = Object.values(e.fields).join(' ')
          else if (isCatalogedError(e) && MESSAGES[e.code]) error = MESSAGES[e.code]
          else throw e
          return { view: 'clients/profiles', data: { profiles: await customers.linkedProfiles(pcc.em, pcc.customerId), error, form: { email: str(body.email), mobile: str(body.mobile) } } }
        }
      },
    },
  ]
}
