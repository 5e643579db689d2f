import { FieldValidationError, normalizeEmail } from '../../../core/plugin-api.js'
import { CATEGORIES, COLORS, type Contact, type Customer, type CustomerCategory, type CustomerColor } from '../entities/customer.js'
import { isValidRfc, normalizeRfc } from '../rfc.js'

/** What POST and PATCH accept (the API's names). Unknown keys are ignored. */
export interface CustomerInput {
  legalName?: unknown, tradeName?: unknown, rfc?: unknown, taxRegime?: unknown, postalCode?: unknown, address?: unknown,
  phone?: unknown, email?: unknown, legalRepresentative?: unknown, financialContact?: unknown, technicalContact?: unknown,
  notes?: unknown, stampPrice?: unknown, category?: unknown, color?: unknown,
}

/** Validated fields, in the entity's names: the customer without what the database assigns. */
export type CustomerFields = Omit<Customer, 'id' | 'distributorId' | 'nic' | 'createdAt'>

export const CONTACTS = ['legalRepresentative', 'financialContact', 'technicalContact'] as const
export type ContactKey = typeof CONTACTS[number]

/** SAT catalogue c_RegimenFiscal (CFDI 4.0). */
export const TAX_REGIMES: Record<string, string> = {
  601: 'General de Ley Personas Morales', 603: 'Personas Morales con Fines no Lucrativos',
  605: 'Sueldos y Salarios e Ingresos Asimilados a Salarios', 606: 'Arrendamiento', 607: 'Régimen de Enajenación o Adquisición de Bienes',
  608: 'Demás ingresos', 610: 'Residentes en el Extranjero sin Establecimiento Permanente en México',
  611: 'Ingresos por Dividendos (socios y accionistas)', 612: 'Personas Físicas con Actividades Empresariales y Profesionales',
  614: 'Ingresos por intereses', 615: 'Régimen de los ingresos por obtención de premios', 616: 'Sin obligaciones fiscales',
  620: 'Sociedades Cooperativas de Producción que optan por diferir sus ingresos', 621: 'Incorporación Fiscal',
  622: 'Actividades Agrícolas, Ganaderas, Silvícolas y Pesqueras', 623: 'Opcional para Grupos de Sociedades',
  624: 'Coordinados', 625: 'Régimen de las Actividades Empresariales con ingresos a través de Plataformas Tecnológicas',
  626: 'Régimen Simplificado de Confianza',
}

export const CATEGORY_LABELS: Record<CustomerCategory, string> = { favorite: 'Favoritos', dropped: 'Bajas' }
export const COLOR_LABELS: Record<CustomerColor, string> = { red: 'Rojo', orange: 'Naranja', yellow: 'Amarillo', green: 'Verde', blue: 'Azul', purple: 'Morado' }

/** Control characters (NUL above all, which PostgreSQL text cannot store) have no place in one-line fields. */
const CONTROL = /[\u0000-\u001f\u007f]/
/** Multi-line text keeps tabs and line breaks, nothing else below 0x20. */
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
const PHONE = /^\+?[0-9 ()-]{7,30}$/
const MAX_PHONES = 5

/** undefined: invalid; null: empty. */
const text = (v: unknown, max: number, multiline = false): string | null | undefined => {
  if (v === null) return null
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  if ((multiline ? CONTROL_MULTILINE : CONTROL).test(t)) return undefined
  return t.length === 0 ? null : t.length > max ? undefined : t
}

const phoneOf = (v: unknown): string | null | undefined => {
  const p = text(v, 30)
  return p === undefined || (p !== null && !PHONE.test(p)) ? undefined : p
}

const emailOf = (v: unknown): string | null | undefined => {
  const e = text(v, 254)
  if (e === undefined || e === null) return e
  return normalizeEmail(e) ?? undefined
}

/** "1.5", 1.5, "12.00" → "1.50"; at most 8 integer digits and 2 decimals, not negative. */
function priceOf(v: unknown): string | null | undefined {
  if (v === null || v === '') return null
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined
  const m = s === undefined ? null : /^(\d{1,8})(?:\.(\d{1,2}))?$/.exec(s)
  if (!m) return undefined
  return `${BigInt(m[1])}.${(m[2] ?? '').padEnd(2, '0')}`
}

export const emptyContact = (): Contact => ({ name: null, email: null, phones: [] })

/** A contact object; on update the given sub-fields replace those of `current`. */
function contactOf(v: unknown, key: string, fields: Record<string, string>, current: Contact | null | undefined): Contact | null | undefined {
  if (v === null) return null
  if (typeof v !== 'object' || Array.isArray(v)) { fields[key] = 'Contacto inválido: se espera {name, email, phones}'; return undefined }
  const input = v as Record<string, unknown>
  const out: Contact = { ...emptyContact(), ...(current ?? {}) }
  let ok = true
  if (input.name !== undefined) {
    const n = text(input.name, 200)
    if (n === undefined) { fields[`${key}.name`] = 'Nombre inválido (máximo 200 caracteres)'; ok = false } else out.name = n
  }
  if (input.email !== undefined) {
    const e = emailOf(input.email)
    if (e === undefined) { fields[`${key}.email`] = 'Correo electrónico inválido'; ok = false } else out.email = e
  }
  if (input.phones !== undefined) {
    const list = input.phones === null ? [] : input.phones
    const phones = Array.isArray(list) ? list.map(phoneOf) : [undefined]
    if (phones.some((p) => p === undefined) || phones.length > MAX_PHONES) {
      fields[`${key}.phones`] = `Teléfonos inválidos (hasta ${MAX_PHONES}, de 7 a 30 dígitos, espacios y + ( ) -)`; ok = false
    } else out.phones = [...new Set(phones.filter((p): p is string => !!p))]
  }
  if (!ok) return undefined
  return out.name === null && out.email === null && out.phones.length === 0 ? null : out
}

/**
 * Validates customer fields; only legalName and rfc are required on create. On update (`current`
 * given) absent fields are left alone. Throws 422 naming every bad field (contacts' sub-fields as
 * `legalRepresentative.email`), in Spanish.
 */
export function parseCustomer(input: CustomerInput, update?: Customer | boolean): Partial<CustomerFields> {
  const partial = !!update
  const current = typeof update === 'object' ? update : undefined
  const fields: Record<string, string> = {}
  const out: Partial<CustomerFields> = {}
  const given = (k: keyof CustomerInput) => input[k] !== undefined

  if (given('legalName') || !partial) {
    const legalName = text(input.legalName ?? null, 300)
    if (!legalName) fields.legalName = 'La razón social es obligatoria (máximo 300 caracteres)'
    else out.legalName = legalName
  }
  if (given('rfc') || !partial) {
    const rfc = typeof input.rfc === 'string' ? normalizeRfc(input.rfc) : ''
    if (!rfc || !isValidRfc(rfc)) fields.rfc = 'RFC inválido (formato o dígito verificador)'
    else out.rfc = rfc
  }
  const simple = <K extends keyof CustomerFields>(k: keyof CustomerInput, target: K, parse: (v: unknown) => CustomerFields[K] | undefined, message: string) => {
    if (!given(k)) return
    const v = parse(input[k])
    if (v === undefined) fields[k] = message
    else out[target] = v
  }
  simple('tradeName', 'tradeName', (v) => text(v, 300), 'Nombre comercial inválido (máximo 300 caracteres)')
  simple('taxRegime', 'taxRegime', (v) => {
    const t = typeof v === 'number' ? String(v) : text(v, 3)
    return t === null ? null : t !== undefined && TAX_REGIMES[t] ? t : undefined
  }, 'Régimen fiscal inválido (clave del catálogo c_RegimenFiscal del SAT, p. ej. 601)')
  simple('postalCode', 'postalCode', (v) => { const t = text(v, 5); return t === null || (t && /^\d{5}$/.test(t)) ? t : undefined }, 'Código postal inválido (5 dígitos)')
  simple('address', 'address', (v) => text(v, 500), 'Domicilio inválido (máximo 500 caracteres)')
  simple('phone', 'phone', phoneOf, 'Teléfono inválido (de 7 a 30 dígitos, espacios y + ( ) -)')
  simple('email', 'email', emailOf, 'Correo electrónico inválido')
  simple('notes', 'otherData', (v) => text(v, 2000, true), 'Notas inválidas (máximo 2000 caracteres)')
  simple('stampPrice', 'stampPrice', priceOf, 'Precio de timbre inválido (MXN, no negativo, hasta 2 decimales)')
  simple('category', 'category', (v) => (v === null || v === '' ? null : CATEGORIES.includes(v as CustomerCategory) ? v as CustomerCategory : undefined),
    `Categoría inválida (${CATEGORIES.join(', ')} o null)`)
  simple('color', 'color', (v) => (v === null || v === '' ? null : COLORS.includes(v as CustomerColor) ? v as CustomerColor : undefined),
    `Color inválido (${COLORS.join(', ')} o null)`)
  for (const key of CONTACTS) {
    if (!given(key)) continue
    const c = contactOf(input[key], key, fields, current?.[key])
    if (c !== undefined) out[key] = c
  }
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return out
}
