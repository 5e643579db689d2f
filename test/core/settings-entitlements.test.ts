import test from 'ava'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { bootKernel, type Kernel } from '../../core/kernel/boot.js'
import { FieldValidationError } from '../../core/kernel/errors.js'
import { definePlugin, type PluginContext } from '../../core/kernel/plugin.js'
import { baseKernelConfig, freshDatabase, type FreshDatabase } from '../helpers/db.js'

// Settings per distributor (defaults, validation) and entitlements as data (since/until at the kernel's clock).

const DAY = 86_400_000
const T0 = new Date('2026-03-01T12:00:00Z')
let now = T0
const at = (days: number) => { now = new Date(T0.getTime() + days * DAY) }

const fixture = definePlugin({
  id: 'setfix',
  version: '1.0.0',
  settings: z.object({
    bulkPrice: z.number().min(0).default(1.5),
    allowPccPurchase: z.boolean().default(false),
  }),
  entitlements: { 'mkl-multinivel': 'MKL Multi-nivel' },
})

let db: FreshDatabase
let kernel: Kernel
let ctx: PluginContext<unknown, { bulkPrice: number, allowPccPurchase: boolean }>
const em = () => kernel.orm.em.fork()

test.before(async () => {
  db = await freshDatabase()
  kernel = await bootKernel(baseKernelConfig({ ...db.config, plugins: [...baseKernelConfig().plugins, { plugin: fixture }], clock: () => now, jobs: false }))
  ctx = kernel.contexts.get('setfix')!
})
test.after.always(async () => { await kernel?.close(); await db?.drop() })

test('settings: defaults, an update, a bad value refused with 422 and nothing changed, another distributor unaffected', async (t) => {
  const d1 = randomUUID(), d2 = randomUUID()
  t.deepEqual(await ctx.settings.get(em(), d1), { bulkPrice: 1.5, allowPccPurchase: false })
  t.deepEqual(await ctx.settings.update(em(), d1, { bulkPrice: 2.25 }), { bulkPrice: 2.25, allowPccPurchase: false })
  t.deepEqual(await ctx.settings.get(em(), d1), { bulkPrice: 2.25, allowPccPurchase: false })

  const bad = await t.throwsAsync(ctx.settings.update(em(), d1, { bulkPrice: -1, allowPccPurchase: 'sí' as never }), { instanceOf: FieldValidationError })
  t.is(bad.status, 422)
  t.deepEqual(Object.keys(bad.fields).sort(), ['allowPccPurchase', 'bulkPrice'])
  t.regex(bad.fields.bulkPrice, /demasiado pequeño/i)
  t.regex(bad.fields.allowPccPurchase, /se esperaba/i)
  const unknown = await t.throwsAsync(ctx.settings.update(em(), d1, { colour: 'rojo' } as never), { instanceOf: FieldValidationError })
  t.deepEqual(unknown.fields, { colour: 'Campo desconocido' })
  t.deepEqual(await ctx.settings.get(em(), d1), { bulkPrice: 2.25, allowPccPurchase: false })

  t.deepEqual(await ctx.settings.get(em(), d2), { bulkPrice: 1.5, allowPccPurchase: false })
  // Inside the caller's transaction: rolled back with it.
  await t.throwsAsync(em().transactional(async (tx) => {
    await ctx.settings.update(tx, d2, { allowPccPurchase: true })
    throw new Error('rollback')
  }))
  t.deepEqual(await ctx.settings.get(em(), d2), { bulkPrice: 1.5, allowPccPurchase: false })
  // A plugin reads only its own settings.
  t.deepEqual(await kernel.contexts.get('clients')!.settings.get(em(), d1), {})
})

test('settings: two updates of different fields at once both stay', async (t) => {
  const d = randomUUID()
  await Promise.all([ctx.settings.update(em(), d, { bulkPrice: 3 }), ctx.settings.update(em(), d, { allowPccPurchase: true })])
  t.deepEqual(await ctx.settings.get(em(), d), { bulkPrice: 3, allowPccPurchase: true })
})

test.serial('entitlements: not before since, inside the window, not from until; revoke ends it now; nothing is deleted', async (t) => {
  const d = randomUUID(), other = randomUUID()
  at(0)
  const g = await ctx.entitlements.grant(em(), { distributorId: d, key: 'mkl-multinivel', since: new Date(T0.getTime() + DAY), until: new Date(T0.getTime() + 10 * DAY), source: 'purchase' })
  t.false(await ctx.entitled(d, 'mkl-multinivel'))
  at(1)
  t.true(await ctx.entitled(d, 'mkl-multinivel'))
  t.false(await ctx.entitled(d, 'mkl'), 'another key')
  t.false(await ctx.entitled(other, 'mkl-multinivel'), 'another distributor')
  at(9.99)
  t.true(await ctx.entitled(d, 'mkl-multinivel', em()))
  at(10)
  t.false(await ctx.entitled(d, 'mkl-multinivel'))

  at(20)
  const open = await ctx.entitlements.grant(em(), { distributorId: d, key: 'mkl-multinivel', source: 'staff' })
  t.is(open.since.getTime(), now.getTime(), 'since defaults to now')
  at(400)
  t.true(await ctx.entitled(d, 'mkl-multinivel'))
  t.true(await ctx.entitlements.revoke(em(), open.id))
  t.false(await ctx.entitled(d, 'mkl-multinivel'))
  t.false(await ctx.entitlements.revoke(em(), open.id), 'already ended')
  t.false(await ctx.entitlements.revoke(em(), g.id), 'already ended')
  const list = await ctx.entitlements.list(em(), d)
  t.deepEqual(list.map((e) => e.id), [open.id, g.id])
  t.is(list[0].until!.getTime(), now.getTime())
  t.is(list[1].until!.getTime(), T0.getTime() + 10 * DAY)

  const bad = await t.throwsAsync(ctx.entitlements.grant(em(), { distributorId: d, key: 'mkl', since: now, until: now, source: 'staff' }), { instanceOf: FieldValidationError })
  t.deepEqual(Object.keys(bad.fields), ['until'])
})
