import type { EntityManager } from '@mikro-orm/postgresql'
import { sql } from '../../../core/db/sql.js'
import clients from '../../../plugins/clients/index.js'
import ledger, { type LedgerService } from '../../../plugins/ledger/index.js'
import stamping, { type StampingServices } from '../../../plugins/stamping/index.js'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { b64, sampleCfdi, type SampleOptions } from '../../helpers/cfdi.js'

/**
 * clients + ledger + stamping on a fresh database; stamping options per file (PAC latency, failure
 * rate…). With `databaseUrl`, on that database instead: a second process beside the first.
 */
export function startStampingApp(options: Record<string, unknown> = {}, ledgerOptions: Record<string, unknown> = { sweepIntervalMs: 0 }, databaseUrl?: string): Promise<TestApp> {
  return startTestApp({ kernel: { plugins: [{ plugin: clients }, { plugin: ledger, options: ledgerOptions }, { plugin: stamping, options }], ...(databaseUrl && { databaseUrl }) } })
}

export const CTI_PASSWORD = 'clave-de-timbrado-1'

/** Distributors, customers and CTIs through the API and services the app uses. */
export class Stamping {
  readonly ledger: LedgerService
  readonly services: StampingServices
  constructor(readonly app: TestApp) {
    this.ledger = app.app.kernel.contexts.get('ledger')!.use('ledger')
    this.services = app.app.kernel.contexts.get('stamping')!.use('stamping')
  }

  em(): EntityManager { return this.app.app.kernel.orm.em.fork() }
  auth(d: DistributorFixture) { return { authorization: `Bearer ${d.token}` } }

  async distributor(stamps = 1000, points = 0) {
    const d = await this.app.fixtures.distributor()
    if (stamps || points) await this.ledger.mint(this.em(), { distributorId: d.id, ...(stamps ? { stamps } : {}), ...(points ? { points } : {}) })
    return d
  }

  api(d: DistributorFixture, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    return this.app.inject({ method, url, headers: this.auth(d), ...(payload !== undefined ? { payload: payload as object } : {}) })
  }

  /** A customer created through the API, and the standard CTI it got, with a known password. */
  async customer(d: DistributorFixture, legalName = 'Cliente de Prueba SA de CV') {
    const res = await this.api(d, 'POST', '/api/v1/customers', { legalName, rfc: 'EKU9003173C9' })
    if (res.statusCode !== 201) throw new Error(`customer: ${res.statusCode} ${res.body}`)
    const nic = res.json().nic as string
    const list = await this.api(d, 'GET', `/api/v1/ctis?customer=${nic}`)
    const cti = list.json().items[0].id as string
    const reset = await this.api(d, 'POST', `/api/v1/ctis/${cti}/reset-password`, { password: CTI_PASSWORD })
    if (reset.statusCode !== 204) throw new Error(`reset: ${reset.statusCode} ${reset.body}`)
    return { nic, cti }
  }

  async transfer(d: DistributorFixture, cti: string, quantity: number, key = `k-${Math.random()}`) {
    const res = await this.api(d, 'POST', `/api/v1/ctis/${cti}/transfers`, { quantity, amount: (quantity * 1.5).toFixed(2), idempotencyKey: key })
    if (res.statusCode !== 201) throw new Error(`transfer: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  stamp(cti: string, opts: { password?: string, idd?: string, app?: string, doc?: SampleOptions, xml?: string, remoteAddress?: string } = {}) {
    return this.app.inject({
      method: 'POST', url: '/api/v1/stamp', remoteAddress: opts.remoteAddress,
      payload: { cti, password: opts.password ?? CTI_PASSWORD, xml: opts.xml ?? b64(sampleCfdi(opts.doc)), ...(opts.idd ? { idd: opts.idd } : {}), ...(opts.app ? { app: opts.app } : {}) },
    })
  }

  async balanceOf(cti: string): Promise<number> {
    const [row] = await sql<{ accountId: string }[]>(this.em(), 'select account_id as "accountId" from stamping_cti where id = ?', [cti])
    return this.ledger.balance(this.em(), row.accountId)
  }

  async stampsOf(cti: string): Promise<number> {
    const [{ n }] = await sql<{ n: number }[]>(this.em(), `select count(*)::int as n from stamping_stamp where cti_id = ? and status = 'stamped'`, [cti])
    return n
  }

  /**
   * The ledger's own check (all of it), and the stamp figures of the customers owning `ctis` against
   * it: [] when all agree. Only the test's own customers: another test's stamps in flight have
   * reserved in the ledger but not yet moved their figure.
   */
  async verify(...ctis: string[]) {
    const owners = ctis.length ? (await sql<{ c: string }[]>(this.em(), 'select distinct customer_id as c from stamping_cti where id = any(array(select jsonb_array_elements_text(?::jsonb)))', [JSON.stringify(ctis)])).map((r) => r.c) : []
    const figures = (await this.services.ctis.figureMismatches(this.em())).filter((f) => owners.includes(f.customerId))
    return [...await this.ledger.verify(this.em()), ...figures.map((f) => ({ check: 'figures', subject: f.customerId, message: `figure ${f.figure}, ledger ${f.ledger}` }))]
  }
}
