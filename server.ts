// The process: boots the kernel with this installation's configuration (config/app.ts), makes sure
// someone can sign in, listens, and closes cleanly on a signal. The kernel (core/) only assembles the
// application and never listens (core/app.ts `startApp`), as tests and the CLI use it. On a
// PostgreSQL server it runs once per core under supervisor.ts (CM_WORKERS overrides).
import cluster from 'node:cluster'
import { createLogger } from './core/kernel/logger.js'
import { supervise, workerCount } from './supervisor.js'

const startedAt = performance.now()
const workers = workerCount(process.env, process.env.DATABASE_URL || undefined)
if (cluster.isPrimary && workers > 1) await supervise(workers, createLogger('cm:supervisor'))
else await serve()

async function serve() {
  // Imported here: the supervisor never loads the application (it only forks and watches).
  const [{ appSettings }, { startApp }, { ensureFirstStaff }] = await Promise.all([import('./config/app.js'), import('./core/app.js'), import('./core/identity/bootstrap.js')])
  const settings = appSettings()
  const app = await startApp(settings.kernel, settings.http)
  const log = app.kernel.log

  const first = await ensureFirstStaff(app.kernel.orm.em.fork(), process.env)
  if (first) {
    const banner = first.generated
      ? `Primer acceso de personal: ${first.email} / contraseña ${first.password}  (se muestra una sola vez; cámbiela en /forgot)`
      : `Primer acceso de personal: ${first.email} (contraseña de CM_ADMIN_PASSWORD)`
    console.log(`\n  ${banner}\n`)
  }

  const server = app.http.app.listen(settings.port, () => {
    if (!cluster.isWorker) process.send?.('ready') // to a parent that forked this with IPC (bench/, tests)
    log.info(`Cuenta Maestra${cluster.isWorker ? ` worker ${process.pid}` : ''} listening on http://localhost:${settings.port} (database: ${app.kernel.database}) in ${Math.round(performance.now() - startedAt)} ms`)
  })

  let closing = false
  async function shutdown(signal: string) {
    if (closing) return
    closing = true
    log.info(`${signal}: closing`)
    const timer = setTimeout(() => { log.error('shutdown timed out'); process.exit(1) }, 15_000)
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      // close() only ends connections idle at this instant; a keep-alive socket whose request was still
      // finishing would hold shutdown until the client drops it. Close those as they go idle, and cut
      // any left after a grace period.
      const idle = setInterval(() => server.closeIdleConnections(), 100)
      const cut = setTimeout(() => server.closeAllConnections(), 5_000)
      server.once('close', () => { clearInterval(idle); clearTimeout(cut) })
      server.closeIdleConnections()
    })
    try {
      await app.close()
      clearTimeout(timer)
      log.info('closed cleanly')
      process.exit(0)
    } catch (e) {
      log.error('close failed', { error: String(e) })
      process.exit(1)
    }
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}
