import test from 'ava'
import { demoCustomers } from '../../../plugins/clients/demo.js'
import { withCheckDigit } from '../../../plugins/clients/rfc.js'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const auth = (d: DistributorFixture) => ({ authorization: `Bearer ${d.token}` })
const get = (d: DistributorFixture, url: string) => t0.inject({ method: 'GET', url, headers: auth(d) })
const post = (d: DistributorFixture, payload: unknown) =>
  t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: payload as object })

/** Bulk rows through the plugin's own service (fast setup for list tests). */
async function seed(d: DistributorFixture, n: number): Promise<string[]> {
  const kernel = t0.app.kernel
  return kernel.contexts.get('clients')!.use('clients').customers.createMany(kernel.orm.em.fork(), d.id, demoCustomers(n, Math.floor(Math.random() * 1e6)))
}

/** The API's customer shape (issue 4). */
const CUSTOMER_KEYS = ['address', 'category', 'color', 'createdAt', 'email', 'financialContact', 'lastStampPurchaseAt', 'lastStampedAt',
  'legalName', 'legalRepresentative', 'nic', 'notes', 'phone', 'points', 'postalCode', 'rfc', 'stampBalance', 'stampPrice', 'taxRegime',
  'technicalContact', 'tradeName']

const VALID = { legalName: 'Ferretería del Bajío S.A. de C.V.', rfc: 'EKU9003173C9' }

// ── POST /customers ──────────────────────────────────────────────────────────────────────────────

test('POST creates a customer: 201 with exactly the customer shape, and the new CTI the stamping plugin adds (issue 12)', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await post(d, { legalName: '  Abarrotes La Güera  ', tradeName: 'La Güera', rfc: 'cosc8001137na', phone: '+52 (33) 1234-5678' })
  t.is(res.statusCode, 201)
  const body = res.json()
  t.deepEqual(Object.keys(body).sort(), [...CUSTOMER_KEYS, 'cti'].sort())
  t.deepEqual(Object.keys(body.cti).sort(), ['id', 'password'])
  t.regex(body.nic, /^\d+$/)
  t.is(body.legalName, 'Abarrotes La Güera')
  t.is(body.tradeName, 'La Güera')
  t.is(body.rfc, 'COSC8001137NA')
  t.is(body.phone, '+52 (33) 1234-5678')
  const again = await get(d, `/api/v1/customers/${body.nic}`)
  t.is(again.statusCode, 200)
  const { cti: _cti, ...customer } = body
  t.deepEqual(again.json(), customer)   // the CTI and its password were for the creation's answer only
})

test('only legalName and rfc are required; optional fields come back as null', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await post(d, VALID)
  t.is(res.statusCode, 201)
  t.is(res.json().tradeName, null)
  t.is(res.json().phone, null)
  const blanks = await post(d, { ...VALID, tradeName: '   ', phone: null })
  t.is(blanks.statusCode, 201)
  t.is(blanks.json().tradeName, null)
  t.is(blanks.json().phone, null)
})

test('fields the client must not set (nic, distributor) are ignored', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const res = await post(d, { ...VALID, nic: '1', id: '00000000-0000-0000-0000-000000000000', distributorId: other.id, createdAt: '2000-01-01' })
  t.is(res.statusCode, 201)
  t.not(res.json().nic, '1')
  t.is((await get(d, `/api/v1/customers/${res.json().nic}`)).statusCode, 200)
  t.is((await get(other, `/api/v1/customers/${res.json().nic}`)).statusCode, 404)
})

test('bad fields are 422 naming each of them', async (t) => {
  const d = await t0.fixtures.distributor()
  const cases: [unknown, string[]][] = [
    [{}, ['legalName', 'rfc']],
    [{ rfc: VALID.rfc }, ['legalName']],
    [{ legalName: VALID.legalName }, ['rfc']],
    [{ ...VALID, legalName: '' }, ['legalName']],
    [{ ...VALID, legalName: '   ' }, ['legalName']],
    [{ ...VALID, legalName: null }, ['legalName']],
    [{ ...VALID, legalName: 'x'.repeat(301) }, ['legalName']],
    [{ ...VALID, tradeName: 'x'.repeat(301) }, ['tradeName']],
    [{ ...VALID, rfc: 'EKU9003173C' }, ['rfc']], // too short
    [{ ...VALID, rfc: 'EKU9013173C9' }, ['rfc']], // month 13
    [{ ...VALID, rfc: 'EKU9003173C8' }, ['rfc']], // wrong check digit
    [{ ...VALID, rfc: 'COSC8001137NB' }, ['rfc']], // wrong check digit, natural person
    [{ ...VALID, rfc: 'EKU9003173C9X' }, ['rfc']],
    [{ ...VALID, rfc: '' }, ['rfc']],
    [{ ...VALID, phone: '12' }, ['phone']],
    [{ ...VALID, phone: 'llámame' }, ['phone']],
    [{ ...VALID, phone: '5'.repeat(31) }, ['phone']],
    // Types: only strings (or null for optional fields) are accepted.
    [{ legalName: 123, rfc: 456 }, ['legalName', 'rfc']],
    [{ ...VALID, tradeName: ['a'], phone: 5512345678 }, ['phone', 'tradeName']],
    [{ legalName: { first: 'x' }, rfc: true }, ['legalName', 'rfc']],
    [{ ...VALID, phone: { n: 1 } }, ['phone']],
    // PostgreSQL text cannot hold NUL: it must be a 422, not a database error.
    [{ ...VALID, legalName: 'Nulo\u0000S.A.' }, ['legalName']],
    [{ ...VALID, tradeName: '\u0000' }, ['tradeName']],
    [{ ...VALID, legalName: 'Línea\nDos', phone: '55\t1234 5678' }, ['legalName', 'phone']],
  ]
  for (const [payload, fields] of cases) {
    const res = await post(d, payload)
    t.is(res.statusCode, 422, JSON.stringify(payload).slice(0, 80))
    const error = res.json().error
    t.is(error.code, 'validation_failed')
    t.is(error.retryable, false)
    t.deepEqual(Object.keys(error.fields).sort(), fields, JSON.stringify(payload).slice(0, 80))
    for (const f of fields) t.regex(error.message, new RegExp(f))
  }
  // Nothing was created by any of them.
  t.is((await get(d, '/api/v1/customers')).json().total, 0)
})

test('a body that is not a JSON object is 400', async (t) => {
  const d = await t0.fixtures.distributor()
  for (const payload of ['[]', '"texto"', '42', 'null']) {
    const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { ...auth(d), 'content-type': 'application/json' }, payload })
    t.is(res.statusCode, 400, payload)
    t.is(res.json().error.code, 'bad_request')
  }
})

test('limits are inclusive: 300-character names and 30-character phones are accepted', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await post(d, { legalName: 'ñ'.repeat(300), tradeName: 'é'.repeat(300), rfc: VALID.rfc, phone: '5'.repeat(30) })
  t.is(res.statusCode, 201)
  t.is(res.json().legalName.length, 300)
})

test('generic RFCs are accepted; the RFC is not unique', async (t) => {
  const d = await t0.fixtures.distributor()
  for (const rfc of ['XAXX010101000', 'XEXX010101000', 'XAXX010101000', 'xaxx010101000']) {
    const res = await post(d, { legalName: `Público en general ${rfc}`, rfc })
    t.is(res.statusCode, 201, rfc)
    t.is(res.json().rfc, rfc.toUpperCase())
  }
  const a = await post(d, { legalName: 'Sucursal Norte', rfc: 'EKU9003173C9' })
  const b = await post(d, { legalName: 'Sucursal Sur', rfc: 'EKU 900317 3C9' })
  t.is(a.statusCode, 201)
  t.is(b.statusCode, 201)
  t.is(b.json().rfc, 'EKU9003173C9')
  t.not(a.json().nic, b.json().nic)
  // A natural person's RFC (13 characters) with a computed check digit.
  const person = withCheckDigit('GODE561231GR0')
  t.is((await post(d, { legalName: 'Eduardo Gómez Díaz', rfc: person })).statusCode, 201)
})

// ── GET /customers and /customers/:nic ───────────────────────────────────────────────────────────

test('GET /customers pages 20 by default, newest first, only the caller\'s customers', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const nics = await seed(d, 25)
  await seed(other, 3)
  const first = await get(d, '/api/v1/customers')
  t.is(first.statusCode, 200)
  t.is(first.json().total, 25)
  t.is(first.json().items.length, 20)
  const second = (await get(d, '/api/v1/customers?page=2')).json()
  t.is(second.items.length, 5)
  const seen = [...first.json().items, ...second.items].map((c: { nic: string }) => c.nic)
  t.deepEqual([...seen].sort(), [...nics].sort())
  t.is(new Set(seen).size, 25)
  t.deepEqual(Object.keys(first.json().items[0]).sort(), CUSTOMER_KEYS)
  // Newest first: a customer created now is on top.
  const created = (await post(d, VALID)).json()
  t.is((await get(d, '/api/v1/customers?perPage=1')).json().items[0].nic, created.nic)
  t.is((await get(d, '/api/v1/customers?page=99')).json().items.length, 0)
  t.is((await get(d, '/api/v1/customers?page=99')).json().total, 26)
})

test('perPage is clamped to 100', async (t) => {
  const d = await t0.fixtures.distributor()
  await seed(d, 130)
  for (const perPage of ['100', '101', '1000', '999999999']) {
    const res = await get(d, `/api/v1/customers?perPage=${perPage}`)
    t.is(res.statusCode, 200, perPage)
    t.is(res.json().items.length, 100)
    t.is(res.json().total, 130)
  }
  t.is((await get(d, '/api/v1/customers?perPage=7&page=3')).json().items.length, 7)
  t.is((await get(d, '/api/v1/customers?perPage=100&page=2')).json().items.length, 30)
})

test('bad page or perPage values are 400', async (t) => {
  const d = await t0.fixtures.distributor()
  const bad = ['page=0', 'page=-1', 'page=abc', 'page=1.5', 'page=1e3', 'perPage=0', 'perPage=-5', 'perPage=x', 'perPage=2.5',
    'page=1&page=2', 'perPage=1&perPage=2', 'page=%20', 'page=9999999999']
  for (const q of bad) {
    const res = await get(d, `/api/v1/customers?${q}`)
    t.is(res.statusCode, 400, q)
    t.is(res.json().error.code, 'bad_request', q)
  }
  // Empty values mean the default.
  t.is((await get(d, '/api/v1/customers?page=&perPage=')).statusCode, 200)
})

test('GET /customers/:nic is 404 for an unknown NIC and for another distributor\'s NIC', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const [mine] = await seed(d, 1)
  const [theirs] = await seed(other, 1)
  t.is((await get(d, `/api/v1/customers/${mine}`)).statusCode, 200)
  for (const nic of [theirs, '0', '999999999999', 'no-existe', encodeURIComponent("1' or '1'='1")]) {
    const res = await get(d, `/api/v1/customers/${nic}`)
    t.is(res.statusCode, 404, nic)
    t.is(res.json().error.code, 'customer_not_found')
  }
  // The other distributor reads its own.
  t.is((await get(other, `/api/v1/customers/${theirs}`)).json().nic, theirs)
})

test('the API needs a valid token', async (t) => {
  for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }]) {
    t.is((await t0.inject({ method: 'GET', url: '/api/v1/customers', headers })).statusCode, 401)
    t.is((await t0.inject({ method: 'POST', url: '/api/v1/customers', headers, payload: VALID })).statusCode, 401)
  }
})
