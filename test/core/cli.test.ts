import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { inject, type InjectOptions } from 'light-my-request'
import { startApp } from '../../core/app.js'
import { startEmbedded } from '../../core/db/embedded.js'
import { DatabaseLockedError } from '../../core/kernel/errors.js'
import type { KernelConfig } from '../../core/kernel/boot.js'
import { defaultTheme } from '../../themes/default/theme.js'
import { Client, uniqueMobile } from '../helpers/app.js'
import { baseKernelConfig, freshDatabase } from '../helpers/db.js'
import { childEnv, repoRoot, runCli, tempDir } from '../helpers/process.js'
import { spawn } from 'node:child_process'

/**
 * Where the CLI and an app booted afterwards meet: a temporary embedded data dir, or a fresh database
 * on the server when DATABASE_URL is set.
 */
interface Target { env: Record<string, string>, kernel: Partial<KernelConfig>, cleanup(): Promise<void> }
async function target(): Promise<Target> {
  const tmp = tempDir()
  if (process.env.DATABASE_URL) {
    const db = await freshDatabase()
    const url = db.config.databaseUrl!
    return { env: { DATABASE_URL: url, CM_DATA_DIR: tmp.dir }, kernel: { databaseUrl: url, dataDir: tmp.dir }, cleanup: async () => { await db.drop(); tmp.remove() } }
  }
  return { env: { CM_DATA_DIR: tmp.dir }, kernel: { dataDir: tmp.dir }, cleanup: async () => tmp.remove() }
}

/** The application on the target's database (after the CLI processes have exited). */
async function appOn(tg: Target) {
  const app = await startApp(baseKernelConfig(tg.kernel), { theme: defaultTheme, admin: false })
  const send = (o: InjectOptions) => inject(app.http.app as never, o)
  return { send, client: () => new Client(send), close: () => app.close() }
}

// Serial: each test starts several CLI processes, and results arriving one by one keep ava's
// inactivity timeout from firing on a busy machine.

interface Seed { staff: { login: string, password: string }, distributors: { id: string, login: string, password: string, token: string, customers: string[], pccLogin: { login: string, password: string, nic: string } }[] }

async function seedDemo(tg: Target, customers: number): Promise<Seed> {
  const r = await runCli(['seed-demo', '--customers', String(customers), '--json'], tg.env)
  if (r.code !== 0) throw new Error(`seed-demo exited ${r.code}: ${r.stderr}`)
  // Nothing but the JSON document on stdout: logs and timings go to stderr.
  const parsed = JSON.parse(r.stdout) as Seed
  if (r.stdout !== `${JSON.stringify(parsed)}\n`) throw new Error(`stdout is not exactly one JSON line: ${r.stdout}`)
  return parsed
}

test.serial('seed-demo --json prints only the JSON; a second run adds new unique logins; each token reads only its distributor\'s customers', async (t) => {
  const tg = await target()
  try {
    const first = await seedDemo(tg, 5)
    const second = await seedDemo(tg, 5)
    for (const seed of [first, second]) {
      t.deepEqual(Object.keys(seed).sort(), ['distributors', 'staff'])
      t.deepEqual(Object.keys(seed.staff).sort(), ['login', 'password'])
      t.is(seed.distributors.length, 2)
      for (const d of seed.distributors) {
        // The core's fields, plus what installed plugins' demo seeders add (ledger: stampInventory).
        for (const key of ['customers', 'id', 'login', 'password', 'token']) t.true(key in d, key)
        t.is(d.customers.length, 5)
        for (const nic of d.customers) t.regex(nic, /^\d+$/)
      }
    }
    const logins = [first, second].flatMap((s) => [s.staff.login, ...s.distributors.map((d) => d.login)])
    t.is(new Set(logins).size, 6)
    const all = [first, second].flatMap((s) => s.distributors)
    t.is(new Set(all.flatMap((d) => d.customers)).size, 20)

    const app = await appOn(tg)
    try {
      for (const d of all) {
        const headers = { authorization: `Bearer ${d.token}` }
        const me = (await app.send({ method: 'GET', url: '/api/v1/me', headers })).json()
        t.is(me.distributor.id, d.id)
        const list = await app.send({ method: 'GET', url: '/api/v1/customers', headers })
        t.is(list.statusCode, 200)
        // The N customers, and the one whose main profile signs in to the PCC.
        t.is(list.json().total, 6)
        t.deepEqual(list.json().items.map((c: { nic: string }) => c.nic).sort(), [...d.customers, d.pccLogin.nic].sort())
        for (const other of all.filter((o) => o !== d)) {
          t.is((await app.send({ method: 'GET', url: `/api/v1/customers/${other.customers[0]}`, headers })).statusCode, 404)
        }
      }
      // The printed passwords sign in on the web.
      for (const login of [first.staff, first.distributors[0], second.distributors[1]]) {
        t.is((await app.client().login(login.login, login.password)).statusCode, 303, login.login)
      }
    } finally { await app.close() }
  } finally { await tg.cleanup() }
})

/** Follows a signed-in client's redirects from url (at most 5) to a page. */
async function follow(client: Client, url: string) {
  let res = await client.get(url)
  for (let i = 0; i < 5 && res.statusCode >= 300 && res.statusCode < 400; i++) res = await client.get(String(res.headers.location))
  return res
}

test.serial('the README\'s `npm run -s cm -- seed-demo --json` prints JSON that parses; each pccLogin signs in to its customer\'s PCC', async (t) => {
  const tg = await target()
  try {
    const r = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '-s', 'cm', '--', 'seed-demo', '--customers', '1', '--json'], { cwd: repoRoot, env: childEnv(tg.env), stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = '', stderr = ''
      child.stdout.on('data', (d) => { stdout += d })
      child.stderr.on('data', (d) => { stderr += d })
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
    t.is(r.code, 0, r.stderr)
    const seed = JSON.parse(r.stdout) as Seed
    t.is(seed.distributors.length, 2)
    const app = await appOn(tg)
    try {
      for (const d of seed.distributors) {
        t.deepEqual(Object.keys(d.pccLogin).sort(), ['login', 'nic', 'password'])
        const client = app.client()
        const login = await client.login(d.pccLogin.login, d.pccLogin.password)
        t.is(login.statusCode, 303, d.pccLogin.login)
        // Its landing page (or the page that lists what it may enter) leads to the customer's PCC.
        const landing = await follow(client, String(login.headers.location))
        const pccUrl = /href="(\/pcc\/[^"]+)"/.exec(landing.body)?.[1] ?? (landing.body.includes(d.pccLogin.nic) ? null : undefined)
        t.not(pccUrl, undefined, `no PCC link on ${login.headers.location}`)
        const pcc = pccUrl ? await follow(client, pccUrl) : landing
        t.is(pcc.statusCode, 200)
        t.true(pcc.body.includes(d.pccLogin.nic), 'the PCC shows the customer\'s NIC')
        // A wrong password does not.
        t.not((await app.client().login(d.pccLogin.login, 'otra-clave-cualquiera')).headers.location, login.headers.location)
      }
    } finally { await app.close() }
  } finally { await tg.cleanup() }
})

test.serial('create-staff works; token create --login takes an e-mail or a mobile and prints a working token; token revoke', async (t) => {
  const tg = await target()
  try {
    const mobile = uniqueMobile()
    const staff = await runCli(['create-staff', '--email', 'Personal@Ejemplo.MX', '--mobile', mobile, '--password', 'secreto-de-personal', '--name', 'Ana Personal'], tg.env)
    t.is(staff.code, 0, staff.stderr)
    t.regex(staff.stdout, /personal@ejemplo\.mx created/)
    const again = await runCli(['create-staff', '--email', 'personal@ejemplo.mx', '--mobile', uniqueMobile(), '--password', 'otro-secreto-largo'], tg.env)
    t.is(again.code, 1)
    t.regex(again.stderr, /email_taken/)
    const usage = await runCli(['create-staff', '--email', 'x@ejemplo.mx'], tg.env)
    t.is(usage.code, 2)

    // The mobile as typed differently from how it was stored (E.164).
    const digits = mobile.replace(/\D/g, '').slice(-10)
    const byMobile = await runCli(['token', 'create', '--login', digits], tg.env)
    t.is(byMobile.code, 0, byMobile.stderr)
    t.regex(byMobile.stdout, /^cm_\S+\n$/)
    const seed = await seedDemo(tg, 2)
    const byEmail = await runCli(['token', 'create', '--login', seed.distributors[0].login.toUpperCase()], tg.env)
    t.is(byEmail.code, 0, byEmail.stderr)
    t.regex(byEmail.stdout, /^cm_\S+\n$/)
    const unknown = await runCli(['token', 'create', '--login', 'nadie@ejemplo.mx'], tg.env)
    t.is(unknown.code, 1)
    t.regex(unknown.stderr, /profile_not_found/)

    const doomed = await runCli(['token', 'create', '--login', 'personal@ejemplo.mx', '--label', 'temporal'], tg.env)
    const id = /token id (\S+)/.exec(doomed.stderr)?.[1]
    t.truthy(id, doomed.stderr)
    const revoke = await runCli(['token', 'revoke', '--id', id!], tg.env)
    t.is(revoke.code, 0, revoke.stderr)
    t.regex(revoke.stdout, /revoked/)

    const app = await appOn(tg)
    try {
      const me = await app.send({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${byMobile.stdout.trim()}` } })
      t.is(me.statusCode, 200)
      t.is(me.json().profile.email, 'personal@ejemplo.mx')
      t.is(me.json().profile.name, 'Ana Personal')
      const customers = await app.send({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${byEmail.stdout.trim()}` } })
      t.deepEqual(customers.json().items.map((c: { nic: string }) => c.nic).sort(), [...seed.distributors[0].customers, seed.distributors[0].pccLogin.nic].sort())
      t.is((await app.send({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${doomed.stdout.trim()}` } })).statusCode, 401)
      t.is((await app.client().login('personal@ejemplo.mx', 'secreto-de-personal')).statusCode, 303)
    } finally { await app.close() }
  } finally { await tg.cleanup() }
})

// The lock belongs to the embedded database: these run on a temporary data dir whatever DATABASE_URL says.

test.serial('a second process on the same embedded data dir is refused with a clear message while one holds it', async (t) => {
  const tmp = tempDir()
  try {
    const env = { CM_DATA_DIR: tmp.dir }
    t.is((await runCli(['migrate'], env)).code, 0)
    const held = await startEmbedded({ dataDir: tmp.dir })
    try {
      const refused = await runCli(['token', 'create', '--login', 'x@ejemplo.mx'], env)
      t.is(refused.code, 1)
      t.regex(refused.stderr, /database_locked/)
      t.true(refused.stderr.includes(`está en uso por el proceso ${process.pid}; detenga primero el servidor`), refused.stderr)
      t.true(refused.stderr.includes(tmp.dir))
      t.is(refused.stdout, '')
      // Also within one process.
      await t.throwsAsync(startEmbedded({ dataDir: tmp.dir }), { instanceOf: DatabaseLockedError })
    } finally { await held.close() }
    t.false(existsSync(path.join(tmp.dir, 'cm.lock')))

    // A lock left by a process that is gone (killed, crashed) is taken over.
    const gonePid = spawnSync(process.execPath, ['-e', '0']).pid
    writeFileSync(path.join(tmp.dir, 'cm.lock'), String(gonePid))
    const after = await runCli(['token', 'create', '--login', 'nadie@ejemplo.mx'], env)
    t.is(after.code, 1)
    t.regex(after.stderr, /profile_not_found/)
    t.false(existsSync(path.join(tmp.dir, 'cm.lock')))
  } finally { tmp.remove() }
})

test.serial('processes starting at once on one data dir: one opens it, the others are refused', async (t) => {
  const tmp = tempDir()
  try {
    const env = { CM_DATA_DIR: tmp.dir }
    const results = await Promise.all([1, 2, 3].map(() => runCli(['migrate'], env)))
    const ok = results.filter((r) => r.code === 0).length
    t.log(`${ok} of 3 opened the data dir; ${3 - ok} were refused`)
    t.true(ok >= 1)
    for (const r of results.filter((r) => r.code !== 0)) {
      t.is(r.code, 1)
      t.regex(r.stderr, /database_locked/)
    }
    // The data dir is intact.
    const check = await runCli(['token', 'create', '--login', 'nadie@ejemplo.mx'], env)
    t.regex(check.stderr, /profile_not_found/)
    t.is(readFileSync(path.join(tmp.dir, 'pgdata', 'PG_VERSION'), 'utf8').trim().length > 0, true)
  } finally { tmp.remove() }
})

test.serial('usage: help needs no database; unknown commands and bad options exit 2', async (t) => {
  const tmp = tempDir()
  try {
    const dataDir = path.join(tmp.dir, 'data')
    const env = { CM_DATA_DIR: dataDir }
    const help = await runCli(['help'], env)
    t.is(help.code, 0)
    for (const c of ['migrate', 'create-staff', 'token', 'seed-demo', 'mint']) t.regex(help.stdout, new RegExp(`\\b${c}\\b`))
    t.false(existsSync(dataDir))
    t.is((await runCli([], env)).code, 2)
    const unknown = await runCli(['frobnicate'], env)
    t.is(unknown.code, 2)
    t.regex(unknown.stderr, /unknown command 'frobnicate'/)
    const bad = await runCli(['seed-demo', '--customers', 'muchos'], env)
    t.is(bad.code, 2)
    t.regex(bad.stderr, /--customers/)
  } finally { tmp.remove() }
})
