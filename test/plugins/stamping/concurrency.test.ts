import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import type { TestApp } from '../../helpers/app.js'
import { Stamping, startStampingApp } from './helpers.js'

// On the PostgreSQL server these contend for real (a pool of connections); on the embedded
// database the single connection serializes them, and the outcomes must be the same.
let t0: TestApp
let s: Stamping
// A slow PAC, so that requests overlap across the PAC call as they do in production.
test.before(async () => {
  t0 = await startStampingApp({ sandboxLatencyMs: 20 })
  s = new Stamping(t0)
})
test.after.always(() => t0?.close())

const statusCounts = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, st) => ({ ...m, [st]: (m[st] ?? 0) + 1 }), {})

test('500 concurrent stamps on a balance of 300: exactly 300 TFDs, 200 × 402, balance 0, ledger verify clean', async (t) => {
  const d = await s.distributor(1000)
  const { cti, nic } = await s.customer(d)
  await s.transfer(d, cti, 300)
  const responses = await Promise.all(Array.from({ length: 500 }, () => s.stamp(cti)))
  t.deepEqual(statusCounts(responses.map((r) => r.statusCode)), { 200: 300, 402: 200 })
  t.true(responses.filter((r) => r.statusCode === 402).every((r) => r.json().error.code === 'insufficient_stamps'))
  t.is(new Set(responses.filter((r) => r.statusCode === 200).map((r) => r.json().uuid)).size, 300)
  t.is(await s.balanceOf(cti), 0)
  t.is(await s.stampsOf(cti), 300)
  t.deepEqual(await s.verify(cti), [])
  // The customer's figures moved with the ledger.
  const [fig] = await sql<{ stampBalance: number, stamped: boolean }[]>(s.em(), `select f.stamp_balance::int as "stampBalance", f.last_stamped_at is not null as stamped from stamping_customer_figures f join stamping_cti c on c.customer_id = f.customer_id where c.id = ?`, [cti])
  t.deepEqual(fig, { stampBalance: 0, stamped: true })
  t.truthy(nic)
})

test('two concurrent mass transfers that together exceed the inventory: one wins whole, the other changes nothing', async (t) => {
  const d = await s.distributor(150)
  const a = await s.customer(d, 'Cliente A')
  const b = await s.customer(d, 'Cliente B')
  const mass = (key: string) => s.api(d, 'POST', '/api/v1/transfers/mass', { idempotencyKey: key, items: [{ cti: a.cti, quantity: 50, amount: '75.00' }, { cti: b.cti, quantity: 50, amount: '75.00' }] })
  const [x, y] = await Promise.all([mass('m-1'), mass('m-2')])
  t.deepEqual([x.statusCode, y.statusCode].sort(), [201, 409])
  const loser = x.statusCode === 409 ? x : y
  t.is(loser.json().error.code, 'insufficient_inventory')
  t.is(await s.balanceOf(a.cti), 50)
  t.is(await s.balanceOf(b.cti), 50)
  t.is((await s.api(d, 'GET', '/api/v1/inventory')).json().stamps, 50)
  const [{ n }] = await sql<{ n: number }[]>(s.em(), `select count(*)::int as n from stamping_sale where distributor_id = ?`, [d.id])
  t.is(n, 2)
  t.deepEqual(await s.verify(a.cti, b.cti), [])
})

test('auto top-up under concurrent stamping fires exactly once per crossing', async (t) => {
  const d = await s.distributor(1000)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 10)
  const put = await s.api(d, 'PUT', `/api/v1/ctis/${cti}/auto-sale`, { minimum: 5, quantity: 20, amount: '30.00' })
  t.is(put.statusCode, 200, put.body)
  t.like(put.json().autoSale, { minimum: 5, quantity: 20, amount: '30.00' })
  // 10 → 2 crosses 5 once: one top-up of 20 → 22.
  const first = await Promise.all(Array.from({ length: 8 }, () => s.stamp(cti)))
  t.true(first.every((r) => r.statusCode === 200))
  t.is(await s.balanceOf(cti), 22)
  // 22 → 0 by 22 more stamps: crosses 5 again once (+20), so 20 left after 22 stamps.
  const second = await Promise.all(Array.from({ length: 22 }, () => s.stamp(cti)))
  t.true(second.every((r) => r.statusCode === 200))
  t.is(await s.balanceOf(cti), 20)
  const [{ n }] = await sql<{ n: number }[]>(s.em(), `select count(*)::int as n from stamping_sale where cti_id = ? and kind = 'auto_sale'`, [cti])
  t.is(n, 2)
  t.is((await s.api(d, 'GET', '/api/v1/inventory')).json().stamps, 1000 - 10 - 40)
  t.deepEqual(await s.verify(cti), [])
})

test('auto top-up does not fire when the inventory cannot cover it, and says so on the CTI', async (t) => {
  const d = await s.distributor(12)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 10)
  await s.api(d, 'PUT', `/api/v1/ctis/${cti}/auto-sale`, { minimum: 8, quantity: 5, amount: '7.50' })
  const res = await Promise.all(Array.from({ length: 3 }, () => s.stamp(cti)))
  t.true(res.every((r) => r.statusCode === 200))
  t.is(await s.balanceOf(cti), 7)
  const shown = (await s.api(d, 'GET', `/api/v1/ctis/${cti}`)).json()
  t.regex(shown.autoSale.warning, /Inventario insuficiente/)
  t.is((await s.api(d, 'GET', '/api/v1/inventory')).json().stamps, 2)
  t.deepEqual(await s.verify(cti), [])
})
