import type { EntityManager } from '@mikro-orm/postgresql'
import type { PurchaseOrder } from '../entities/order.js'
import { failIf, parseReference } from './common.js'

/**
 * How points bought with money are paid. The orders service owns the order's state and the delivery
 * of the points (atomic, exactly once); a provider only takes part in the three moments of an
 * order, inside the order's transaction: a refusal (throw) changes nothing.
 */
export interface PaymentProvider {
  /** Stored on each order ('manual'). */
  readonly id: string
  /** A new pending order; may answer instructions the buyer sees (e.g. a checkout link). */
  create(em: EntityManager, order: PurchaseOrder): Promise<{ instructions?: string } | void>
  /** Before the points are delivered: checks the payment `reference` and answers it as stored. */
  confirm(em: EntityManager, order: PurchaseOrder, reference: unknown): Promise<string>
  /** Before a pending order is cancelled. */
  cancel(em: EntityManager, order: PurchaseOrder): Promise<void>
}

/**
 * The default provider: the seller (the buyer's parent, staff for top-level distributors, the
 * distributor for its customers) receives the money outside the system and confirms the order by
 * hand with the payment's reference (a transfer's tracking key, a deposit slip number).
 */
export class ManualPaymentProvider implements PaymentProvider {
  readonly id = 'manual'
  async create() { return { instructions: 'Pague a su proveedor; al recibir el pago, él confirma el pedido y los puntos se abonan a su cuenta.' } }
  async confirm(_em: EntityManager, _order: PurchaseOrder, reference: unknown): Promise<string> {
    const fields: Record<string, string> = {}
    const ref = parseReference(reference, fields)
    failIf(fields)
    return ref!
  }
  async cancel() {}
}
