import test from 'ava'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { defineError, definedErrorCodes } from '../../core/kernel/errors.js'
import { definePlugin } from '../../core/plugin-api.js'
import { installedPlugins } from '../../config/app.js'
import { startTestApp, type TestApp } from '../helpers/app.js'

const root = path.resolve(import.meta.dirname, '..', '..')

/** Every .ts file under core/ and plugins/ that defines errors. */
function catalogueFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const full = path.join(dir, f)
      if (statSync(full).isDirectory()) { if (f !== 'node_modules') walk(full); continue }
      if (f.endsWith('.ts') && /defineError\(\s*'/.test(readFileSync(full, 'utf8'))) out.push(full)
    }
  }
  walk(path.join(root, 'core'))
  walk(path.join(root, 'plugins'))
  return out
}

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/

test('every error code in the sources is snake_case and defined once', (t) => {
  const files = catalogueFiles()
  t.true(files.length >= 3)
  const seen = new Map<string, string>()
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/defineError\(\s*'([^']*)'/g)) {
      const where = path.relative(root, file)
      t.regex(m[1], SNAKE, `${m[1]} in ${where}`)
      t.false(seen.has(m[1]), `${m[1]} is defined in ${seen.get(m[1])} and ${where}`)
      seen.set(m[1], where)
    }
  }
})

test('every catalogue loads; each code has an HTTP error status; a second definition of a code throws', async (t) => {
  for (const file of catalogueFiles()) await import(pathToFileURL(file).href)
  const codes = definedErrorCodes()
  for (const code of ['plugin_cycle', 'malformed_json', 'payload_too_large', 'validation_failed', 'internal_error', 'customer_not_found', 'email_taken']) {
    t.true(codes.has(code), code)
  }
  for (const [code, status] of codes) {
    t.regex(code, SNAKE)
    t.true(Number.isInteger(status) && status >= 400 && status <= 599, `${code}: ${status}`)
  }
  t.throws(() => defineError('not_found', 404, () => 'again'), { message: /defined twice: not_found/ })
  t.throws(() => defineError('NotFound', 404, () => 'x'), { message: /snake_case/ })
})

// ── Rendering over the API ────────────────────────────────────────────────────────────────────────

const ProbeUnavailableError = defineError('probe_unavailable', 503, (what: string) => `${what} is down; nothing was done`, true)

/** A plugin whose routes throw, to see how the kernel renders errors. */
const probe = definePlugin({
  id: 'probe',
  version: '1.0.0',
  apiPaths: ['/probe'],
  routes: (ctx) => {
    const api = ctx.http.apiRouter()
    api.get('/probe/unavailable', () => { throw new ProbeUnavailableError('PAC') })
    api.get('/probe/crash', () => { throw new Error('secret internals') })
    api.get('/probe/async-crash', async () => { await Promise.resolve(); throw new TypeError('async internals') })
    api.post('/probe/echo', (req, res) => { res.json({ bytes: JSON.stringify(req.body).length }) })
    api.post('/probe/big', { bodyLimit: '3mb' }, (req, res) => { res.json({ bytes: JSON.stringify(req.body).length }) })
    return { api }
  },
})

let t0: TestApp
test.before(async () => {
  t0 = await startTestApp({
    kernel: {
      plugins: [...installedPlugins, { plugin: probe }],
      tiers: { completo: { name: 'Completo', plugins: '*' }, basico: { name: 'Básico', plugins: ['clients'] } },
    },
  })
})
test.after.always(() => t0?.close())

const auth = (token: string) => ({ authorization: `Bearer ${token}` })
const errorShape = (t: import('ava').ExecutionContext, body: any, code: string, retryable = false) => {
  t.is(body.error.code, code)
  t.is(typeof body.error.message, 'string')
  t.true(body.error.message.length > 0)
  t.is(body.error.retryable, retryable)
}

test('catalogued errors render as {error:{code,message,retryable}} with their status', async (t) => {
  const d = await t0.fixtures.distributor()
  const down = await t0.inject({ method: 'GET', url: '/api/v1/probe/unavailable', headers: auth(d.token) })
  t.is(down.statusCode, 503)
  t.deepEqual(down.json(), { error: { code: 'probe_unavailable', message: 'PAC is down; nothing was done', retryable: true } })
  t.regex(String(down.headers['content-type']), /application\/json/)

  const unknownRoute = await t0.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: auth(d.token) })
  t.is(unknownRoute.statusCode, 404)
  errorShape(t, unknownRoute.json(), 'not_found')

  const customer = await t0.inject({ method: 'GET', url: '/api/v1/customers/999999999', headers: auth(d.token) })
  t.is(customer.statusCode, 404)
  errorShape(t, customer.json(), 'customer_not_found')

  const anon = await t0.inject({ method: 'GET', url: '/api/v1/probe/unavailable' })
  t.is(anon.statusCode, 401)
  t.deepEqual(Object.keys(anon.json().error).sort(), ['code', 'message', 'retryable'])
  errorShape(t, anon.json(), 'unauthenticated')

  const badQuery = await t0.inject({ method: 'GET', url: '/api/v1/customers?page=zero', headers: auth(d.token) })
  t.is(badQuery.statusCode, 400)
  errorShape(t, badQuery.json(), 'bad_request')

  const invalid = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d.token), payload: { rfc: 'nope' } })
  t.is(invalid.statusCode, 422)
  errorShape(t, invalid.json(), 'validation_failed')
  t.deepEqual(Object.keys(invalid.json().error.fields).sort(), ['legalName', 'rfc'])
})

test('a plugin outside the tier answers 403 plugin_not_in_tier', async (t) => {
  const d = await t0.fixtures.distributor({ tier: 'basico' })
  const res = await t0.inject({ method: 'GET', url: '/api/v1/probe/unavailable', headers: auth(d.token) })
  t.is(res.statusCode, 403)
  errorShape(t, res.json(), 'plugin_not_in_tier')
  t.regex(res.json().error.message, /probe/)
  // The tier's own plugins still answer.
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/customers', headers: auth(d.token) })).statusCode, 200)
})

test('an unexpected error is a 500 internal_error that leaks nothing', async (t) => {
  const d = await t0.fixtures.distributor()
  for (const url of ['/api/v1/probe/crash', '/api/v1/probe/async-crash']) {
    const res = await t0.inject({ method: 'GET', url, headers: auth(d.token) })
    t.is(res.statusCode, 500, url)
    errorShape(t, res.json(), 'internal_error', true)
    t.notRegex(res.body, /internals|at .*\.ts/)
  }
})

test('malformed JSON is 400 malformed_json', async (t) => {
  const d = await t0.fixtures.distributor()
  for (const payload of ['{"legalName": ', '{legalName: "x"}', "{'a': 1}", '[1,]']) {
    const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { ...auth(d.token), 'content-type': 'application/json' }, payload })
    t.is(res.statusCode, 400, payload)
    errorShape(t, res.json(), 'malformed_json')
  }
})

test('a body over 1 MiB is 413 payload_too_large; a route may raise its limit', async (t) => {
  const d = await t0.fixtures.distributor()
  const body = (bytes: number) => JSON.stringify({ legalName: 'x'.repeat(bytes - 20) })
  const headers = { ...auth(d.token), 'content-type': 'application/json' }
  const big = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers, payload: body(1024 * 1024 + 100) })
  t.is(big.statusCode, 413)
  errorShape(t, big.json(), 'payload_too_large')
  const echoBig = await t0.inject({ method: 'POST', url: '/api/v1/probe/echo', headers, payload: body(1024 * 1024 + 100) })
  t.is(echoBig.statusCode, 413)
  // Just under the limit is parsed.
  const under = await t0.inject({ method: 'POST', url: '/api/v1/probe/echo', headers, payload: body(1024 * 1024 - 100) })
  t.is(under.statusCode, 200)
  const raised = await t0.inject({ method: 'POST', url: '/api/v1/probe/big', headers, payload: body(2 * 1024 * 1024) })
  t.is(raised.statusCode, 200)
  t.true(raised.json().bytes > 2_000_000)
})
