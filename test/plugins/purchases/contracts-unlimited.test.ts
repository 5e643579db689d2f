import test from 'ava'
import type { TestApp } from '../../helpers/app.js'
import { CTI_PASSWORD, Stamping } from '../stamping/helpers.js'
import { em, rows, startTestApp } from './contracts-helpers.js'

// Unlimited CTIs renew yearly in points through the stamping plugin's job: charged once per CTI and
// year however often it runs (serial: the job renews every due CTI of the database); short of points the CTI is blocked with a warning (and refuses to
// stamp once its year ended) until a later run, or "Pagar renovación", finds the points.

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startTestApp({ kernel: { jobs: false } }); s = new Stamping(t0) })
test.afterEach.always(async (t) => { if (t0) t.deepEqual(await s.ledger.verify(em(t0)), [], 'ledger verify') })
test.after.always(() => t0?.close())

const run = () => t0.app.kernel.jobs.run('stamping.unlimited-renewal')
const points = async (d: { token: string }) => (await s.api(d as never, 'GET', '/api/v1/inventory')).json().points as string
const ctiRow = async (id: string) => (await rows(t0, 'select valid_until, renewal_warning from stamping_cti where id = ?', [id]))[0]
const code = (res: { json(): any }) => res.json().error?.code

async function unlimited(pointsHundredths: number) {
  const d = await s.distributor(0, pointsHundredths)
  const { nic } = await s.customer(d)
  const res = await s.api(d, 'POST', '/api/v1/ctis', { customer: nic, type: 'unlimited', password: CTI_PASSWORD })
  if (res.statusCode !== 201) throw new Error(`cti: ${res.statusCode} ${res.body}`)
  return { d, cti: res.json().id as string, nic }
}

test.serial('a CTI whose year ends within a day is charged the yearly price once, however many runs; one not due is left alone', async (t) => {
  const { d, cti } = await unlimited(3_000_00)
  const other = await s.services.sales.createCti(em(t0), d.id, (await rows<{ id: string, nic: string }>(t0, 'select id, nic from clients_customer where distributor_id = ? limit 1', [d.id]))[0], { type: 'unlimited', password: CTI_PASSWORD })
  t.is(await points(d), '600.00')   // two CTIs, 1,200.00 each at creation
  await rows(t0, `update stamping_cti set valid_until = now() + interval '2 hours' where id = ?`, [cti])
  const before = (await ctiRow(cti)).valid_until as Date
  const otherBefore = (await ctiRow(other.id)).valid_until
  await s.ledger.mint(em(t0), { distributorId: d.id, points: 1_200_00 })
  const first = await run()
  t.true(first.ran)
  const second = await run()
  t.true(second.ran)
  await s.services.sales.renewDueUnlimited(em(t0), new Date())
  t.is(await points(d), '600.00')
  const after = (await ctiRow(cti)).valid_until as Date
  const expected = new Date(before); expected.setUTCFullYear(expected.getUTCFullYear() + 1)
  t.is(new Date(after).toISOString(), expected.toISOString())
  t.deepEqual((await ctiRow(other.id)).valid_until, otherBefore)
  const entries = await rows(t0, `select count(*)::int as n from ledger_entry where idempotency_key like ?`, [`stamping.unlimitedRenewal:${cti}:%`])
  t.is(entries[0].n, 1)
})

test.serial('short of points: blocked with a warning, the stamp refused in Spanish; points arrive and the next run unblocks it', async (t) => {
  const { d, cti } = await unlimited(1_200_00)
  t.is(await points(d), '0.00')
  t.is((await s.stamp(cti, { app: 'FactuDeskWeb' })).statusCode, 200)
  await rows(t0, `update stamping_cti set valid_until = now() - interval '1 hour' where id = ?`, [cti])
  await run()
  const blocked = await ctiRow(cti)
  t.regex(blocked.renewal_warning, /Renovación anual sin pagar: el cargo de 1,200\.00 puntos no se pudo cobrar; su saldo es de 0\.00 puntos/)
  t.is(await points(d), '0.00')
  const refused = await s.stamp(cti, { app: 'FactuDeskWeb' })
  t.is(refused.statusCode, 403)
  t.is(code(refused), 'cti_renewal_unpaid')
  t.regex(refused.json().error.message, /bloqueada: su renovación anual no se ha pagado/)
  // A second run while still short: nothing moves.
  await run()
  t.is(await points(d), '0.00')

  await s.ledger.mint(em(t0), { distributorId: d.id, points: 1_500_00 })
  await run()
  const paid = await ctiRow(cti)
  t.is(paid.renewal_warning, null)
  t.true(new Date(paid.valid_until).getTime() > Date.now() + 360 * 86_400_000)
  t.is(await points(d), '300.00')
  t.is((await s.stamp(cti, { app: 'FactuDeskWeb' })).statusCode, 200)
})

test.serial('"Pagar renovación": refused while not due; short leaves the warning; with points it pays once', async (t) => {
  const { d, cti } = await unlimited(1_200_00)
  const pay = () => s.services.sales.payUnlimitedRenewal(em(t0), d.id, cti, new Date(), { profileId: d.profileId })
  const notDue = await pay().catch((e) => e)
  t.is(notDue.code, 'cti_renewal_not_due')
  await rows(t0, `update stamping_cti set valid_until = now() - interval '1 minute' where id = ?`, [cti])
  const short = await pay()
  t.regex(short.warning!, /sin pagar/)
  t.is(code(await s.stamp(cti, { app: 'FactuDeskWeb' })), 'cti_renewal_unpaid')
  await s.ledger.mint(em(t0), { distributorId: d.id, points: 1_200_00 })
  const ok = await pay()
  t.is(ok.warning, null)
  t.is(await points(d), '0.00')
  const again = await pay().catch((e) => e)
  t.is(again.code, 'cti_renewal_not_due', JSON.stringify({ again, row: await ctiRow(cti) }))
  // Another distributor's CTI is not found.
  const stranger = await s.distributor(0, 0)
  t.is((await s.services.sales.payUnlimitedRenewal(em(t0), stranger.id, cti, new Date()).catch((e) => e)).code, 'cti_not_found')
})
