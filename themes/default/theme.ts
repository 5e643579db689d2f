import { fileURLToPath } from 'node:url'
import path from 'node:path'

export interface Theme { dir: string, brand: { companyName: string, logo?: string, primary: string } }

const dir = path.dirname(fileURLToPath(import.meta.url))

export const defaultTheme: Theme = {
  dir,
  brand: { companyName: 'Cuenta Maestra', logo: '/assets/logo-wide.svg', primary: '#0b5cad' },
}
