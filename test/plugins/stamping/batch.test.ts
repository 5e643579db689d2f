import test from 'ava'
import { AsyncLocalStorage } from 'node:async_hooks'
import { aloneOnFailure, Batcher } from '../../../plugins/stamping/services/batch.js'

// The group commit under the stamping API: what it gathers, what it isolates.

test('calls made while a batch is in flight go out together as the next batch, answered in order', async (t) => {
  const batches: number[][] = []
  let release!: () => void
  const gate = new Promise<void>((r) => { release = r })
  const b = new Batcher<number, number>(async (items) => {
    batches.push(items)
    if (batches.length === 1) await gate
    return items.map((i) => i * 10)
  })
  const first = b.run(1)
  await new Promise((r) => setImmediate(r))
  // The first batch is on the wire: these three wait and share the next one.
  const rest = [b.run(2), b.run(3), b.run(4)]
  release()
  t.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40])
  t.deepEqual(batches, [[1], [2, 3, 4]])
})

test('an Error in an item\'s place fails that call alone; a thrown batch fails all its calls', async (t) => {
  const b = new Batcher<number, number>(async (items) => items.map((i) => (i % 2 ? new Error(`odd ${i}`) : i)))
  const results = await Promise.allSettled([1, 2, 3, 4].map((i) => b.run(i)))
  t.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled'])
  const broken = new Batcher<number, number>(async () => { throw new Error('connection lost') })
  const all = await Promise.allSettled([broken.run(1), broken.run(2)])
  t.true(all.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'connection lost'))
  // A short answer is a bug in the executor, not a silent hang.
  const short = new Batcher<number, number>(async (items) => items.slice(1))
  await t.throwsAsync(Promise.all([short.run(1), short.run(2)]), { message: /answered with 1 results/ })
})

test('maxBatch splits a crowd; a batch runs in the batcher\'s async context, not in a caller\'s', async (t) => {
  const store = new AsyncLocalStorage<string>()
  const seen: (string | undefined)[] = []
  const sizes: number[] = []
  const b = store.run('boot', () => new Batcher<number, number>(async (items) => {
    seen.push(store.getStore())
    sizes.push(items.length)
    return items
  }, { maxBatch: 2 }))
  await Promise.all([1, 2, 3, 4, 5].map((i) => store.run(`request ${i}`, () => b.run(i))))
  t.deepEqual(sizes, [2, 2, 1])
  t.true(seen.every((s) => s === 'boot'), JSON.stringify(seen))
})

test('aloneOnFailure: a statement that fails for one item is retried item by item, so only that item fails', async (t) => {
  const calls: number[][] = []
  const statement = async (part: number[]) => {
    calls.push(part)
    if (part.includes(3)) throw new Error('22P05: \\u0000 cannot be converted to text')
    return part.map((i) => i * 10)
  }
  const out = await aloneOnFailure([1, 2, 3, 4], statement)
  t.deepEqual(out.slice(0, 2), [10, 20])
  t.true(out[2] instanceof Error)
  t.is(out[3], 40)
  t.deepEqual(calls, [[1, 2, 3, 4], [1], [2], [3], [4]])
  // A batch of one fails as itself; a batch that works runs once.
  await t.throwsAsync(aloneOnFailure([3], statement), { message: /22P05/ })
  calls.length = 0
  t.deepEqual(await aloneOnFailure([5, 6], statement), [50, 60])
  t.deepEqual(calls, [[5, 6]])
})
