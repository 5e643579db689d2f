// The stamping API under load, each figure a ratio to a reference measured in the same run, both
// run as `npm start` runs them on a PostgreSQL server: one process per core (CM_WORKERS overrides).
//   B. 200 CTIs, 16 clients               vs a reference handler (bench/reference-stamp-server.ts: JSON,
//                                            base64, TFD signature; no database)
//   p99 of B                              vs the reference handler's p99 at the same load
//   A. one hot CTI, 16 clients            vs B (a hot account is no bottleneck)
//   C. one CTI, 64 clients, PAC at 50 ms  vs min(C0, 64 ÷ (C0's mean latency + 50 ms)), C0 the same
//                                            load with the PAC at 0 ms: 1 when the PAC call holds no lock
// Then: every 200 is one stamp in the journal and one TFD, nothing lost or doubled; ledger verify clean.
// Each run prints its CPU per answer (Linux /proc) for every server process, and every server
// process's RSS at idle and at the end of each run; with several workers, B again with one process
// (context: what one process per core changes on this machine).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:stamp
//   env: STAMP_BENCH_SECONDS (default 8 per run); STAMP_BENCH_PROFILE=DIR writes the portals' CPU
//   profiles there; CM_WORKERS (default: one per core)
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { b64, sampleCfdi } from '../test/helpers/cfdi.js'
import { checkStamps, PASSWORD, prepare, processTree, rssLine, start as startChild, stop, ticksOf, TICK_MS } from './stamp-kit.js'

const url = process.env.DATABASE_URL
if (!url) { console.error('bench/stamp.ts needs DATABASE_URL (a PostgreSQL server)'); process.exit(2) }
const seconds = Number(process.env.STAMP_BENCH_SECONDS ?? 8)
const profile = process.env.STAMP_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STAMP_BENCH_PROFILE}`] : []
const start = (script: string, port: number, env: Record<string, string>) => startChild(script, port, env, script === 'server.ts' ? profile : [])

interface Run { tps: number, mean: number, p50: number, p99: number, statuses: Record<number, number>, okByCti: Map<string, number>, cpu?: string }

// Where the machine's CPU goes during a run: each server process under test, every PostgreSQL
// process, this bench client, and the whole machine's idle.
const postgresTicks = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).reduce((sum, pid) => {
  try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' ? sum + ticksOf(pid) : sum } catch { return sum }
}, 0)
const idleTicks = () => { const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return cpu[3] + cpu[4] }
function cpuMeter(serverPid: number | undefined) {
  if (!serverPid || !process.platform.startsWith('linux')) return () => undefined
  const pids = processTree(serverPid)
  const at = { server: pids.map(ticksOf), pg: postgresTicks(), client: process.cpuUsage(), idle: idleTicks(), t: performance.now() }
  return (answered: number) => {
    const per = (ticks: number) => ((ticks * TICK_MS) / Math.max(1, answered)).toFixed(2)
    const server = pids.map((p, i) => ticksOf(p) - at.server[i])
    const c = process.cpuUsage(at.client)
    const cores = (performance.now() - at.t) / TICK_MS
    return `CPU ms per answer: server ${per(server.reduce((x, y) => x + y, 0))} (${server.map((t, i) => `${i ? 'worker' : 'primary'} ${per(t)}`).join(', ')}), postgres ${per(postgresTicks() - at.pg)}, client ${((c.user + c.system) / 1000 / Math.max(1, answered)).toFixed(2)}; machine idle ${(100 * (idleTicks() - at.idle) / (availableParallelism() * cores)).toFixed(0)}%
      RSS at the end: ${rssLine(serverPid)}`
  }
}

/** `clients` concurrent loops of POST /api/v1/stamp for `secs` (or `maxRequests`); each request a new document. */
async function drive(port: number, clients: number, secs: number, ctiFor: (i: number) => string, maxRequests = Infinity, serverPid?: number): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  const okByCti = new Map<string, number>()
  let n = 0
  const post = (body: string) => new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/stamp', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume(); res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
  const meter = cpuMeter(serverPid)
  const started = performance.now()
  const end = started + secs * 1000
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end && n < maxRequests) {
      const cti = ctiFor(n++)
      const body = JSON.stringify({ cti, password: PASSWORD, xml: b64(sampleCfdi({ folio: randomBytes(8).toString('hex') })) })
      const t = performance.now()
      const status = await post(body)
      latencies.push(performance.now() - t)
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status === 200) okByCti.set(cti, (okByCti.get(cti) ?? 0) + 1)
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  const cpu = meter(latencies.length)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
  return { tps: (statuses[200] ?? 0) / elapsed, mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), p50: q(0.5), p99: q(0.99), statuses, okByCti, cpu }
}

const data = await prepare(url, 'stamp')
const { hot, spread, env } = data
try {
  const all: Run[] = []
  const keep = (r: Run) => { all.push(r); return r }

  // ── Reference handler ───────────────────────────────────────────────────────────────────
  const ref = await start('bench/reference-stamp-server.ts', 3901, {})
  const idle: string[] = [`reference handler: ${rssLine(ref.pid!)}`]
  await drive(3901, 16, 2, () => hot) // warm-up
  const reference = await drive(3901, 16, seconds, () => hot, Infinity, ref.pid)
  await stop(ref)

  // ── The portal, PAC at 0 ms ───────────────────────────────────────────────────────────────
  let portal = await start('server.ts', 3902, { ...env, SANDBOX_PAC_LATENCY_MS: '0' })
  await new Promise((r) => setTimeout(r, 2_000)) // settled
  idle.push(`portal: ${rssLine(portal.pid!)}`)
  const workers = processTree(portal.pid!).length - 1
  // Warm-up: JIT, pool, and every CTI's credentials verified once in every worker (the steady
  // state: a CTI pays argon2 once per credentialCacheMs and process, not per stamp). A worker gets
  // the connections in turn, not the CTIs: each CTI goes round several times.
  keep(await drive(3902, 16, Infinity, (i) => spread[i % spread.length], spread.length * Math.max(1, workers) * 3))
  keep(await drive(3902, 16, 6, (i) => spread[i % spread.length]))
  const hotRun = keep(await drive(3902, 16, seconds, () => hot, Infinity, portal.pid))
  const spreadRun = keep(await drive(3902, 16, seconds, (i) => spread[i % spread.length], Infinity, portal.pid))
  const hot64 = keep(await drive(3902, 64, seconds, () => hot, Infinity, portal.pid))
  await stop(portal)

  // ── The portal, PAC at 50 ms ──────────────────────────────────────────────────────────────
  portal = await start('server.ts', 3903, { ...env, SANDBOX_PAC_LATENCY_MS: '50' })
  keep(await drive(3903, 64, 2, () => hot)) // warm-up (one CTI: one verification per worker)
  const hot64slow = keep(await drive(3903, 64, seconds, () => hot, Infinity, portal.pid))
  await stop(portal)

  // ── Context: B with one portal process (what one process per core changes on this machine) ──
  let single: Run | undefined
  if (workers > 1) {
    portal = await start('server.ts', 3904, { ...env, SANDBOX_PAC_LATENCY_MS: '0', CM_WORKERS: '1' })
    keep(await drive(3904, 16, Infinity, (i) => spread[i % spread.length], spread.length * 2))
    keep(await drive(3904, 16, 4, (i) => spread[i % spread.length]))
    single = keep(await drive(3904, 16, seconds, (i) => spread[i % spread.length], Infinity, portal.pid))
    await stop(portal)
  }

  // ── Nothing lost or doubled ───────────────────────────────────────────────────────────────
  const okByCti = new Map<string, number>()
  for (const r of all) for (const [cti, n] of r.okByCti) okByCti.set(cti, (okByCti.get(cti) ?? 0) + n)
  const checked = await checkStamps(data, okByCti)

  const f = (n: number, w = 7) => n.toFixed(0).padStart(w)
  const ms = (n: number) => `${n.toFixed(1).padStart(6)} ms`
  const line = (label: string, r: Run) => `  ${label.padEnd(44)} ${f(r.tps)} stamps/s  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  ${JSON.stringify(r.statuses)}${r.cpu ? `\n      ${r.cpu}` : ''}`
  const ratio = (label: string, value: number, goal: string, met: boolean) => `  ${label.padEnd(64)} ${value.toFixed(2).padStart(5)}  (goal ${goal})  ${met ? 'met' : 'NOT met'}`
  console.log(`stamping API, ${seconds} s per run, ${workers > 0 ? `${workers} worker processes` : 'one process'} each (${availableParallelism()} cores)`)
  console.log(line('reference handler, no database (16 clients)', reference))
  console.log(line('A. one hot CTI (16 clients)', hotRun))
  console.log(line('B. 200 CTIs (16 clients)', spreadRun))
  console.log(line('C0. one CTI, 64 clients, PAC 0 ms', hot64))
  console.log(line('C. one CTI, 64 clients, PAC 50 ms', hot64slow))
  if (single) console.log(line('B with one portal process (context)', single))
  console.log(`RSS at idle: ${idle.join('; ')}`)
  // 64 closed-loop clients: if the PAC's 50 ms only adds to each request's time, C = 64 / (C0's mean + 50 ms).
  const ceiling = Math.min(hot64.tps, 64 / ((hot64.mean + 50) / 1000))
  const b = spreadRun.tps / reference.tps, p99 = spreadRun.p99 / reference.p99, a = hotRun.tps / spreadRun.tps, c = hot64slow.tps / ceiling
  console.log('ratios')
  console.log(ratio('B. 200 CTIs, 16 clients ÷ the reference handler', b, '≥ 0.5', b >= 0.5))
  console.log(ratio('p99 of B ÷ the reference\'s p99', p99, '≤ 1.5', p99 <= 1.5))
  console.log(ratio('A. one hot CTI ÷ B', a, '≥ 0.8', a >= 0.8))
  console.log(ratio(`C. PAC 50 ms ÷ min(C0, 64 ÷ (C0's mean ${hot64.mean.toFixed(0)} ms + 50 ms)) = C ÷ ${ceiling.toFixed(0)}/s`, c, '≥ 0.9', c >= 0.9))
  for (const l of checked.lines) console.log(`  ${l}`)
  if (!checked.ok) process.exitCode = 1
} finally {
  await data.cleanup()
}
