import test from 'ava'
import { startTestApp, uniqueMobile, type TestApp } from '../../helpers/app.js'
import { auth, rows } from './helpers.js'

// Herramientas → Usuarios through the API: admit by e-mail + mobile (inviting a new profile), list,
// remove; never the last member; a removed member's sessions and tokens end at once; tenancy.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const get = (d: { token: string }) => t0.inject({ method: 'GET', url: '/api/v1/members', headers: auth(d) })
const post = (d: { token: string }, payload: unknown) => t0.inject({ method: 'POST', url: '/api/v1/members', headers: auth(d), payload: payload as object })
const del = (d: { token: string }, id: string) => t0.inject({ method: 'DELETE', url: `/api/v1/members/${encodeURIComponent(id)}`, headers: auth(d) })
const memberIds = async (distributorId: string) => (await rows<{ profile_id: string }>(t0, 'select profile_id from core_distributor_member where distributor_id = ? order by profile_id', [distributorId])).map((r) => r.profile_id)

test('an existing profile is admitted by exactly its e-mail and mobile, listed, and the change is audited', async (t) => {
  const d = await t0.fixtures.distributor()
  const p = await t0.fixtures.profile({ name: 'Ana Usuaria' })
  const res = await post(d, { email: p.email.toUpperCase(), mobile: p.mobile })
  t.is(res.statusCode, 201, res.body)
  t.like(res.json(), { id: p.id, email: p.email, name: 'Ana Usuaria', invited: false })
  const list = (await get(d)).json()
  t.is(list.total, 2)
  t.deepEqual(list.items.map((m: any) => m.id).sort(), [d.profileId, p.id].sort())
  const audit = await rows(t0, 'select action, actor_profile_id from core_audit_log where subject = ? and distributor_id = ? order by action', [p.id, d.id])
  t.deepEqual(audit.map((a) => a.action), ['core.memberAdded', 'distributors.memberAdmitted'])
  t.true(audit.every((a) => a.actor_profile_id === d.profileId))
  t.is((await post(d, { email: p.email, mobile: p.mobile })).json().error.code, 'already_member')
})

test('a profile that does not exist is created unverified and invited through the transport', async (t) => {
  const d = await t0.fixtures.distributor()
  const email = `nuevo-${Date.now()}@example.mx`
  const mobile = uniqueMobile()
  const before = t0.outbox.length
  const res = await post(d, { email, mobile, name: 'Nuevo Usuario' })
  t.is(res.statusCode, 201, res.body)
  t.true(res.json().invited)
  t.false(res.json().emailVerified)
  // Sent once the admission has committed, by the kernel's outbox.
  t.is(t0.outbox.length, before)
  await t0.app.kernel.outbox.deliver()
  const sent = t0.outbox.slice(before)
  t.deepEqual(sent.map((m) => m.channel).sort(), ['email', 'sms'])
  t.regex(sent.find((m) => m.channel === 'email')!.body, /\/reset\?token=/)
  t.deepEqual(await memberIds(d.id), [d.profileId, res.json().id].sort())
})

test('bad input is a 422 naming the fields and changes nothing', async (t) => {
  const d = await t0.fixtures.distributor()
  const a = await t0.fixtures.profile()
  const b = await t0.fixtures.profile()
  const cases: [unknown, string[]][] = [
    [{}, ['email', 'mobile']],
    [{ email: 'no-es-correo', mobile: '12' }, ['email', 'mobile']],
    [{ email: `x\u0000@example.mx`, mobile: uniqueMobile() }, ['email']],
    [{ email: 'a'.repeat(300) + '@example.mx', mobile: uniqueMobile() }, ['email']],
    [{ email: 7, mobile: uniqueMobile() }, ['email']],
    // Someone else's e-mail with another mobile, someone else's mobile with another e-mail.
    [{ email: a.email, mobile: b.mobile }, ['email']],
    [{ email: `otro-${Date.now()}@example.mx`, mobile: a.mobile }, ['mobile']],
  ]
  for (const [payload, fields] of cases) {
    const res = await post(d, payload)
    t.is(res.statusCode, 422, JSON.stringify(payload))
    t.deepEqual(Object.keys(res.json().error.fields).sort(), fields, JSON.stringify(payload))
  }
  t.is((await t0.inject({ method: 'POST', url: '/api/v1/members', headers: { ...auth(d), 'content-type': 'application/json' }, payload: '[]' })).statusCode, 400)
  t.deepEqual(await memberIds(d.id), [d.profileId])
})

test('the last member cannot be removed: 409 last_member in Spanish', async (t) => {
  const d = await t0.fixtures.distributor()
  const res = await del(d, d.profileId)
  t.is(res.statusCode, 409)
  t.is(res.json().error.code, 'last_member')
  t.regex(res.json().error.message, /último usuario/)
  t.deepEqual(await memberIds(d.id), [d.profileId])
})

test('two removals at once never remove the last two members', async (t) => {
  const d = await t0.fixtures.distributor()
  const p = await t0.fixtures.profile()
  t.is((await post(d, { email: p.email, mobile: p.mobile })).statusCode, 201)
  const [a, b] = await Promise.all([del(d, d.profileId), del(d, p.id)])
  t.deepEqual([a.statusCode, b.statusCode].sort(), [204, 409])
  t.is((await memberIds(d.id)).length, 1)
})

test('a removed member\'s API token and CM session for that distributor stop working at once', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const p = await t0.fixtures.profile()
  t.is((await post(d, { email: p.email, mobile: p.mobile })).statusCode, 201)
  t.is((await post(other, { email: p.email, mobile: p.mobile })).statusCode, 201)
  const identity = t0.app.kernel.identity
  const { token } = await identity.createApiToken(t0.app.kernel.orm.em.fork(), p.email, d.id)
  const { token: otherToken } = await identity.createApiToken(t0.app.kernel.orm.em.fork(), p.email, other.id)
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/me', headers: auth({ token }) })).statusCode, 200)
  const browser = t0.client({ remoteAddress: '203.0.113.77' })
  await browser.enterCm(p.email, p.password, d.id)
  t.is((await browser.get('/profile')).statusCode, 200)

  t.is((await del(d, p.id)).statusCode, 204)
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/me', headers: auth({ token }) })).statusCode, 401)
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/members', headers: auth({ token }) })).statusCode, 401)
  const after = await browser.get('/profile')
  t.is(after.statusCode, 303)
  t.regex(String(after.headers.location), /^\/login/)
  // Its membership elsewhere is untouched.
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/me', headers: auth({ token: otherToken }) })).statusCode, 200)
  const audit = await rows(t0, `select 1 from core_audit_log where action = 'distributors.memberRemoved' and subject = ? and distributor_id = ?`, [p.id, d.id])
  t.is(audit.length, 1)
})

test('tenancy: another distributor\'s members are neither listed nor removable (404), and ids are checked', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const p = await t0.fixtures.profile()
  t.is((await post(other, { email: p.email, mobile: p.mobile })).statusCode, 201)
  t.false((await get(d)).json().items.some((m: any) => m.id === p.id || m.id === other.profileId))
  for (const id of [p.id, other.profileId, 'no-es-uuid', '00000000-0000-0000-0000-000000000000']) {
    const res = await del(d, id)
    t.is(res.statusCode, 404, id)
    t.is(res.json().error.code, 'member_not_found')
  }
  t.is((await del(d, 'x\u0000')).statusCode, 400)
  t.deepEqual(await memberIds(other.id), [other.profileId, p.id].sort())
})

test('a distributor whose tier lacks the plugin gets 403 plugin_not_in_tier; no token is 401', async (t) => {
  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  const res = await get(basic)
  t.is(res.statusCode, 403)
  t.is(res.json().error.code, 'plugin_not_in_tier')
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/members' })).statusCode, 401)
})
