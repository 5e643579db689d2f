// Customer search and sort at scale: seeds N customers (with contacts) for one distributor into a
// fresh database, then measures p95 latency through the HTTP API for a search on each field and for
// each of the 12 sort orders, beside GET /api/v1/me in the same run. Goal: every p95 ≤ 10× /me.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:search
//   env: SEARCH_BENCH_CUSTOMERS (default 100000), SEARCH_BENCH_REQUESTS (default 100 per row),
//        SEARCH_BENCH_KEEP=1 keeps the database (its name is printed) for EXPLAIN afterwards
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { installedPlugins } from '../config/app.js'
import { FULL_TIER, tiers } from '../config/tiers.js'
import { startApp } from '../core/app.js'
import { ensureRootDistributor } from '../core/identity/bootstrap.js'
import { IdentityService } from '../core/identity/service.js'
import { createLogger } from '../core/kernel/logger.js'
import { defaultTheme } from '../themes/default/theme.js'
import { demoCustomers } from '../plugins/clients/demo.js'

const url = process.env.DATABASE_URL
if (!url) { console.error('bench/search.ts needs DATABASE_URL (a PostgreSQL server)'); process.exit(2) }
const N = Number(process.env.SEARCH_BENCH_CUSTOMERS ?? 100_000)
const REQUESTS = Number(process.env.SEARCH_BENCH_REQUESTS ?? 100)
const KEEP = process.env.SEARCH_BENCH_KEEP === '1'

const withDb = (name: string) => { const u = new URL(url); u.pathname = `/${name}`; return u.toString() }
const dbName = `cm_bench_search_${randomBytes(4).toString('hex')}`
const admin = new pg.Client({ connectionString: url })
await admin.connect()
await admin.query(`create database "${dbName}"`)
const work = mkdtempSync(path.join(tmpdir(), 'search-bench-'))

const p95 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] }

try {
  const app = await startApp({ plugins: installedPlugins, tiers, databaseUrl: withDb(dbName), dataDir: work, poolSize: 8, log: createLogger('bench', true) },
    { theme: defaultTheme, admin: false })
  const em = () => app.kernel.orm.em.fork()
  const identity = new IdentityService()
  const root = await ensureRootDistributor(em())
  const d = await app.kernel.directory.create(em(), { name: 'Bench', tier: FULL_TIER, parentId: root.id })
  const other = await app.kernel.directory.create(em(), { name: 'Otro', tier: FULL_TIER, parentId: root.id })
  const p = await identity.createProfile(em(), { email: `bench-${randomBytes(3).toString('hex')}@example.mx`, mobile: '+52 55 1000 0001', name: 'Bench', password: 'bench-password-1' })
  await identity.addMember(em(), d.id, p.id)
  const { token } = await identity.createApiToken(em(), p.email, d.id)
  const customers = app.kernel.contexts.get('clients')!.use('clients').customers

  // Customers with contacts: names, e-mails and phones that vary with n.
  const rows = (count: number, offset: number) => demoCustomers(count, offset).map((c, i) => {
    const n = offset + i
    return {
      ...c, email: `ventas${n}@empresa${n % 997}.mx`,
      legalRepresentative: { name: `Representante ${n} Pérez`, email: `rep${n}@correo.mx`, phones: [`33${String(20_000_000 + n).padStart(8, '0')}`] },
      financialContact: { name: `Contadora ${n} Núñez`, email: `conta${n}@correo.mx`, phones: [`81${String(30_000_000 + n).padStart(8, '0')}`] },
      technicalContact: { name: `Técnico ${n} Ávila`, email: `ti${n}@correo.mx`, phones: [`99${String(40_000_000 + n).padStart(8, '0')}`] },
      color: (['red', 'orange', 'yellow', 'green', 'blue', 'purple', null, null] as const)[n % 8],
      category: n % 17 === 0 ? 'favorite' as const : n % 23 === 0 ? 'dropped' as const : null,
    }
  })
  const t0 = Date.now()
  const nics = await customers.createMany(em(), d.id, rows(N, 0))
  await customers.createMany(em(), other.id, rows(Math.min(N, 10_000), 0))
  const seedMs = Date.now() - t0
  await admin.end()
  const c = new pg.Client({ connectionString: withDb(dbName) })
  await c.connect()
  await c.query('analyze')
  const ctiOf = (await c.query('select id from stamping_cti limit 1').catch(() => ({ rows: [] as { id: string }[] }))).rows[0]?.id as string | undefined
  await c.end()

  const server = app.http.app.listen(0)
  await new Promise((r) => server.once('listening', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const headers = { authorization: `Bearer ${token}` }
  const time = async (pathAndQuery: string) => {
    const samples: number[] = []
    let total: unknown
    for (let i = 0; i < REQUESTS + 5; i++) {
      const s = performance.now()
      const res = await fetch(base + pathAndQuery, { headers })
      const body = await res.json() as { total?: number }
      if (!res.ok) throw new Error(`${pathAndQuery}: ${res.status} ${JSON.stringify(body)}`)
      if (i >= 5) samples.push(performance.now() - s) // 5 warm-up requests
      total = body.total
    }
    return { p95: p95(samples), total }
  }
  const me = await time('/api/v1/me')
  const n = Math.floor(N / 2)
  const searches: [string, string][] = [
    ['NIC', nics[n]], ['legal name', rows(1, n)[0].legalName.split(' ').slice(1, 4).join(' ')], ['trade name', `Taller ${n - (n % 10) + 7}`], ['RFC', rows(1, n)[0].rfc],
    ['company phone', rows(1, n)[0].phone!], ['contact name', `Contadora ${n} Núñez`], ['contact e-mail', `rep${n}@correo`], ['contact phone', `81${String(30_000_000 + n)}`],
    ['company phone without its area code', rows(1, n)[0].phone!.slice(2)], ['4 digits inside many phones', '1000'],
    ['word in many names', 'Ferretería'], ...(ctiOf ? [['CTI id', ctiOf] as [string, string]] : []),
  ]
  const out: { what: string, p95: number, total: unknown }[] = [{ what: 'GET /api/v1/me', ...me }]
  for (const [what, q] of searches) out.push({ what: `search: ${what}`, ...await time(`/api/v1/customers?q=${encodeURIComponent(q)}`) })
  for (const key of ['legalName', 'nic', 'stampBalance', 'points', 'lastStampPurchaseAt', 'createdAt', 'lastStampedAt']) for (const dir of ['', '-']) out.push({ what: `sort: ${dir}${key}`, ...await time(`/api/v1/customers?sort=${dir}${key}`) })
  out.push({ what: 'filter: color=red, sort=legalName', ...await time('/api/v1/customers?color=red&sort=legalName') })
  out.push({ what: 'page 200, sort=-stampBalance', ...await time('/api/v1/customers?sort=-stampBalance&page=200') })
  server.close()

  console.log(`\n${N} customers seeded in ${(seedMs / 1000).toFixed(1)} s (plus 10000 for another distributor); ${REQUESTS} requests per row\n`)
  console.log('| request | p95 ms | × /me | total |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const r of out) console.log(`| ${r.what} | ${r.p95.toFixed(1)} | ${(r.p95 / me.p95).toFixed(1)} | ${r.total ?? ''} |`)
  const worst = Math.max(...out.slice(1).map((r) => r.p95 / me.p95))
  console.log(`\nworst ratio ${worst.toFixed(1)}× (goal ≤ 10×)`)
  await app.close()
} finally {
  const a = new pg.Client({ connectionString: url })
  await a.connect()
  if (KEEP) console.log(`kept database ${dbName}`)
  else await a.query(`drop database if exists "${dbName}" with (force)`)
  await a.end()
  rmSync(work, { recursive: true, force: true })
}
