import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { b64, sampleCfdi } from '../test/helpers/cfdi.js'
import { PASSWORD, prepare, processTree, start, stop, ticksOf } from './stamp-kit.js'
const data = await prepare(process.env.DATABASE_URL!, 'b')
const prof = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : []
try {
  const portal = await start('server.ts', 3921, { ...data.env, CM_WORKERS: process.env.W ?? '1' }, prof)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
  const post = (cti: string) => new Promise<number>((resolve) => {
    const body = JSON.stringify({ cti, password: PASSWORD, xml: b64(sampleCfdi({ folio: randomBytes(8).toString('hex') })) })
    const req = http.request({ host: '127.0.0.1', port: 3921, path: '/api/v1/stamp', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
    req.end(body)
  })
  const run = async (secs: number) => {
    const pids = processTree(portal.pid!); const t0 = pids.map(ticksOf)
    const pg = (await import('pg')).default; const c = new pg.Client({ connectionString: data.url }); await c.connect()
    const tx = async () => Number((await c.query("select xact_commit + xact_rollback as n, tup_inserted + tup_updated + tup_deleted as w from pg_stat_database where datname = current_database()")).rows[0].n)
    const x0 = await tx()
    let n = 0, ok = 0; const end = performance.now() + secs * 1000
    await Promise.all(Array.from({ length: 16 }, async () => { while (performance.now() < end) if (await post(data.spread[n++ % 200]) === 200) ok++ }))
    const ticks = pids.map((p, i) => ticksOf(p) - t0[i]).reduce((a, b) => a + b, 0)
    const x1 = await tx(); await c.end()
    console.log(`${(ok / secs).toFixed(0)}/s, server CPU ms per stamp ${(ticks * 10 / ok).toFixed(3)}, transactions per stamp ${((x1 - x0) / ok).toFixed(3)}`)
  }
  await run(6); await run(8); await run(8)
  agent.destroy(); await stop(portal)
} finally { await data.cleanup() }
