// One portal process per core on a PostgreSQL server (node:cluster; the workers share the port, the
// primary hands them connections in turn). The primary boots no kernel: it starts one worker, waits
// until it listens (it migrates, bundles the admin and makes the first staff profile alone), then
// starts the others; replaces a worker that dies; on SIGTERM or SIGINT drains them all (each closes
// as server.ts does) and exits 0 when every one did.
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { Logger } from './core/kernel/logger.js'

/** CM_WORKERS, else one per core; the embedded database belongs to one process. */
export function workerCount(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): number {
  if (!databaseUrl) return 1
  const n = Number(env.CM_WORKERS ?? availableParallelism())
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`CM_WORKERS must be a whole number from 1 to 256, not '${env.CM_WORKERS}'`)
  return n
}

/** Deaths within this window that mean a crash loop (the cause will not go away by itself): stop. */
const CRASH_WINDOW_MS = 60_000
const CRASH_LIMIT = 5

export async function supervise(count: number, log: Logger): Promise<void> {
  let stopping = false
  let started = false
  const deaths: number[] = []
  const listening = new WeakSet<Worker>()

  /** A worker, resolved once it listens; rejected if it exits first. */
  const start = () => new Promise<Worker>((resolve, reject) => {
    const w = cluster.fork()
    const early = (code: number | null, signal: string | null) => reject(new Error(`worker exited before listening (${signal ?? code})`))
    w.once('exit', early)
    w.once('listening', () => { w.off('exit', early); listening.add(w); resolve(w) })
  })

  cluster.on('exit', (w, code, signal) => {
    // Before all have started, a death is the start failing (handled below), not one to replace.
    if (stopping || !started) return
    const now = Date.now()
    deaths.push(now)
    while (deaths[0] < now - CRASH_WINDOW_MS) deaths.shift()
    if (deaths.length >= CRASH_LIMIT) {
      log.error(`${deaths.length} workers died within ${CRASH_WINDOW_MS / 1000} s; stopping`)
      void stop('crash loop', 1)
      return
    }
    log.error(`worker ${w.process.pid} died (${signal ?? `exit ${code}`}); starting another`)
    start().then((n) => log.info(`worker ${n.process.pid} replaces ${w.process.pid}`), (e) => { if (!stopping) log.error(String(e)) })
  })

  async function stop(reason: string, exitCode = 0) {
    if (stopping) return
    stopping = true
    log.info(`${reason}: draining ${Object.keys(cluster.workers ?? {}).length} workers`)
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w)
    const timer = setTimeout(() => { log.error('workers did not close in time'); for (const w of workers) w.process.kill('SIGKILL') }, 25_000)
    // One still booting holds no connection: its end by the signal is clean too.
    const codes = await Promise.all(workers.map((w) => new Promise<number | null>((resolve) => {
      const settle = (code: number | null) => resolve(listening.has(w) ? code : 0)
      if (w.process.exitCode !== null || w.process.signalCode !== null) return settle(w.process.exitCode)
      w.once('exit', settle)
      w.process.kill('SIGTERM')
    })))
    clearTimeout(timer)
    const clean = codes.every((c) => c === 0)
    log.info(clean ? 'closed cleanly' : `a worker did not close cleanly (${codes.join(', ')})`)
    process.exit(clean ? exitCode : 1)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))

  try {
    await start()
    await Promise.all(Array.from({ length: count - 1 }, start))
  } catch (e) {
    log.error(`could not start: ${(e as Error).message}`)
    return stop('start failed', 1)
  }
  started = true
  log.info(`${count} workers listening`)
  process.send?.('ready') // to a parent that forked this with IPC (bench/, tests)
}
