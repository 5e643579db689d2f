import type { TestApp } from '../../helpers/app.js'
import { rows } from '../../security/support.js'
import type { ToolsServices } from '../../../plugins/tools/index.js'

export const tools = (t0: TestApp): ToolsServices => t0.app.kernel.contexts.get('tools')!.use('tools')
export const em = (t0: TestApp) => t0.app.kernel.orm.em.fork()

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'
export const call = (t0: TestApp, d: { token: string }, method: Method, url: string, payload?: unknown) =>
  t0.inject({ method, url, headers: { authorization: `Bearer ${d.token}` }, ...(payload !== undefined ? { payload: payload as any } : {}) })

/** Everything tools keeps for a distributor (packages with every column, settings, audit rows): equal before and after = nothing changed. */
export async function stateOf(t0: TestApp, distributorId: string) {
  return {
    packages: await rows(t0, 'select * from tools_package where distributor_id = ? order by id', [distributorId]),
    settings: await rows(t0, `select value from core_distributor_setting where distributor_id = ? and plugin = 'tools'`, [distributorId]),
    audit: (await rows(t0, `select count(*)::int as n from core_audit_log where distributor_id = ? and action like 'tools.%'`, [distributorId]))[0].n,
  }
}

export const grantMkl = (t0: TestApp, distributorId: string) =>
  t0.app.kernel.entitlements.grant(em(t0), { distributorId, key: 'mkl-multinivel', source: 'test' })

export const stamps1000 = { asset: 'stamps', quantity: 1000, price: '1500.00', description: 'Paquete de 1,000 timbres' }
