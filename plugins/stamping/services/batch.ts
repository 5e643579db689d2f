import { AsyncResource } from 'node:async_hooks'

export interface BatcherOptions {
  /** Batches of this batcher on the wire at once (default 1: the next batch gathers meanwhile). */
  maxInFlight?: number
  /** Items per batch at most (default 200); the rest wait for the next one. */
  maxBatch?: number
}

/**
 * Group commit for a hot statement: calls made while the previous batch is on the wire go out
 * together as the next one, so N concurrent requests pay one round trip instead of N. A lone call
 * waits one turn of the event loop (setImmediate), no timer.
 *
 * `execute` answers the items in order, an Error in an item's place failing that call alone; if it
 * throws, every call of the batch fails with that error. Batches run in the async context the
 * batcher was made in, never in a caller's: one request's EntityManager or transaction must not
 * leak into a statement that serves others.
 *
 * (DataLoader batches per tick; under HTTP load each request arrives in a tick of its own, so it
 * would send batches of one.)
 */
export class Batcher<I, O> {
  private queue: { item: I, resolve: (o: O) => void, reject: (e: unknown) => void }[] = []
  private inFlight = 0
  private scheduled = false
  private readonly scope = new AsyncResource('Batcher')
  private readonly maxInFlight: number
  private readonly maxBatch: number

  constructor(private readonly execute: (items: I[]) => Promise<(O | Error)[]>, options: BatcherOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 1
    this.maxBatch = options.maxBatch ?? 200
  }

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.schedule()
    })
  }

  private schedule() {
    if (this.scheduled || !this.queue.length || this.inFlight >= this.maxInFlight) return
    this.scheduled = true
    setImmediate(() => this.scope.runInAsyncScope(() => {
      this.scheduled = false
      void this.flush()
    }))
  }

  private async flush() {
    const batch = this.queue.splice(0, this.maxBatch)
    if (!batch.length) return
    this.inFlight++
    try {
      const results = await this.execute(batch.map((b) => b.item))
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} was answered with ${results.length} results`)
      batch.forEach((b, i) => {
        const r = results[i]
        if (r instanceof Error) b.reject(r)
        else b.resolve(r)
      })
    } catch (e) {
      for (const b of batch) b.reject(e)
    } finally {
      this.inFlight--
      this.schedule()
    }
  }
}

/**
 * A batch's statement over `items`; should it fail, each item alone, so an item the database
 * refuses (text it cannot take, a constraint) fails only its own call, never its batch's others.
 * Only for a single statement, which applies nothing when it fails (retrying it cannot double it).
 */
export async function aloneOnFailure<I, O>(items: I[], statement: (part: I[]) => Promise<O[]>): Promise<(O | Error)[]> {
  try {
    return await statement(items)
  } catch (e) {
    if (items.length === 1) throw e
    return Promise.all(items.map((it) => statement([it]).then(([r]) => r, (err: unknown) => (err instanceof Error ? err : new Error(String(err))))))
  }
}
