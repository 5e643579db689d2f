import test from 'ava'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { definePlugin } from '../../core/kernel/plugin.js'
import { baseKernelConfig, freshDatabase, type FreshDatabase } from '../helpers/db.js'

// Scheduled jobs: one process at a time (advisory lock), each run recorded, the injected clock.

const T0 = new Date('2026-03-01T12:00:00Z')
let behaviour: (now: Date) => Promise<string | void> = async () => 'nada'
let ticks = 0, ticksAtBoot = -1
const fixture = definePlugin({
  id: 'jobfix',
  version: '1.0.0',
  jobs: () => ({
    // The only job short enough to fire on its timer during this file.
    tick: { everyMs: 40, run: async () => { ticks++ } },
    sweep: { everyMs: 60_000, run: ({ now }) => behaviour(now) },
    writes: {
      everyMs: 60_000,
      async run({ em }) {
        await em.execute(`insert into core_setting (key, value) values ('jobfix.written', 'x')`)
        throw new Error('falla a propósito')
      },
    },
  }),
})

let db: FreshDatabase
let kernel: Kernel
const boot = (extra: Record<string, unknown> = {}) =>
  bootKernel(baseKernelConfig({ ...db.config, plugins: [...baseKernelConfig().plugins, { plugin: fixture }], clock: () => T0, ...extra }))
const jobRow = async (name: string) => (await kernel.orm.em.fork().execute('select * from core_job where name = ?', [name]))[0]

// Jobs run on timers (the default) in this kernel: see the last test.
test.before(async () => { db = await freshDatabase(); kernel = await boot(); ticksAtBoot = ticks })
test.after.always(async () => { await kernel?.close(); await db?.drop() })

test.serial('a run gets the injected clock and its result is recorded', async (t) => {
  behaviour = async (now) => `${now.toISOString()} 3 vencidos`
  const outcome = await kernel.jobs.run('jobfix.sweep')
  t.deepEqual(outcome, { ran: true, result: '2026-03-01T12:00:00.000Z 3 vencidos' })
  t.is(kernel.clock().getTime(), T0.getTime())
  const row = await jobRow('jobfix.sweep')
  t.is(row.last_result, '2026-03-01T12:00:00.000Z 3 vencidos')
  t.is(new Date(row.last_started_at).getTime(), T0.getTime())
  t.is(row.last_error, null)
  t.is(row.runs, 1)
  t.deepEqual(kernel.jobs.names().filter((n) => n.startsWith('jobfix.')), ['jobfix.tick', 'jobfix.sweep', 'jobfix.writes'])
})

test.serial('a failing run records its error after its transaction rolled back', async (t) => {
  const outcome = await kernel.jobs.run('jobfix.writes')
  t.true(outcome.ran)
  t.is(outcome.error, 'falla a propósito')
  const row = await jobRow('jobfix.writes')
  t.is(row.last_error, 'falla a propósito')
  t.is(row.last_result, null)
  t.is(row.runs, 1)
  t.is((await kernel.orm.em.fork().execute(`select 1 from core_setting where key = 'jobfix.written'`)).length, 0)
  // The next successful run clears the error.
  behaviour = async () => 'bien'
  await kernel.jobs.run('jobfix.sweep')
  t.is((await jobRow('jobfix.sweep')).runs, 2)
  await t.throwsAsync(kernel.jobs.run('jobfix.nope'), { code: 'not_found' } as never)
})

test.serial('the same job started twice at once runs once on the server (another process holds its lock)', async (t) => {
  const server = !!process.env.DATABASE_URL
  // On the server a second kernel is a second process; the embedded database serves one process.
  const other = server ? await boot({ jobs: false }) : kernel
  try {
    let release!: () => void
    let started!: () => void
    const isStarted = new Promise<void>((r) => { started = r })
    let running = 0, maxRunning = 0, runs = 0
    behaviour = async () => {
      running++; runs++; maxRunning = Math.max(maxRunning, running)
      started()
      await new Promise<void>((r) => { release = r })
      running--
      return 'una vez'
    }
    const before = (await jobRow('jobfix.sweep')).runs
    const first = kernel.jobs.run('jobfix.sweep')
    await isStarted
    const second = other.jobs.run('jobfix.sweep')
    if (server) {
      t.deepEqual(await second, { ran: false, result: undefined })
      release()
      t.deepEqual(await first, { ran: true, result: 'una vez' })
      t.is(runs, 1)
    } else {
      // One connection: the second waits for the first's transaction, then runs after it.
      setTimeout(() => release(), 50)
      t.true((await first).ran)
      while (runs < 2) await new Promise((r) => setTimeout(r, 5))
      release()
      t.true((await second).ran)
    }
    t.is(maxRunning, 1)
    t.is((await jobRow('jobfix.sweep')).runs, before + runs)
  } finally {
    if (other !== kernel) await other.close()
  }
})

test.serial('jobs run on their timers, the first after one interval, and stop at close', async (t) => {
  const deadline = Date.now() + 20_000
  while (ticks < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  t.true(ticks >= 3)
  t.true((await jobRow('jobfix.tick')).runs >= 3)
  t.is(ticksAtBoot, 0, 'no run at boot')
  t.is((await jobRow('jobfix.writes')).runs, 1, 'a minute-long job never fired on its own')
  await kernel.close()
  const after = ticks
  await new Promise((r) => setTimeout(r, 200))
  t.is(ticks, after)
})
