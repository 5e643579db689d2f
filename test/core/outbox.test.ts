import test from 'ava'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { definePlugin } from '../../core/kernel/plugin.js'
import type { OutboxMessage } from '../../core/kernel/outbox.js'
import { baseKernelConfig, freshDatabase, type FreshDatabase } from '../helpers/db.js'

// The durable outbox: recorded in the emitter's transaction, delivered after commit, retried with back-off.

let now = new Date('2026-03-01T12:00:00Z')
const advance = (ms: number) => { now = new Date(now.getTime() + ms) }
type Behaviour = (m: OutboxMessage) => Promise<void>
const seen: Record<string, OutboxMessage[]> = { mailer: [], billing: [] }
const behaviour: Record<string, Behaviour> = { mailer: async () => {}, billing: async () => {} }
const subscriberPlugin = (id: 'mailer' | 'billing') => definePlugin({
  id: `obx${id}`,
  version: '1.0.0',
  bootstrap(ctx) {
    ctx.outbox.on('order.paid', async (m) => { seen[id].push(m); await behaviour[id](m) })
  },
})

let db: FreshDatabase
let kernel: Kernel
const boot = () => bootKernel(baseKernelConfig({
  ...db.config, plugins: [...baseKernelConfig().plugins, { plugin: subscriberPlugin('mailer') }, { plugin: subscriberPlugin('billing') }], clock: () => now, jobs: false,
}))
const emit = (payload: unknown, k = kernel) => k.orm.em.fork().transactional((em) => k.contexts.get('obxmailer')!.outbox.emit(em, 'order.paid', payload))
const reset = () => { seen.mailer.length = 0; seen.billing.length = 0; behaviour.mailer = behaviour.billing = async () => {} }

test.before(async () => { db = await freshDatabase(); kernel = await boot() })
test.after.always(async () => { await kernel?.close(); await db?.drop() })

test.serial('an event emitted in a committed transaction reaches each subscriber once, with its id', async (t) => {
  reset()
  await emit({ order: 1 })
  t.is(seen.mailer.length, 0, 'nothing is delivered before deliver runs')
  t.is(await kernel.outbox.deliver(), 2)
  t.is(seen.mailer.length, 1)
  t.is(seen.billing.length, 1)
  t.like(seen.mailer[0], { name: 'order.paid', payload: { order: 1 }, attempt: 1 })
  t.not(seen.mailer[0].id, seen.billing[0].id, 'one row per subscriber')
  t.is(await kernel.outbox.deliver(), 0)
  t.is(seen.mailer.length, 1)
  // An event nobody subscribes to records nothing.
  await kernel.orm.em.fork().transactional((em) => kernel.contexts.get('obxmailer')!.outbox.emit(em, 'nobody.listens', {}))
  t.is((await kernel.orm.em.fork().execute(`select 1 from core_outbox where name = 'nobody.listens'`)).length, 0)
})

test.serial('an event emitted in a rolled-back transaction is never delivered', async (t) => {
  reset()
  await t.throwsAsync(kernel.orm.em.fork().transactional(async (em) => {
    await kernel.contexts.get('obxbilling')!.outbox.emit(em, 'order.paid', { order: 2 })
    throw new Error('rollback')
  }), { message: 'rollback' })
  t.is(await kernel.outbox.deliver(), 0)
  t.deepEqual(seen, { mailer: [], billing: [] })
})

test.serial('a failing subscriber is retried with back-off on its own; the other is delivered once', async (t) => {
  reset()
  behaviour.billing = async (m) => { if (m.attempt < 3) throw new Error(`sin conexión ${m.attempt}`) }
  await emit({ order: 3 })
  t.is(await kernel.outbox.deliver(), 1)
  const row = async () => (await kernel.orm.em.fork().execute(`select * from core_outbox where subscriber = 'obxbilling:order.paid' and payload->>'order' = '3'`))[0]
  let r = await row()
  t.is(r.attempts, 1)
  t.is(r.last_error, 'sin conexión 1')
  t.is(new Date(r.next_attempt_at).getTime(), now.getTime() + 2_000)
  t.is(await kernel.outbox.deliver(), 0, 'not due before its back-off')
  t.is(seen.billing.length, 1)
  advance(2_000)
  t.is(await kernel.outbox.deliver(), 0)
  r = await row()
  t.is(r.last_error, 'sin conexión 2')
  t.is(new Date(r.next_attempt_at).getTime(), now.getTime() + 4_000)
  advance(3_999)
  t.is(await kernel.outbox.deliver(), 0)
  t.is(seen.billing.length, 2)
  advance(1)
  t.is(await kernel.outbox.deliver(), 1)
  t.deepEqual(seen.billing.map((m) => m.attempt), [1, 2, 3])
  t.is(new Set(seen.billing.map((m) => m.id)).size, 1, 'the same id on every attempt')
  t.is(seen.mailer.length, 1)
  r = await row()
  t.is(new Date(r.delivered_at).getTime(), now.getTime())
  t.is(r.last_error, null)
})

test.serial('two deliverers at once deliver each row once', async (t) => {
  reset()
  const server = !!process.env.DATABASE_URL
  // On the server the second deliverer is another process; embedded, a second concurrent call.
  const other = server ? await boot() : kernel
  try {
    behaviour.mailer = behaviour.billing = () => new Promise((r) => setTimeout(r, 1))
    for (let i = 0; i < 60; i++) await emit({ order: 100 + i })
    const [a, b] = await Promise.all([kernel.outbox.deliver(), other.outbox.deliver()])
    t.is(a + b, 120)
    if (server) t.true(a > 0 && b > 0, `both deliverers took rows (${a}, ${b})`)
    const ids = [...seen.mailer, ...seen.billing].map((m) => m.id)
    t.is(ids.length, 120)
    t.is(new Set(ids).size, 120)
  } finally {
    if (other !== kernel) await other.close()
  }
})
