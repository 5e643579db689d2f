import test from 'ava'
import { startTestApp, uniqueMobile, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { api, rows } from '../../security/support.js'
import { IdentityService } from '../../../core/identity/service.js'
import { TRANSITIONS, TRANSITION_NAMES, STATE_ORDER } from '../../../plugins/distributors/transitions.js'
import { demoRfc } from '../../../plugins/distributors/demo.js'

// The distributors plugin over HTTP and its jobs, three levels deep: staff (root) → top → b1 → c1,
// with siblings (b2 beside b1, `other` beside top). Every route refuses what is outside the caller's
// subtree with 404; the transition table is checked state × action; expiry and purge run with the
// kernel's injected clock.

let t0: TestApp
let now: Date | undefined
const DAY = 86_400_000
test.before(async () => { t0 = await startTestApp({ kernel: { clock: () => now ?? new Date(), jobs: false } }) })
test.after.always(() => t0?.close())

const identity = new IdentityService()
const ctx = () => t0.app.kernel.contexts.get('distributors')!
const em = () => t0.app.kernel.orm.em.fork()
const grantMkl = (distributorId: string) => t0.app.kernel.entitlements.grant(em(), { distributorId, key: 'mkl-multinivel', source: 'test' })

interface Node { id: string, token: string, login: string, mobile: string }

/** A sub-distributor of `parent` through the API, verified, activated, with a token for its member. */
async function child(parent: { token: string }, opts: { activate?: boolean } = {}): Promise<Node> {
  const p = await t0.fixtures.profile()
  await rows(t0, 'update core_profile set email_verified_at = now(), mobile_verified_at = now() where id = ?', [p.id])
  const res = await api(t0, parent, 'POST', '/api/v1/distributors', { email: p.email, mobile: p.mobile, legalName: `Sub ${p.id.slice(0, 6)} SA de CV`, rfc: demoRfc() })
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`)
  const d = res.json()
  if (d.state !== 'inactive') throw new Error(`expected inactive, got ${d.state}`)
  if (opts.activate !== false) {
    const a = await api(t0, parent, 'POST', `/api/v1/distributors/${d.id}/activate`)
    if (a.statusCode !== 200) throw new Error(`activate: ${a.statusCode} ${a.body}`)
  }
  const { token } = await identity.createApiToken(em(), p.email, d.id)
  return { id: d.id, token, login: p.email, mobile: p.mobile }
}

interface Net { top: DistributorFixture, other: DistributorFixture, b1: Node, b2: Node, c1: Node }
async function network(): Promise<Net> {
  const top = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  await grantMkl(top.id)
  await grantMkl(other.id)
  const b1 = await child(top)
  const b2 = await child(top)
  await grantMkl(b1.id)
  const c1 = await child(b1)
  return { top, other, b1, b2, c1 }
}

const stateOf = async (id: string) => (await rows<{ state: string }>(t0, 'select state from core_distributor where id = ?', [id]))[0].state

test.serial('list: the caller\'s subtree at any depth, itself and everyone else excluded; state and q filter', async (t) => {
  const n = await network()
  const ids = async (d: { token: string }, q = '') => {
    const res = await api(t0, d, 'GET', `/api/v1/distributors${q}`)
    t.is(res.statusCode, 200, res.body)
    return (res.json().items as { id: string }[]).map((i) => i.id).sort()
  }
  t.deepEqual(await ids(n.top), [n.b1.id, n.b2.id, n.c1.id].sort())
  t.deepEqual(await ids(n.b1), [n.c1.id])
  t.deepEqual(await ids(n.c1), [])
  t.deepEqual(await ids(n.b2), [])
  t.deepEqual(await ids(n.other), [])
  t.deepEqual(await ids(n.top, '?state=inactive'), [])
  t.deepEqual(await ids(n.top, '?state=active'), [n.b1.id, n.b2.id, n.c1.id].sort())
  const c1 = (await api(t0, n.top, 'GET', `/api/v1/distributors/${n.c1.id}`)).json()
  t.deepEqual(Object.keys(c1).sort(), ['cmExpiresAt', 'createdAt', 'id', 'legalName', 'parentId', 'rfc', 'state'])
  t.is(c1.parentId, n.b1.id)
  t.deepEqual(await ids(n.top, `?q=${encodeURIComponent(c1.legalName)}`), [n.c1.id])
  t.deepEqual(await ids(n.top, `?q=${c1.rfc}`), [n.c1.id])
  t.is((await api(t0, n.top, 'GET', '/api/v1/distributors?state=bogus')).statusCode, 400)
  t.is((await api(t0, n.top, 'GET', '/api/v1/distributors?q=a%00b')).statusCode, 400)
  // Staff (the platform, the root) see the whole tree.
  const staff = await t0.fixtures.staff()
  const { token: staffToken } = await identity.createApiToken(em(), staff.login)
  const all = await ids({ token: staffToken }, '?perPage=100')
  t.true([n.top.id, n.other.id].every((id) => all.includes(id)) || (await api(t0, { token: staffToken }, 'GET', '/api/v1/distributors')).json().total > 100)
  t.is((await api(t0, { token: staffToken }, 'GET', `/api/v1/distributors/${n.c1.id}`)).statusCode, 200)
  const page = (await api(t0, n.top, 'GET', '/api/v1/distributors?perPage=1&page=2')).json()
  t.is(page.total, 3)
  t.is(page.items.length, 1)
})

test.serial('siblings, ancestors, itself and strangers are 404 on every route, and nothing changes', async (t) => {
  const n = await network()
  const cases: [string, { token: string }, string][] = [
    ['b1 → its parent', n.b1, n.top.id], ['b1 → its sibling', n.b1, n.b2.id], ['b1 → itself', n.b1, n.b1.id],
    ['c1 → its grandparent', n.c1, n.top.id], ['c1 → its parent', n.c1, n.b1.id], ['c1 → its uncle', n.c1, n.b2.id],
    ['other → top\'s child', n.other, n.b1.id], ['other → top\'s grandchild', n.other, n.c1.id], ['b2 → its nephew', n.b2, n.c1.id],
    ['b1 → not a uuid', n.b1, 'nope'],
  ]
  const before = await rows(t0, 'select id, state, parent_id, cm_expires_at from core_distributor order by id')
  for (const [what, caller, id] of cases) {
    const get = await api(t0, caller, 'GET', `/api/v1/distributors/${id}`)
    t.is(get.statusCode, 404, `${what}: GET`)
    t.is(get.json().error.code, 'not_found')
    for (const action of TRANSITION_NAMES) {
      const res = await api(t0, caller, 'POST', `/api/v1/distributors/${id}/${action}`)
      t.is(res.statusCode, 404, `${what}: ${action}`)
    }
  }
  t.deepEqual(await rows(t0, 'select id, state, parent_id, cm_expires_at from core_distributor order by id'), before)
  // The grandparent reaches the grandchild.
  t.is((await api(t0, n.top, 'POST', `/api/v1/distributors/${n.c1.id}/suspend`)).statusCode, 200)
  t.is(await stateOf(n.c1.id), 'suspended')
})

test.serial('the transition table: every state × every action, 200 with the record or 409 invalid_transition; each change audited once', async (t) => {
  const top = await t0.fixtures.distributor()
  await grantMkl(top.id)
  for (const from of STATE_ORDER) {
    for (const action of TRANSITION_NAMES) {
      const d = await t0.app.kernel.directory.create(em(), { name: `T ${from} ${action}`, tier: 'completo', parentId: top.id, state: from, cmExpiresAt: '2020-01-01' })
      const res = await api(t0, top, 'POST', `/api/v1/distributors/${d.id}/${action}`)
      const audits = await rows(t0, `select detail from core_audit_log where subject = ? and action = 'core.distributorStateChanged'`, [d.id])
      const rule = TRANSITIONS[action]
      if (rule.from.includes(from)) {
        t.is(res.statusCode, 200, `${from} × ${action}: ${res.body}`)
        t.is(res.json().state, rule.to)
        t.is(await stateOf(d.id), rule.to)
        t.is(audits.length, 1, `${from} × ${action}: one audit row`)
        t.like(audits[0].detail, { before: { state: from }, after: { state: rule.to } })
        if (action === 'renew') t.true(res.json().cmExpiresAt > new Date().toISOString().slice(0, 10))
      } else {
        t.is(res.statusCode, 409, `${from} × ${action}`)
        t.is(res.json().error.code, 'invalid_transition')
        t.regex(res.json().error.message, /^No se puede /)
        t.is(await stateOf(d.id), from)
        t.is(audits.length, 0)
      }
    }
  }
})

test.serial('only an active distributor uses its API tokens (403 distributor_inactive); /me shows parent and state', async (t) => {
  const n = await network()
  const me = (await api(t0, n.b1, 'GET', '/api/v1/me')).json()
  t.like(me.distributor, { id: n.b1.id, parentId: n.top.id, state: 'active' })
  t.is((await api(t0, n.top, 'POST', `/api/v1/distributors/${n.b1.id}/suspend`)).statusCode, 200)
  for (const url of ['/api/v1/me', '/api/v1/distributors', '/api/v1/customers']) {
    const res = await api(t0, n.b1, 'GET', url)
    t.is(res.statusCode, 403, url)
    t.is(res.json().error.code, 'distributor_inactive')
  }
  // Its own sub-distributor is untouched and still works.
  t.is((await api(t0, n.c1, 'GET', '/api/v1/me')).statusCode, 200)
  t.is((await api(t0, n.top, 'POST', `/api/v1/distributors/${n.b1.id}/reactivate`)).statusCode, 200)
  t.is((await api(t0, n.b1, 'GET', '/api/v1/me')).statusCode, 200)
  t.is((await api(t0, { token: 'cm_not-a-token' }, 'GET', '/api/v1/me')).statusCode, 401)
})

test.serial('create: validation, the parent\'s own profile, a customer\'s main profile, the entitlement', async (t) => {
  const top = await t0.fixtures.distributor()
  const noMkl = await t0.fixtures.distributor()
  await grantMkl(top.id)
  const count = async () => (await rows(t0, 'select count(*)::int as n from core_distributor'))[0].n
  const before = await count()
  const bad = await api(t0, top, 'POST', '/api/v1/distributors', { email: 'x', mobile: '1', legalName: '', rfc: 'ABC010101AAA' })
  t.is(bad.statusCode, 422)
  t.truthy(bad.json().error.fields.rfc)
  t.truthy(bad.json().error.fields.legalName)
  const nul = await api(t0, top, 'POST', '/api/v1/distributors', { email: 'a@b.mx', mobile: uniqueMobile(), legalName: 'A\u0000B', rfc: demoRfc() })
  t.is(nul.statusCode, 422)
  const own = await api(t0, top, 'POST', '/api/v1/distributors', { email: top.login, mobile: top.mobile, legalName: 'Mismo SA', rfc: demoRfc() })
  t.is(own.statusCode, 422)
  t.regex(own.json().error.fields.email, /su propia cuenta/)
  // A customer's main profile cannot administer a CM.
  const owner = await t0.fixtures.profile()
  const cust = await api(t0, top, 'POST', '/api/v1/customers', { legalName: 'Cliente Dueño SA', rfc: 'XAXX010101000' })
  t.is(cust.statusCode, 201, cust.body)
  t.is((await api(t0, top, 'POST', `/api/v1/customers/${cust.json().nic}/owner`, { email: owner.email, mobile: owner.mobile })).statusCode, 200)
  const asOwner = await api(t0, top, 'POST', '/api/v1/distributors', { email: owner.email, mobile: owner.mobile, legalName: 'Dueño SA', rfc: demoRfc() })
  t.is(asOwner.statusCode, 422)
  t.regex(asOwner.json().error.fields.email, /perfil principal/)
  const denied = await api(t0, noMkl, 'POST', '/api/v1/distributors', { email: `n-${Date.now()}@example.mx`, mobile: uniqueMobile(), legalName: 'Sin MKL SA', rfc: demoRfc() })
  t.is(denied.statusCode, 403)
  t.is(denied.json().error.code, 'multilevel_not_entitled')
  t.is(await count(), before)
})

test.serial('a new profile is invited: Sin validar until it verifies e-mail and mobile, then Sin activar', async (t) => {
  const top = await t0.fixtures.distributor()
  await grantMkl(top.id)
  const email = `invitado-${Date.now()}@example.mx`
  const mobile = uniqueMobile()
  const sent = t0.outbox.length
  const res = await api(t0, top, 'POST', '/api/v1/distributors', { email, mobile, legalName: 'Invitada SA de CV', rfc: demoRfc() })
  t.is(res.statusCode, 201, res.body)
  t.is(res.json().state, 'unvalidated')
  t.is(t0.outbox.length, sent, 'sent after the commit, by the outbox')
  await t0.app.kernel.outbox.deliver()
  const messages = t0.outbox.slice(sent)
  t.is(messages.length, 2)
  const link = (channel: string) => new RegExp(`(/verify\\?channel=${channel}&token=[\\w-]+)`).exec(messages.map((m) => m.body).join('\n'))![1]
  t.is((await t0.app.kernel.jobs.run('distributors.expiry')).ran, true)
  t.is(await stateOf(res.json().id), 'unvalidated')
  t.is((await t0.inject({ method: 'GET', url: link('email') })).statusCode, 200)
  await t0.app.kernel.jobs.run('distributors.expiry')
  t.is(await stateOf(res.json().id), 'unvalidated', 'the mobile is not verified yet')
  t.is((await t0.inject({ method: 'GET', url: link('mobile') })).statusCode, 200)
  await t0.app.kernel.jobs.run('distributors.expiry')
  t.is(await stateOf(res.json().id), 'inactive')
  // The same e-mail with another mobile is another person's: refused.
  const clash = await api(t0, top, 'POST', '/api/v1/distributors', { email, mobile: uniqueMobile(), legalName: 'Otra SA', rfc: demoRfc() })
  t.is(clash.statusCode, 422)
})

async function cancelledWithChildAndStamps() {
  const top = await t0.fixtures.distributor()
  await grantMkl(top.id)
  const x = await child(top)
  await grantMkl(x.id)
  const y = await child(x)
  const ledger = ctx().use('ledger')
  await ledger.mint(em(), { distributorId: x.id, stamps: 500, points: 12_345 })
  t0.app.http.directory.invalidate()
  const s = await api(t0, top, 'POST', `/api/v1/distributors/${x.id}/suspend`)
  const c = await api(t0, top, 'POST', `/api/v1/distributors/${x.id}/cancel`)
  if (s.statusCode !== 200 || c.statusCode !== 200) throw new Error(`cancel: ${s.body} ${c.body}`)
  return { top, x, y }
}

const inventory = async (distributorId: string, asset: string) => {
  const ledger = ctx().use('ledger')
  const a = await ledger.accountOf(em(), 'distributor', distributorId, asset as never)
  return a ? ledger.balance(em(), a.id) : 0
}

test.serial('purge after 30 natural days: children and inventory to the parent, access ended, data anonymised; twice = once; ledger verified', async (t) => {
  const { top, x, y } = await cancelledWithChildAndStamps()
  const cancelled = await api(t0, top, 'POST', `/api/v1/distributors/${x.id}/cancel`)
  t.is(cancelled.statusCode, 409, 'cancelled is final')
  const events: string[] = []
  t0.app.kernel.events.on('core.distributorPurged', ({ distributorId, parentId }) => { if (distributorId === x.id) events.push(String(parentId)) })
  try {
    now = new Date(Date.now() + 29 * DAY)
    await t0.app.kernel.jobs.run('distributors.purge')
    t.is((await rows(t0, 'select parent_id from core_distributor where id = ?', [y.id]))[0].parent_id, x.id, 'not yet: 29 days')
    now = new Date(Date.now() + 30 * DAY + 60_000)
    const first = await t0.app.kernel.jobs.run('distributors.purge')
    t.true(Number(/^(\d+) cuentas/.exec(first.result!)![1]) >= 1, 'this one (and the table test\'s cancelled ones)')
    const second = await t0.app.kernel.jobs.run('distributors.purge')
    t.regex(second.result!, /^0 cuentas/)
  } finally { now = undefined }
  t.deepEqual(events, [top.id])
  t.is((await rows(t0, 'select parent_id from core_distributor where id = ?', [y.id]))[0].parent_id, top.id)
  t.is((await api(t0, top, 'GET', `/api/v1/distributors/${y.id}`)).json().parentId, top.id)
  t.is(await inventory(x.id, 'stamps'), 0)
  t.is(await inventory(x.id, 'points'), 0)
  t.is(await inventory(top.id, 'stamps'), 500)
  t.is(await inventory(top.id, 'points'), 12_345)
  t.deepEqual(await ctx().use('ledger').verify(em()), [])
  t.is((await rows(t0, 'select count(*)::int as n from core_distributor_member where distributor_id = ?', [x.id]))[0].n, 0)
  t.is((await rows(t0, 'select count(*)::int as n from core_api_token where distributor_id = ? and revoked_at is null', [x.id]))[0].n, 0)
  const [row] = await rows(t0, 'select name from core_distributor where id = ?', [x.id])
  t.is(row.name, 'Distribuidor eliminado')
  const json = (await api(t0, top, 'GET', `/api/v1/distributors/${x.id}`)).json()
  t.like(json, { legalName: 'Distribuidor eliminado', rfc: null, state: 'cancelled' })
  t.is((await api(t0, x, 'GET', '/api/v1/me')).statusCode, 401)
})

test.serial('two purges at once purge each account once (the job lock, and the rows taken SKIP LOCKED)', async (t) => {
  const a = await cancelledWithChildAndStamps()
  const b = await cancelledWithChildAndStamps()
  const service = ctx().use('distributors').distributors
  const later = new Date(Date.now() + 31 * DAY)
  const results = t0.app.kernel.database === 'postgresql'
    ? await Promise.all([0, 1, 2].map(() => em().transactional((tx) => service.purge(tx, later))))
    : [await em().transactional((tx) => service.purge(tx, later)), await em().transactional((tx) => service.purge(tx, later))]
  // Other tests' cancelled accounts may be due too: count only these two.
  t.true(results.reduce((s, n) => s + n, 0) >= 2)
  for (const { top, x } of [a, b]) {
    t.is(await inventory(top.id, 'stamps'), 500)
    const purged = await rows(t0, `select count(*)::int as n from core_audit_log where action = 'core.distributorPurged' and subject = ?`, [x.id])
    t.is(purged[0].n, 1)
  }
  t.deepEqual(await ctx().use('ledger').verify(em()), [])
  const jobs = await Promise.all([t0.app.kernel.jobs.run('distributors.purge'), t0.app.kernel.jobs.run('distributors.purge')])
  t.true(jobs.every((j) => !j.error))
})

// Last: it moves the clock past every active account's expiry.
test.serial('expiry: an active account past its CM expiry (by the kernel\'s clock) becomes Vencido and loses the API', async (t) => {
  const n = await network()
  const b1 = (await api(t0, n.top, 'GET', `/api/v1/distributors/${n.b1.id}`)).json()
  t.truthy(b1.cmExpiresAt, 'activation starts a year of validity')
  try {
    now = new Date(Date.parse(`${b1.cmExpiresAt}T12:00:00Z`))
    await t0.app.kernel.jobs.run('distributors.expiry')
    t.is(await stateOf(n.b1.id), 'active', 'valid through its expiry day')
    now = new Date(now.getTime() + DAY)
    const run = await t0.app.kernel.jobs.run('distributors.expiry')
    t.regex(run.result!, /vencidas/)
    t.is(await stateOf(n.b1.id), 'expired')
    t.is(await stateOf(n.c1.id), 'expired', 'activated the same day: expires too')
    // Renewal: a year from the (clock's) day.
    const renewed = await api(t0, n.top, 'POST', `/api/v1/distributors/${n.b1.id}/renew`)
    t.is(renewed.statusCode, 200)
    t.true(renewed.json().cmExpiresAt > now.toISOString().slice(0, 10))
  } finally { now = undefined }
})

test.serial('backfill: a distributor without an account row (created before the plugin) gets one from the kernel\'s row', async (t) => {
  const d = await t0.fixtures.distributor()
  await rows(t0, 'delete from distributors_account where id = ?', [d.id])
  const n = await ctx().use('distributors').distributors.backfill(em())
  t.true(n >= 1)
  const [row] = await rows(t0, 'select name, state, parent_id from distributors_account where id = ?', [d.id])
  t.like(row, { name: d.name, state: 'active' })
  t.is(await ctx().use('distributors').distributors.backfill(em()), 0)
})

test.serial('two transitions of one account at once: one wins, the other is checked against the state it left (409)', async (t) => {
  const top = await t0.fixtures.distributor()
  await grantMkl(top.id)
  for (let round = 0; round < 5; round++) {
    const d = await t0.app.kernel.directory.create(em(), { name: `Carrera ${round}`, tier: 'completo', parentId: top.id, state: 'suspended', cmExpiresAt: '2099-01-01' })
    const [a, b] = await Promise.all([
      api(t0, top, 'POST', `/api/v1/distributors/${d.id}/reactivate`),
      api(t0, top, 'POST', `/api/v1/distributors/${d.id}/cancel`),
    ])
    t.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409], `${a.body} ${b.body}`)
    const final = await stateOf(d.id)
    t.is(final, a.statusCode === 200 ? 'active' : 'cancelled')
    const audits = await rows(t0, `select 1 from core_audit_log where subject = ? and action = 'core.distributorStateChanged'`, [d.id])
    t.is(audits.length, 1)
  }
})
