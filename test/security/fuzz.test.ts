import test, { type ExecutionContext } from 'ava'
import fc from 'fast-check'
import type { Response } from 'light-my-request'
import { sql } from '../../core/db/sql.js'
import clients from '../../plugins/clients/index.js'
import ledger from '../../plugins/ledger/index.js'
import stamping from '../../plugins/stamping/index.js'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../helpers/app.js'
import { b64, sampleCfdi } from '../helpers/cfdi.js'

// Issue 11: random and boundary strings in every text field and query parameter of every API route
// (and the CM's list parameters). The answer is a success or a 4xx with the error envelope — never
// a 500 — and no reservation is left pending at the end.

const RUNS = 30
let t0: TestApp
let d: DistributorFixture
let nic: string
let cti: string
/** A second CTI whose password the fuzzed reset-password route may change. */
let spare: string
let cm: Client
const PASSWORD = 'clave-de-fuzz-1'

const api = (method: string, url: string, payload?: unknown) =>
  t0.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${d.token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) })

test.before(async () => {
  t0 = await startTestApp({
    admin: true,
    kernel: { plugins: [{ plugin: clients }, { plugin: ledger, options: { sweepIntervalMs: 0 } }, { plugin: stamping, options: { ctiFailures: 1_000_000, ipFailures: 1_000_000 } }] },
  })
  d = await t0.fixtures.distributor()
  await t0.app.kernel.contexts.get('ledger')!.use('ledger').mint(t0.app.kernel.orm.em.fork(), { distributorId: d.id, stamps: 100_000, points: 1_000_000 })
  const created = await api('POST', '/api/v1/customers', { legalName: 'Cliente Fuzz SA de CV', rfc: 'EKU9003173C9' })
  nic = created.json().nic
  const ctis = async () => (await api('GET', `/api/v1/ctis?customer=${nic}`)).json().items as { id: string }[]
  cti = (await ctis())[0].id
  spare = (await api('POST', '/api/v1/ctis', { customer: nic, type: 'standard', password: PASSWORD, passwordConfirmation: PASSWORD })).json().id
  for (const id of [cti, spare]) {
    if ((await api('POST', `/api/v1/ctis/${id}/reset-password`, { password: PASSWORD })).statusCode !== 204) throw new Error('reset failed')
    if ((await api('POST', `/api/v1/ctis/${id}/transfers`, { quantity: 5000, amount: '5000.00', idempotencyKey: `fuzz-${id}` })).statusCode !== 201) throw new Error('transfer failed')
  }
  cm = t0.client()
  await cm.enterCm(d.login, d.password, d.id)
})
test.after.always(() => t0?.close())

/** Boundary strings: NUL, lone surrogates, very long, RTL marks, prototype names, SQL and LIKE syntax. */
const boundary = fc.constantFrom(
  '\u0000', 'a\u0000b', `${'x'.repeat(39)}\u0000`, '\uD800', 'a\uDFFFb', '\uDBFF\uDBFF', '\u202Eabc\u202C', '\u200F\u200Fنص',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', '%', '_', '\\', '%_\\%',
  "'; drop table clients_customer; --", '<script>alert(1)</script>', '../../etc/passwd', '1e309', '-1', '0', 'NaN', 'null', 'true',
  '\uFEFF', '\u{1F600}'.repeat(50), 'x'.repeat(201), 'x'.repeat(5_000), 'ñ'.repeat(70_000),
)
const hostileText = fc.oneof(boundary, fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 300 }))
/** Any JSON-ish value for a body field: mostly hostile text, sometimes the wrong type. */
const hostileValue = fc.oneof({ weight: 6, arbitrary: hostileText }, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(hostileText, { maxLength: 3 }), fc.dictionary(hostileText, hostileText, { maxKeys: 3 }))

/** A URL component from any string (lone surrogates become U+FFFD: a URL carries UTF-8 bytes). */
const enc = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
const query = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')

/** Never a 500; a 4xx carries the error envelope with a snake_case code. */
function acceptable(res: Response): string | null {
  if (res.statusCode >= 500) return `${res.statusCode} ${res.body.slice(0, 300)}`
  if (res.statusCode >= 400) {
    let e: any
    try { e = res.json().error } catch { return `${res.statusCode} without a JSON body: ${res.body.slice(0, 200)}` }
    if (!e || !/^[a-z][a-z0-9_]*$/.test(e.code) || typeof e.message !== 'string' || typeof e.retryable !== 'boolean') return `${res.statusCode} without the envelope: ${res.body.slice(0, 200)}`
  }
  return null
}

async function fuzz<A>(t: ExecutionContext, arb: fc.Arbitrary<A>, send: (a: A) => Promise<Response>, check = acceptable) {
  const seen = new Map<number, number>()
  await fc.assert(fc.asyncProperty(arb, async (a) => {
    const res = await send(a)
    seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1)
    const problem = check(res)
    if (problem) throw new Error(problem)
  }), { numRuns: RUNS })
  t.log([...seen].sort().map(([s, n]) => `${s}×${n}`).join(' '))
  t.pass()
}

const textRecord = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, hostileText])) as Record<string, fc.Arbitrary<string>>, { requiredKeys: [] })
const valueRecord = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, hostileValue])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] })
const withJunk = <T extends object>(arb: fc.Arbitrary<T>) => fc.tuple(arb, fc.dictionary(hostileText, hostileText, { maxKeys: 2 })).map(([a, junk]) => ({ ...junk, ...a }))

const LIST_PARAMS = ['q', 'sort', 'color', 'category', 'customer', 'page', 'perPage']
for (const path of ['/api/v1/customers', '/api/v1/customers.csv', '/api/v1/ctis', '/api/v1/me', '/api/v1/inventory']) {
  test(`GET ${path}: hostile query parameters`, (t) => fuzz(t, withJunk(textRecord(LIST_PARAMS)), (p) => api('GET', `${path}?${query(p)}`)))
}

for (const [method, path] of [['GET', '/api/v1/customers/:x'], ['GET', '/api/v1/ctis/:x'], ['POST', '/api/v1/ctis/:x/block'], ['POST', '/api/v1/ctis/:x/unblock'], ['DELETE', '/api/v1/ctis/:x/auto-sale'], ['PATCH', '/api/v1/customers/:x']] as const) {
  test(`${method} ${path}: hostile path parameter`, (t) => fuzz(t, hostileText, (x) => api(method, path.replace(':x', enc(x)), method === 'PATCH' ? {} : undefined)))
}

const CUSTOMER_FIELDS = ['legalName', 'tradeName', 'rfc', 'taxRegime', 'postalCode', 'address', 'phone', 'email', 'notes', 'stampPrice', 'category', 'color', 'legalRepresentative', 'financialContact', 'technicalContact']
test('POST /api/v1/customers: hostile fields', (t) => fuzz(t, withJunk(valueRecord(CUSTOMER_FIELDS)), (b) => api('POST', '/api/v1/customers', b)))
test('POST /api/v1/customers: one hostile field in a valid customer', (t) => fuzz(t, fc.tuple(fc.constantFrom(...CUSTOMER_FIELDS), hostileValue),
  ([k, v]) => api('POST', '/api/v1/customers', { legalName: 'Cliente Válido', rfc: 'EKU9003173C9', [k]: v })))
test('POST /api/v1/customers: hostile contact fields', (t) => fuzz(t, fc.tuple(fc.constantFrom('legalRepresentative', 'financialContact', 'technicalContact'), valueRecord(['name', 'email', 'phones'])),
  ([k, contact]) => api('POST', '/api/v1/customers', { legalName: 'Cliente Válido', rfc: 'EKU9003173C9', [k]: contact })))
test('PATCH /api/v1/customers/:nic: hostile fields', (t) => fuzz(t, valueRecord(CUSTOMER_FIELDS), (b) => api('PATCH', `/api/v1/customers/${nic}`, b)))
test('POST /api/v1/customers/:nic/owner: hostile e-mail and mobile', (t) => fuzz(t, valueRecord(['email', 'mobile']), (b) => api('POST', `/api/v1/customers/${nic}/owner`, b)))
test('POST /api/v1/ctis: hostile fields', (t) => fuzz(t, withJunk(valueRecord(['customer', 'type', 'id', 'password', 'passwordConfirmation', 'validUntil', 'rfc'])),
  (b) => api('POST', '/api/v1/ctis', b)))
test('POST /api/v1/ctis/:id/reset-password: hostile passwords', (t) => fuzz(t, valueRecord(['password', 'passwordConfirmation']), (b) => api('POST', `/api/v1/ctis/${spare}/reset-password`, b)))
test('POST /api/v1/ctis/:id/transfers: hostile fields', (t) => fuzz(t, withJunk(valueRecord(['quantity', 'amount', 'idempotencyKey'])), (b) => api('POST', `/api/v1/ctis/${cti}/transfers`, b)))
test('POST /api/v1/ctis/:id/transfers: a hostile idempotency key on a valid transfer', (t) => fuzz(t, hostileValue,
  (key) => api('POST', `/api/v1/ctis/${cti}/transfers`, { quantity: 1, amount: '1.00', idempotencyKey: key })))
test('POST /api/v1/transfers/mass: hostile fields and items', (t) => fuzz(t, fc.record({ idempotencyKey: hostileValue, items: fc.oneof(hostileValue, fc.array(fc.record({ cti: fc.oneof(hostileValue, fc.constant(cti)), quantity: hostileValue, amount: hostileValue }), { maxLength: 3 })) }, { requiredKeys: [] }),
  (b) => api('POST', '/api/v1/transfers/mass', b)))
test('PUT /api/v1/ctis/:id/auto-sale: hostile fields', (t) => fuzz(t, valueRecord(['minimum', 'quantity', 'amount']), (b) => api('PUT', `/api/v1/ctis/${spare}/auto-sale`, b)))

// The stamping API: one hostile field at a time beside valid credentials and a valid document, so
// that each reaches as deep as it can (the PAC, the record) — and every field hostile at once.
const STAMP_FIELDS = ['cti', 'password', 'xml', 'idd', 'app']
const stamp = (over: Record<string, unknown>) => t0.inject({ method: 'POST', url: '/api/v1/stamp', payload: { cti, password: PASSWORD, xml: b64(sampleCfdi()), ...over } })
test('POST /api/v1/stamp: one hostile field beside valid credentials and document', (t) => fuzz(t, fc.tuple(fc.constantFrom(...STAMP_FIELDS), hostileValue), ([k, v]) => stamp({ [k]: v })))
test('POST /api/v1/stamp: a hostile document (base64 of random and boundary text)', (t) => fuzz(t, fc.oneof(hostileText.map((s) => b64(s)), hostileText.map((s) => b64(sampleCfdi().replace('Servicio &amp; prueba', s)))), (xml) => stamp({ xml })))
test('POST /api/v1/stamp: every field hostile', (t) => fuzz(t, withJunk(valueRecord(STAMP_FIELDS)), (b) => t0.inject({ method: 'POST', url: '/api/v1/stamp', payload: b })))
test('POST /api/v1/balance: hostile credentials', (t) => fuzz(t, fc.oneof(withJunk(valueRecord(['cti', 'password'])), hostileValue.map((password) => ({ cti, password }))),
  (b) => t0.inject({ method: 'POST', url: '/api/v1/balance', payload: b as object })))

// The CM's list (AdminJS): filters, sort, direction, page, perPage. AdminJS answers its own way
// (not the API envelope): what counts is no 500.
const noServerError = (res: Response) => (res.statusCode >= 500 ? `${res.statusCode} ${res.body.slice(0, 300)}` : null)
for (const resource of ['Customer', 'StampingAccount']) {
  test(`CM ${resource} list: hostile filters and sort`, (t) => fuzz(t, fc.record({
    'filters.search': hostileText, 'filters.legalName': hostileText, 'filters.color': hostileText, 'filters.createdAt~~from': hostileText, 'filters.customerNic': hostileText,
    [`filters.${'__proto__'}`]: hostileText, sortBy: fc.oneof(hostileText, fc.constantFrom('__proto__', 'constructor', 'passwordHash', 'legalName')),
    direction: hostileText, page: hostileText, perPage: hostileText,
  }, { requiredKeys: [] }), (p) => cm.get(`/admin/api/resources/${resource}/actions/list?${query(p as Record<string, string>)}`), noServerError))
  test(`CM ${resource} search action: hostile text`, (t) => fuzz(t, hostileText, (x) => cm.get(`/admin/api/resources/${resource}/actions/search/${enc(x)}`), noServerError))
}

test.after('no reservation or claim is left pending', async (t) => {
  const em = t0.app.kernel.orm.em.fork()
  const [{ entries }] = await sql<{ entries: number }[]>(em, `select count(*)::int as entries from ledger_entry p
    where p.phase = 'pending' and not exists (select 1 from ledger_entry r where r.pending_id = p.id)`)
  const [{ claims }] = await sql<{ claims: number }[]>(em, `select count(*)::int as claims from stamping_stamp where status = 'pending'`)
  t.deepEqual({ entries, claims }, { entries: 0, claims: 0 })
})
