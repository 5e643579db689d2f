import type { Customer } from './entities/customer.js'
import { customerJson, type CustomerFigures } from './services/customers.js'
import { CATEGORY_LABELS, COLOR_LABELS } from './services/validate.js'

/**
 * One CSV cell: quoted when needed, and a cell that a spreadsheet would read as a formula
 * (starting with = + - @, or a tab or carriage return) gets a leading apostrophe.
 */
export function csvCell(v: unknown): string {
  let s = v == null ? '' : String(v)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

const HEADER = ['NIC', 'Razón social', 'Nombre comercial', 'RFC', 'Régimen fiscal', 'Código postal', 'Domicilio', 'Teléfono', 'Correo',
  'Representante legal', 'Correo del representante', 'Teléfonos del representante',
  'Contacto financiero', 'Correo financiero', 'Teléfonos financieros',
  'Contacto técnico', 'Correo técnico', 'Teléfonos técnicos',
  'Notas', 'Precio de timbre', 'Categoría', 'Color', 'Alta']

/** The filtered list as CSV (UTF-8 with BOM, so spreadsheets read the accents). */
export async function customersCsv(batches: AsyncIterable<{ customer: Customer, figures: CustomerFigures }[]>, figures: { key: string, label: string }[]): Promise<string> {
  const lines = [[...HEADER, ...figures.map((f) => f.label)].map(csvCell).join(',')]
  for await (const batch of batches) {
    for (const { customer, figures: values } of batch) {
      const j = customerJson(customer, values)
      const contact = (c: typeof j.legalRepresentative) => [c.name, c.email, c.phones.join(' / ')]
      lines.push([
        j.nic, j.legalName, j.tradeName, j.rfc, j.taxRegime, j.postalCode, j.address, j.phone, j.email,
        ...contact(j.legalRepresentative), ...contact(j.financialContact), ...contact(j.technicalContact),
        j.notes, j.stampPrice, j.category ? CATEGORY_LABELS[j.category] : '', j.color ? COLOR_LABELS[j.color] : '',
        j.createdAt, ...figures.map((f) => j[f.key]),
      ].map(csvCell).join(','))
    }
  }
  return `\ufeff${lines.join('\r\n')}\r\n`
}
