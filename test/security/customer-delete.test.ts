import test from 'ava'
import { startTestApp, type Client, type TestApp } from '../helpers/app.js'
import { Stamping } from '../plugins/stamping/helpers.js'
import { adminPost, rows } from './support.js'

// A customer is never deleted from the CM once it has a movement (a transfer, a sale, a stamp):
// "Baja" is the way. One without may be, and then its CTIs, their ledger accounts, its figures,
// links and search rows go with it, in one transaction. Single and bulk delete alike.

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startTestApp({ admin: true }); s = new Stamping(t0) })
test.after.always(() => t0?.close())

async function world() {
  const d = await s.distributor(100)
  const c: Client = t0.client()
  await c.enterCm(d.login, d.password, d.id)
  const customer = async (name: string) => {
    const { nic, cti } = await s.customer(d, name)
    const [{ id, account_id: accountId }] = await rows(t0, 'select c.id, t.account_id from clients_customer c join stamping_cti t on t.customer_id = c.id where c.nic = ?', [nic])
    return { id, nic, cti, accountId }
  }
  return { d, c, customer }
}

/** Everything a customer leaves in any table, by id, NIC, CTI or account. */
async function traces(x: { id: string, nic: string, cti: string, accountId: string }) {
  const n = async (q: string, p: unknown[]) => Number((await rows(t0, q, p))[0].n)
  return {
    customer: await n('select count(*)::int as n from clients_customer where id = ?', [x.id]),
    search: await n('select count(*)::int as n from clients_customer_search where customer_id = ?', [x.id]),
    keys: await n('select count(*)::int as n from clients_customer_search_key where customer_id = ?', [x.id]),
    ctis: await n('select count(*)::int as n from stamping_cti where customer_id = ?', [x.id]),
    figures: await n('select count(*)::int as n from stamping_customer_figures where customer_id = ?', [x.id]),
    accounts: await n('select count(*)::int as n from ledger_account where id = ?', [x.accountId]),
  }
}
const gone = { customer: 0, search: 0, keys: 0, ctis: 0, figures: 0, accounts: 0 }
const kept = { customer: 1, search: 1, keys: 2, ctis: 1, figures: 1, accounts: 1 }

const refused = (t: any, res: { statusCode: number, json(): any }) => {
  t.is(res.statusCode, 200)
  t.is(res.json().notice.type, 'error')
  t.regex(res.json().notice.message, /movimientos .*Baja/)
}

test('record delete: a customer with a transfer stays (clear Spanish notice); one without goes with everything it had', async (t) => {
  const { d, c, customer } = await world()
  const moved = await customer('Con Movimientos SA')
  await s.transfer(d, moved.cti, 5)
  const res = await adminPost(c, `/admin/api/resources/Customer/records/${moved.id}/delete`)
  refused(t, res)
  t.true(res.json().notice.message.includes(moved.nic))
  t.like(await traces(moved), { customer: 1, search: 1, ctis: 1, figures: 1, accounts: 1 })
  // Its CTI still stamps.
  t.is((await s.stamp(moved.cti)).statusCode, 200)

  const idle = await customer('Sin Movimientos SA')
  t.like(await traces(idle), { customer: 1, ctis: 1, figures: 1, accounts: 1 })
  const ok = await adminPost(c, `/admin/api/resources/Customer/records/${idle.id}/delete`)
  t.is(ok.statusCode, 200)
  t.is(ok.json().notice.type, 'success')
  t.deepEqual(await traces(idle), gone)
  // The API agrees: no customer found, no CTI left to stamp with.
  const list = await s.api(d, 'GET', `/api/v1/customers?q=${idle.nic}`)
  t.is(list.json().total, 0)
  t.is((await s.stamp(idle.cti)).statusCode, 401)
  t.is((await s.api(d, 'GET', `/api/v1/ctis/${idle.cti}`)).statusCode, 404)
})

test('a customer whose CTI stamped (balance spent back to zero) is never deleted', async (t) => {
  const { d, c, customer } = await world()
  const x = await customer('Timbró Todo SA')
  await s.transfer(d, x.cti, 1)
  t.is((await s.stamp(x.cti)).statusCode, 200)
  await rows(t0, 'delete from stamping_sale where customer_id = ?', [x.id])
  refused(t, await adminPost(c, `/admin/api/resources/Customer/records/${x.id}/delete`))
  t.like(await traces(x), { customer: 1, ctis: 1, accounts: 1 })
})

test('bulk delete: all or none; a batch with one moved customer deletes nothing', async (t) => {
  const { d, c, customer } = await world()
  const a = await customer('Lote Uno SA')
  const b = await customer('Lote Dos SA')
  const moved = await customer('Lote Movido SA')
  await s.transfer(d, moved.cti, 2)
  const mixed = await adminPost(c, `/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${a.id},${moved.id},${b.id}`)
  refused(t, mixed)
  t.true(mixed.json().notice.message.includes(moved.nic))
  t.false(mixed.json().notice.message.includes(a.nic))
  for (const x of [a, b]) t.like(await traces(x), { customer: 1, ctis: 1, accounts: 1 })
  t.like(await traces(moved), { customer: 1, ctis: 1, accounts: 1 })

  const ok = await adminPost(c, `/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${a.id},${b.id}`)
  t.is(ok.statusCode, 200)
  t.is(ok.json().notice.type, 'success')
  for (const x of [a, b]) t.deepEqual(await traces(x), gone)
  t.deepEqual(Object.keys(kept), Object.keys(await traces(moved)))
  t.like(await traces(moved), { customer: 1, ctis: 1, accounts: 1 })
})

test('the ledger refuses to delete an account with entries, even by hand', async (t) => {
  const { d, customer } = await world()
  const x = await customer('Cuenta Usada SA')
  await s.transfer(d, x.cti, 1)
  await t.throwsAsync(rows(t0, 'delete from ledger_account where id = ?', [x.accountId]), { message: /refused/ })
})
