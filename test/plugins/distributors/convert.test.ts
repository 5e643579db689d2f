import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { auth, customerWithOwner, grantMkl, rows } from './helpers.js'

// "Convertir un cliente existente en distribuidor": a sub-distributor whose first member is the
// customer's main profile; the customer stays the parent's, linked as the new distributor's account.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const convert = (d: { token: string }, nic: unknown) => t0.inject({ method: 'POST', url: '/api/v1/distributors/convert', headers: auth(d), payload: { nic } as object })

test('converts: a sub-distributor "Sin validar" with the owner as its member; the customer stays the parent\'s', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const owner = await t0.fixtures.profile()
  const c = await customerWithOwner(t0, d, owner, 'Comercializadora Convertida SA')
  const res = await convert(d, c.nic)
  t.is(res.statusCode, 201, res.body)
  const body = res.json()
  t.like(body, { parentId: d.id, legalName: 'Comercializadora Convertida SA', rfc: 'EKU9003173C9', state: 'unvalidated', customerNic: c.nic })
  t.deepEqual((await rows(t0, 'select profile_id from core_distributor_member where distributor_id = ?', [body.id])).map((r) => r.profile_id), [owner.id])
  t.is((await rows(t0, 'select distributor_id from clients_customer where id = ?', [c.id]))[0].distributor_id, d.id)
  t.deepEqual(await rows(t0, 'select distributor_id, customer_id, parent_id from distributors_customer_account where customer_id = ?', [c.id]), [{ distributor_id: body.id, customer_id: c.id, parent_id: d.id }])
  const [{ parent_id }] = await rows(t0, 'select parent_id from core_distributor where id = ?', [body.id])
  t.is(parent_id, d.id)
  t.is((await rows(t0, `select 1 from core_audit_log where action = 'distributors.customerConverted' and subject = ? and actor_profile_id = ?`, [body.id, d.profileId])).length, 1)
  // Once only.
  const again = await convert(d, c.nic)
  t.is(again.statusCode, 409)
  t.is(again.json().error.code, 'customer_already_converted')
  // The expiry job validates it like any invited account: not before its owner verifies e-mail and mobile.
  await t0.app.kernel.jobs.run('distributors.expiry')
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [body.id]))[0].state, 'unvalidated')
  await rows(t0, 'update core_profile set email_verified_at = now(), mobile_verified_at = now() where id = ?', [owner.id])
  await t0.app.kernel.jobs.run('distributors.expiry')
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [body.id]))[0].state, 'inactive')
})

test('a verified owner makes the new distributor "Sin activar"', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const owner = await t0.fixtures.profile()
  await rows(t0, 'update core_profile set email_verified_at = now(), mobile_verified_at = now() where id = ?', [owner.id])
  const c = await customerWithOwner(t0, d, owner)
  const res = await convert(d, c.nic)
  t.is(res.json().state, 'inactive')
})

test('refusals: no MKL Multi-nivel (403), no owner (409), another distributor\'s NIC (404), bad body (422); nothing created', async (t) => {
  const d = await t0.fixtures.distributor()
  const owner = await t0.fixtures.profile()
  const c = await customerWithOwner(t0, d, owner)
  const count = async () => (await rows(t0, 'select count(*)::int as n from core_distributor where parent_id = ?', [d.id]))[0].n
  const before = await count()
  const noMkl = await convert(d, c.nic)
  t.is(noMkl.statusCode, 403)
  t.is(noMkl.json().error.code, 'multilevel_not_entitled', 'the same refusal as the distributors API')
  t.regex(noMkl.json().error.message, /MKL Multi-nivel/)
  await grantMkl(t0, d)
  const plain = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: { legalName: 'Sin Dueño SA', rfc: 'EKU9003173C9' } })
  const noOwner = await convert(d, plain.json().nic)
  t.is(noOwner.statusCode, 409)
  t.is(noOwner.json().error.code, 'customer_without_owner')
  const other = await t0.fixtures.distributor()
  await grantMkl(t0, other)
  const foreign = await convert(other, c.nic)
  t.is(foreign.statusCode, 404)
  t.is(foreign.json().error.code, 'customer_not_found')
  for (const nic of [undefined, '', 7, 'x\u0000']) t.true([400, 422].includes((await convert(d, nic)).statusCode), String(nic))
  t.is(await count(), before)
})

test('two conversions of one customer at once: exactly one distributor', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const owner = await t0.fixtures.profile()
  const c = await customerWithOwner(t0, d, owner)
  const results = await Promise.all([convert(d, c.nic), convert(d, c.nic), convert(d, c.nic)])
  t.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409])
  t.is((await rows(t0, 'select 1 from distributors_customer_account where customer_id = ?', [c.id])).length, 1)
  t.is((await rows(t0, 'select 1 from core_distributor_member where profile_id = ?', [owner.id])).length, 1)
})
