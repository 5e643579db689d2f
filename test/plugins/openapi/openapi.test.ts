import test from 'ava'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { b64, sampleCfdi } from '../../helpers/cfdi.js'
import type { LedgerService } from '../../../plugins/ledger/index.js'
import type { StampingServices } from '../../../plugins/stamping/index.js'
import { TRANSITIONS } from '../../../plugins/distributors/index.js'
import { distributor as subDistributor, pkg as packageOf, svc as purchasesOf } from '../purchases/helpers.js'

// /api/v1/openapi.json is assembled from the `doc` each route carries. These tests hold it to the
// routes that are really mounted, to OpenAPI 3.1's shape, to its own examples, and to what the
// routes really answer when sent those examples.

type Obj = Record<string, any>
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

let t0: TestApp
let doc: Obj
test.before(async () => {
  t0 = await startTestApp()
  const res = await t0.inject({ method: 'GET', url: '/api/v1/openapi.json' })
  if (res.statusCode !== 200) throw new Error(`openapi.json: ${res.statusCode} ${res.body}`)
  doc = res.json()
})
test.after.always(() => t0?.close())

const ajv = new Ajv2020({ strict: true, allErrors: true })
;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
/** Compiles a schema of the document, its `#/components/...` references resolved in the document. */
const validator = (schema: Obj) => {
  const resolve = (v: unknown): unknown => Array.isArray(v) ? v.map(resolve)
    : v && typeof v === 'object' ? ('$ref' in v ? resolve((v as Obj).$ref.slice(2).split('/').reduce((o: Obj, k: string) => o?.[k], doc)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)])))
    : v
  return ajv.compile(resolve(schema) as Obj)
}
const operations = () => Object.entries(doc.paths as Obj).flatMap(([path, item]) => Object.entries(item as Obj).map(([method, op]) => ({ path, method, op: op as Obj })))

/** Every route express really mounted under /api/v1, as [METHOD, route path as declared], found by walking its router stack. */
function mountedRoutes(): [string, string][] {
  const out: [string, string][] = []
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push([m, String(layer.route.path)])
      if (layer.handle?.stack) walk(layer.handle.stack)
    }
  }
  const app = t0.app.http.app as any
  const apiLayers = (app.router ?? app._router).stack.filter((l: any) => l.handle?.stack && l.match('/api/v1/x') && !l.match('/x'))
  if (!apiLayers.length) throw new Error('no /api/v1 router found')
  for (const l of apiLayers) walk(l.handle.stack)
  return out
}

test('every route mounted under /api/v1 is in the document, documented', (t) => {
  const documented = operations().map((o) => [o.method, o.path] as const)
  const mounted = mountedRoutes()
  t.true(mounted.length >= 20, `only ${mounted.length} routes found`)
  for (const [method, path] of mounted) {
    const asOpenapi = path.replace(/:(\w+)/g, '{$1}')
    t.true(documented.some(([m, p]) => m === method && (p === asOpenapi || p.endsWith(asOpenapi))), `${method.toUpperCase()} ${path} is mounted but not in openapi.json`)
  }
  for (const { path, method, op } of operations()) {
    t.falsy(op['x-undocumented'], `${method.toUpperCase()} ${path} carries no doc`)
    t.truthy(op.summary, `${method.toUpperCase()} ${path} has no summary`)
  }
  // The complaint: these request bodies are documented.
  for (const [method, path] of [['post', '/ctis'], ['post', '/transfers/mass'], ['put', '/ctis/{id}/auto-sale'], ['post', '/ctis/{id}/transfers'], ['post', '/customers'], ['post', '/stamp']]) {
    const body = doc.paths[path]?.[method]?.requestBody?.content?.['application/json']
    t.truthy(body?.schema?.properties, `${method} ${path}: no request body schema`)
    t.not(body?.example, undefined, `${method} ${path}: no request example`)
  }
  t.deepEqual(Object.keys(doc.paths['/transfers/mass'].post.requestBody.content['application/json'].schema.properties).sort(), ['idempotencyKey', 'items'])
})

test('the document has OpenAPI 3.1\'s shape: info, paths, operations with unique ids, parameters for every path variable, described responses', (t) => {
  t.is(doc.openapi, '3.1.0')
  t.truthy(doc.info?.title)
  t.truthy(doc.info?.version)
  t.is(typeof doc.paths, 'object')
  const schemes = Object.keys(doc.components?.securitySchemes ?? {})
  const ids = new Set<string>()
  for (const [path, item] of Object.entries(doc.paths as Obj)) {
    t.regex(path, /^\//)
    for (const [method, op] of Object.entries(item as Obj)) {
      const where = `${method.toUpperCase()} ${path}`
      t.true((METHODS as readonly string[]).includes(method), `${where}: not an HTTP method`)
      t.regex(op.operationId, /^[A-Za-z][A-Za-z0-9]*$/, where)
      t.false(ids.has(op.operationId), `${where}: operationId ${op.operationId} repeated`)
      ids.add(op.operationId)
      const vars = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      const pathParams = (op.parameters ?? []).filter((p: Obj) => p.in === 'path')
      t.deepEqual(pathParams.map((p: Obj) => p.name).sort(), [...vars].sort(), `${where}: path parameters`)
      for (const p of op.parameters ?? []) {
        t.true(['path', 'query', 'header', 'cookie'].includes(p.in), `${where}: parameter ${p.name}`)
        if (p.in === 'path') t.true(p.required, `${where}: path parameter ${p.name} must be required`)
        t.notThrows(() => validator(p.schema), `${where}: parameter ${p.name}'s schema`)
      }
      t.true(Array.isArray(op.security), where)
      for (const s of op.security) for (const name of Object.keys(s)) t.true(schemes.includes(name), `${where}: unknown security scheme ${name}`)
      const statuses = Object.keys(op.responses)
      t.true(statuses.some((s) => /^2\d\d$/.test(s)), `${where}: no success response`)
      for (const [status, r] of Object.entries(op.responses as Obj)) {
        t.regex(status, /^([1-5]\d\d|[1-5]XX|default)$/, where)
        t.truthy(r.description, `${where} ${status}: no description`)
        for (const media of Object.values((r.content ?? {}) as Obj)) t.notThrows(() => validator(media.schema ?? {}), `${where} ${status}: schema`)
      }
      const body = op.requestBody?.content?.['application/json']
      if (op.requestBody) t.notThrows(() => validator(body.schema), `${where}: request schema`)
    }
  }
  t.true(ids.size >= 20)
})

test('every example in the document validates against its schema', (t) => {
  let checked = 0
  for (const { path, method, op } of operations()) {
    const where = `${method.toUpperCase()} ${path}`
    const body = op.requestBody?.content?.['application/json']
    const check = (schema: Obj, example: unknown, what: string) => {
      const v = validator(schema)
      t.true(v(example), `${where} ${what}: ${ajv.errorsText(v.errors)}`)
      checked++
    }
    if (body?.example !== undefined) check(body.schema, body.example, 'request example')
    for (const [status, r] of Object.entries(op.responses as Obj)) {
      for (const [type, media] of Object.entries((r.content ?? {}) as Obj)) if (media.example !== undefined) check(media.schema, media.example, `${status} ${type} example`)
    }
  }
  t.true(checked >= 30, `only ${checked} examples`)
})

test('a broken example fails the check (the check can fail)', (t) => {
  const body = doc.paths['/transfers/mass'].post.requestBody.content['application/json']
  t.false(validator(body.schema)({ ...body.example, items: [{ cti: 'CTI1', quantity: 0, amount: '1.00' }] }))
  t.false(validator(body.schema)({ items: body.example.items }))
})

// ── The examples against the live routes ──────────────────────────────────────────────────────

/** The operations in an order that works on one fresh distributor (password reset before stamping, block before unblock…); the rest after, in document order. */
const ORDER = [
  'post /customers', 'get /customers', 'get /customers/{nic}', 'patch /customers/{nic}', 'post /customers/{nic}/owner', 'get /customers.csv',
  'get /inventory', 'post /ctis', 'get /ctis', 'get /ctis/{id}', 'post /ctis/{id}/reset-password', 'post /ctis/{id}/transfers',
  'post /transfers/mass', 'put /ctis/{id}/auto-sale', 'delete /ctis/{id}/auto-sale', 'post /ctis/{id}/block', 'post /ctis/{id}/unblock',
  'post /balance', 'post /stamp',
  'post /distributors', 'get /distributors', 'get /distributors/{id}', 'post /members', 'get /members', 'delete /members/{id}', 'post /distributors/convert',
  'post /packages', 'get /packages', 'patch /packages/{id}', 'delete /packages/{id}', 'get /settings', 'patch /settings',
  'get /catalog', 'post /orders', 'get /orders', 'get /orders/{id}', 'post /orders/{id}/confirm', 'post /orders/{id}/cancel', 'post /purchases', 'post /customers/{nic}/points',
]
/** Purchases are made by a sub-distributor of the test's distributor, which sells to it (and confirms its orders). */
const AS_BUYER = ['get /catalog', 'post /orders', 'get /orders', 'get /orders/{id}', 'post /orders/{id}/cancel', 'post /purchases']

test('each documented operation, sent its own example, answers a documented success with a body its schema accepts', async (t) => {
  const ledger: LedgerService = t0.app.kernel.contexts.get('ledger')!.use('ledger')
  const d: DistributorFixture = await t0.fixtures.distributor()
  await ledger.mint(t0.app.kernel.orm.em.fork(), { distributorId: d.id, stamps: 100_000, points: 100_000 })
  // The owner example names this profile; it administers no CM.
  await t0.fixtures.profile({ email: 'lupita@abarrotes-lupita.mx', mobile: '+52 55 1234 5678', name: 'Guadalupe Soto' })
  // Sub-distributors need "MKL Multi-nivel".
  await t0.app.kernel.entitlements.grant(t0.app.kernel.orm.em.fork(), { distributorId: d.id, key: 'mkl-multinivel', source: 'test' })
  const auth = { authorization: `Bearer ${d.token}` }
  // Contracts: the example's offer, a CM expiry to prorate to, and a contract d sells (only its seller cancels).
  const run = (q: string, p: unknown[]) => t0.app.kernel.orm.em.fork().getConnection().execute(q, p as any[])
  await run(`insert into purchases_offer (id, kind, name, yearly_points, entitlement_key) values ('0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', 'mkl', 'MKL Licencias', 120000, 'mkl-licencias') on conflict do nothing`, [])
  await run(`update core_distributor set cm_expires_at = current_date + 90 where id = ?`, [d.id])
  const sold = (await t0.app.kernel.directory.create(t0.app.kernel.orm.em.fork(), { name: 'Comprador de contratos', tier: 'completo', parentId: d.id, state: 'active' })).id
  const soldContract = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
  await run(`insert into purchases_contract (id, distributor_id, offer_id, seller_id, started_at, expires_at, entitlement_id) values (?, ?, '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', ?, now(), current_date + 90, gen_random_uuid())`, [soldContract, sold, d.id])
  const other = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth, payload: { legalName: 'Otro Cliente SA', rfc: 'EKU9003173C9' } })
  const ids: Record<string, string> = { nic: '', id: '', cti2: other.json().cti.id, distributor: '', member: '', package: '', order: '', pendingOrder: '' }
  // What the purchases examples need: a buyer under d with points, d's packages for sub-distributors,
  // enough points in d to deliver an order, and a second pending order to cancel (the first is confirmed).
  const buyer = await subDistributor(t0, d.id)
  await ledger.mint(t0.app.kernel.orm.em.fork(), { distributorId: buyer.id, points: 10_000_00 })
  await ledger.mint(t0.app.kernel.orm.em.fork(), { distributorId: d.id, points: 10_000_00 })
  const stampsPackage = await packageOf(t0, d.id, { asset: 'stamps', quantity: 1000, price: '900.00', description: 'Paquete 1000 timbres' })
  const pointsPackage = await packageOf(t0, d.id, { asset: 'points', quantity: '1000.00', price: '900.00', description: 'Paquete 1000 puntos' })
  ids.pendingOrder = (await purchasesOf(t0).orders.create(t0.app.kernel.orm.em.fork(), { type: 'distributor', id: buyer.id }, { package: pointsPackage.id, count: 1 })).order.id
  /** Each transition is tried on a sub-distributor of d in a state it starts from (one distributor cannot go through all five). */
  const subIn = async (state: typeof TRANSITIONS.activate.from[number]) =>
    (await t0.app.kernel.directory.create(t0.app.kernel.orm.em.fork(), { name: `Subdistribuidor ${state}`, tier: 'completo', parentId: d.id, state })).id
  /** A path variable's value: `{id}` is the distributor or member just created on their paths, a CTI elsewhere. */
  const pathId = async (path: string, name: string) => {
    const transition = /^\/distributors\/\{id\}\/(\w+)$/.exec(path)?.[1] as keyof typeof TRANSITIONS | undefined
    if (transition) return subIn(TRANSITIONS[transition].from[0])
    if (path.startsWith('/contracts/')) return soldContract
    if (path.startsWith('/orders/')) return ids[path.endsWith('/cancel') ? 'pendingOrder' : 'order']
    return ids[path.startsWith('/distributors/') ? 'distributor' : path.startsWith('/members/') ? 'member' : path.startsWith('/packages/') ? 'package' : name]
  }

  const ops = operations().sort((a, b) => {
    const rank = (o: { method: string, path: string }) => { const i = ORDER.indexOf(`${o.method} ${o.path}`); return i < 0 ? ORDER.length : i }
    return rank(a) - rank(b)
  })
  let sent = 0
  for (const { path, method, op } of ops) {
    const where = `${method.toUpperCase()} ${path}`
    const substitute = (v: unknown) => JSON.parse(JSON.stringify(v)
      .replaceAll('"100001"', JSON.stringify(ids.nic || '100001'))
      // One pass: a real CTI id may itself read like a placeholder (CTI1000002), which a second replaceAll would rewrite.
      .replace(/CTI100000[12]/g, (m) => (m === 'CTI1000001' ? ids.id : ids.cti2))
      // The purchases examples' package ids: the points package ordered, the stamps package bought.
      .replaceAll('9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a', pointsPackage.id).replaceAll('5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b', stampsPackage.id))
    let payload = op.requestBody ? substitute(op.requestBody.content['application/json'].example) : undefined
    if (path === '/stamp') payload = { ...payload, xml: b64(sampleCfdi()) }   // the example's xml is a placeholder
    let url = '/api/v1' + path
    for (const [, name] of path.matchAll(/\{(\w+)\}/g)) url = url.replace(`{${name}}`, encodeURIComponent(await pathId(path, name)))
    const as = AS_BUYER.includes(`${method} ${path}`) ? { authorization: `Bearer ${buyer.token}` } : auth
    const res = await t0.inject({ method: method.toUpperCase() as 'GET', url, headers: op.security.length ? as : {}, ...(payload !== undefined ? { payload } : {}) })
    sent++
    const documented = op.responses[String(res.statusCode)]
    t.true(res.statusCode < 300 && !!documented, `${where} → ${res.statusCode} ${res.body.slice(0, 300)}`)
    if (!documented) continue
    const [type, media] = Object.entries((documented.content ?? {}) as Obj)[0] ?? []
    if (type) t.true(String(res.headers['content-type']).startsWith(type), `${where}: content-type ${res.headers['content-type']}, documented ${type}`)
    if (media?.schema && type === 'application/json') {
      const v = validator(media.schema)
      t.true(v(res.json()), `${where}: the answer does not match its schema: ${ajv.errorsText(v.errors)} in ${res.body.slice(0, 300)}`)
    }
    if (where === 'POST /customers') { ids.nic = res.json().nic; ids.id = res.json().cti.id }
    if (where === 'POST /distributors') ids.distributor = res.json().id
    if (where === 'POST /members') ids.member = res.json().id
    if (where === 'POST /packages') ids.package = res.json().id
    if (where === 'POST /orders') ids.order = res.json().order.id
  }
  t.is(sent, operations().length)
  t.truthy(ids.id)
  t.truthy(ids.distributor)
  t.truthy(ids.member)
  t.truthy(ids.order)
})

test('POST /customers answers the new customer\'s CTI with its generated password, shown once; the password works; a tier without stamping gets no cti', async (t) => {
  const stamping: StampingServices = t0.app.kernel.contexts.get('stamping')!.use('stamping')
  const d = await t0.fixtures.distributor()
  const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${d.token}` }, payload: { legalName: 'Ferretería Hidalgo SA', rfc: 'EKU9003173C9' } })
  t.is(res.statusCode, 201, res.body)
  const { nic, cti } = res.json()
  t.regex(cti.id, /^CTI\d+$/)
  t.is(typeof cti.password, 'string')
  t.true(cti.password.length >= 8)
  const list = await t0.inject({ method: 'GET', url: `/api/v1/ctis?customer=${nic}`, headers: { authorization: `Bearer ${d.token}` } })
  t.deepEqual(list.json().items.map((i: Obj) => i.id), [cti.id])
  // The CTI authenticates with it (it is the real password, not a display string)…
  const balance = await t0.inject({ method: 'POST', url: '/api/v1/balance', payload: { cti: cti.id, password: cti.password } })
  t.is(balance.statusCode, 200, balance.body)
  t.deepEqual(balance.json(), { type: 'standard', balance: 0, active: true })
  // …and it was shown once: the CM's "show initial password" has nothing left to show.
  t.is(await stamping.ctis.revealInitialPassword(t0.app.kernel.orm.em.fork(), d.id, cti.id), null)
  t.false(JSON.stringify((await t0.inject({ method: 'GET', url: `/api/v1/customers/${nic}`, headers: { authorization: `Bearer ${d.token}` } })).json()).includes(cti.password))

  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  const plain = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${basic.token}` }, payload: { legalName: 'Papelería Básica SA', rfc: 'EKU9003173C9' } })
  t.is(plain.statusCode, 201, plain.body)
  t.false('cti' in plain.json())
})

test('/api/v1/docs lists every operation from the document, served locally (no external URL, no inline script or style)', async (t) => {
  const res = await t0.inject({ method: 'GET', url: '/api/v1/docs' })
  t.is(res.statusCode, 200)
  t.regex(String(res.headers['content-type']), /^text\/html/)
  for (const { op } of operations()) t.true(res.body.includes(`id="${op.operationId}"`), `${op.operationId} missing from the page`)
  t.false(/(src|href)="(https?:)?\/\//.test(res.body), 'an external URL')
  t.false(/<script|<style|style="/.test(res.body))
  t.true(res.body.includes('idempotencyKey'))
  const css = await t0.inject({ method: 'GET', url: '/api/v1/docs.css' })
  t.is(css.statusCode, 200)
  t.regex(String(css.headers['content-type']), /^text\/css/)
})
