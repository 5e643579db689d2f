// The distributor network at scale: seeds a tree five levels deep (default 10,000 distributors under
// one top distributor, in every state) and 100,000 customers into a fresh database, then measures p95
// latency through the HTTP API of the Distribuidores list per tab (state), the subtree check of a
// bottom distributor (GET /api/v1/distributors/:id, five levels down) and GET /api/v1/me in the same
// run, plus the tabs' counts through the service. Goal: every p95 ≤ 10× /me.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:distributors
//   env: DIST_BENCH_DISTRIBUTORS (default 10000), DIST_BENCH_CUSTOMERS (default 100000),
//        DIST_BENCH_REQUESTS (default 100 per row), DIST_BENCH_KEEP=1 keeps the database
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
import { STATE_ORDER } from '../plugins/distributors/transitions.js'

const url = process.env.DATABASE_URL
if (!url) { console.error('bench/distributors.ts needs DATABASE_URL (a PostgreSQL server)'); process.exit(2) }
const N = Number(process.env.DIST_BENCH_DISTRIBUTORS ?? 10_000)
const CUSTOMERS = Number(process.env.DIST_BENCH_CUSTOMERS ?? 100_000)
const REQUESTS = Number(process.env.DIST_BENCH_REQUESTS ?? 100)
const KEEP = process.env.DIST_BENCH_KEEP === '1'
// Share of the distributors on each of the five levels (the last level holds the most).
const LEVELS = [0.001, 0.009, 0.09, 0.3, 0.6]

const withDb = (name: string) => { const u = new URL(url); u.pathname = `/${name}`; return u.toString() }
const dbName = `cm_bench_dist_${randomBytes(4).toString('hex')}`
const admin = new pg.Client({ connectionString: url })
await admin.connect()
await admin.query(`create database "${dbName}"`)
await admin.end()
const work = mkdtempSync(path.join(tmpdir(), 'dist-bench-'))
const p95 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] }

try {
  const app = await startApp({ plugins: installedPlugins, tiers, databaseUrl: withDb(dbName), dataDir: work, poolSize: 8, jobs: false, log: createLogger('bench', true) },
    { theme: defaultTheme, admin: false })
  const em = () => app.kernel.orm.em.fork()
  const identity = new IdentityService()
  const root = await ensureRootDistributor(em())
  const top = await app.kernel.directory.create(em(), { name: 'Bench', tier: FULL_TIER, parentId: root.id })
  const p = await identity.createProfile(em(), { email: `bench-${randomBytes(3).toString('hex')}@example.mx`, mobile: '+52 55 1000 0002', name: 'Bench', password: 'bench-password-1' })
  await identity.addMember(em(), top.id, p.id)
  const { token } = await identity.createApiToken(em(), p.email, top.id)

  // The tree, level by level; parents round-robin over the level above; leaves in every state.
  const t0 = Date.now()
  let above = [top.id]
  const levels: string[][] = []
  for (const [depth, share] of LEVELS.entries()) {
    const count = Math.max(1, Math.round(N * share))
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const state = depth < 3 ? 'active' : STATE_ORDER[i % STATE_ORDER.length]
      const d = await app.kernel.directory.create(em(), { name: `Nivel ${depth + 1} · ${i}`, tier: FULL_TIER, parentId: above[i % above.length], state, cmExpiresAt: '2099-12-31' })
      ids.push(d.id)
    }
    levels.push(ids)
    above = ids
  }
  const total = levels.reduce((s, l) => s + l.length, 0)
  const distributorsMs = Date.now() - t0
  // Customers spread over the third level's distributors (they are not in any distributor list).
  const customers = app.kernel.contexts.get('clients')!.use('clients').customers
  const owners = levels[2]
  const per = Math.ceil(CUSTOMERS / owners.length)
  const t1 = Date.now()
  for (let i = 0, done = 0; done < CUSTOMERS; i++, done += per) await customers.createMany(em(), owners[i % owners.length], demoCustomers(Math.min(per, CUSTOMERS - done), done))
  const customersMs = Date.now() - t1
  const c = new pg.Client({ connectionString: withDb(dbName) })
  await c.connect()
  await c.query('analyze')
  await c.end()

  const server = app.http.app.listen(0)
  await new Promise((r) => server.once('listening', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const headers = { authorization: `Bearer ${token}` }
  const time = async (pathAndQuery: string) => {
    const samples: number[] = []
    let answer: unknown
    for (let i = 0; i < REQUESTS + 5; i++) {
      const s = performance.now()
      const res = await fetch(base + pathAndQuery, { headers })
      const body = await res.json() as { total?: number, state?: string }
      if (!res.ok) throw new Error(`${pathAndQuery}: ${res.status} ${JSON.stringify(body)}`)
      if (i >= 5) samples.push(performance.now() - s)
      answer = body.total ?? body.state
    }
    return { p95: p95(samples), total: answer }
  }
  const timeService = async (fn: () => Promise<unknown>) => {
    const samples: number[] = []
    for (let i = 0; i < REQUESTS + 5; i++) {
      const s = performance.now()
      await fn()
      if (i >= 5) samples.push(performance.now() - s)
    }
    return { p95: p95(samples), total: '' }
  }
  const me = await time('/api/v1/me')
  const out: { what: string, p95: number, total: unknown }[] = [{ what: 'GET /api/v1/me', ...me }]
  out.push({ what: 'list: all (Todos)', ...await time('/api/v1/distributors') })
  for (const state of STATE_ORDER) out.push({ what: `list: tab ${state}`, ...await time(`/api/v1/distributors?state=${state}`) })
  out.push({ what: 'list: tab active, page 50', ...await time('/api/v1/distributors?state=active&page=50') })
  out.push({ what: 'list: search q (legal name)', ...await time(`/api/v1/distributors?q=${encodeURIComponent('Nivel 4 · 12')}`) })
  const bottom = levels[4][Math.floor(levels[4].length / 2)]
  out.push({ what: 'subtree check: GET a bottom distributor (5 levels down)', ...await time(`/api/v1/distributors/${bottom}`) })
  const service = app.kernel.contexts.get('distributors')!.use('distributors').distributors
  out.push({ what: 'tab counts (service, in process)', ...await timeService(() => service.counts(em(), top.id)) })
  server.close()

  console.log(`\n${total} distributors in 5 levels (${levels.map((l) => l.length).join(' / ')}) seeded in ${(distributorsMs / 1000).toFixed(1)} s; ${CUSTOMERS} customers in ${(customersMs / 1000).toFixed(1)} s; ${REQUESTS} requests per row\n`)
  console.log('| request | p95 ms | × /me | total / state |')
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
