import type { EntityManager } from '@mikro-orm/postgresql'

/**
 * Events between plugins. Subscribers registered with `on` run inside the emitter's transaction and
 * receive its EntityManager, so what they write commits or rolls back with the emitter's work.
 * `onCommitted` subscribers run after the emitter's transaction committed (mail, webhooks).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PluginEvents {}

type Payload<K extends string> = K extends keyof PluginEvents ? PluginEvents[K] : unknown
type Handler<K extends string> = (payload: Payload<K>, em: EntityManager) => Promise<void> | void

export class EventBus {
  private readonly inTx = new Map<string, Handler<any>[]>()
  private readonly afterCommit = new Map<string, ((payload: unknown) => Promise<void> | void)[]>()

  on<K extends string>(event: K, handler: Handler<K>): void {
    const list = this.inTx.get(event) ?? []
    list.push(handler)
    this.inTx.set(event, list)
  }

  onCommitted<K extends string>(event: K, handler: (payload: Payload<K>) => Promise<void> | void): void {
    const list = this.afterCommit.get(event) ?? []
    list.push(handler as (payload: unknown) => void)
    this.afterCommit.set(event, list)
  }

  /** Runs in-transaction subscribers in order; the caller must be inside `em.transactional`. */
  async emit<K extends string>(event: K, payload: Payload<K>, em: EntityManager): Promise<void> {
    for (const handler of this.inTx.get(event) ?? []) await handler(payload, em)
  }

  /** Call after the transaction committed; failures are logged by the caller, never thrown back. */
  async emitCommitted<K extends string>(event: K, payload: Payload<K>): Promise<unknown[]> {
    const failures: unknown[] = []
    for (const handler of this.afterCommit.get(event) ?? []) {
      try { await handler(payload) } catch (e) { failures.push(e) }
    }
    return failures
  }
}
