// What bench/stamp.ts and bench/soak-stamp.ts share: a database with one distributor and 201 CTIs
// (one hot, 200 others) made through the plugins' services, the portal as a child process (all of
// its worker processes), /proc readings of its processes, and the exactly-once check at the end.
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { startNodeArgs } from '../scripts/start-command.mjs'
import { appSettings } from '../config/app.js'
import { FULL_TIER } from '../config/tiers.js'
import { sql } from '../core/db/sql.js'
import { ensureRootDistributor } from '../core/identity/bootstrap.js'
import { bootKernel } from '../core/kernel/boot.js'
import { createLogger } from '../core/kernel/logger.js'
import { hashCtiPassword } from '../plugins/stamping/services/ctis.js'

export const PASSWORD = 'clave-de-benchmark-1'
const SPREAD = 200
const root = path.resolve(import.meta.dirname, '..')

export interface StampBenchData {
  /** The database's URL; `env` starts a portal on it. */
  url: string, work: string, distributorId: string, hot: string, spread: string[],
  env: Record<string, string>,
  kernelSettings: ReturnType<typeof appSettings>['kernel'],
  /** Kills what is still running, drops the database. */
  cleanup(): Promise<void>
}

export async function prepare(serverUrl: string, label: string): Promise<StampBenchData> {
  const dbName = `cm_bench_${label}_${randomBytes(4).toString('hex')}`
  const u = new URL(serverUrl); u.pathname = `/${dbName}`
  const url = u.toString()
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database "${dbName}"`)
  const work = mkdtempSync(path.join(tmpdir(), `${label}-`))
  const settings = appSettings(process.env, { databaseUrl: url, dataDir: work, log: createLogger('bench', true) })
  const kernel = await bootKernel(settings.kernel)
  try {
    const em = () => kernel.orm.em.fork()
    const rootD = await ensureRootDistributor(em())
    const d = await kernel.directory.create(em(), { name: 'Bench', tier: FULL_TIER, parentId: rootD.id })
    await kernel.contexts.get('ledger')!.use('ledger').mint(em(), { distributorId: d.id, stamps: 50_000_000 })
    const customers = kernel.contexts.get('clients')!.use('clients').customers
    await customers.createMany(em(), d.id, Array.from({ length: SPREAD + 1 }, (_, i) => ({ legalName: `Cliente ${i}`, tradeName: null, rfc: 'EKU9003173C9', phone: null })) as never)
    const ctis = (await sql<{ id: string }[]>(em(), 'select id from stamping_cti where distributor_id = ? order by id', [d.id])).map((r) => r.id)
    await sql(em(), 'update stamping_cti set password_hash = ? where distributor_id = ?', [await hashCtiPassword(PASSWORD), d.id])
    const sales = kernel.contexts.get('stamping')!.use('stamping').sales
    await sales.transferMass(em(), d.id, { idempotencyKey: 'bench', items: ctis.map((cti, i) => ({ cti, quantity: i === 0 ? 5_000_000 : 200_000, amount: '0.00' })) })
    return {
      url, work, distributorId: d.id, hot: ctis[0], spread: ctis.slice(1), kernelSettings: settings.kernel,
      env: { DATABASE_URL: url, CM_DATA_DIR: work, CM_LOG: 'silent', CM_DB_POOL: '20', SANDBOX_PAC_FAILURE_RATE: '0' },
      async cleanup() {
        for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
        await admin.query(`drop database if exists "${dbName}" with (force)`)
        await admin.end()
        rmSync(work, { recursive: true, force: true })
      },
    }
  } finally { await kernel.close() }
}

const children: ChildProcess[] = []

/** A child Node process listening on `port` with all its workers, ready when it says so (IPC 'ready'). */
export async function start(script: string, port: number, env: Record<string, string>, execArgv: string[] = []): Promise<ChildProcess> {
  const child = fork(path.join(root, script), [], { execArgv: [...(script === 'server.ts' ? startNodeArgs() : ['--import', 'tsx']), ...execArgv], env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  children.push(child)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 120_000)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code}`)) })
    child.on('message', (m) => { if (m === 'ready') { clearTimeout(timer); resolve() } })
  })
  return child
}
export const stop = (child: ChildProcess) => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM') })

// Linux /proc: CPU in clock ticks of 1/100 s, RSS in MB.
export const TICK_MS = 10
export const ticksOf = (pid: number | string) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch { return 0 }
}
/** The server's processes: the one started and its workers (node:cluster forks). */
export const processTree = (pid: number): number[] => {
  try { return [pid, ...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)] } catch { return [pid] }
}
export const rssMb = (pid: number) => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024 } catch { return 0 } }
/** RSS of the server's live processes (a worker killed a moment ago, not yet reaped, has none). */
export const rssLine = (pid: number) => processTree(pid).map((p, i) => [i ? 'worker' : 'primary', rssMb(p)] as const).filter(([, mb]) => mb > 0).map(([who, mb]) => `${who} ${mb.toFixed(0)}`).join(', ') + ' MB'

/**
 * Exactly once, from the database's side: per CTI, as many stamped documents and posted journal
 * entries as the clients were answered 200 for, no reservation left pending, the balance what was
 * sold less what was stamped; then the ledger's own verify. Returns the lines to print and whether all held.
 */
export async function checkStamps(data: StampBenchData, stampedByCti: Map<string, number>): Promise<{ ok: boolean, lines: string[] }> {
  const check = await bootKernel({ ...data.kernelSettings, jobs: false })
  try {
    const e = check.orm.em.fork()
    const rows = await sql<{ cti: string, stamps: number, posts: number, pending: number, balance: number, sold: number }[]>(e, `
      select c.id as cti, (select count(*) from stamping_stamp s where s.cti_id = c.id and s.status = 'stamped')::int as stamps,
        (select count(*) from ledger_entry l where l.debit_account = c.account_id and l.phase = 'post')::int as posts,
        (select count(*) from ledger_entry l where l.debit_account = c.account_id and l.phase = 'pending' and not exists (select 1 from ledger_entry r where r.pending_id = l.id))::int as pending,
        (select balance from ledger_account a where a.id = c.account_id)::int as balance,
        (select sum(quantity) from stamping_sale s where s.cti_id = c.id)::int as sold
      from stamping_cti c where c.distributor_id = ?`, [data.distributorId])
    const lines: string[] = []
    let bad = 0
    for (const r of rows) {
      const ok = stampedByCti.get(r.cti) ?? 0
      if (r.stamps !== ok || r.posts !== ok || r.pending !== 0 || r.balance !== r.sold - ok) { bad++; lines.push(`mismatch ${JSON.stringify(r)} answered 200: ${ok}`) }
    }
    const problems = await check.contexts.get('ledger')!.use('ledger').verify(e)
    const total = [...stampedByCti.values()].reduce((a, b) => a + b, 0)
    lines.push(`lost or doubled stamps: ${bad ? `${bad} CTI(s) disagree` : 'none'} (${total} documents answered 200); ledger verify: ${problems.length ? `${problems.length} mismatch(es)` : 'clean'}`)
    return { ok: !bad && !problems.length, lines }
  } finally { await check.close() }
}
