/**
 * Which applications may stamp with an unlimited CTI: Induxsoft's Windows applications from V10
 * on, and FactuDesk Web. This is policy, not security: the client declares its `app`. Values look
 * like "MaxiComercio/10.2"; "MaxiComercio 2014" is not V10.
 */
export const INDUXSOFT_APPS_V10: Record<string, number> = {
  maxicomercio: 10,
  factudesk: 10,
  'induxsoft fiscal digital': 10,
  'induxsoft punto de venta': 10,
  'maxicomercio punto de venta': 10,
  'induxsoft nómina': 10,
  'induxsoft nomina': 10,
}
const WEB_APPS = new Set(['factudeskweb', 'factudesk web'])

export function appMayUseUnlimited(app: string | null | undefined): boolean {
  if (!app) return false
  const normalized = app.trim().toLowerCase()
  if (WEB_APPS.has(normalized) || WEB_APPS.has(normalized.split('/')[0])) return true
  const m = /^(.+?)\/(\d+)(?:\.\d+)*$/.exec(normalized)
  if (!m) return false
  const minimum = INDUXSOFT_APPS_V10[m[1].trim()]
  return minimum !== undefined && Number(m[2]) >= minimum
}
