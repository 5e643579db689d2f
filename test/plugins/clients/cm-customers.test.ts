import test from 'ava'
import clients from '../../../plugins/clients/index.js'
import ledger from '../../../plugins/ledger/index.js'
import stamping from '../../../plugins/stamping/index.js'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { adminPost, rows, uniqueIp } from '../../security/support.js'
import { Stamping } from '../stamping/helpers.js'

// The CM as a distributor uses it: dashboard figures (each from the plugin that owns it, hidden for a
// tier without that plugin), the Clientes list's 12 orders, "Asignar Perfil Admin" and the RFC warning.

let t0: TestApp
let s: Stamping
test.before(async () => {
  t0 = await startTestApp({ admin: true, kernel: { plugins: [{ plugin: clients }, { plugin: ledger, options: { sweepIntervalMs: 0 } }, { plugin: stamping }] } })
  s = new Stamping(t0)
})
test.after.always(() => t0?.close())

const C = '/admin/api/resources/Customer'
const customers = () => t0.app.kernel.contexts.get('clients')!.use('clients').customers
async function cm(d: DistributorFixture): Promise<Client> {
  const c = t0.client({ remoteAddress: uniqueIp() })
  await c.enterCm(d.login, d.password, d.id)
  return c
}
const idOf = async (nic: string) => (await rows<{ id: string }>(t0, 'select id from clients_customer where nic = ?', [nic]))[0].id
const figuresOf = async (c: Client) => {
  const res = await c.get('/admin/api/dashboard')
  if (res.statusCode !== 200) throw new Error(`dashboard: ${res.statusCode} ${res.body}`)
  return Object.fromEntries((res.json().figures as { key: string, value: string, href: string, label: string }[]).map((f) => [f.key, f]))
}

test('the dashboard shows each figure from the plugin that owns it, linking to its list; a tier without stamping sees only the customers', async (t) => {
  const d = await s.distributor(1000, 2500_00)
  const a = await s.customer(d, 'Uno SA')
  const b = await s.customer(d, 'Dos SA')
  await s.customer(d, 'Tres SA')
  await s.transfer(d, a.cti, 40)
  await s.transfer(d, b.cti, 15)
  // a is above 10 stamps; b has 15 but an auto top-up minimum of 20 (its own threshold): both count as low? only b.
  await s.services.sales.setAutoSale(s.em(), d.id, [b.cti], { minimum: 20, quantity: 5, amount: 750 })
  // Configuring it sold 5 at once (15 ≤ 20): b has 20, still at its minimum.
  t.is(await s.balanceOf(b.cti), 20)
  t.is((await s.stamp(a.cti)).statusCode, 200)
  const f = await figuresOf(await cm(d))
  t.deepEqual(Object.keys(f), ['customers', 'inventoryStamps', 'inventoryPoints', 'ctis', 'stampsSoldMonth', 'stampedMonth', 'ctisLow'])
  t.is(f.customers.value, '3')
  t.is(f.customers.href, '/admin/resources/Customer')
  t.is(f.inventoryStamps.value, (1000 - 40 - 15 - 5).toLocaleString('es-MX'))
  t.is(f.inventoryPoints.value, '2,500.00')
  t.is(f.ctis.value, '3')
  t.is(f.stampsSoldMonth.value, '60')
  t.is(f.stampedMonth.value, '1')
  // b (20 ≤ its minimum 20) and the third customer's CTI (0 ≤ 10); a has 39.
  t.is(f.ctisLow.value, '2')
  t.is(f.ctisLow.href, '/admin/resources/StampingAccount?filters.lowStamps=true')
  // The link's filter lists exactly those CTIs.
  const c = await cm(d)
  const low = (await c.get('/admin/api/resources/StampingAccount/actions/list?filters.lowStamps=true')).json().records.map((r: any) => r.id)
  t.is(low.length, 2)
  t.false(low.includes(a.cti))
  t.true(low.includes(b.cti))
  for (const k of Object.keys(f)) t.true(f[k].href.startsWith('/admin/resources/'), k)

  // Another distributor's figures are its own.
  const other = await s.distributor(7)
  const g = await figuresOf(await cm(other))
  t.like(g, { customers: { value: '0' }, inventoryStamps: { value: '7' }, ctis: { value: '0' }, stampsSoldMonth: { value: '0' }, stampedMonth: { value: '0' }, ctisLow: { value: '0' } })

  // A tier without stamping: the customers figure only (stamping's contributions are not read).
  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  t.deepEqual(Object.keys(await figuresOf(await cm(basic))), ['customers'])
})

test('the Clientes list orders by each of the manual\'s 12 orders, on data made to tell them apart', async (t) => {
  const d = await s.distributor(1000, 1000_00)
  const names = ['Delta Uno SA', 'Alfa Dos SA', 'Charlie Tres SA', 'Bravo Cuatro SA']
  const made: { nic: string, cti: string }[] = []
  for (const n of names) made.push(await s.customer(d, n))
  const nic = (i: number) => made[i - 1].nic
  const em = s.em()
  const day = (n: number) => new Date(Date.UTC(2025, 0, n))
  const balance = [5, 20, 0, 10]
  const points = [300_00, 0, 100_00, 200_00]
  const purchased = [day(3), day(2), null, day(1)]
  const created = [day(4), day(2), day(3), day(1)]
  const stamped = [day(6), day(5), null, day(7)]
  const pointsInventory = (await s.ledger.accountOf(em, 'distributor', d.id, 'points'))!.id
  for (let i = 0; i < 4; i++) {
    const id = await idOf(made[i].nic)
    if (balance[i]) await s.transfer(d, made[i].cti, balance[i])
    if (points[i]) {
      const to = await s.ledger.ensureAccount(s.em(), { ownerType: 'customer', ownerId: id, asset: 'points', distributorId: d.id })
      await s.ledger.transfer(s.em(), { from: pointsInventory, to: to.id, amount: points[i], kind: 'sale' })
    }
    // Dates set outright, so that each order differs from every other.
    await rows(t0, 'update clients_customer set created_at = ? where id = ?', [created[i], id])
    await rows(t0, `insert into stamping_customer_figures (customer_id, distributor_id, last_stamp_purchase_at, last_stamped_at) values (?, ?, ?, ?)
      on conflict (customer_id) do update set last_stamp_purchase_at = excluded.last_stamp_purchase_at, last_stamped_at = excluded.last_stamped_at`, [id, d.id, purchased[i], stamped[i]])
  }
  // [sortBy, direction, expected customers (1-based, by creation)]; dates: nulls last either way.
  const orders: [string, 'asc' | 'desc', number[]][] = [
    ['legalName', 'asc', [2, 4, 3, 1]],
    ['nic', 'asc', [1, 2, 3, 4]],
    ['stampBalance', 'desc', [2, 4, 1, 3]],
    ['stampBalance', 'asc', [3, 1, 4, 2]],
    ['points', 'desc', [1, 4, 3, 2]],
    ['points', 'asc', [2, 3, 4, 1]],
    ['lastStampPurchaseAt', 'desc', [1, 2, 4, 3]],
    ['lastStampPurchaseAt', 'asc', [4, 2, 1, 3]],
    ['createdAt', 'desc', [1, 3, 2, 4]],
    ['createdAt', 'asc', [4, 2, 3, 1]],
    ['lastStampedAt', 'desc', [4, 1, 2, 3]],
    ['lastStampedAt', 'asc', [2, 1, 4, 3]],
  ]
  // The data tells the 12 orders apart.
  t.is(new Set(orders.map(([, , e]) => e.join())).size, 12)
  const c = await cm(d)
  for (const [sortBy, direction, order] of orders) {
    const res = await c.get(`${C}/actions/list?sortBy=${sortBy}&direction=${direction}&perPage=10`)
    t.is(res.statusCode, 200)
    t.deepEqual(res.json().records.map((r: any) => r.params.nic), order.map(nic), `${sortBy} ${direction}`)
    // Pages cut the same order.
    const page2 = await c.get(`${C}/actions/list?sortBy=${sortBy}&direction=${direction}&perPage=3&page=2`)
    t.deepEqual(page2.json().records.map((r: any) => r.params.nic), [nic(order[3])], `${sortBy} ${direction} page 2`)
  }
  // The stated default: newest sign-up first.
  const plain = (await c.get(`${C}/actions/list`)).json()
  t.deepEqual(plain.records.map((r: any) => r.params.nic), [1, 3, 2, 4].map(nic))
  t.like(plain.meta, { sortBy: 'createdAt', direction: 'desc' })
  // The list carries the balance, points and date columns.
  const row = plain.records.find((r: any) => r.params.nic === nic(2)).params
  t.like(row, { stampBalance: 20, points: '0.00', lastStampPurchaseAt: day(2).toISOString(), lastStampedAt: day(5).toISOString() })
})

test('Asignar Perfil Admin: the matching profile becomes the owner; the owner rule and another distributor\'s customer are refused', async (t) => {
  const d = await s.distributor(10)
  const other = await s.distributor(10)
  const mine = await s.customer(d, 'Propio SA')
  const theirs = await s.customer(other, 'Ajeno SA')
  const c = await cm(d)
  const url = (_nic: string, id: string) => `${C}/records/${id}/assignOwner`
  const id = await idOf(mine.nic)
  const owners = async (customerId: string) => rows<{ profile_id: string, role: string }>(t0, 'select profile_id, role from clients_customer_profile where customer_id = ? order by role', [customerId])

  // GET shows the form and changes nothing.
  const get = await c.get(url(mine.nic, id))
  t.is(get.statusCode, 200)
  t.is(get.json().record.params.owner, '')
  t.deepEqual(await owners(id), [])

  const p = await t0.fixtures.profile({ name: 'Dueña Real' })
  // Only one of the two data matching: refused, nothing changes.
  const wrong = await adminPost(c, url(mine.nic, id), { email: p.email, mobile: '+52 55 0000 0000' })
  t.is(wrong.json().notice.type, 'error')
  t.regex(wrong.json().notice.message, /Ningún perfil tiene ese correo y móvil/)
  t.deepEqual(await owners(id), [])

  const ok = await adminPost(c, url(mine.nic, id), { email: p.email, mobile: p.mobile })
  t.is(ok.statusCode, 200)
  t.is(ok.json().notice.type, 'success')
  t.regex(ok.json().notice.message, /Dueña Real .* perfil principal de Propio SA/)
  t.deepEqual(await owners(id), [{ profile_id: p.id, role: 'owner' }])
  t.regex((await c.get(url(mine.nic, id))).json().record.params.owner, /Dueña Real/)

  // The owner rule: a profile that administers a CM (the distributor's own member) cannot own a customer.
  const member = await rows<{ email: string, mobile: string }>(t0, 'select email, mobile from core_profile where id = ?', [d.profileId])
  const rule = await adminPost(c, url(mine.nic, id), { email: member[0].email, mobile: member[0].mobile })
  t.is(rule.json().notice.type, 'error')
  t.regex(rule.json().notice.message, /administra una CM/)
  t.deepEqual(await owners(id), [{ profile_id: p.id, role: 'owner' }])

  // Another distributor's customer: not found, by GET or POST, and nothing changes.
  const foreignId = await idOf(theirs.nic)
  const q = await t0.fixtures.profile()
  const foreignGet = await c.get(url(theirs.nic, foreignId))
  // AdminJS answers a record outside the tenant as not found (its 200 with a NotFoundError).
  t.is(foreignGet.json().record.baseError.type, 'NotFoundError')
  t.false(foreignGet.body.includes('Ajeno SA'))
  const foreignPost = await adminPost(c, url(theirs.nic, foreignId), { email: q.email, mobile: q.mobile })
  t.is(foreignPost.json().record.baseError.type, 'NotFoundError')
  t.false(/"type":"success"/.test(foreignPost.body))
  t.false(foreignPost.body.includes('Ajeno SA'))
  t.deepEqual(await owners(foreignId), [])
})

test('an RFC another of the distributor\'s customers uses is saved with a warning, not refused; another distributor\'s RFC is no concern', async (t) => {
  const d = await s.distributor(10)
  const other = await s.distributor(10)
  const c = await cm(d)
  const first = await adminPost(c, `${C}/actions/new`, { legalName: 'Matriz SA', rfc: 'MAG041126GT8' })
  t.is(first.json().notice.type, 'success')
  const matriz = first.json().record.params.nic as string
  // The same RFC at another distributor is not a duplicate for this one.
  await customers().create(s.em(), other.id, { legalName: 'Otro SA', rfc: 'IIA040805DZ4' })
  const second = await adminPost(c, `${C}/actions/new`, { legalName: 'Sucursal SA', rfc: 'mag041126gt8' })
  t.is(second.json().notice.type, 'warning')
  t.regex(second.json().notice.message, new RegExp(`Cliente guardado. Aviso: el RFC MAG041126GT8 ya lo usa otro de sus clientes \\(NIC ${matriz}\\)`))
  t.is((await rows(t0, 'select count(*)::int as n from clients_customer where distributor_id = ? and rfc = ?', [d.id, 'MAG041126GT8']))[0].n, 2)
  const third = await adminPost(c, `${C}/actions/new`, { legalName: 'Tercero SA', rfc: 'IIA040805DZ4' })
  t.is(third.json().notice.type, 'success')
  // Editing into a used RFC warns too, and saves.
  const thirdId = third.json().record.params.id as string
  const edit = await adminPost(c, `${C}/records/${thirdId}/edit`, { legalName: 'Tercero SA', rfc: 'MAG041126GT8' })
  t.is(edit.json().notice.type, 'warning')
  t.is((await rows(t0, 'select rfc from clients_customer where id = ?', [thirdId]))[0].rfc, 'MAG041126GT8')
  // The SAT's generic RFC (público en general) is shared by design: no warning.
  for (const name of ['Mostrador Uno', 'Mostrador Dos']) t.is((await adminPost(c, `${C}/actions/new`, { legalName: name, rfc: 'XAXX010101000' })).json().notice.type, 'success')
  // A bad RFC is still refused (the warning is not a way around validation).
  const bad = await adminPost(c, `${C}/actions/new`, { legalName: 'Malo SA', rfc: 'MAG041126GT9' })
  t.not(bad.json().notice?.type, 'success')
  t.is((await rows(t0, 'select count(*)::int as n from clients_customer where legal_name = ?', ['Malo SA']))[0].n, 0)
})

test('the contacts are edited as sections of the CM form: name, e-mail and phones (one field, comma-separated)', async (t) => {
  const d = await s.distributor(10)
  const c = await cm(d)
  const made = await adminPost(c, `${C}/actions/new`, {
    legalName: 'Con Contactos SA', rfc: 'URE180429TM6',
    'legalRepresentative.name': 'Ana Ruiz', 'legalRepresentative.email': 'ana@ejemplo.mx', 'legalRepresentative.phones': '55 1111 2222, 33 3333 4444',
    'technicalContact.name': '', 'technicalContact.email': '', 'technicalContact.phones': '',
  })
  t.is(made.json().notice.type, 'success', made.body.slice(0, 300))
  const nic = made.json().record.params.nic as string
  const json = await customers().json(s.em(), await customers().getByNic(s.em(), d.id, nic))
  t.deepEqual(json.legalRepresentative, { name: 'Ana Ruiz', email: 'ana@ejemplo.mx', phones: ['55 1111 2222', '33 3333 4444'] })
  t.deepEqual(json.technicalContact, { name: null, email: null, phones: [] })
  // The show/edit record gives the phones as the form's one field.
  const id = await idOf(nic)
  const shown = (await c.get(`${C}/records/${id}/show`)).json().record.params
  t.is(shown['legalRepresentative.phones'], '55 1111 2222, 33 3333 4444')
  // Clearing a contact's fields clears it; a bad e-mail is refused naming the field.
  const bad = await adminPost(c, `${C}/records/${id}/edit`, { legalName: 'Con Contactos SA', rfc: 'URE180429TM6', 'legalRepresentative.email': 'no-es-correo' })
  t.not(bad.json().notice?.type, 'success')
  t.is((await customers().json(s.em(), await customers().getByNic(s.em(), d.id, nic))).legalRepresentative.email, 'ana@ejemplo.mx')
  const cleared = await adminPost(c, `${C}/records/${id}/edit`, { legalName: 'Con Contactos SA', rfc: 'URE180429TM6', 'legalRepresentative.name': '', 'legalRepresentative.email': '', 'legalRepresentative.phones': '' })
  t.is(cleared.json().notice.type, 'success')
  t.deepEqual((await customers().json(s.em(), await customers().getByNic(s.em(), d.id, nic))).legalRepresentative, { name: null, email: null, phones: [] })
})
