import type { DistributorFixture, TestApp } from '../../helpers/app.js'

export const auth = (d: { token: string }) => ({ authorization: `Bearer ${d.token}` })
export const em = (t0: TestApp) => t0.app.kernel.orm.em.fork()
export const rows = <T = Record<string, any>>(t0: TestApp, q: string, p: unknown[] = []) => em(t0).getConnection().execute(q, p as any[]) as Promise<T[]>
export const services = (t0: TestApp) => t0.app.kernel.contexts.get('distributors')!.use('distributors')
export async function grantMkl(t0: TestApp, d: { id: string }) {
  await t0.app.kernel.entitlements.grant(em(t0), { distributorId: d.id, key: 'mkl-multinivel', source: 'test' })
}
export async function customerWithOwner(t0: TestApp, d: DistributorFixture, owner: { email: string, mobile: string }, legalName = `Cliente ${Math.random().toString(36).slice(2, 8)}`) {
  const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: { legalName, rfc: 'EKU9003173C9' } })
  if (res.statusCode !== 201) throw new Error(`customer: ${res.statusCode} ${res.body}`)
  const nic = res.json().nic as string
  const assigned = await t0.inject({ method: 'POST', url: `/api/v1/customers/${nic}/owner`, headers: auth(d), payload: { email: owner.email, mobile: owner.mobile } })
  if (assigned.statusCode !== 200) throw new Error(`owner: ${assigned.statusCode} ${assigned.body}`)
  const [{ id }] = await rows<{ id: string }>(t0, 'select id from clients_customer where nic = ?', [nic])
  return { id, nic, legalName }
}
