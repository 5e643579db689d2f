// The stamping API for minutes under faults: open-loop load at 70 % of B's throughput (200 CTIs,
// measured first in the same run), 1 % of PAC calls failing, one portal worker killed (SIGKILL) every
// 2 minutes. A client retries a document whose answer it did not get (connection cut, 503, 409
// in progress) as integrators are told to, the same document each time. At the end: every document
// answered 200 is one stamp and one posted entry, nothing doubled, no reservation pending after the
// sweep (the killed workers' are voided by it, as at the next boot), ledger verify clean; each
// process's RSS printed per minute.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run soak:stamp
//   env: SOAK_MINUTES (default 10), SOAK_KILL_EVERY_S (default 120), CM_WORKERS (default: one per core)
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { bootKernel } from '../core/kernel/boot.js'
import { b64, sampleCfdi } from '../test/helpers/cfdi.js'
import { checkStamps, PASSWORD, prepare, processTree, rssLine, start, stop } from './stamp-kit.js'

const url = process.env.DATABASE_URL
if (!url) { console.error('bench/soak-stamp.ts needs DATABASE_URL (a PostgreSQL server)'); process.exit(2) }
const minutes = Number(process.env.SOAK_MINUTES ?? 10)
const killEveryMs = Number(process.env.SOAK_KILL_EVERY_S ?? 120) * 1000
const PORT = 3911
const GIVE_UP_MS = 180_000 // past the stale-claim time (120 s), after which a dead request's claim is taken over
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })
/** One POST /stamp: the status, or 0 when the connection failed (a killed worker). */
const post = (cti: string, xml: string) => new Promise<number>((resolve) => {
  const body = JSON.stringify({ cti, password: PASSWORD, xml })
  const req = http.request({ host: '127.0.0.1', port: PORT, path: '/api/v1/stamp', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); res.on('error', () => resolve(0))
  })
  req.on('error', () => resolve(0))
  req.setTimeout(30_000, () => req.destroy())
  req.end(body)
})
const newDocument = () => b64(sampleCfdi({ folio: randomBytes(8).toString('hex') }))

const data = await prepare(url, 'soak')
const { spread } = data
try {
  const portal = await start('server.ts', PORT, { ...data.env, SANDBOX_PAC_FAILURE_RATE: '0.01' })
  console.log(`portal: ${processTree(portal.pid!).length - 1 || 1} process(es); RSS at idle: ${rssLine(portal.pid!)}`)

  // ── B: 16 closed-loop clients over the 200 CTIs (after each CTI's credentials are verified once) ──
  const stampedByCti = new Map<string, number>()
  const stamped = (cti: string) => stampedByCti.set(cti, (stampedByCti.get(cti) ?? 0) + 1)
  const closedLoop = async (secs: number, requests = Infinity) => {
    let n = 0, ok = 0
    const started = performance.now(), end = started + secs * 1000
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (performance.now() < end && n < requests) { const cti = spread[n++ % spread.length]; if (await post(cti, newDocument()) === 200) { ok++; stamped(cti) } }
    }))
    return ok / ((performance.now() - started) / 1000)
  }
  // Every CTI's credentials verified in every worker first (as bench:stamp does), then B.
  await closedLoop(Infinity, spread.length * (processTree(portal.pid!).length - 1 || 1) * 3)
  await closedLoop(6)
  const b = await closedLoop(8)
  const rate = 0.7 * b
  console.log(`B: ${b.toFixed(0)} stamps/s; soak at ${rate.toFixed(0)}/s for ${minutes} min, PAC failing 1 %, a worker killed every ${killEveryMs / 1000} s`)

  // ── The soak ──────────────────────────────────────────────────────────────────────────────
  const count = { sent: 0, ok: 0, retries: 0, gaveUp: 0, refused: {} as Record<number, number>, kills: 0 }
  const inFlight = new Set<Promise<void>>()
  /** A document until it is answered: retried on a cut connection, 503 (PAC) or 409 (in progress). */
  const document = async (cti: string) => {
    const xml = newDocument()
    const first = Date.now()
    for (;;) {
      const status = await post(cti, xml)
      if (status === 200) { count.ok++; stamped(cti); return }
      if (status !== 0 && status !== 503 && status !== 409) { count.refused[status] = (count.refused[status] ?? 0) + 1; return }
      if (Date.now() - first > GIVE_UP_MS) { count.gaveUp++; return }
      count.retries++
      await sleep(status === 409 ? 1_000 : 200)
    }
  }
  const started = Date.now()
  const endAt = started + minutes * 60_000
  let nextKill = started + killEveryMs
  let nextReport = started + 60_000
  let owed = 0
  let last = performance.now()
  let minute = 0, okAtMinute = 0
  while (Date.now() < endAt) {
    await sleep(10)
    const now = performance.now()
    owed += ((now - last) / 1000) * rate
    last = now
    for (; owed >= 1; owed--) {
      const p = document(spread[count.sent++ % spread.length]).finally(() => inFlight.delete(p))
      inFlight.add(p)
    }
    if (Date.now() >= nextKill) {
      nextKill += killEveryMs
      const workers = processTree(portal.pid!).slice(1)
      const victim = workers[Math.floor(Math.random() * workers.length)]
      if (victim) { process.kill(victim, 'SIGKILL'); count.kills++; console.log(`  killed worker ${victim}`) }
    }
    if (Date.now() >= nextReport) {
      nextReport += 60_000
      minute++
      console.log(`  minute ${String(minute).padStart(2)}: ${((count.ok - okAtMinute) / 60).toFixed(0)} stamps/s, in flight ${inFlight.size}, retries ${count.retries}; RSS ${rssLine(portal.pid!)}`)
      okAtMinute = count.ok
    }
  }
  await Promise.all(inFlight)
  console.log(`sent ${count.sent} documents: ${count.ok} answered 200, ${count.retries} retries, ${count.gaveUp} given up, refused ${JSON.stringify(count.refused)}; ${count.kills} workers killed`)
  console.log(`RSS at the end: ${rssLine(portal.pid!)}`)
  await stop(portal)

  // ── The sweep, as the next boot runs it: reservations of requests that died with their worker ──
  const sweep = await bootKernel({ ...data.kernelSettings, jobs: false })
  const voided = await sweep.contexts.get('ledger')!.use('ledger').voidExpiredPending(sweep.orm.em.fork(), 0)
  await sweep.close()
  console.log(`sweep: ${voided} reservation(s) of killed requests voided`)
  const checked = await checkStamps(data, stampedByCti)
  for (const l of checked.lines) console.log(l)
  if (!checked.ok || count.gaveUp) process.exitCode = 1
} finally {
  agent.destroy()
  await data.cleanup()
}
