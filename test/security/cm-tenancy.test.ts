import test from 'ava'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../helpers/app.js'
import { adminPost, api, apiCustomer, customersOf, reduxState, rows, SAME_ORIGIN, type CustomerRef } from './support.js'

// Tenancy and CSRF of the CM (AdminJS over HTTP) and the API: distributor A attacks distributor B.
// Every attempt must refuse or come back empty, and B's rows must be byte-for-byte unchanged.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

interface World { a: DistributorFixture, b: DistributorFixture, aCustomers: CustomerRef[], bCustomers: CustomerRef[], c: Client }

async function world(): Promise<World> {
  const a = await t0.fixtures.distributor({ name: 'Distribuidor Atacante' })
  const b = await t0.fixtures.distributor({ name: 'Distribuidor Víctima' })
  const tag = Math.random().toString(36).slice(2, 8)
  const aCustomers = [await apiCustomer(t0, a, `Alfa ${tag} Uno SA`), await apiCustomer(t0, a, `Alfa ${tag} Dos SA`)]
  const bCustomers = [await apiCustomer(t0, b, `Beta ${tag} Uno SA`, { phone: '55 5555 0001' }), await apiCustomer(t0, b, `Beta ${tag} Dos SA`)]
  const c = t0.client()
  await c.enterCm(a.login, a.password, a.id)
  return { a, b, aCustomers, bCustomers, c }
}

/** Nothing of B's in a response: no names or NICs, and no ids unless the request itself named them. */
function leaksNothing(t: any, body: string, w: World, what: string, idsInRequest = false) {
  for (const x of w.bCustomers) {
    if (!idsInRequest) t.false(body.includes(x.id), `${what}: id`)
    t.false(body.includes(x.legalName), `${what}: name`)
    t.false(new RegExp(`"nic":"${x.nic}"`).test(body), `${what}: nic`)
  }
}

const isSuccess = (res: { statusCode: number, body: string }) => res.statusCode < 300 && /"type":"success"/.test(res.body)

test('list: only A\'s rows, whatever filters, operators or sort keys are sent', async (t) => {
  const w = await world()
  const { b, bCustomers: [b1] } = w
  const base = '/admin/api/resources/Customer/actions/list'
  const queries = [
    '',
    `?filters.distributorId=${b.id}`,
    `?filters.distributorId=${encodeURIComponent(JSON.stringify({ $ne: w.a.id }))}`,
    `?filters.nic=${b1.nic}`,
    `?filters.legalName=${encodeURIComponent(b1.legalName)}`,
    `?filters.id=${b1.id}`,
    `?filters.nic[$ne]=x`,
    `?filters.nic.$ne=x`,
    `?filters.legalName.$ilike=%25`,
    `?filters.nic=${encodeURIComponent(JSON.stringify({ $ne: 'x' }))}`,
    `?filters.createdAt=${encodeURIComponent(JSON.stringify({ $gte: '1970-01-01' }))}`,
    `?filters.createdAt~~from=1970-01-01&filters.createdAt~~to=2999-01-01`,
    `?filters.$or=${encodeURIComponent(JSON.stringify([{ distributorId: b.id }]))}`,
    `?filters.phone=${encodeURIComponent('%')}`,
    `?sortBy=distributorId&direction=desc&perPage=500`,
    `?perPage=100000&page=1`,
    `?filters.distributorId=${b.id}&filters.legalName=Beta`,
    `?filters.search=${b1.nic}`,
    `?filters.search=${encodeURIComponent(b1.legalName)}`,
    `?filters.search=${encodeURIComponent('%')}`,
  ]
  for (const q of queries) {
    const res = await w.c.get(base + q)
    t.is(res.statusCode, 200, q)
    const body = res.json()
    for (const r of body.records) t.is(r.params.distributorId, w.a.id, q)
    t.true(body.meta.total <= w.aCustomers.length, q)
    leaksNothing(t, res.body, w, q)
  }
  // The search box does work (the assertions above are not vacuous).
  const own = (await w.c.get(`${base}?filters.search=${w.aCustomers[0].nic}`)).json()
  t.deepEqual(own.records.map((r: any) => r.id), [w.aCustomers[0].id])
  const byName = (await w.c.get(`${base}?filters.legalName=${encodeURIComponent(w.aCustomers[0].legalName)}`)).json()
  t.true(byName.records.some((r: any) => r.id === w.aCustomers[0].id))
})

test('search (reference pickers): never B\'s rows, whatever the query or search property', async (t) => {
  const w = await world()
  const [b1] = w.bCustomers
  for (const url of [
    `/admin/api/resources/Customer/actions/search/${encodeURIComponent(b1.legalName)}`,
    `/admin/api/resources/Customer/actions/search/Beta`,
    `/admin/api/resources/Customer/actions/search/${b1.id}?searchProperty=id`,
    `/admin/api/resources/Customer/actions/search/${w.b.id}?searchProperty=distributorId`,
    `/admin/api/resources/Customer/actions/search/${b1.nic}?searchProperty=nic`,
    `/admin/api/resources/Customer/actions/search?filters.distributorId=${w.b.id}`,
    `/admin/api/resources/Customer/actions/search/%25`,
  ]) {
    const res = await w.c.get(url)
    t.is(res.statusCode, 200, url)
    for (const r of res.json().records) t.is(r.params.distributorId, w.a.id, url)
    leaksNothing(t, res.body, w, url)
  }
  const own = (await w.c.get(`/admin/api/resources/Customer/actions/search/${encodeURIComponent(w.aCustomers[0].legalName)}`)).json()
  t.deepEqual(own.records.map((r: any) => r.id), [w.aCustomers[0].id])
})

test('show, edit, delete of B\'s record: refused, nothing leaks, B unchanged', async (t) => {
  const w = await world()
  const before = await customersOf(t0, w.b.id)
  const [b1] = w.bCustomers
  for (const action of ['show', 'edit', 'delete']) {
    const res = await w.c.get(`/admin/api/resources/Customer/records/${b1.id}/${action}`)
    t.false(isSuccess(res), action)
    leaksNothing(t, res.body, w, `GET ${action}`, true)
  }
  for (const action of ['edit', 'delete']) {
    const res = await adminPost(w.c, `/admin/api/resources/Customer/records/${b1.id}/${action}`, { legalName: 'Tomado por A', distributorId: w.a.id })
    t.false(isSuccess(res), action)
    leaksNothing(t, res.body, w, `POST ${action}`, true)
  }
  t.deepEqual(await customersOf(t0, w.b.id), before)
  t.is((await rows(t0, 'select 1 from clients_customer where legal_name = ?', ['Tomado por A'])).length, 0)
})

test('bulk delete: B\'s ids are never deleted, alone or mixed with A\'s', async (t) => {
  const w = await world()
  const before = await customersOf(t0, w.b.id)
  const ids = w.bCustomers.map((x) => x.id).join(',')
  const get = await w.c.get(`/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${ids}`)
  t.false(isSuccess(get))
  leaksNothing(t, get.body, w, 'GET bulk', true)
  const post = await adminPost(w.c, `/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${ids}`)
  t.false(isSuccess(post))
  t.is(post.statusCode, 404)
  leaksNothing(t, post.body, w, 'POST bulk', true)
  t.deepEqual(await customersOf(t0, w.b.id), before)
  // Mixed: A's own row goes, B's stays.
  const mixed = await adminPost(w.c, `/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${w.aCustomers[0].id},${ids}`)
  t.true(isSuccess(mixed))
  leaksNothing(t, mixed.body, w, 'POST mixed bulk', true)
  t.deepEqual(await customersOf(t0, w.b.id), before)
  t.deepEqual((await customersOf(t0, w.a.id)).map((r) => r.id), [w.aCustomers[1].id])
})

test('new: posting B\'s distributorId, a NIC or an id creates A\'s row with generated values only', async (t) => {
  const w = await world()
  const before = await customersOf(t0, w.b.id)
  const forcedId = '00000000-0000-4000-8000-000000000001'
  const res = await adminPost(w.c, '/admin/api/resources/Customer/actions/new', {
    legalName: 'Alta Forjada SA', rfc: 'XAXX010101000', distributorId: w.b.id, distributor_id: w.b.id, nic: '999999', id: forcedId, createdAt: '2000-01-01T00:00:00Z',
  })
  t.true(isSuccess(res), res.body)
  const [row] = await rows(t0, 'select id, distributor_id, nic, created_at from clients_customer where legal_name = ?', ['Alta Forjada SA'])
  t.is(row.distributor_id, w.a.id)
  t.not(row.nic, '999999')
  t.not(row.id, forcedId)
  t.true(new Date(row.created_at).getFullYear() > 2000)
  t.deepEqual(await customersOf(t0, w.b.id), before)
})

test('edit of A\'s own record: only allow-listed fields change (no moving it to B, no new NIC)', async (t) => {
  const w = await world()
  const [a1] = w.aCustomers
  const [before] = await rows(t0, 'select * from clients_customer where id = ?', [a1.id])
  const res = await adminPost(w.c, `/admin/api/resources/Customer/records/${a1.id}/edit`, {
    legalName: 'Nombre Corregido SA', distributorId: w.b.id, distributor_id: w.b.id, nic: '999998', createdAt: '2000-01-01T00:00:00Z',
  })
  t.true(isSuccess(res), res.body)
  const [after] = await rows(t0, 'select * from clients_customer where id = ?', [a1.id])
  t.is(after.legal_name, 'Nombre Corregido SA')
  t.deepEqual({ ...after, legal_name: before.legal_name }, before)
  t.is((await customersOf(t0, w.b.id)).length, 2)
})

test('edit of A\'s own record posting B\'s record id or NIC: the posted id is ignored, only A\'s record in the URL changes', async (t) => {
  const w = await world()
  const [a1] = w.aCustomers
  const beforeB = await customersOf(t0, w.b.id)
  for (const id of [w.bCustomers[0].id, w.bCustomers[0].nic]) {
    const res = await adminPost(w.c, `/admin/api/resources/Customer/records/${a1.id}/edit`, { id, legalName: `Redirigido ${id.length} SA` })
    t.true(isSuccess(res), id)
    leaksNothing(t, res.body, w, `edit with id ${id}`, true)
    const [after] = await rows(t0, 'select legal_name from clients_customer where id = ?', [a1.id])
    t.is(after.legal_name, `Redirigido ${id.length} SA`)
  }
  t.deepEqual(await customersOf(t0, w.b.id), beforeB)
})

test('edit of A\'s record posting the id of another of A\'s records changes the record in the URL only', async (t) => {
  const w = await world()
  const [a1, a2] = w.aCustomers
  const [before2] = await rows(t0, 'select * from clients_customer where id = ?', [a2.id])
  const res = await adminPost(w.c, `/admin/api/resources/Customer/records/${a1.id}/edit`, { id: a2.id, legalName: 'Solo El Primero SA' })
  t.true(isSuccess(res), res.body)
  const [after1] = await rows(t0, 'select * from clients_customer where id = ?', [a1.id])
  const [after2] = await rows(t0, 'select * from clients_customer where id = ?', [a2.id])
  t.is(after1.legal_name, 'Solo El Primero SA')
  t.deepEqual(after2, before2)
})

test('API tokens in the CM: A cannot see or revoke B\'s tokens', async (t) => {
  const w = await world()
  const [bToken] = await rows(t0, 'select id from core_api_token where distributor_id = ?', [w.b.id])
  const list = await w.c.get(`/admin/api/resources/ApiToken/actions/list?filters.distributorId=${w.b.id}&filters.profileId=${w.b.profileId}`)
  t.is(list.statusCode, 200)
  for (const r of list.json().records) t.is(r.params.distributorId, w.a.id)
  t.false(list.body.includes(bToken.id))
  const show = await w.c.get(`/admin/api/resources/ApiToken/records/${bToken.id}/show`)
  t.false(show.body.includes(w.b.profileId))
  const revoke = await adminPost(w.c, `/admin/api/resources/ApiToken/records/${bToken.id}/revoke`)
  t.false(isSuccess(revoke))
  t.is((await rows(t0, 'select revoked_at from core_api_token where id = ?', [bToken.id]))[0].revoked_at, null)
  t.is((await api(t0, w.b, 'GET', '/api/v1/me')).statusCode, 200)
})

test('API: A\'s token never sees or touches B\'s customers', async (t) => {
  const w = await world()
  const before = await customersOf(t0, w.b.id)
  const list = await api(t0, w.a, 'GET', '/api/v1/customers?perPage=100')
  t.is(list.statusCode, 200)
  t.deepEqual(list.json().items.map((x: any) => x.nic).sort(), w.aCustomers.map((x) => x.nic).sort())
  t.is(list.json().total, 2)
  leaksNothing(t, list.body, w, 'list')
  for (const x of w.bCustomers) {
    for (const nic of [x.nic, ` ${x.nic}`, `${x.nic}%20`, encodeURIComponent(`${x.nic}' or '1'='1`)]) {
      const res = await api(t0, w.a, 'GET', `/api/v1/customers/${nic}`)
      t.is(res.statusCode, 404, nic)
      leaksNothing(t, res.body, w, nic)
    }
  }
  t.is((await api(t0, w.a, 'GET', `/api/v1/customers/${w.aCustomers[0].nic}`)).statusCode, 200)
  const created = await api(t0, w.a, 'POST', '/api/v1/customers', { legalName: 'Alta por API SA', rfc: 'XAXX010101000', distributorId: w.b.id, nic: '999997', id: '00000000-0000-4000-8000-000000000003' })
  t.is(created.statusCode, 201)
  t.not(created.json().nic, '999997')
  const [row] = await rows(t0, 'select id, distributor_id from clients_customer where nic = ?', [created.json().nic])
  t.is(row.distributor_id, w.a.id)
  t.not(row.id, '00000000-0000-4000-8000-000000000003')
  t.deepEqual(await customersOf(t0, w.b.id), before)
  // Without a token, or with a revoked one: nothing.
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/customers' })).statusCode, 401)
  await rows(t0, 'update core_api_token set revoked_at = now() where distributor_id = ?', [w.a.id])
  t.is((await api(t0, w.a, 'GET', '/api/v1/customers')).statusCode, 401)
})

test('/admin POSTs need our own origin: missing or foreign Origin / Sec-Fetch-Site → 403 and nothing changes', async (t) => {
  const w = await world()
  const [a1, a2] = w.aCustomers
  const beforeA = await customersOf(t0, w.a.id)
  const attempts: [string, Record<string, string>][] = [
    [`/admin/api/resources/Customer/records/${a1.id}/edit`, { legalName: 'Cambiado por CSRF' }],
    [`/admin/api/resources/Customer/records/${a1.id}/delete`, {}],
    [`/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${a1.id},${a2.id}`, {}],
    ['/admin/api/resources/Customer/actions/new', { legalName: 'Creado por CSRF', rfc: 'XAXX010101000' }],
    ['/admin/api/resources/ApiToken/actions/new', { label: 'token por CSRF' }],
  ]
  const hostile: Record<string, string>[] = [
    {},
    { origin: 'http://evil.example' },
    { origin: 'http://localhost.evil.example' },
    { origin: 'null' },
    { origin: 'not a url' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'none' },
    { 'sec-fetch-site': 'cross-site', origin: 'http://localhost' },
    { referer: 'http://localhost/admin' },
  ]
  const tokensBefore = await rows(t0, 'select id from core_api_token where distributor_id = ?', [w.a.id])
  for (const [url, form] of attempts) {
    for (const headers of hostile) {
      const res = await adminPost(w.c, url, form, headers)
      t.is(res.statusCode, 403, `${url} ${JSON.stringify(headers)}`)
    }
  }
  t.deepEqual(await customersOf(t0, w.a.id), beforeA)
  t.deepEqual(await rows(t0, 'select id from core_api_token where distributor_id = ?', [w.a.id]), tokensBefore)
  // The same requests from our own origin do work: the refusals above were the origin check's doing.
  t.true(isSuccess(await adminPost(w.c, `/admin/api/resources/Customer/records/${a1.id}/edit`, { legalName: 'Cambio legítimo' }, SAME_ORIGIN)))
  t.true(isSuccess(await adminPost(w.c, `/admin/api/resources/Customer/records/${a2.id}/edit`, { legalName: 'Otro cambio legítimo' }, { 'sec-fetch-site': 'same-origin' })))
  t.deepEqual((await customersOf(t0, w.a.id)).map((r) => r.legal_name).sort(), ['Cambio legítimo', 'Otro cambio legítimo'])
})

test('/admin: methods other than GET and POST never reach AdminJS actions (its delete runs on HEAD)', async (t) => {
  const w = await world()
  const before = await customersOf(t0, w.a.id)
  for (const method of ['HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
    for (const url of [`/admin/api/resources/Customer/records/${w.aCustomers[0].id}/delete`, `/admin/api/resources/Customer/bulk/bulkDelete?recordIds=${w.aCustomers[1].id}`]) {
      const res = await w.c.request({ method, url })
      t.true(res.statusCode >= 400, `${method} ${url}: ${res.statusCode}`)
    }
  }
  t.deepEqual(await customersOf(t0, w.a.id), before)
})

test('a session cannot act for a distributor it does not belong to', async (t) => {
  const w = await world()
  // Forge the session's chosen distributor: the CM guard re-checks membership on every request.
  const sid = decodeURIComponent(w.c.cookies.get('cm.sid')!).slice(2).split('.')[0]
  await rows(t0, `update core_session set sess = jsonb_set(sess, '{distributorId}', to_jsonb(?::text)) where sid = ?`, [w.b.id, sid])
  const res = await w.c.get('/admin/api/resources/Customer/actions/list')
  t.is(res.statusCode, 303)
  leaksNothing(t, res.body, w, 'forged session')
  const page = await w.c.get('/admin')
  t.is(page.statusCode, 303)
  // Back in its own CM, the state says who it acts for.
  const c2 = t0.client()
  await c2.enterCm(w.a.login, w.a.password, w.a.id)
  const state = reduxState((await c2.get('/admin')).body)
  t.is(state.session.distributorId, w.a.id)
})
