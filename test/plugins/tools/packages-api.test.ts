import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { IdentityService } from '../../../core/identity/service.js'
import { ensureRootDistributor } from '../../../core/identity/bootstrap.js'
import { call, em, grantMkl, stamps1000, stateOf, tools } from './helpers.js'

// Herramientas → Precios over /api/v1/packages: the caller's own packages only; every bad field is
// a 422 naming it and changes nothing; "Distribuidor" needs "MKL Multi-nivel" (staff: never).

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ kernel: { jobs: false } }) })
test.after.always(() => t0?.close())

test('create, list, get, update and delete (archive) a package; JSON as the issue names it', async (t) => {
  const d = await t0.fixtures.distributor()
  const created = await call(t0, d, 'POST', '/api/v1/packages', stamps1000)
  t.is(created.statusCode, 201, created.body)
  const p = created.json()
  t.deepEqual(p, { id: p.id, asset: 'stamps', quantity: 1000, price: '1500.00', description: 'Paquete de 1,000 timbres', forDistributors: false })
  const points = (await call(t0, d, 'POST', '/api/v1/packages', { asset: 'points', quantity: '1000', price: 900, description: 'Mil puntos' })).json()
  t.is(points.quantity, '1000.00')
  t.is(points.price, '900.00')
  t.is((await tools(t0).packages.get(em(t0), points.id))!.quantity, 100000, 'points are kept in hundredths, as in the ledger')

  const list = (await call(t0, d, 'GET', '/api/v1/packages')).json()
  t.deepEqual(list.items.map((i: any) => i.id), [p.id, points.id], 'stamps first')
  t.is(list.total, 2)
  t.deepEqual((await call(t0, d, 'GET', '/api/v1/packages?asset=points')).json().items.map((i: any) => i.id), [points.id])
  t.deepEqual((await call(t0, d, 'GET', '/api/v1/packages?forDistributors=true')).json().items, [])
  t.is((await call(t0, d, 'GET', '/api/v1/packages?asset=timbres')).statusCode, 400)
  t.is((await call(t0, d, 'GET', '/api/v1/packages?forDistributors=si')).statusCode, 400)

  const patched = await call(t0, d, 'PATCH', `/api/v1/packages/${p.id}`, { price: '1400.5', description: '  Mil timbres  ' })
  t.is(patched.statusCode, 200, patched.body)
  t.deepEqual(patched.json(), { ...p, price: '1400.50', description: 'Mil timbres' })

  const del = await call(t0, d, 'DELETE', `/api/v1/packages/${p.id}`)
  t.is(del.statusCode, 204)
  t.deepEqual((await call(t0, d, 'GET', '/api/v1/packages')).json().items.map((i: any) => i.id), [points.id])
  t.is(await tools(t0).packages.get(em(t0), p.id), null, 'an archived package is not found for buying')
  t.is((await call(t0, d, 'PATCH', `/api/v1/packages/${p.id}`, { price: '1.00' })).statusCode, 404)
  t.is((await call(t0, d, 'DELETE', `/api/v1/packages/${p.id}`)).statusCode, 404)
  // The row stays (orders and sales that name it keep working), archived.
  const [row] = await t0.app.kernel.orm.em.fork().getConnection().execute('select archived_at from tools_package where id = ?', [p.id])
  t.truthy(row.archived_at)
})

test('every bad field is a 422 naming it, in Spanish, and nothing changes', async (t) => {
  const d = await t0.fixtures.distributor()
  const existing = (await call(t0, d, 'POST', '/api/v1/packages', stamps1000)).json()
  const before = await stateOf(t0, d.id)
  const bad: [Record<string, unknown>, string][] = [
    [{ ...stamps1000, description: 'con\u0000nulo' }, 'description'],
    [{ ...stamps1000, description: 'x'.repeat(201) }, 'description'],
    [{ ...stamps1000, description: '   ' }, 'description'],
    [{ ...stamps1000, description: undefined }, 'description'],
    [{ ...stamps1000, quantity: 0 }, 'quantity'],
    [{ ...stamps1000, quantity: -5 }, 'quantity'],
    [{ ...stamps1000, quantity: 1.5 }, 'quantity'],
    [{ ...stamps1000, quantity: 10_000_001 }, 'quantity'],
    [{ ...stamps1000, asset: 'points', quantity: '0.00' }, 'quantity'],
    [{ ...stamps1000, asset: 'points', quantity: '-10' }, 'quantity'],
    [{ ...stamps1000, asset: 'points', quantity: '1.005' }, 'quantity'],
    [{ ...stamps1000, price: '0' }, 'price'],
    [{ ...stamps1000, price: -1 }, 'price'],
    [{ ...stamps1000, price: '1e3' }, 'price'],
    [{ ...stamps1000, price: null }, 'price'],
    [{ ...stamps1000, asset: 'timbres' }, 'asset'],
    [{ ...stamps1000, asset: undefined }, 'asset'],
    [{ ...stamps1000, forDistributors: 'sí' }, 'forDistributors'],
    [{ ...stamps1000, seller: 'otro' }, 'seller'],
  ]
  for (const [body, field] of bad) {
    const res = await call(t0, d, 'POST', '/api/v1/packages', body)
    t.is(res.statusCode, 422, `${JSON.stringify(body).slice(0, 80)} → ${res.body}`)
    t.is(res.json().error.code, 'validation_failed')
    t.true(field in res.json().error.fields, `${field} named in ${res.body}`)
    t.regex(Object.values(res.json().error.fields as Record<string, string>).join(' '), /[a-záéíóú]/)
  }
  for (const [body, field] of [[{ quantity: 0 }, 'quantity'], [{ price: '0.00' }, 'price'], [{ description: '\u0000' }, 'description'], [{ asset: 'points' }, 'asset'], [{ description: 'y'.repeat(201) }, 'description']] as const) {
    const res = await call(t0, d, 'PATCH', `/api/v1/packages/${existing.id}`, body)
    t.is(res.statusCode, 422, res.body)
    t.true(field in res.json().error.fields, res.body)
  }
  t.is((await call(t0, d, 'POST', '/api/v1/packages', [stamps1000])).statusCode, 400, 'not an object')
  t.deepEqual(await stateOf(t0, d.id), before)
})

test('another distributor\'s package: not listed, 404 on PATCH and DELETE, unchanged', async (t) => {
  const a = await t0.fixtures.distributor()
  const b = await t0.fixtures.distributor()
  const mine = (await call(t0, a, 'POST', '/api/v1/packages', stamps1000)).json()
  const before = await stateOf(t0, a.id)
  t.deepEqual((await call(t0, b, 'GET', '/api/v1/packages')).json(), { items: [], total: 0 })
  const patch = await call(t0, b, 'PATCH', `/api/v1/packages/${mine.id}`, { price: '1.00' })
  t.is(patch.statusCode, 404)
  t.is(patch.json().error.code, 'not_found')
  t.is((await call(t0, b, 'DELETE', `/api/v1/packages/${mine.id}`)).statusCode, 404)
  t.is((await call(t0, b, 'PATCH', '/api/v1/packages/no-es-un-id', { price: '1.00' })).statusCode, 404)
  t.is((await call(t0, b, 'DELETE', '/api/v1/packages/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  t.deepEqual(await stateOf(t0, a.id), before)
  await t.throwsAsync(tools(t0).packages.getOwn(em(t0), b.id, mine.id), { message: /no existe/ })
})

test('"Distribuidor" packages need "MKL Multi-nivel": 403 multilevel_not_entitled without it; staff never need it', async (t) => {
  const d = await t0.fixtures.distributor()
  const before = await stateOf(t0, d.id)
  const refused = await call(t0, d, 'POST', '/api/v1/packages', { ...stamps1000, forDistributors: true })
  t.is(refused.statusCode, 403)
  t.is(refused.json().error.code, 'multilevel_not_entitled')
  t.deepEqual(await stateOf(t0, d.id), before)
  const customerPackage = (await call(t0, d, 'POST', '/api/v1/packages', stamps1000)).json()
  const flip = await call(t0, d, 'PATCH', `/api/v1/packages/${customerPackage.id}`, { forDistributors: true })
  t.is(flip.statusCode, 403)
  t.is(flip.json().error.code, 'multilevel_not_entitled')
  t.false((await tools(t0).packages.get(em(t0), customerPackage.id))!.forDistributors)

  await grantMkl(t0, d.id)
  const ok = await call(t0, d, 'POST', '/api/v1/packages', { ...stamps1000, forDistributors: true })
  t.is(ok.statusCode, 201, ok.body)
  t.true(ok.json().forDistributors)
  t.deepEqual((await call(t0, d, 'GET', '/api/v1/packages?forDistributors=true')).json().items.map((i: any) => i.id), [ok.json().id])

  // Staff: the root distributor's packages, the catalogue top-level distributors buy from.
  const root = await ensureRootDistributor(em(t0))
  const staff = await t0.fixtures.staff()
  const { token } = await new IdentityService().createApiToken(em(t0), staff.login, root.id)
  const staffPackage = await call(t0, { token }, 'POST', '/api/v1/packages', { asset: 'points', quantity: '5000.00', price: '4500.00', description: 'Puntos para distribuidores', forDistributors: true })
  t.is(staffPackage.statusCode, 201, staffPackage.body)
  const catalogue = await tools(t0).packages.list(em(t0), root.id, { forDistributors: true })
  t.true(catalogue.some((p) => p.id === staffPackage.json().id))
  t.is((await call(t0, d, 'DELETE', `/api/v1/packages/${staffPackage.json().id}`)).statusCode, 404, 'a distributor does not touch staff\'s catalogue')
})
