import type { EntityManager } from '@mikro-orm/postgresql'

/**
 * Raw SQL on the EntityManager's own transaction when it has one. `em.getConnection().execute`
 * without the transaction context takes another pooled connection: wrong inside a transaction, and a
 * deadlock on the embedded database's single connection.
 */
export function sql<T = Record<string, unknown>[]>(em: EntityManager, query: string, params: unknown[] = []): Promise<T> {
  return em.getConnection().execute(query, params as never[], "all", em.getTransactionContext()) as unknown as Promise<T>
}
