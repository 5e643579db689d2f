import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Components the core itself adds to the CM (name → file). */
export const coreComponents = {
  ApiTokenNew: fileURLToPath(new URL('./components/api-token-new.jsx', import.meta.url)),
}

/**
 * AdminJS (in development mode) serves whatever bundle it finds in its tmp dir before building one,
 * so a component added or changed since the last build was never shown. A stamp of the components'
 * names and contents sits beside the bundle; when it differs the bundle is dropped and AdminJS
 * builds afresh on the next request. (Files a component imports are not hashed.)
 */
export function dropStaleAdminBundle(components: Record<string, string>): void {
  const dir = path.resolve(process.env.ADMIN_JS_TMP_DIR || '.adminjs')
  const h = createHash('sha256')
  for (const [name, file] of Object.entries(components).sort(([a], [b]) => a.localeCompare(b))) {
    h.update(name).update('\0').update(readFileSync(file)).update('\0')
  }
  const stamp = h.digest('hex')
  const stampFile = path.join(dir, 'components.sha256')
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return
  rmSync(path.join(dir, 'bundle.js'), { force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(stampFile, stamp)
}
