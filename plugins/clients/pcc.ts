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

/** The form's fields as the theme's `field` partial draws them, each with its error beneath it. */
const SELF_LABELS: Record<(typeof SELF_FIELDS)[number], [string, Record<string, unknown>]> = {
  legalName: ['Razón social', { required: true, maxlength: 300 }], tradeName: ['Nombre comercial', { maxlength: 300 }],
  rfc: ['RFC', { required: true, maxlength: 15 }], taxRegime: ['Régimen fiscal', {}], postalCode: ['Código postal', { maxlength: 5 }],
  address: ['Domicilio', { maxlength: 500 }], phone: ['Teléfono de la empresa', { maxlength: 30, type: 'tel' }], email: ['Correo de la empresa', { maxlength: 254, type: 'email' }],
}
const CONTACT_FIELDS = [['name', 'Nombre', { maxlength: 200 }], ['email', 'Correo', { type: 'email', maxlength: 254 }], ['phones', 'Teléfonos', { hint: '(separados por coma)', maxlength: 200 }]] as const

/** A label for an error key (`legalRepresentative.email` → "Representante legal · Correo"): users never see keys. */
export function errorLabel(key: string): string {
  const [head, tail] = key.split('.', 2) as [string, string | undefined]
  const contact = CONTACT_TITLES[head as keyof typeof CONTACT_TITLES]
  if (contact) return tail ? `${contact} · ${CONTACT_FIELDS.find(([k]) => k === tail)?.[1] ?? 'Dato'}` : contact
  return SELF_LABELS[head as keyof typeof SELF_LABELS]?.[0] ?? 'Otro dato'
}

async function customerPage(customers: CustomersService, pcc: PccRequestContext, extra: { form?: Record<string, unknown>, errors?: Record<string, string>, saved?: boolean } = {}) {
  const customer = await pcc.em.findOneOrFail(CustomerSchema, { id: pcc.customerId, distributorId: pcc.distributorId })
  const json = await customers.json(pcc.em, customer)
  const errors = extra.errors ?? {}
  const form = (extra.form ?? json) as Record<string, unknown>
  const regimes = [{ value: '', label: '—' }, ...Object.entries(TAX_REGIMES).map(([code, name]) => ({ value: code, label: `${code} · ${name}` }))]
  const fields = SELF_FIELDS.map((name) => ({ name, label: SELF_LABELS[name][0], ...SELF_LABELS[name][1], value: form[name] ?? '', err: errors[name], options: name === 'taxRegime' ? regimes : undefined }))
  const contacts = CONTACTS.map((key) => {
    const saved = json[key] as { name: unknown, email: unknown, phones: string[] }
    const value = (k: string) => (extra.form ? extra.form[`${key}.${k}`] : k === 'phones' ? saved.phones.join(', ') : saved[k as 'name' | 'email'])
    // An error on the contact as a whole shows under its first field.
    return { title: CONTACT_TITLES[key], fields: CONTACT_FIELDS.map(([k, label, attrs], i) => ({ name: `${key}.${k}`, label, ...attrs, value: value(k) ?? '', err: errors[`${key}.${k}`] ?? (i === 0 ? errors[key] : undefined) })) }
  })
  const summary = Object.keys(errors).map(errorLabel)
  return { view: 'clients/customer', data: { customer: json, fields, contacts, summary: summary.length ? [...new Set(summary)].join(', ') : null, saved: extra.saved } }
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
        return { redirect: `${pcc.base}/datos?guardado=1` }
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
            return { redirect: `${pcc.base}/perfiles?hecho=vinculado` }
          }
          if (action === 'unlink') {
            await customers.unlinkProfile(pcc.em, pcc.customerId, str(body.profileId) ?? '')
            // Unlinking oneself ends one's access to this panel.
            return { redirect: str(body.profileId) === pcc.profileId ? '/pcc' : `${pcc.base}/perfiles?hecho=desvinculado` }
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
