import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { citext } from '@electric-sql/pglite/contrib/citext'
import { ltree } from '@electric-sql/pglite/contrib/ltree'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseLockedError } from '../kernel/errors.js'

/** Extensions the plugins may CREATE; the server has them in contrib, PGlite ships them as modules. */
const extensions = { citext, ltree, pg_trgm, pgcrypto, unaccent }
/** initdb's 128 MB of shared buffers, all touched in WASM memory, sized down for one office: −120 MB RSS. */
const options = { extensions, startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] }

export interface EmbeddedDatabase {
  /** Connection options for the ordinary PostgreSQL driver (unix socket). */
  connection: { host: string, port: number, user: string, dbName: string }
  db: PGlite
  close(): Promise<void>
}

export type EmbeddedSource = { dataDir: string } | { snapshot: Blob } | { memory: true }

/**
 * PGlite served over a unix socket so that MikroORM and pg use the same driver as on a real server.
 * PGlite has one backend: callers must use a pool of exactly one connection.
 */
export async function startEmbedded(source: EmbeddedSource): Promise<EmbeddedDatabase> {
  let releaseLock = () => {}
  let db: PGlite
  if ('dataDir' in source) {
    mkdirSync(source.dataDir, { recursive: true })
    releaseLock = await acquireLock(source.dataDir)
    try {
      db = new PGlite(path.join(source.dataDir, 'pgdata'), options)
      await db.waitReady
    } catch (e) { releaseLock(); throw e }
  } else if ('memory' in source) {
    db = new PGlite(options)
    await db.waitReady
  } else {
    db = new PGlite({ ...options, loadDataDir: source.snapshot })
    await db.waitReady
  }
  const socketDir = mkdtempSync(path.join(tmpdir(), 'cm-pg-'))
  const server = new PGLiteSocketServer({ db, path: path.join(socketDir, '.s.PGSQL.5432'), maxConnections: 4 })
  try {
    await server.start()
  } catch (e) {
    await db.close().catch(() => {})
    rmSync(socketDir, { recursive: true, force: true })
    releaseLock()
    throw e
  }
  return {
    connection: { host: socketDir, port: 5432, user: 'postgres', dbName: 'postgres' },
    db,
    async close() {
      await server.stop()
      await db.close()
      rmSync(socketDir, { recursive: true, force: true })
      releaseLock()
    },
  }
}

/** Data dirs this process has open: a second open in one process would corrupt it just the same. */
const heldHere = new Set<string>()

/**
 * One process per data dir: PGlite would corrupt it with two writers. The lock file is created
 * exclusively (O_EXCL), so two processes starting at once cannot both take it; a lock left by a
 * process that is gone is taken over.
 */
async function acquireLock(dataDir: string): Promise<() => void> {
  const key = path.resolve(dataDir)
  if (heldHere.has(key)) throw new DatabaseLockedError(dataDir, process.pid)
  const lockFile = path.join(dataDir, 'cm.lock')
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const pid = Number(readFileSync(lockFile, 'utf8').trim())
      // Empty: another process created it and is about to write its pid; look again shortly.
      if (!pid && attempt < 20) { await new Promise((r) => setTimeout(r, 50)); continue }
      // Our own pid in a stale file happens when a container restarts with the same pid.
      if (pid && pid !== process.pid && isAlive(pid)) throw new DatabaseLockedError(dataDir, pid)
      if (attempt >= 20) throw new DatabaseLockedError(dataDir, pid)
      rmSync(lockFile, { force: true })
    }
  }
  heldHere.add(key)
  return () => { heldHere.delete(key); rmSync(lockFile, { force: true }) }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}
