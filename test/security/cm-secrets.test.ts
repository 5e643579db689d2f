import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { adminPost, api, apiCustomer, rows } from './support.js'

// API tokens in the CM: created and shown once; their last use recorded; and no credential column
// (token hash, CTI password hash, generated password) can be listed, filtered or sorted by.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

async function cm() {
  const d = await t0.fixtures.distributor()
  const c = t0.client()
  await c.enterCm(d.login, d.password, d.id)
  return { d, c }
}

test('creating an API token in the CM answers its secret once, in Spanish, and the secret works', async (t) => {
  const { d, c } = await cm()
  const before = await rows(t0, 'select id from core_api_token where distributor_id = ?', [d.id])
  const res = await adminPost(c, '/admin/api/resources/ApiToken/actions/new', { label: 'Facturador' })
  t.is(res.statusCode, 200, res.body)
  const body = res.json()
  t.regex(body.token, /^cm_/)
  t.is(body.notice.type, 'success')
  t.is(body.record.params.label, 'Facturador')
  t.false(JSON.stringify(body.record).includes(body.token))
  const after = await rows(t0, 'select id, label from core_api_token where distributor_id = ?', [d.id])
  t.is(after.length, before.length + 1)
  const me = await api(t0, { token: body.token }, 'GET', '/api/v1/me')
  t.is(me.statusCode, 200)
  t.is(me.json().distributor.id, d.id)
  // Opening the form (GET) creates nothing.
  const get = await c.get('/admin/api/resources/ApiToken/actions/new')
  t.is(get.statusCode, 200)
  t.is((await rows(t0, 'select id from core_api_token where distributor_id = ?', [d.id])).length, after.length)
  // The list and show never carry the secret nor its hash.
  const list = await c.get('/admin/api/resources/ApiToken/actions/list')
  t.false(list.body.includes(body.token))
  const [{ token_hash: hash }] = await rows(t0, 'select token_hash from core_api_token where id = ?', [body.record.id])
  t.false(list.body.includes(hash))
})

test('a token\'s last use is recorded, at most once a minute', async (t) => {
  const d = await t0.fixtures.distributor()
  const lastUsed = async () => (await rows<{ at: Date | null }>(t0, 'select last_used_at as at from core_api_token where distributor_id = ?', [d.id]))[0].at
  t.is(await lastUsed(), null)
  t.is((await api(t0, d, 'GET', '/api/v1/me')).statusCode, 200)
  const first = await lastUsed()
  t.truthy(first)
  for (let i = 0; i < 5; i++) await api(t0, d, 'GET', '/api/v1/me')
  t.deepEqual(await lastUsed(), first, 'no write per request')
  await rows(t0, `update core_api_token set last_used_at = now() - interval '2 minutes' where distributor_id = ?`, [d.id])
  const old = await lastUsed()
  await api(t0, d, 'GET', '/api/v1/me')
  t.true(new Date((await lastUsed())!).getTime() > new Date(old!).getTime())
})

test('tokens and CTIs are never filtered or sorted by their credentials', async (t) => {
  const { d, c } = await cm()
  for (const label of ['uno', 'dos', 'tres', 'cuatro']) await adminPost(c, '/admin/api/resources/ApiToken/actions/new', { label })
  const ids = (q: string) => c.get(`/admin/api/resources/ApiToken/actions/list${q}`).then((r) => { t.is(r.statusCode, 200, q); return r.json().records.map((x: any) => x.id) })
  const all = await ids('')
  t.is(all.length, 5)
  const [{ token_hash: hash }] = await rows(t0, 'select token_hash from core_api_token where distributor_id = ? order by id limit 1', [d.id])
  // A filter on the hash is ignored (it would otherwise answer which hashes start with what).
  t.deepEqual(await ids(`?filters.tokenHash=${hash.slice(0, 6)}`), all)
  t.deepEqual(await ids('?filters.tokenHash=zzzz'), all)
  t.deepEqual(await ids('?sortBy=tokenHash&direction=asc'), await ids('?sortBy=tokenHash&direction=desc'))

  for (let i = 0; i < 4; i++) await apiCustomer(t0, d, `Secretos ${i} SA`)
  const ctis = (q: string) => c.get(`/admin/api/resources/StampingAccount/actions/list${q}`).then((r) => {
    t.is(r.statusCode, 200, q)
    for (const rec of r.json().records) for (const k of Object.keys(rec.params)) t.notRegex(k, /hash|password/i, q)
    return r.json().records.map((x: any) => x.id)
  })
  const allCtis = await ctis('')
  t.is(allCtis.length, 4)
  for (const key of ['passwordHash', 'initialPassword']) {
    t.deepEqual(await ctis(`?sortBy=${key}&direction=asc`), await ctis(`?sortBy=${key}&direction=desc`), key)
    t.deepEqual(await ctis(`?filters.${key}=zzzz`), allCtis, key)
  }
})
