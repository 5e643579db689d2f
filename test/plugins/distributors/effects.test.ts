import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { Stamping } from '../stamping/helpers.js'
import { IdentityService } from '../../../core/identity/service.js'
import { sql } from '../../../core/db/sql.js'

// What a distributor's state does to its business: a suspended distributor cannot sell or transfer
// (its tokens answer 403 distributor_inactive) while its customers keep stamping the stamps they hold;
// when a cancelled one is purged, its customers (with their CTIs and balances) become its parent's and
// go on stamping, and its inventory goes back to the parent with the ledger still verified.

let t0: TestApp
let s: Stamping
test.before(async () => {
  t0 = await startTestApp({ kernel: { jobs: false } })
  s = new Stamping(t0)
})
test.after.always(() => t0?.close())

const DAY = 86_400_000

async function staffToken() {
  const staff = await t0.fixtures.staff()
  const { token } = await new IdentityService().createApiToken(t0.app.kernel.orm.em.fork(), staff.login)
  return { token }
}

test.serial('suspended: no transfers or API for the distributor, its customers stamp on; purged: customers, CTIs and inventory go to the parent', async (t) => {
  const staff = await staffToken()
  const d = await s.distributor(1000, 50_000)
  const { nic, cti } = await s.customer(d)
  await s.transfer(d, cti, 10)
  t.is((await s.stamp(cti)).statusCode, 200)

  const suspend = await t0.inject({ method: 'POST', url: `/api/v1/distributors/${d.id}/suspend`, headers: { authorization: `Bearer ${staff.token}` } })
  t.is(suspend.statusCode, 200, suspend.body)
  const transfer = await s.api(d, 'POST', `/api/v1/ctis/${cti}/transfers`, { quantity: 1, amount: '1.50', idempotencyKey: 'after-suspend' })
  t.is(transfer.statusCode, 403)
  t.is(transfer.json().error.code, 'distributor_inactive')
  const stamped = await s.stamp(cti)
  t.is(stamped.statusCode, 200, stamped.body)
  t.is(await s.balanceOf(cti), 8)

  const cancel = await t0.inject({ method: 'POST', url: `/api/v1/distributors/${d.id}/cancel`, headers: { authorization: `Bearer ${staff.token}` } })
  t.is(cancel.statusCode, 200, cancel.body)
  const root = await t0.app.kernel.directory.root(t0.app.kernel.orm.em.fork())
  const ledger = s.ledger
  const inventory = async (id: string) => {
    const a = await ledger.accountOf(s.em(), 'distributor', id, 'stamps')
    return a ? ledger.balance(s.em(), a.id) : 0
  }
  const rootBefore = await inventory(root!.id)
  const service = t0.app.kernel.contexts.get('distributors')!.use('distributors').distributors
  t.is(await s.em().transactional((tx) => service.purge(tx, new Date(Date.now() + 31 * DAY))), 1)
  t.is(await inventory(d.id), 0)
  t.is(await inventory(root!.id), rootBefore + 990)
  // The customer is the parent's now (the platform's, here), with its CTI and balance.
  const asStaff = await t0.inject({ method: 'GET', url: `/api/v1/customers/${nic}`, headers: { authorization: `Bearer ${staff.token}` } })
  t.is(asStaff.statusCode, 200, asStaff.body)
  t.is(await s.balanceOf(cti), 8)
  t.is((await s.stamp(cti)).statusCode, 200)
  t.is(await s.balanceOf(cti), 7)
  t.deepEqual(await ledger.verify(s.em()), [])
  // The purged distributor's token is gone.
  t.is((await s.api(d, 'GET', '/api/v1/me')).statusCode, 401)
})

test.serial('suspended: an automatic top-up waits (nothing sold, a warning on the CTI); reactivated, it goes out once', async (t) => {
  const staff = await staffToken()
  const d = await s.distributor(1000, 50_000)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 3)
  t.is((await s.api(d, 'PUT', `/api/v1/ctis/${cti}/auto-sale`, { minimum: 1, quantity: 5, amount: '7.50' })).statusCode, 200)
  const inventory = async () => {
    const a = await s.ledger.accountOf(s.em(), 'distributor', d.id, 'stamps')
    return a ? s.ledger.balance(s.em(), a.id) : 0
  }
  const before = await inventory()
  const post = (action: string) => t0.inject({ method: 'POST', url: `/api/v1/distributors/${d.id}/${action}`, headers: { authorization: `Bearer ${staff.token}` } })
  t.is((await post('suspend')).statusCode, 200)
  t.is((await s.stamp(cti)).statusCode, 200)
  t.is((await s.stamp(cti)).statusCode, 200)
  t.is(await s.balanceOf(cti), 1, 'the crossing to the minimum sold nothing')
  t.is(await inventory(), before)
  const [row] = await sql<{ w: string | null }[]>(s.em(), 'select auto_sale_warning as w from stamping_cti where id = ?', [cti])
  t.regex(String(row.w), /en pausa/)
  t.is((await post('reactivate')).statusCode, 200)
  // After the reactivation commits, the sale that waited goes out once (a second delivery sells nothing more).
  await t0.app.kernel.outbox.deliver()
  t.is(await s.balanceOf(cti), 6, 'the waiting sale added its 5 stamps')
  t.is(await inventory(), before - 5)
  await s.em().transactional((tx) => s.services.sales.resumeAutoSales(tx, d.id))
  t.is(await s.balanceOf(cti), 6)
  const [after] = await sql<{ w: string | null }[]>(s.em(), 'select auto_sale_warning as w from stamping_cti where id = ?', [cti])
  t.is(after.w, null)
  t.deepEqual(await s.ledger.verify(s.em()), [])
})
