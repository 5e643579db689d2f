import test from 'ava'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { auth, customerWithOwner, em, grantMkl, rows, services } from './helpers.js'

// The owner rule on every admission path (identity.addMember), both ways, and its one exception:
// the link "convert a customer into a distributor" creates.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const admit = (d: { token: string }, payload: unknown) => t0.inject({ method: 'POST', url: '/api/v1/members', headers: auth(d), payload: payload as object })
const isMember = async (distributorId: string, profileId: string) => (await rows(t0, 'select 1 from core_distributor_member where distributor_id = ? and profile_id = ?', [distributorId, profileId])).length === 1

test('a customer\'s main profile is refused as a CM member through the API, even with an injected exception', async (t) => {
  const d = await t0.fixtures.distributor()
  const owner = await t0.fixtures.profile()
  const c = await customerWithOwner(t0, d, owner)
  for (const payload of [{ email: owner.email, mobile: owner.mobile }, { email: owner.email, mobile: owner.mobile, except: c.id }]) {
    const res = await admit(d, payload)
    t.is(res.statusCode, 422)
    t.regex(res.json().error.fields.email, /perfil principal de un cliente/)
  }
  t.false(await isMember(d.id, owner.id))
  t.is((await rows(t0, `select 1 from core_audit_log where action = 'core.memberAdded' and subject = ?`, [owner.id])).length, 0)
})

test('every path goes through identity.addMember: the kernel refuses a customer owner however it is called', async (t) => {
  const d = await t0.fixtures.distributor()
  const owner = await t0.fixtures.profile()
  const c = await customerWithOwner(t0, d, owner)
  const other = await t0.fixtures.distributor()
  const error = await t.throwsAsync(t0.app.kernel.identity.addMember(em(t0), other.id, owner.id))
  t.is((error as any).code, 'validation_failed')
  // An exception for another customer is no exception for this one.
  const second = await customerWithOwner(t0, d, owner)
  await t.throwsAsync(t0.app.kernel.identity.addMember(em(t0), other.id, owner.id, { except: second.id }))
  t.false(await isMember(other.id, owner.id))
  void c
})

test('the other way: a CM member cannot be made a customer\'s main profile', async (t) => {
  const d = await t0.fixtures.distributor()
  const member = await t0.fixtures.profile()
  t.is((await admit(d, { email: member.email, mobile: member.mobile })).statusCode, 201)
  const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: { legalName: 'Cliente Cualquiera SA', rfc: 'EKU9003173C9' } })
  const owner = await t0.inject({ method: 'POST', url: `/api/v1/customers/${res.json().nic}/owner`, headers: auth(d), payload: { email: member.email, mobile: member.mobile } })
  t.is(owner.statusCode, 422)
  t.is(owner.json().error.code, 'owner_administers_cm')
  t.is((await rows(t0, `select 1 from clients_customer_profile where profile_id = ?`, [member.id])).length, 0)
})

test('conversion allows exactly its link: the owner joins the new distributor, and only that one', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const owner = await t0.fixtures.profile()
  const c = await customerWithOwner(t0, d, owner)
  const { distributor } = await services(t0).convert.convert(em(t0), d.id, c.nic, d.profileId)
  t.true(await isMember(distributor.id, owner.id))
  // Not admitted anywhere else: not to the parent, not to a stranger.
  t.is((await admit(d, { email: owner.email, mobile: owner.mobile })).statusCode, 422)
  const stranger = await t0.fixtures.distributor()
  t.is((await admit(stranger, { email: owner.email, mobile: owner.mobile })).statusCode, 422)
  // Back to its own distributor after leaving it: the link still stands.
  const helper = await t0.fixtures.profile()
  await services(t0).members.admit(em(t0), distributor.id, { email: helper.email, mobile: helper.mobile }, null)
  await services(t0).members.remove(em(t0), distributor.id, owner.id, null)
  t.false(await isMember(distributor.id, owner.id))
  await services(t0).members.admit(em(t0), distributor.id, { email: owner.email, mobile: owner.mobile }, null)
  t.true(await isMember(distributor.id, owner.id))
})

test('a profile owning a second customer is not converted: the exception covers one customer', async (t) => {
  const d = await t0.fixtures.distributor()
  await grantMkl(t0, d)
  const owner = await t0.fixtures.profile()
  const first = await customerWithOwner(t0, d, owner)
  await customerWithOwner(t0, d, owner)
  const before = (await rows(t0, 'select count(*)::int as n from core_distributor where parent_id = ?', [d.id]))[0].n
  const error = await t.throwsAsync(services(t0).convert.convert(em(t0), d.id, first.nic, d.profileId))
  t.regex(String((error as any).fields?.email), /perfil principal/)
  t.is((await rows(t0, 'select count(*)::int as n from core_distributor where parent_id = ?', [d.id]))[0].n, before)
  t.is((await rows(t0, 'select 1 from distributors_customer_account where customer_id = ?', [first.id])).length, 0)
})
