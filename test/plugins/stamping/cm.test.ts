import test from 'ava'
import clients from '../../../plugins/clients/index.js'
import ledger from '../../../plugins/ledger/index.js'
import stamping from '../../../plugins/stamping/index.js'
import { csrfTokenOf, startTestApp, type Client, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { adminPost, rows, uniqueIp, XSS_IMG, XSS_SCRIPT } from '../../security/support.js'
import { CTI_PASSWORD, Stamping } from './helpers.js'

// The CM's Timbrado screens (AdminJS over HTTP, as the browser drives them) and the PCC page.

let t0: TestApp
let s: Stamping
test.before(async () => {
  t0 = await startTestApp({ admin: true, kernel: { plugins: [{ plugin: clients }, { plugin: ledger, options: { sweepIntervalMs: 0 } }, { plugin: stamping }] } })
  s = new Stamping(t0)
})
test.after.always(() => t0?.close())

const R = '/admin/api/resources/StampingAccount'
const isSuccess = (res: { statusCode: number, body: string }) => res.statusCode < 300 && /"notice":\{[^}]*"type":"success"/.test(res.body)
const notice = (res: { json(): any }) => res.json().notice?.message as string | undefined

async function cm(d: DistributorFixture): Promise<Client> {
  const c = t0.client({ remoteAddress: uniqueIp() })
  await c.enterCm(d.login, d.password, d.id)
  return c
}

async function world(stamps = 1000) {
  const a = await s.distributor(stamps)
  const b = await s.distributor(stamps)
  const a1 = await s.customer(a, 'Alfa Uno SA')
  const a2 = await s.customer(a, 'Alfa Dos SA')
  const b1 = await s.customer(b, 'Beta Uno SA')
  return { a, b, a1, a2, b1, c: await cm(a) }
}

const sales = (cti: string) => rows<{ quantity: number, amount: string, kind: string }>(t0, 'select quantity, amount::text as amount, kind from stamping_sale where cti_id = ? order by created_at', [cti])
const inventory = async (d: DistributorFixture) => (await s.services.sales.inventory(s.em(), d.id)).stamps
const ctiRow = async (id: string) => (await rows(t0, 'select active, password_hash, credentials_version, auto_sale_minimum, auto_sale_quantity, auto_sale_amount::int as auto_sale_amount from stamping_cti where id = ?', [id]))[0]

test('the list shows only the distributor\'s CTIs, with NIC, type, active, balance; never the hash or the ledger account', async (t) => {
  const w = await world()
  await s.transfer(w.a, w.a1.cti, 7)
  const list = await w.c.get(`${R}/actions/list?perPage=50`)
  t.is(list.statusCode, 200)
  const records = list.json().records
  t.deepEqual(records.map((r: any) => r.id).sort(), [w.a1.cti, w.a2.cti].sort())
  const one = records.find((r: any) => r.id === w.a1.cti)
  t.is(one.params.customerNic, w.a1.nic)
  t.is(one.params.type, 'standard')
  t.is(one.params.active, true)
  t.is(one.params.balance, 7)
  for (const k of ['accountId', 'passwordHash', 'initialPassword', 'distributorId', 'credentialsVersion']) t.false(k in one.params, k)
  t.false(list.body.includes(w.b1.cti))
  t.false(/password_?hash|\$argon2/i.test(list.body))
  // Searchable by NIC and by CTI id; B's NIC finds nothing.
  t.deepEqual((await w.c.get(`${R}/actions/list?filters.customerNic=${w.a2.nic}`)).json().records.map((r: any) => r.id), [w.a2.cti])
  t.deepEqual((await w.c.get(`${R}/actions/list?filters.id=${w.a1.cti}`)).json().records.map((r: any) => r.id), [w.a1.cti])
  t.deepEqual((await w.c.get(`${R}/actions/list?filters.customerNic=${w.b1.nic}`)).json().records, [])
  t.deepEqual((await w.c.get(`${R}/actions/search/${w.b1.cti}`)).json().records, [])
  // Show: balance, and B's CTI is not found.
  const show = await w.c.get(`${R}/records/${w.a1.cti}/show`)
  t.is(show.json().record.params.balance, 7)
  t.false(isSuccess(await w.c.get(`${R}/records/${w.b1.cti}/show`)))
  t.false((await w.c.get(`${R}/records/${w.b1.cti}/show`)).body.includes(w.b1.nic))
})

test('no generic new, edit or delete: posted fields change nothing', async (t) => {
  const w = await world()
  const before = await ctiRow(w.a1.cti)
  for (const action of ['edit', 'delete']) {
    const res = await adminPost(w.c, `${R}/records/${w.a1.cti}/${action}`, { active: 'false', passwordHash: 'x', accountId: '00000000-0000-0000-0000-000000000000', customerId: w.b.id })
    t.false(/"type":"success"/.test(res.body), action)
  }
  t.false(/"type":"success"/.test((await adminPost(w.c, `${R}/actions/new`, { id: 'CTI-FORJADA', distributorId: w.a.id, customerId: w.a1.cti })).body))
  t.false(/"type":"success"/.test((await adminPost(w.c, `${R}/bulk/bulkDelete?recordIds=${w.a1.cti}`)).body))
  t.deepEqual(await ctiRow(w.a1.cti), before)
  t.is((await rows(t0, 'select count(*)::int as n from stamping_cti where id = ?', ['CTI-FORJADA']))[0].n, 0)
})

test('transfer through the CM: GET changes nothing; POST moves the stamps and records the sale, once per form key', async (t) => {
  const w = await world(100)
  const form = await w.c.get(`${R}/records/${w.a1.cti}/transfer`)
  t.is(form.statusCode, 200)
  const key = form.json().record.params.idempotencyKey
  t.regex(key, /^[0-9a-f-]{36}$/)
  t.not((await w.c.get(`${R}/records/${w.a1.cti}/transfer?quantity=5&amount=7.50&idempotencyKey=x`)).json().record.params.idempotencyKey, key)
  t.is(await s.balanceOf(w.a1.cti), 0)
  t.deepEqual(await sales(w.a1.cti), [])

  const res = await adminPost(w.c, `${R}/records/${w.a1.cti}/transfer`, { quantity: '25', amount: '37.50', idempotencyKey: key })
  t.true(isSuccess(res), res.body)
  t.regex(notice(res)!, /Transferidos 25 timbres/)
  t.is(res.json().record.params.balance, 25)
  t.is(await s.balanceOf(w.a1.cti), 25)
  t.is(await inventory(w.a), 75)
  t.deepEqual(await sales(w.a1.cti), [{ quantity: 25, amount: '3750', kind: 'transfer' }])
  // The same form posted again (a double click, a retry) applies nothing more.
  const again = await adminPost(w.c, `${R}/records/${w.a1.cti}/transfer`, { quantity: '25', amount: '37.50', idempotencyKey: key })
  t.regex(notice(again)!, /ya se había aplicado/)
  t.is(await s.balanceOf(w.a1.cti), 25)
  t.is((await sales(w.a1.cti)).length, 1)
  // Bad input and too little inventory: a Spanish notice, nothing moves.
  const bad = await adminPost(w.c, `${R}/records/${w.a1.cti}/transfer`, { quantity: '-3', amount: 'diez', idempotencyKey: 'k-bad' })
  t.false(isSuccess(bad))
  t.regex(notice(bad)!, /Cantidad: .*Importe: /)
  const tooMuch = await adminPost(w.c, `${R}/records/${w.a1.cti}/transfer`, { quantity: '76', amount: '1.00', idempotencyKey: 'k-much' })
  t.regex(notice(tooMuch)!, /inventario no alcanza/)
  t.is(await s.balanceOf(w.a1.cti), 25)
  t.is(await inventory(w.a), 75)
  // The new balance stamps through the API.
  t.is((await s.stamp(w.a1.cti)).statusCode, 200)
})

test('another distributor\'s CTI: every action is refused and nothing of B\'s changes', async (t) => {
  const w = await world()
  await s.transfer(w.b, w.b1.cti, 5)
  const before = await ctiRow(w.b1.cti)
  const invA = await inventory(w.a)
  const attempts: [string, Record<string, string>][] = [
    ['transfer', { quantity: '10', amount: '15.00', idempotencyKey: 'k-foreign' }],
    ['block', {}], ['unblock', {}],
    ['resetPassword', { password: 'tomada-por-a-1', passwordConfirmation: 'tomada-por-a-1' }],
    ['revealPassword', {}],
  ]
  for (const [action, form] of attempts) {
    const get = await w.c.get(`${R}/records/${w.b1.cti}/${action}`)
    t.false(isSuccess(get), action)
    t.false(get.body.includes(w.b1.nic), action)
    const res = await adminPost(w.c, `${R}/records/${w.b1.cti}/${action}`, form)
    t.false(isSuccess(res), action)
    // AdminJS answers a record outside the tenant as "not found" (its NotFoundError, in a 200).
    t.is(res.json().record?.baseError?.type, 'NotFoundError', `${action} ${res.body}`)
  }
  for (const action of ['massTransfer', 'autoSale']) {
    const res = await adminPost(w.c, `${R}/bulk/${action}?recordIds=${w.b1.cti}`, { 'items.0.cti': w.b1.cti, 'items.0.quantity': '3', 'items.0.amount': '4.50', idempotencyKey: `k-${action}`, minimum: '1', quantity: '2', amount: '3.00' })
    t.false(isSuccess(res), action)
  }
  // Mixed into a mass transfer of A's own CTIs, B's row sinks the whole transfer.
  const mixed = await adminPost(w.c, `${R}/bulk/massTransfer?recordIds=${w.a1.cti}`, {
    'items.0.cti': w.a1.cti, 'items.0.quantity': '3', 'items.0.amount': '4.50', 'items.1.cti': w.b1.cti, 'items.1.quantity': '3', 'items.1.amount': '4.50', idempotencyKey: 'k-mixed',
  })
  t.false(isSuccess(mixed))
  t.deepEqual(await ctiRow(w.b1.cti), before)
  t.is(await s.balanceOf(w.b1.cti), 5)
  t.is(await s.balanceOf(w.a1.cti), 0)
  t.is(await inventory(w.a), invA)
  t.is((await s.stamp(w.b1.cti)).statusCode, 200)
})

test('without our Origin (cross-site form), a transfer is refused by CSRF', async (t) => {
  const w = await world()
  const key = (await w.c.get(`${R}/records/${w.a1.cti}/transfer`)).json().record.params.idempotencyKey
  for (const headers of [{}, { origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
    const res = await adminPost(w.c, `${R}/records/${w.a1.cti}/transfer`, { quantity: '5', amount: '7.50', idempotencyKey: key }, headers)
    t.is(res.statusCode, 403)
  }
  t.is(await s.balanceOf(w.a1.cti), 0)
})

test('mass transfer: all rows or none; a bad row applies nothing, a good form applies all with their sales', async (t) => {
  const w = await world(100)
  const url = `${R}/bulk/massTransfer?recordIds=${w.a1.cti},${w.a2.cti}`
  const get = await w.c.get(url)
  t.deepEqual(get.json().records.map((r: any) => r.id).sort(), [w.a1.cti, w.a2.cti].sort())
  for (const bad of [
    { 'items.0.cti': w.a1.cti, 'items.0.quantity': '10', 'items.0.amount': '15.00', 'items.1.cti': w.a2.cti, 'items.1.quantity': '0', 'items.1.amount': '15.00' },
    { 'items.0.cti': w.a1.cti, 'items.0.quantity': '10', 'items.0.amount': '15.00', 'items.1.cti': w.a2.cti, 'items.1.quantity': '91', 'items.1.amount': '15.00' },
    { 'items.0.cti': w.a1.cti, 'items.0.quantity': '10', 'items.0.amount': '15.00', 'items.1.cti': 'CTI-NO-EXISTE', 'items.1.quantity': '1', 'items.1.amount': '1.50' },
  ]) {
    const res = await adminPost(w.c, url, { ...bad, idempotencyKey: `k-${Math.random()}` })
    t.false(isSuccess(res), res.body)
    t.is(await s.balanceOf(w.a1.cti), 0)
    t.is(await s.balanceOf(w.a2.cti), 0)
    t.is(await inventory(w.a), 100)
  }
  const firstBad = await adminPost(w.c, url, { 'items.0.cti': w.a1.cti, 'items.0.quantity': '10', 'items.0.amount': '15.00', 'items.1.cti': w.a2.cti, 'items.1.quantity': '0', 'items.1.amount': 'x', idempotencyKey: 'k-named' })
  t.regex(notice(firstBad)!, /Fila 2, cantidad/)
  const ok = await adminPost(w.c, url, { 'items.0.cti': w.a1.cti, 'items.0.quantity': '10', 'items.0.amount': '15.00', 'items.1.cti': w.a2.cti, 'items.1.quantity': '20', 'items.1.amount': '30.00', idempotencyKey: 'k-mass-ok' })
  t.true(isSuccess(ok), ok.body)
  t.is(ok.json().redirectUrl, '/admin/resources/StampingAccount')
  t.is(await s.balanceOf(w.a1.cti), 10)
  t.is(await s.balanceOf(w.a2.cti), 20)
  t.is(await inventory(w.a), 70)
  t.deepEqual(await sales(w.a2.cti), [{ quantity: 20, amount: '3000', kind: 'mass_transfer' }])
  t.deepEqual(await s.verify(w.a1.cti, w.a2.cti), [])
})

test('block and reactivate: the stamping API refuses a blocked CTI and accepts it again; GET changes nothing', async (t) => {
  const w = await world()
  await s.transfer(w.a, w.a1.cti, 5)
  const get = await w.c.get(`${R}/records/${w.a1.cti}/block`)
  t.is(get.statusCode, 200)
  t.is((await ctiRow(w.a1.cti)).active, true)
  const block = await adminPost(w.c, `${R}/records/${w.a1.cti}/block`)
  t.true(isSuccess(block), block.body)
  t.is((await ctiRow(w.a1.cti)).active, false)
  t.is((await s.stamp(w.a1.cti)).statusCode, 403)
  // Block is offered on active CTIs only, reactivate on blocked ones.
  t.false(isSuccess(await adminPost(w.c, `${R}/records/${w.a1.cti}/block`)))
  const list = (await w.c.get(`${R}/actions/list?filters.id=${w.a1.cti}`)).json().records[0]
  t.deepEqual(list.recordActions.map((a: any) => a.name).filter((n: string) => n === 'block' || n === 'unblock'), ['unblock'])
  t.true(isSuccess(await adminPost(w.c, `${R}/records/${w.a1.cti}/unblock`)))
  t.is((await ctiRow(w.a1.cti)).active, true)
  t.is((await s.stamp(w.a1.cti)).statusCode, 200)
})

test('reset password, initial password shown once, auto top-up and a new CTI through the CM', async (t) => {
  const w = await world()
  await s.transfer(w.a, w.a1.cti, 2)
  // Reset: the confirmation must match; then the API takes the new password only.
  const mismatch = await adminPost(w.c, `${R}/records/${w.a1.cti}/resetPassword`, { password: 'nueva-clave-cti-1', passwordConfirmation: 'otra-clave-cti-1' })
  t.regex(notice(mismatch)!, /Confirmación/)
  t.is((await s.stamp(w.a1.cti)).statusCode, 200)
  t.true(isSuccess(await adminPost(w.c, `${R}/records/${w.a1.cti}/resetPassword`, { password: 'nueva-clave-cti-1', passwordConfirmation: 'nueva-clave-cti-1' })))
  t.is((await s.stamp(w.a1.cti)).statusCode, 401)
  t.is((await s.stamp(w.a1.cti, { password: 'nueva-clave-cti-1' })).statusCode, 200)

  // A new customer's CTI keeps its generated password until shown; it is shown once. Created through
  // the API, the creation's answer shows it (issue 12), so the CM has nothing left to show…
  const res = await s.api(w.a, 'POST', '/api/v1/customers', { legalName: 'Gamma SA', rfc: 'EKU9003173C9' })
  t.regex(res.json().cti.password, /^[A-Za-z0-9_-]{16}$/)
  t.is((await adminPost(w.c, `${R}/records/${res.json().cti.id}/revealPassword`)).json().password, null)
  // …while for a customer created otherwise (the CM's form, an import) the CM shows it once.
  const { nic } = await s.app.app.kernel.contexts.get('clients')!.use('clients').customers.create(s.em(), w.a.id, { legalName: 'Delta SA', rfc: 'EKU9003173C9' })
  const cti = (await s.api(w.a, 'GET', `/api/v1/ctis?customer=${nic}`)).json().items[0].id
  t.is((await w.c.get(`${R}/records/${cti}/revealPassword`)).json().password, undefined)
  const first = await adminPost(w.c, `${R}/records/${cti}/revealPassword`)
  t.regex(first.json().password, /^[A-Za-z0-9_-]{16}$/)
  t.is((await adminPost(w.c, `${R}/records/${cti}/revealPassword`)).json().password, null)
  t.is((await s.stamp(cti, { password: first.json().password })).statusCode, 402)

  // Auto top-up for two CTIs at once.
  const auto = await adminPost(w.c, `${R}/bulk/autoSale?recordIds=${w.a2.cti},${cti}`, { minimum: '5', quantity: '50', amount: '75.00' })
  t.true(isSuccess(auto), auto.body)
  for (const id of [w.a2.cti, cti]) {
    const row = await ctiRow(id)
    t.deepEqual([row.auto_sale_minimum, row.auto_sale_quantity, row.auto_sale_amount], [5, 50, 7500])
    t.is(await s.balanceOf(id), 50) // the configuration left it at the minimum: it fired at once
  }
  const shown = (await w.c.get(`${R}/actions/list?filters.id=${w.a2.cti}`)).json().records[0].params
  t.is(shown.autoSale, 'Mín. 5 → 50 timbres por $75.00')
  t.true(isSuccess(await adminPost(w.c, `${R}/bulk/autoSale?recordIds=${w.a2.cti}`, { disable: 'true' })))
  t.is((await ctiRow(w.a2.cti)).auto_sale_minimum, null)

  // A new CTI for a customer by NIC; another distributor's NIC is not found.
  const created = await adminPost(w.c, `${R}/actions/createCti`, { nic: w.a1.nic, type: 'standard', id: 'CTI-ALFA-2', password: 'clave-nueva-2a', passwordConfirmation: 'clave-nueva-2a' })
  t.true(isSuccess(created), created.body)
  const [row] = await rows(t0, 'select distributor_id, customer_nic from stamping_cti where id = ?', ['CTI-ALFA-2'])
  t.deepEqual(row, { distributor_id: w.a.id, customer_nic: w.a1.nic })
  const foreign = await adminPost(w.c, `${R}/actions/createCti`, { nic: w.b1.nic, type: 'standard', password: 'clave-nueva-2a', passwordConfirmation: 'clave-nueva-2a' })
  t.regex(notice(foreign)!, /No existe un cliente suyo/)
  t.is((await rows(t0, 'select count(*)::int as n from stamping_cti where customer_nic = ?', [w.b1.nic]))[0].n, 1)
  t.regex(notice(await adminPost(w.c, `${R}/actions/createCti`, { nic: w.a1.nic, id: 'CTI-ALFA-2', password: 'clave-nueva-2a', passwordConfirmation: 'clave-nueva-2a' }))!, /ya está en uso/)
  t.is((await w.c.get(`${R}/actions/createCti`)).statusCode, 200)
})

async function pccClient(customerNic: string) {
  const p = await t0.fixtures.profile()
  const [{ id }] = await rows<{ id: string }>(t0, 'select id from clients_customer where nic = ?', [customerNic])
  await t0.app.kernel.contexts.get('clients')!.use('clients').customers.link(s.em(), id, p.id)
  const c = t0.client({ remoteAddress: uniqueIp() })
  if ((await c.login(p.email, p.password)).statusCode !== 303) throw new Error('login failed')
  // The panel's URLs name the customer by its NIC.
  return { c, customerId: customerNic }
}

test('PCC: the customer sees only its own CTIs and changes a password the stamping API then accepts', async (t) => {
  const w = await world()
  await s.transfer(w.a, w.a1.cti, 4)
  const { c, customerId } = await pccClient(w.a1.nic)
  const page = await c.get(`/pcc/${customerId}/timbrado`)
  t.is(page.statusCode, 200)
  t.true(page.body.includes(w.a1.cti))
  t.true(page.body.includes('Estándar'))
  t.regex(page.body, /<td class="num">4<\/td>/)
  t.false(page.body.includes(w.a2.cti))
  t.false(page.body.includes(w.b1.cti))
  t.false(/argon2|password_hash/.test(page.body))
  const _csrf = csrfTokenOf(page.body)!

  const mismatch = await c.postForm(`/pcc/${customerId}/timbrado`, { _csrf, cti: w.a1.cti, password: 'clave-del-cliente-1', passwordConfirmation: 'no-coincide-1' })
  t.is(mismatch.statusCode, 422)
  t.true(mismatch.body.includes('La confirmación no coincide'))
  const noToken = await c.postForm(`/pcc/${customerId}/timbrado`, { cti: w.a1.cti, password: 'clave-del-cliente-1', passwordConfirmation: 'clave-del-cliente-1' })
  t.is(noToken.statusCode, 403)
  t.is((await s.stamp(w.a1.cti)).statusCode, 200)

  const ok = await c.postForm(`/pcc/${customerId}/timbrado`, { _csrf, cti: w.a1.cti, password: 'clave-del-cliente-1', passwordConfirmation: 'clave-del-cliente-1' })
  t.is(ok.statusCode, 303)
  t.is(ok.headers.location, `/pcc/${customerId}/timbrado`)
  t.true((await c.get(`/pcc/${customerId}/timbrado`)).body.includes('Contraseña de la cuenta'))
  t.is((await s.stamp(w.a1.cti)).statusCode, 401)
  const stamped = await s.stamp(w.a1.cti, { password: 'clave-del-cliente-1' })
  t.is(stamped.statusCode, 200, stamped.body)
  t.is(stamped.json().balance, 2)
})

test('PCC: a password change for another customer\'s CTI (same or other distributor) is refused and changes nothing', async (t) => {
  const w = await world()
  const { c, customerId } = await pccClient(w.a1.nic)
  const _csrf = await c.csrf(`/pcc/${customerId}/timbrado`)
  for (const target of [w.a2.cti, w.b1.cti, 'CTI-INVENTADA']) {
    const before = (await ctiRow(target))?.password_hash
    const res = await c.postForm(`/pcc/${customerId}/timbrado`, { _csrf, cti: target, password: 'tomada-por-cliente-1', passwordConfirmation: 'tomada-por-cliente-1' })
    t.is(res.statusCode, 422, target)
    t.true(res.body.includes('La cuenta de timbrado no existe'), target)
    t.is((await ctiRow(target))?.password_hash, before, target)
  }
  // Another customer's panel is not reachable at all.
  t.is((await c.postForm(`/pcc/${w.a2.nic}/timbrado`, { _csrf, cti: w.a2.cti, password: 'tomada-por-cliente-1', passwordConfirmation: 'tomada-por-cliente-1' })).statusCode, 404)
  t.is((await s.stamp(w.a2.cti)).statusCode, 402) // still the old password: credentials accepted, no stamps
})

test('HTML in a customer\'s name is escaped on the PCC page and never raw in the CM list', async (t) => {
  const d = await s.distributor(10)
  const x = await s.customer(d, `${XSS_IMG} ${XSS_SCRIPT} SA`)
  const { c, customerId } = await pccClient(x.nic)
  const page = await c.get(`/pcc/${customerId}/timbrado`)
  t.is(page.statusCode, 200)
  t.true(page.body.includes(x.cti))
  t.false(page.body.includes(XSS_IMG))
  t.false(page.body.includes('<script>alert(1)'))
  t.true(page.body.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;'))
  const admin = await cm(d)
  const html = await admin.get('/admin/resources/StampingAccount')
  t.is(html.statusCode, 200)
  t.false(html.body.includes('<script>alert(1)'))
  t.is((await admin.get(`${R}/actions/list`)).json().records[0].params.customerNic, x.nic)
  t.is(CTI_PASSWORD.length > 0, true)
})

test('the customer\'s CTI tab: from Clientes a customer links to its accounts in Timbrado; another distributor\'s customer is not found', async (t) => {
  const w = await world()
  const idOf = async (nic: string) => (await rows<{ id: string }>(t0, 'select id from clients_customer where nic = ?', [nic]))[0].id
  const res = await w.c.get(`/admin/api/resources/Customer/records/${await idOf(w.a1.nic)}/stampingAccounts`)
  t.is(res.statusCode, 200)
  const target = res.json().redirectUrl as string
  t.is(target, `/admin/resources/StampingAccount?filters.customerNic=${w.a1.nic}`)
  const list = await w.c.get(`${R}/actions/list?filters.customerNic=${w.a1.nic}`)
  t.deepEqual(list.json().records.map((r: any) => r.params.id), [w.a1.cti])
  const foreign = await w.c.get(`/admin/api/resources/Customer/records/${await idOf(w.b1.nic)}/stampingAccounts`)
  t.falsy(foreign.json().redirectUrl)
  t.false(foreign.body.includes(w.b1.nic))
})

test('the Timbrado list filters by the customer search box (name, RFC, phone…) within the tenant only', async (t) => {
  const w = await world()
  const byCustomer = async (q: string) => (await w.c.get(`${R}/actions/list?filters.customerSearch=${encodeURIComponent(q)}`)).json().records.map((r: any) => r.params.id).sort()
  t.deepEqual(await byCustomer('alfa uno'), [w.a1.cti])
  t.deepEqual(await byCustomer('ALFA'), [w.a1.cti, w.a2.cti].sort())
  t.deepEqual(await byCustomer('beta uno'), [])
  t.deepEqual(await byCustomer(w.b1.nic), [])
  t.is((await w.c.get(`${R}/actions/list?filters.customerSearch=${encodeURIComponent('beta')}`)).json().meta.total, 0)
})
