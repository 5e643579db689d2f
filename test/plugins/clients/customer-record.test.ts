import test from 'ava'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const auth = (d: DistributorFixture) => ({ authorization: `Bearer ${d.token}` })
const req = (d: DistributorFixture, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t0.inject({ method, url, headers: auth(d), ...(payload === undefined ? {} : { payload: payload as object }) })

const FULL = {
  legalName: 'Refaccionaria Peñón S.A. de C.V.', tradeName: 'El Peñón', rfc: 'EKU9003173C9', taxRegime: '601', postalCode: '06600',
  address: 'Av. Reforma 222, Juárez, CDMX', phone: '55 1234 5678', email: 'Contacto@Penon.MX',
  legalRepresentative: { name: 'María José Núñez', email: 'mj@penon.mx', phones: ['+52 55 8765 4321'] },
  financialContact: { name: 'Óscar Ruiz', email: 'pagos@penon.mx', phones: ['33 1111 2222', '33 1111 3333'] },
  technicalContact: { name: 'Iñaki Soto', email: 'ti@penon.mx', phones: [] },
  notes: 'Cliente desde 2019.\nPaga a 30 días.', stampPrice: '1.5', category: 'favorite', color: 'green',
}

test('the full record round-trips: POST 201 and GET give the same JSON, in the documented shape', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await req(d, 'POST', '/api/v1/customers', FULL)
  t.is(res.statusCode, 201, res.body)
  const { cti, ...c } = res.json()   // the new CTI (stamping's addition to the creation's answer), not part of the record
  t.regex(cti.id, /^CTI\d+$/)
  t.like(c, {
    legalName: FULL.legalName, tradeName: 'El Peñón', rfc: 'EKU9003173C9', taxRegime: '601', postalCode: '06600', address: FULL.address,
    phone: '55 1234 5678', email: 'contacto@penon.mx', notes: FULL.notes, stampPrice: '1.50', category: 'favorite', color: 'green',
    stampBalance: 0, points: '0.00', lastStampPurchaseAt: null, lastStampedAt: null,
  })
  t.deepEqual(c.legalRepresentative, { name: 'María José Núñez', email: 'mj@penon.mx', phones: ['+52 55 8765 4321'] })
  t.deepEqual(c.financialContact.phones, ['33 1111 2222', '33 1111 3333'])
  t.deepEqual(c.technicalContact, { name: 'Iñaki Soto', email: 'ti@penon.mx', phones: [] })
  t.regex(c.createdAt, /^\d{4}-\d\d-\d\dT/)
  t.deepEqual((await req(d, 'GET', `/api/v1/customers/${c.nic}`)).json(), c)
})

test('a minimal customer has empty contacts, null optional fields and zero figures', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = (await req(d, 'POST', '/api/v1/customers', { legalName: 'Mínimo', rfc: 'XAXX010101000' })).json()
  for (const k of ['tradeName', 'taxRegime', 'postalCode', 'address', 'phone', 'email', 'notes', 'stampPrice', 'category', 'color', 'lastStampPurchaseAt', 'lastStampedAt']) t.is(c[k], null, k)
  for (const k of ['legalRepresentative', 'financialContact', 'technicalContact']) t.deepEqual(c[k], { name: null, email: null, phones: [] }, k)
  t.is(c.stampBalance, 0)
  t.is(c.points, '0.00')
})

test('bad fields are 422 naming each, with Spanish messages; nothing is created', async (t) => {
  const d = await t0.fixtures.distributor()
  const base = { legalName: 'Válido', rfc: 'EKU9003173C9' }
  const cases: [Record<string, unknown>, string[]][] = [
    [{ ...base, taxRegime: '999' }, ['taxRegime']],
    [{ ...base, taxRegime: 'abc' }, ['taxRegime']],
    [{ ...base, postalCode: '1234' }, ['postalCode']],
    [{ ...base, postalCode: '12a45' }, ['postalCode']],
    [{ ...base, address: 'x'.repeat(501) }, ['address']],
    [{ ...base, email: 'no-es-correo' }, ['email']],
    [{ ...base, email: 'a@b' }, ['email']],
    [{ ...base, phone: 'abc' }, ['phone']],
    [{ ...base, legalRepresentative: 'Juan' }, ['legalRepresentative']],
    [{ ...base, legalRepresentative: [] }, ['legalRepresentative']],
    [{ ...base, legalRepresentative: { email: 'x' } }, ['legalRepresentative.email']],
    [{ ...base, financialContact: { phones: ['12'] } }, ['financialContact.phones']],
    [{ ...base, financialContact: { phones: '55 1234 5678' } }, ['financialContact.phones']],
    [{ ...base, technicalContact: { name: 'x'.repeat(201), phones: Array(6).fill('55 1234 5678') } }, ['technicalContact.name', 'technicalContact.phones']],
    [{ ...base, notes: 'x'.repeat(2001) }, ['notes']],
    [{ ...base, notes: 'nulo\u0000' }, ['notes']],
    [{ ...base, stampPrice: '-1' }, ['stampPrice']],
    [{ ...base, stampPrice: '1.234' }, ['stampPrice']],
    [{ ...base, stampPrice: 'gratis' }, ['stampPrice']],
    [{ ...base, stampPrice: '123456789' }, ['stampPrice']],
    [{ ...base, category: 'vip' }, ['category']],
    [{ ...base, color: 'pink' }, ['color']],
    [{ ...base, color: 'RED' }, ['color']],
    [{ rfc: 'EKU9003173C8', email: 'x', color: 'x' }, ['color', 'email', 'legalName', 'rfc']],
  ]
  for (const [payload, fields] of cases) {
    const res = await req(d, 'POST', '/api/v1/customers', payload)
    t.is(res.statusCode, 422, JSON.stringify(payload).slice(0, 100))
    t.is(res.json().error.code, 'validation_failed')
    t.deepEqual(Object.keys(res.json().error.fields).sort(), fields, JSON.stringify(payload).slice(0, 100))
    for (const f of fields) t.regex(res.json().error.fields[f], /[a-záéíóúñ]/i)
  }
  t.is((await req(d, 'GET', '/api/v1/customers')).json().total, 0)
})

test('accepted spellings: a numeric price and tax regime, a null to clear, every palette colour', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = (await req(d, 'POST', '/api/v1/customers', { legalName: 'Precios', rfc: 'EKU9003173C9', stampPrice: 2, taxRegime: 626 })).json()
  t.is(c.stampPrice, '2.00')
  t.is(c.taxRegime, '626')
  for (const color of ['red', 'orange', 'yellow', 'green', 'blue', 'purple']) {
    const res = await req(d, 'PATCH', `/api/v1/customers/${c.nic}`, { color })
    t.is(res.statusCode, 200)
    t.is(res.json().color, color)
  }
  t.is((await req(d, 'PATCH', `/api/v1/customers/${c.nic}`, { stampPrice: null, color: null })).json().stampPrice, null)
  t.is((await req(d, 'GET', `/api/v1/customers/${c.nic}`)).json().color, null)
  t.is((await req(d, 'PATCH', `/api/v1/customers/${c.nic}`, { stampPrice: '0.5' })).json().stampPrice, '0.50')
})

test('PATCH changes only what is sent; contacts merge sub-field by sub-field; null clears', async (t) => {
  const d = await t0.fixtures.distributor()
  const { cti: _cti, ...c } = (await req(d, 'POST', '/api/v1/customers', FULL)).json()
  const res = await req(d, 'PATCH', `/api/v1/customers/${c.nic}`, { tradeName: 'Peñón Norte', financialContact: { email: 'cobranza@penon.mx' }, technicalContact: null })
  t.is(res.statusCode, 200)
  const p = res.json()
  t.is(p.tradeName, 'Peñón Norte')
  t.is(p.legalName, FULL.legalName)
  t.is(p.rfc, FULL.rfc)
  t.deepEqual(p.financialContact, { name: 'Óscar Ruiz', email: 'cobranza@penon.mx', phones: ['33 1111 2222', '33 1111 3333'] })
  t.deepEqual(p.technicalContact, { name: null, email: null, phones: [] })
  t.is(p.nic, c.nic)
  t.is(p.createdAt, c.createdAt)
  t.deepEqual((await req(d, 'GET', `/api/v1/customers/${c.nic}`)).json(), p)
  // Fields the client must not set are ignored.
  const other = await t0.fixtures.distributor()
  t.is((await req(d, 'PATCH', `/api/v1/customers/${c.nic}`, { nic: '1', distributorId: other.id, stampBalance: 99 })).json().nic, c.nic)
  t.is((await req(d, 'GET', `/api/v1/customers/${c.nic}`)).json().stampBalance, 0)
})

test('PATCH validates: required fields cannot be cleared, bad values are 422 and change nothing', async (t) => {
  const d = await t0.fixtures.distributor()
  const { cti: _cti, ...c } = (await req(d, 'POST', '/api/v1/customers', FULL)).json()
  for (const [payload, fields] of [
    [{ legalName: null }, ['legalName']], [{ legalName: '  ' }, ['legalName']], [{ rfc: null }, ['rfc']], [{ rfc: 'EKU9003173C8' }, ['rfc']],
    [{ tradeName: 'Nuevo', email: 'malo' }, ['email']], [{ legalRepresentative: { phones: ['x'] } }, ['legalRepresentative.phones']],
  ] as [Record<string, unknown>, string[]][]) {
    const res = await req(d, 'PATCH', `/api/v1/customers/${c.nic}`, payload)
    t.is(res.statusCode, 422, JSON.stringify(payload))
    t.deepEqual(Object.keys(res.json().error.fields), fields)
  }
  t.deepEqual((await req(d, 'GET', `/api/v1/customers/${c.nic}`)).json(), c)
  for (const payload of ['[]', '"x"', '7']) {
    const res = await t0.inject({ method: 'PATCH', url: `/api/v1/customers/${c.nic}`, headers: { ...auth(d), 'content-type': 'application/json' }, payload })
    t.is(res.statusCode, 400, payload)
  }
})

test('PATCH on an unknown or another distributor\'s NIC is 404 and changes nothing', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const theirs = (await req(other, 'POST', '/api/v1/customers', FULL)).json()
  for (const nic of [theirs.nic, '0', 'abc']) {
    const res = await req(d, 'PATCH', `/api/v1/customers/${nic}`, { tradeName: 'Robado' })
    t.is(res.statusCode, 404, nic)
    t.is(res.json().error.code, 'customer_not_found')
  }
  t.is((await req(other, 'GET', `/api/v1/customers/${theirs.nic}`)).json().tradeName, 'El Peñón')
})

test('NICs are generated, unique and increasing, never taken from the body', async (t) => {
  const d = await t0.fixtures.distributor()
  const nics: number[] = []
  for (let i = 0; i < 5; i++) nics.push(Number((await req(d, 'POST', '/api/v1/customers', { legalName: `Cliente ${i}`, rfc: 'XAXX010101000', nic: '5' })).json().nic))
  t.deepEqual([...nics].sort((a, b) => a - b), nics)
  t.is(new Set(nics).size, 5)
  t.false(nics.includes(5))
})
