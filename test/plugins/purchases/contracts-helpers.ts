import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { IdentityService } from '../../../core/identity/service.js'
import { demoRfc } from '../../../plugins/distributors/demo.js'
import type { LedgerService } from '../../../plugins/ledger/index.js'
import type { PurchasesServices } from '../../../plugins/purchases/index.js'
import type { StampingServices } from '../../../plugins/stamping/index.js'

export { startTestApp }
export const auth = (d: { token: string }) => ({ authorization: `Bearer ${d.token}` })
export const em = (t0: TestApp) => t0.app.kernel.orm.em.fork()
export const rows = <T = Record<string, any>>(t0: TestApp, q: string, p: unknown[] = []) => em(t0).getConnection().execute(q, p as any[]) as Promise<T[]>
export const ledger = (t0: TestApp): LedgerService => t0.app.kernel.contexts.get('ledger')!.use('ledger')
export const purchases = (t0: TestApp): PurchasesServices => t0.app.kernel.contexts.get('purchases')!.use('purchases')
export const stamping = (t0: TestApp): StampingServices => t0.app.kernel.contexts.get('stamping')!.use('stamping')
export const api = (t0: TestApp, d: { token: string }, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t0.inject({ method, url, headers: auth(d), ...(payload !== undefined ? { payload: payload as any } : {}) })

export interface Node { id: string, login: string, password: string, token: string }

/** An active sub-distributor of `parent` (its CM expiry a year from today), with its own token. */
export async function child(t0: TestApp, parent: { token: string }): Promise<Node> {
  const p = await t0.fixtures.profile()
  await rows(t0, 'update core_profile set email_verified_at = now(), mobile_verified_at = now() where id = ?', [p.id])
  const res = await api(t0, parent, 'POST', '/api/v1/distributors', { email: p.email, mobile: p.mobile, legalName: `Sub ${p.id.slice(0, 6)} SA`, rfc: demoRfc() })
  if (res.statusCode !== 201) throw new Error(`child: ${res.statusCode} ${res.body}`)
  const id = res.json().id as string
  const act = await api(t0, parent, 'POST', `/api/v1/distributors/${id}/activate`)
  if (act.statusCode !== 200) throw new Error(`activate: ${act.statusCode} ${act.body}`)
  const { token } = await new IdentityService().createApiToken(em(t0), p.email, id)
  return { id, login: p.email, password: p.password, token }
}

export async function grant(t0: TestApp, distributorId: string, key = 'mkl-multinivel') {
  await t0.app.kernel.entitlements.grant(em(t0), { distributorId, key, source: 'test' })
}

/** A top-level distributor with "MKL Multi-nivel" and an active sub-distributor under it. */
export async function network(t0: TestApp, subPoints = 0): Promise<{ top: DistributorFixture, sub: Node }> {
  const top = await t0.fixtures.distributor()
  await grant(t0, top.id)
  const sub = await child(t0, top)
  if (subPoints) await ledger(t0).mint(em(t0), { distributorId: sub.id, points: subPoints })
  return { top, sub }
}

export async function pointsOf(t0: TestApp, distributorId: string): Promise<number> {
  const a = await ledger(t0).accountOf(em(t0), 'distributor', distributorId, 'points')
  return a ? ledger(t0).balance(em(t0), a.id) : 0
}

/** 'YYYY-MM-DD' n months from today (UTC), as the CM expiry is kept. */
export function monthsAhead(n: number, days = 0): string {
  const d = new Date()
  d.setUTCDate(1)
  const day = new Date().getUTCDate()
  d.setUTCMonth(d.getUTCMonth() + n)
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, last) + days)
  return d.toISOString().slice(0, 10)
}

export async function setExpiry(t0: TestApp, id: string, day: string | null) {
  await rows(t0, 'update core_distributor set cm_expires_at = ?::date where id = ?', [day, id])
  await rows(t0, 'update distributors_account set cm_expires_at = ?::date where id = ?', [day, id])
  t0.app.kernel.directory.invalidate(id)
}

export async function entitlementsOf(t0: TestApp, distributorId: string, key: string) {
  return rows<{ id: string, until: Date | null, source: string }>(t0, 'select id, until, source from core_entitlement where distributor_id = ? and key = ? order by since, id', [distributorId, key])
}
