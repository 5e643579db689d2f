import type { EntityManager } from '@mikro-orm/postgresql'
import { sql, type DirectoryEntry, type PluginContext } from '../../../core/plugin-api.js'
import { requireMultilevel, type DistributorsService } from '../services/distributors.js'
import { CustomerAlreadyConvertedError, CustomerWithoutOwnerError } from './errors.js'

/**
 * "Convertir un cliente existente en distribuidor": a sub-distributor of the customer's distributor
 * whose first member is the customer's main profile. The customer record (NIC, CTIs, balances) stays
 * the parent's customer and becomes the new distributor's own account; the owner rule lets exactly
 * that profile keep owning exactly that customer.
 */
export class ConvertService {
  constructor(private readonly ctx: PluginContext<any>, private readonly distributors: DistributorsService) {}

  /** The customer that is the distributor's own account (a converted one), or null. */
  async accountOf(em: EntityManager, distributorId: string): Promise<string | null> {
    const [row] = await sql<{ customer_id: string }[]>(em, 'select customer_id from distributors_customer_account where distributor_id = ?', [distributorId])
    return row?.customer_id ?? null
  }

  async convert(em: EntityManager, parentId: string, nic: string, actorProfileId: string | null): Promise<{ distributor: DirectoryEntry, nic: string }> {
    const clients = this.ctx.use('clients').customers
    try {
      return await em.transactional(async (tx) => {
        const parent = await requireMultilevel(this.ctx, tx, parentId)
        const customer = await clients.getByNic(tx, parentId, nic)
        // One conversion per customer at a time: the second waits here, then finds the link.
        await sql(tx, 'select pg_advisory_xact_lock(hashtext(?))', [`distributors.convert:${customer.id}`])
        if ((await sql(tx, 'select 1 from distributors_customer_account where customer_id = ?', [customer.id])).length) throw new CustomerAlreadyConvertedError(customer.nic)
        const ownerId = (await clients.linkedProfiles(tx, customer.id)).find((p) => p.role === 'owner')?.profileId
        if (!ownerId) throw new CustomerWithoutOwnerError(customer.nic)
        const owner = await this.ctx.identity.profile(tx, ownerId)
        // "Sin validar" until its profile has verified e-mail and mobile; then the parent activates it.
        const verified = !!owner?.emailVerifiedAt && !!owner?.mobileVerifiedAt
        const distributor = await this.ctx.directory.create(tx, { name: customer.legalName, tier: parent.tier, parentId, state: verified ? 'inactive' : 'unvalidated', actorProfileId })
        await this.ctx.identity.addMember(tx, distributor.id, ownerId, { actorProfileId, except: customer.id })
        // The customer's RFC is the account's; an unverified owner is validated by the expiry job like any invited profile.
        await this.distributors.recordInvited(tx, distributor.id, verified ? null : ownerId, customer.rfc)
        await sql(tx, 'insert into distributors_customer_account (distributor_id, customer_id, parent_id) values (?, ?, ?)', [distributor.id, customer.id, parentId])
        await this.ctx.audit(tx, { action: 'distributors.customerConverted', subject: distributor.id, distributorId: parentId, actorProfileId, after: { customerId: customer.id, nic: customer.nic, distributorId: distributor.id, state: distributor.state } })
        return { distributor, nic: customer.nic }
      })
    } catch (e) {
      if ((e as { constraint?: string }).constraint === 'distributors_customer_account_customer_id_unique') throw new CustomerAlreadyConvertedError(nic)
      throw e
    }
  }
}
