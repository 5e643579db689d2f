import test from 'ava'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

// The plugin contract, read from the sources: a plugin imports the kernel only through its public
// module (core/plugin-api.ts, and core/plugin-api-admin.ts for AdminJS code), another plugin only
// through that plugin's index.ts, and names no other plugin's tables in its SQL.

const root = path.resolve(import.meta.dirname, '..', '..')
const pluginsDir = path.join(root, 'plugins')
const PUBLIC = new Set(['core/plugin-api.ts', 'core/plugin-api-admin.ts'].map((f) => path.join(root, f)))

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const full = path.join(dir, f)
  return statSync(full).isDirectory() ? walk(full) : /\.(ts|tsx|jsx|js)$/.test(f) ? [full] : []
})

/** Relative import specifiers of a source file (static, dynamic and `declare module`). */
const importsOf = (source: string) => [...source.matchAll(/(?:from|import\(|declare module)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1])

export function violations(pluginRoot: string): string[] {
  const out: string[] = []
  const plugins = readdirSync(pluginRoot).filter((d) => statSync(path.join(pluginRoot, d)).isDirectory())
  for (const id of plugins) {
    const own = path.join(pluginRoot, id)
    for (const file of walk(own)) {
      const source = readFileSync(file, 'utf8')
      for (const spec of importsOf(source)) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts')
        if (target.startsWith(own + path.sep)) continue
        if (PUBLIC.has(target)) continue
        const other = path.relative(pluginRoot, target).split(path.sep)
        if (!target.startsWith(root + path.sep + 'core') && other.length === 2 && other[1] === 'index.ts') continue
        out.push(`${path.relative(root, file)} imports ${spec}`)
      }
      for (const other of plugins) {
        if (other === id) continue
        const prefix = other.replaceAll('-', '_')
        for (const m of source.matchAll(new RegExp(`\\b(?:from|join|into|update)\\s+"?(${prefix}_[a-z_]+)`, 'gi'))) out.push(`${path.relative(root, file)} reads ${other}'s table ${m[1]}`)
      }
      for (const m of source.matchAll(/\b(?:from|join|into|update)\s+"?(core_[a-z_]+)/gi)) out.push(`${path.relative(root, file)} reads the kernel's table ${m[1]}`)
    }
  }
  return out
}

test('plugins import the kernel only through core/plugin-api and other plugins only through their index.ts, and read no one else\'s tables', (t) => {
  t.deepEqual(violations(pluginsDir), [])
})

test('the check itself catches a deep import, a sibling\'s internals and a kernel table', (t) => {
  const dir = path.join(root, '.tmp', `imports-${process.pid}`)
  const a = path.join(dir, 'alpha')
  const fs = { mkdir: (d: string) => import('node:fs').then((m) => m.mkdirSync(d, { recursive: true })) }
  return fs.mkdir(a).then(async () => {
    const { writeFileSync, mkdirSync, rmSync } = await import('node:fs')
    mkdirSync(path.join(dir, 'beta'), { recursive: true })
    writeFileSync(path.join(a, 'index.ts'), [
      "import { sql } from '../../core/db/sql.js'",
      "import { x } from '../beta/services/x.js'",
      "import { y } from '../beta/index.js'",
      "const q = 'select 1 from core_profile p join beta_thing b on true'",
    ].join('\n'))
    writeFileSync(path.join(dir, 'beta', 'index.ts'), "import { definePlugin } from '../../core/plugin-api.js'\n")
    try {
      const found = violations(dir)
      t.true(found.some((v) => v.includes("imports ../../core/db/sql.js")))
      t.true(found.some((v) => v.includes("imports ../beta/services/x.js")))
      t.false(found.some((v) => v.includes('../beta/index.js')))
      t.true(found.some((v) => v.includes("beta's table beta_thing")))
      t.true(found.some((v) => v.includes('kernel\'s table core_profile')))
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })
})
