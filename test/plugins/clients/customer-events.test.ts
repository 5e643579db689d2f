import test from 'ava'
import { randomBytes } from 'node:crypto'
import { sql } from '../../../core/db/sql.js'
import { defineError } from '../../../core/kernel/errors.js'
import type { Logger } from '../../../core/kernel/logger.js'
import { definePlugin } from '../../../core/kernel/plugin.js'
import { installedPlugins } from '../../../config/app.js'
import { demoCustomers } from '../../../plugins/clients/demo.js'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'

const ProbeRejectedError = defineError('probe_rejected', 409, (nic: string) => `The probe rejected customer ${nic}`)

/** What the subscribers saw, keyed by legal name (each test uses its own names). */
const seen = {
  rejectedNics: new Map<string, string>(),
  committed: new Map<string, { nic: string, visible: boolean }>(),
  batchesInTx: new Map<string, number>(),
  batchesCommitted: new Map<string, number>(),
}
const errors: string[] = []
const recordingLog = (): Logger => ({
  info: () => {}, warn: () => {}, error: (msg, extra) => { errors.push(`${msg} ${JSON.stringify(extra ?? {})}`) }, child: () => recordingLog(),
})

/** Another plugin subscribing to the clients plugin's events, as a real one would. */
const probe = definePlugin({
  id: 'probe',
  version: '1.0.0',
  dependsOn: ['clients'],
  bootstrap(ctx) {
    // In the transaction: a write of our own, which must commit or roll back with the customer.
    ctx.events.on('clients.customerCreated', async ({ customer }, em) => {
      await sql(em, `insert into core_audit_log (action, subject, detail) values ('probe.customerCreated', ?, ?)`, [customer.nic, JSON.stringify({ legalName: customer.legalName })])
    })
    ctx.events.on('clients.customerCreated', ({ customer }) => {
      if (customer.legalName.startsWith('RECHAZAR')) {
        seen.rejectedNics.set(customer.legalName, customer.nic)
        throw new ProbeRejectedError(customer.nic)
      }
    })
    ctx.events.onCommitted('clients.customerCreated', async ({ customer }) => {
      const visible = (await ctx.em().count('Customer', { nic: customer.nic })) === 1
      seen.committed.set(customer.legalName, { nic: customer.nic, visible })
      if (customer.legalName.startsWith('FALLA-DESPUES')) throw new Error('webhook down')
    })
    ctx.events.on('clients.customersCreated', ({ customers }) => {
      const key = customers[0].legalName.split(' ')[0]
      seen.batchesInTx.set(key, (seen.batchesInTx.get(key) ?? 0) + 1)
      if (key.startsWith('LOTE-MALO') && seen.batchesInTx.get(key) === 2) throw new ProbeRejectedError('lote')
    })
    ctx.events.onCommitted('clients.customersCreated', ({ customers }) => {
      const key = customers[0].legalName.split(' ')[0]
      seen.batchesCommitted.set(key, (seen.batchesCommitted.get(key) ?? 0) + 1)
    })
  },
})

let t0: TestApp
test.before(async () => {
  t0 = await startTestApp({ kernel: { plugins: [...installedPlugins, { plugin: probe }], log: recordingLog() } })
})
test.after.always(() => t0?.close())

const RFC = 'EKU9003173C9'
const uniq = () => randomBytes(4).toString('hex')
const post = (d: DistributorFixture, legalName: string) =>
  t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${d.token}` }, payload: { legalName, rfc: RFC } })
const q = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => sql<T[]>(t0.app.kernel.orm.em.fork(), query, params)
const customersNamed = async (legalName: string) => Number((await q<{ n: string }>('select count(*) as n from clients_customer where legal_name = ?', [legalName]))[0].n)
const auditFor = async (nic: string) => Number((await q<{ n: string }>(`select count(*) as n from core_audit_log where action = 'probe.customerCreated' and subject = ?`, [nic]))[0].n)

test('customerCreated subscribers run inside the transaction; onCommitted ones after the commit', async (t) => {
  const d = await t0.fixtures.distributor()
  const name = `Comercial ${uniq()}`
  const res = await post(d, name)
  t.is(res.statusCode, 201)
  const nic = res.json().nic
  t.is(await auditFor(nic), 1)
  t.deepEqual(seen.committed.get(name), { nic, visible: true })
})

test('a subscriber that throws rolls the customer back (and the other subscribers\' writes); its NIC is never reused', async (t) => {
  const d = await t0.fixtures.distributor()
  const name = `RECHAZAR ${uniq()}`
  const res = await post(d, name)
  t.is(res.statusCode, 409)
  t.is(res.json().error.code, 'probe_rejected')
  t.is(await customersNamed(name), 0)
  const rejectedNic = seen.rejectedNics.get(name)!
  t.truthy(rejectedNic)
  t.is(await auditFor(rejectedNic), 0)
  t.false(seen.committed.has(name))
  t.is((await t0.inject({ method: 'GET', url: `/api/v1/customers/${rejectedNic}`, headers: { authorization: `Bearer ${d.token}` } })).statusCode, 404)
  // The next customer gets a new NIC, never the rolled-back one.
  const next = (await post(d, `Siguiente ${uniq()}`)).json().nic
  t.not(next, rejectedNic)
  t.true(BigInt(next) > BigInt(rejectedNic))
})

test('an onCommitted subscriber that fails does not undo the customer; the failure is logged', async (t) => {
  const d = await t0.fixtures.distributor()
  const name = `FALLA-DESPUES ${uniq()}`
  const res = await post(d, name)
  t.is(res.statusCode, 201)
  t.is(await customersNamed(name), 1)
  t.true(errors.some((e) => e.includes('clients.customerCreated subscriber failed after commit') && e.includes('webhook down')))
})

test('createMany emits one customersCreated per chunk, in the transaction and after commit; a failing chunk rolls back alone', async (t) => {
  const d = await t0.fixtures.distributor()
  const customers = t0.app.kernel.contexts.get('clients')!.use('clients').customers
  const rows = (key: string, n: number) => demoCustomers(n).map((r) => ({ ...r, legalName: `${key} ${r.legalName}` }))
  const ok = `LOTE-${uniq()}`
  const nics = await customers.createMany(t0.app.kernel.orm.em.fork(), d.id, rows(ok, 5), 2)
  t.is(nics.length, 5)
  t.is(new Set(nics).size, 5)
  t.is(seen.batchesInTx.get(ok), 3)
  t.is(seen.batchesCommitted.get(ok), 3)

  const bad = `LOTE-MALO-${uniq()}`
  await t.throwsAsync(customers.createMany(t0.app.kernel.orm.em.fork(), d.id, rows(bad, 5), 2), { instanceOf: ProbeRejectedError })
  // The first chunk committed before the second failed; the second left nothing.
  t.is(Number((await q<{ n: string }>('select count(*) as n from clients_customer where legal_name like ?', [`${bad} %`]))[0].n), 2)
  t.is(seen.batchesCommitted.get(bad), 1)
})
