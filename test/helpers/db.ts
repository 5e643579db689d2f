import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { bootKernel, type KernelConfig } from '../../core/kernel/boot.js'
import { createLogger } from '../../core/kernel/logger.js'
import { installedPlugins } from '../../config/app.js'
import type { InstalledPlugin } from '../../core/kernel/plugin.js'
import notes from '../../plugins/notes/index.js'
import { tiers } from '../../config/tiers.js'

const root = path.resolve(import.meta.dirname, '..', '..')
const cacheDir = path.join(root, '.tmp')

/** Hash of every migration source: the template is rebuilt when any migration changes. */
function migrationsHash(): string {
  const h = createHash('sha256')
  const walk = (dir: string) => {
    if (!existsSync(dir)) return
    for (const f of readdirSync(dir).sort()) {
      const full = path.join(dir, f)
      if (statSync(full).isDirectory()) { if (f !== 'node_modules') walk(full); continue }
      if (full.includes(`${path.sep}migrations${path.sep}`)) h.update(full).update(readFileSync(full))
    }
  }
  walk(path.join(root, 'core'))
  walk(path.join(root, 'plugins'))
  return h.digest('hex').slice(0, 16)
}

export const testLog = createLogger('test', process.env.CM_TEST_LOG !== '1')

/**
 * What config/app.ts installs; with CM_TEST_FIXTURE_PLUGIN=1 also the README walkthrough's plugin
 * (plugins/notes), so that the core and security suites prove they hold with one more plugin.
 */
export const testPlugins: InstalledPlugin[] = process.env.CM_TEST_FIXTURE_PLUGIN === '1' ? [...installedPlugins, { plugin: notes }] : installedPlugins

export function baseKernelConfig(overrides: Partial<KernelConfig> = {}): KernelConfig {
  return { plugins: testPlugins, tiers, dataDir: path.join(cacheDir, 'data-unused'), log: testLog, ...overrides }
}

export interface FreshDatabase { config: Partial<KernelConfig>, drop(): Promise<void> }

/**
 * A fresh, migrated database for one test file. Embedded: an in-memory PGlite loaded from a dumped,
 * migrated data dir (built once per migration set). Server (DATABASE_URL): CREATE DATABASE … TEMPLATE
 * of a migrated template database, dropped afterwards.
 */
export async function freshDatabase(): Promise<FreshDatabase> {
  const url = process.env.DATABASE_URL
  return url ? serverDatabase(url) : embeddedDatabase()
}

async function embeddedDatabase(): Promise<FreshDatabase> {
  const file = path.join(cacheDir, `pglite-template-${migrationsHash()}.tar.gz`)
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true })
    const kernel = await bootKernel(baseKernelConfig({ embeddedSnapshot: 'empty' }))
    await kernel.orm.close(true)
    const dump = await kernel.embedded!.db.dumpDataDir('gzip')
    await kernel.close().catch(() => {})
    // Write then rename: test files racing to build it never read a half-written snapshot.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
    renameSync(tmp, file)
  }
  const snapshot = new Blob([readFileSync(file)])
  return { config: { embeddedSnapshot: snapshot }, drop: async () => {} }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function serverDatabase(url: string): Promise<FreshDatabase> {
  const template = `cm_tpl_${migrationsHash()}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    // One builder at a time across test processes; the others wait and reuse it.
    await admin.query('select pg_advisory_lock(424242)')
    const exists = await admin.query('select 1 from pg_database where datname = $1', [template])
    if (!exists.rowCount) {
      await admin.query(`create database "${template}"`)
      try {
        const kernel = await bootKernel(baseKernelConfig({ databaseUrl: withDatabase(url, template) }))
        await kernel.close()
      } catch (e) {
        await admin.query(`drop database if exists "${template}"`)
        throw e
      }
    }
    await admin.query('select pg_advisory_unlock(424242)')
    const name = `cm_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
    await admin.query(`create database "${name}" template "${template}"`)
    return {
      config: { databaseUrl: withDatabase(url, name), poolSize: 20 },
      drop: async () => {
        const c = new pg.Client({ connectionString: url })
        await c.connect()
        await c.query(`drop database if exists "${name}" with (force)`)
        await c.end()
      },
    }
  } finally {
    await admin.end()
  }
}
