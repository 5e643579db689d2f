import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { adminJsSpanish } from './admin/locale.js'

export interface Theme {
  dir: string
  /** `font`: a CSS font stack the browser already has (no font is fetched from another host). */
  brand: { companyName: string, logo?: string, primary: string, font?: string }
  /**
   * AdminJS's own strings (under the core's and plugins'), components replacing AdminJS's (name → file),
   * and the CM's home page, which shows the figures the kernel hands it (ApiClient.getDashboard()).
   */
  admin?: { locale?: Record<string, unknown>, components?: Record<string, string>, dashboard?: string }
}

const dir = path.dirname(fileURLToPath(import.meta.url))

export const defaultTheme: Theme = {
  dir,
  brand: { companyName: 'Cuenta Maestra', logo: '/assets/logo-wide.svg', primary: '#0b5cad', font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  admin: { locale: adminJsSpanish, components: {
    DefaultPropertyValue: path.join(dir, 'admin', 'property-value.jsx'),
    NoticeBox: path.join(dir, 'admin', 'notice-box.jsx'),
    ActionHeader: path.join(dir, 'admin', 'action-header.jsx'),
    DefaultDatetimeListProperty: path.join(dir, 'admin', 'datetime-list.jsx'),
    DefaultDatetimeShowProperty: path.join(dir, 'admin', 'datetime-show.jsx'),
  }, dashboard: path.join(dir, 'admin', 'dashboard.jsx') },
}
