import { randomBytes } from 'node:crypto'
import { IdentityService } from '../../../core/identity/service.js'
import { FULL_TIER } from '../../../config/tiers.js'
import type { TestApp } from '../../helpers/app.js'

export const auth = (d: { token: string }) => ({ authorization: `Bearer ${d.token}` })
export const em = (t0: TestApp) => t0.app.kernel.orm.em.fork()
export const rows = <T = Record<string, any>>(t0: TestApp, q: string, p: unknown[] = []) => em(t0).getConnection().execute(q, p as any[]) as Promise<T[]>
export const svc = (t0: TestApp) => t0.app.kernel.contexts.get('purchases')!.use('purchases')
export const tools = (t0: TestApp) => t0.app.kernel.contexts.get('tools')!.use('tools')
export const ledger = (t0: TestApp) => t0.app.kernel.contexts.get('ledger')!.use('ledger')

export interface Node { id: string, token: string, login: string, password: string }
const identity = new IdentityService()

/** A distributor under `parentId` (a fresh top-level one without it: each test its own seller), with a member and a token. */
export async function distributor(t0: TestApp, parentId?: string): Promise<Node> {
  if (!parentId) {
    const top = await t0.fixtures.distributor()
    await t0.app.kernel.entitlements.grant(em(t0), { distributorId: top.id, key: 'mkl-multinivel', source: 'test' })
    return { id: top.id, token: top.token, login: top.login, password: top.password }
  }
  const d = await t0.app.kernel.directory.create(em(t0), { name: `Sub ${randomBytes(3).toString('hex')}`, tier: FULL_TIER, parentId, state: 'active' })
  const p = await t0.fixtures.profile()
  await identity.addMember(em(t0), d.id, p.id)
  const { token } = await identity.createApiToken(em(t0), p.email, d.id)
  return { id: d.id, token, login: p.login, password: p.password }
}

/** A seller with a buyer under it. */
export async function pair(t0: TestApp) {
  const seller = await distributor(t0)
  const buyer = await distributor(t0, seller.id)
  return { seller, buyer }
}

export const mint = (t0: TestApp, distributorId: string, what: { stamps?: number, points?: number }) => ledger(t0).mint(em(t0), { distributorId, ...what })

export async function pkg(t0: TestApp, sellerId: string, input: { asset: 'stamps' | 'points', quantity: number | string, price: string, forDistributors?: boolean, description?: string }) {
  return tools(t0).packages.create(em(t0), sellerId, { description: `Paquete ${input.asset} ${input.quantity}`, forDistributors: true, ...input })
}

/** [stamps, points] of a distributor's inventory (points in hundredths). */
export async function inventory(t0: TestApp, distributorId: string): Promise<[number, number]> {
  const inv = await t0.app.kernel.contexts.get('stamping')!.use('stamping').sales.inventory(em(t0), distributorId)
  return [inv.stamps, inv.points]
}

export async function customerPoints(t0: TestApp, customerId: string) {
  return svc(t0).purchases.customerPoints(em(t0), customerId)
}
