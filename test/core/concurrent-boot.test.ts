import test from 'ava'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { MIGRATIONS_TABLE } from '../../core/db/orm.js'
import { ensureFirstStaff } from '../../core/identity/bootstrap.js'
import { baseKernelConfig } from '../helpers/db.js'

// DESIGN.md runs many application processes against one PostgreSQL: a deploy starts them together,
// and each one migrates on boot. Here three kernels (each with its own pool, as separate processes
// have) boot at once on an empty database.
test('three processes booting at once on an empty database all start; each migration runs once and one first staff profile is made', async (t) => {
  const url = process.env.DATABASE_URL
  if (!url) {
    // The embedded database belongs to one process: nothing else can boot on it.
    // Its single connection still takes the first-staff lock without waiting on itself.
    const kernel = await bootKernel(baseKernelConfig({ embeddedSnapshot: 'empty' }))
    try {
      t.is(kernel.database, 'embedded')
      const firsts = await Promise.all([1, 2].map(() => ensureFirstStaff(kernel.orm.em.fork(), { CM_ADMIN_PASSWORD: 'una contraseña larga' })))
      t.deepEqual(firsts.map((f) => f?.email ?? null).sort(), ['admin@cuentamaestra.local', null])
    } finally { await kernel.close() }
    return
  }
  // cm_t_*: a run that dies here leaves a database `.ci/pg.mjs sweep` drops.
  const name = `cm_t_boot_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  const u = new URL(url)
  u.pathname = `/${name}`
  const kernels: Kernel[] = []
  try {
    // One of them with a pool of one connection: waiting for the others must not need a second one.
    const booted = await Promise.allSettled([1, 3, 3].map((poolSize) => bootKernel(baseKernelConfig({ databaseUrl: u.toString(), poolSize }))))
    for (const b of booted) if (b.status === 'fulfilled') kernels.push(b.value)
    t.deepEqual(booted.map((b) => (b.status === 'rejected' ? String(b.reason?.message ?? b.reason) : 'started')), ['started', 'started', 'started'])
    const db = new pg.Client({ connectionString: u.toString() })
    await db.connect()
    try {
      const { rows } = await db.query<{ name: string, n: number }>(`select name, count(*)::int as n from ${MIGRATIONS_TABLE} group by name order by name`)
      t.true(rows.length > 0)
      t.deepEqual(await kernels[0].orm.getMigrator().getPendingMigrations(), [])
      t.deepEqual(rows.filter((r) => r.n !== 1), [], 'no migration recorded twice')
      // Then each makes sure someone can sign in (server.ts): one of them creates the profile.
      const env = { CM_ADMIN_EMAIL: 'primero@example.mx', CM_ADMIN_PASSWORD: 'una contraseña larga' }
      const firsts = await Promise.allSettled(kernels.map((k) => ensureFirstStaff(k.orm.em.fork(), env)))
      t.deepEqual(firsts.map((f) => f.status === 'rejected' ? String(f.reason?.message ?? f.reason) : f.value?.email ?? null).sort(), [null, null, 'primero@example.mx'])
      t.is((await db.query('select count(*)::int as n from core_profile')).rows[0].n, 1)
    } finally { await db.end() }
  } finally {
    for (const k of kernels) await k.close()
    await admin.query(`drop database if exists "${name}" with (force)`)
    await admin.end()
  }
})
