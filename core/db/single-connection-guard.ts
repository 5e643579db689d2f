import { AsyncLocalStorage } from 'node:async_hooks'
import { EntityManager, type MikroORM } from '@mikro-orm/postgresql'

const holding = new AsyncLocalStorage<{ held: boolean }>()

export class NestedAcquireError extends Error {
  constructor() {
    super('A query asked for a second database connection while this async context holds the only one in a transaction. ' +
      'Use the transaction\'s EntityManager (or pass it down) instead of orm.em.fork() or getConnection().execute() without its context.')
    this.name = 'NestedAcquireError'
  }
}

/**
 * The embedded database has one connection. Code that runs inside a transaction and then asks the
 * pool for another connection waits forever for itself. This EntityManager marks the async context
 * inside `transactional` callbacks, and the guarded pool throws at once on such a nested acquire.
 */
export class GuardedEntityManager extends EntityManager {
  override async transactional<T>(cb: (em: this) => T | Promise<T>, options?: Parameters<EntityManager['transactional']>[1]): Promise<T> {
    const outer = holding.getStore()
    if (outer?.held) return super.transactional(cb as never, options) as Promise<T>
    const mark = { held: false }
    return holding.run(mark, () => super.transactional(async (em) => {
      mark.held = true
      try { return await cb(em as this) } finally { mark.held = false }
    }, options) as Promise<T>)
  }
}

export function guardSingleConnection(orm: MikroORM): void {
  const client = orm.em.getConnection().getKnex().client as { acquireConnection: () => Promise<unknown> }
  const acquire = client.acquireConnection.bind(client)
  client.acquireConnection = () => (holding.getStore()?.held ? Promise.reject(new NestedAcquireError()) : acquire())
}
