import test from 'ava'
import { startTestApp, uniqueMobile, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { adminPost, api, rows, SAME_ORIGIN } from '../../security/support.js'
import { IdentityService } from '../../../core/identity/service.js'
import { TRANSITION_NAMES } from '../../../plugins/distributors/transitions.js'
import { demoRfc } from '../../../plugins/distributors/demo.js'

// CM "Distribuidores" (AdminJS over HTTP), three levels deep: top → b1 → c1, b2 beside b1, `other`
// beside top. The list, the tab counts, show, edit and every transition action reach the signed-in
// distributor's subtree only; siblings and ancestors are not found and stay unchanged.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true, kernel: { jobs: false } }) })
test.after.always(() => t0?.close())

const em = () => t0.app.kernel.orm.em.fork()
const grantMkl = (distributorId: string) => t0.app.kernel.entitlements.grant(em(), { distributorId, key: 'mkl-multinivel', source: 'test' })
const R = '/admin/api/resources/DistributorAccount'
const isSuccess = (res: { statusCode: number, body: string }) => res.statusCode < 300 && /"type":"success"/.test(res.body)
const snapshot = (ids: string[]) => rows(t0, 'select id, name, state, parent_id, cm_expires_at from core_distributor where id = any(?::uuid[]) order by id', [`{${ids.join(',')}}`])

interface Node { id: string, login: string, password: string, token: string }

async function child(parent: { token: string }): Promise<Node> {
  const p = await t0.fixtures.profile()
  await rows(t0, 'update core_profile set email_verified_at = now(), mobile_verified_at = now() where id = ?', [p.id])
  const res = await api(t0, parent, 'POST', '/api/v1/distributors', { email: p.email, mobile: p.mobile, legalName: `Sub ${p.id.slice(0, 6)} SA`, rfc: demoRfc() })
  const id = res.json().id as string
  await api(t0, parent, 'POST', `/api/v1/distributors/${id}/activate`)
  const { token } = await new IdentityService().createApiToken(em(), p.email, id)
  return { id, login: p.email, password: p.password, token }
}

async function network() {
  const top: DistributorFixture = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  await grantMkl(top.id)
  const b1 = await child(top)
  const b2 = await child(top)
  await grantMkl(b1.id)
  const c1 = await child(b1)
  return { top, other, b1, b2, c1 }
}

const listIds = async (c: ReturnType<TestApp['client']>, query = '') => {
  const res = await c.get(`${R}/actions/list${query}`)
  return (res.json().records as { id: string }[]).map((r) => r.id).sort()
}

test('the list, its filters and the tab counts show the subtree only (itself excluded)', async (t) => {
  const n = await network()
  const c = t0.client()
  await c.enterCm(n.b1.login, n.b1.password, n.b1.id)
  t.deepEqual(await listIds(c), [n.c1.id])
  for (const q of [`?filters.id=${n.b2.id}`, `?filters.parentId=${n.top.id}`, `?filters.state=active`, `?filters.legalName=Sub`, `?perPage=500`, `?sortBy=parentId`]) {
    const ids = await listIds(c, q)
    t.false(ids.some((id) => [n.top.id, n.b1.id, n.b2.id, n.other.id].includes(id)), q)
  }
  const counts = (await c.get(`${R}/actions/counts`)).json().counts
  t.deepEqual(counts, { unvalidated: 0, inactive: 0, active: 1, suspended: 0, expired: 0, cancelled: 0 })

  const top = t0.client()
  await top.enterCm(n.top.login, n.top.password, n.top.id)
  t.deepEqual(await listIds(top), [n.b1.id, n.b2.id, n.c1.id].sort())
  t.is((await top.get(`${R}/actions/counts`)).json().counts.active, 3)
  // The page renders the tabs component for the list.
  const page = await top.get('/admin/resources/DistributorAccount')
  t.is(page.statusCode, 200)
})

test('show, edit and every transition of a sibling or an ancestor: not found, nothing changes', async (t) => {
  const n = await network()
  const c = t0.client()
  await c.enterCm(n.b1.login, n.b1.password, n.b1.id)
  const ids = [n.top.id, n.other.id, n.b1.id, n.b2.id, n.c1.id]
  const before = await snapshot(ids)
  const accounts = () => rows(t0, 'select * from distributors_account where id = any(?::uuid[]) order by id', [`{${ids.join(',')}}`])
  const accountsBefore = await accounts()
  for (const [what, id] of [['parent', n.top.id], ['sibling', n.b2.id], ['itself', n.b1.id], ['stranger', n.other.id]] as const) {
    for (const action of ['show', 'edit', 'history', ...TRANSITION_NAMES]) {
      const get = await c.get(`${R}/records/${id}/${action}`)
      t.false(isSuccess(get), `${what} GET ${action}`)
      const post = await adminPost(c, `${R}/records/${id}/${action}`, { legalName: 'Tomada SA' })
      t.false(isSuccess(post), `${what} POST ${action}`)
      for (const body of [get.body, post.body]) t.false(/"legalName":"[^"]/.test(body), `${what} ${action}: no data leaks`)
    }
  }
  // Bulk actions: AdminJS's bulk delete is off; with a sibling's or an ancestor's ids it finds nothing.
  for (const url of [`${R}/bulk/bulkDelete?recordIds=${n.b2.id},${n.top.id}`]) {
    t.false(isSuccess(await c.get(url)))
    t.false(isSuccess(await adminPost(c, url)))
  }
  t.deepEqual(await snapshot(ids), before)
  t.deepEqual(await accounts(), accountsBefore)
})

test('add a sub-distributor, then activate, suspend and cancel it in the CM; a wrong state is refused with its reason', async (t) => {
  const n = await network()
  const c = t0.client()
  await c.enterCm(n.b1.login, n.b1.password, n.b1.id)
  const email = `cm-${Date.now()}@example.mx`
  const created = await adminPost(c, `${R}/actions/new`, { email, mobile: uniqueMobile(), legalName: 'Nieta del CM SA de CV', rfc: demoRfc(), contactName: 'Ana Pérez' })
  t.true(isSuccess(created), created.body)
  const id = created.json().record.id as string
  const [row] = await rows(t0, 'select parent_id, state from core_distributor where id = ?', [id])
  t.deepEqual(row, { parent_id: n.b1.id, state: 'unvalidated' })
  // Owner rule and the parent's own profile, through the CM too.
  const own = await adminPost(c, `${R}/actions/new`, { email: n.b1.login, mobile: (await rows(t0, 'select mobile from core_profile where email = ?', [n.b1.login]))[0].mobile, legalName: 'Propia SA', rfc: demoRfc() })
  t.false(isSuccess(own))
  // Step 1 of the form: the check says why, and what will happen; it writes nothing.
  const b1Mobile = (await rows(t0, 'select mobile from core_profile where email = ?', [n.b1.login]))[0].mobile
  const refused = (await adminPost(c, `${R}/actions/checkAdministrator`, { email: n.b1.login, mobile: b1Mobile })).json()
  t.regex(refused.fields.email, /su propia cuenta/)
  const fresh = (await adminPost(c, `${R}/actions/checkAdministrator`, { email: `nuevo-${Date.now()}@example.mx`, mobile: uniqueMobile() })).json()
  t.like(fresh, { existing: false })
  t.regex(fresh.message, /invitación/)
  t.deepEqual((await c.get(`${R}/actions/checkAdministrator`)).json().existing, undefined)
  // GET of an action changes nothing.
  await c.get(`${R}/records/${n.c1.id}/suspend`)
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [n.c1.id]))[0].state, 'active')
  const activate = await adminPost(c, `${R}/records/${n.c1.id}/activate`)
  // The CM offers only the table's actions for the record's state; asked anyway, it refuses.
  t.false(isSuccess(activate))
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [n.c1.id]))[0].state, 'active')
  const c1 = t0.client()
  await c1.enterCm(n.c1.login, n.c1.password, n.c1.id)
  t.is((await c1.get('/admin')).statusCode, 200)
  t.true(isSuccess(await adminPost(c, `${R}/records/${n.c1.id}/suspend`)))
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [n.c1.id]))[0].state, 'suspended')
  // Suspended: its members' CM closes at the next request, without signing out.
  const closed = await c1.get('/admin')
  t.is(closed.statusCode, 303)
  t.is(closed.headers.location, '/')
  t.true(isSuccess(await adminPost(c, `${R}/records/${n.c1.id}/cancel`)))
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [n.c1.id]))[0].state, 'cancelled')
  const audit = await rows(t0, `select actor_profile_id, detail from core_audit_log where subject = ? and action = 'core.distributorStateChanged' order by at`, [n.c1.id])
  t.is(audit.length, 3, 'activate (by API setup), suspend, cancel')
  t.truthy(audit[2].actor_profile_id)
  // The audit log, readable in the CM: who, before, after, when.
  const history = (await c.get(`${R}/records/${n.c1.id}/history`)).json().entries as { action: string, actor: string | null, before: any, after: any, at: string }[]
  const changes = history.filter((e) => e.action === 'core.distributorStateChanged')
  t.deepEqual(changes.map((e) => [e.before.state, e.after.state]), [['suspended', 'cancelled'], ['active', 'suspended'], ['inactive', 'active']])
  t.regex(changes[0].actor!, new RegExp(n.b1.login))
  t.truthy(Date.parse(changes[0].at))
  // Edits of the data: RFC checked; the state is not writable.
  const bad = await adminPost(c, `${R}/records/${id}/edit`, { rfc: 'ABC010101AAA' })
  t.false(isSuccess(bad))
  t.true(isSuccess(await adminPost(c, `${R}/records/${id}/edit`, { contactPhone: '55 1234 5678', state: 'active' })))
  t.is((await rows(t0, 'select state from core_distributor where id = ?', [id]))[0].state, 'unvalidated')
  // Cross-origin posts are refused before any action.
  const csrf = await adminPost(c, `${R}/records/${id}/cancel`, {}, { origin: 'https://evil.example' })
  t.is(csrf.statusCode, 403)
  void SAME_ORIGIN
})

test('the staff console sets a state by hand only along the transition table: active → cancelled is refused and changes nothing, active → suspended goes', async (t) => {
  const staff = await t0.fixtures.staff()
  const root = (await t0.app.kernel.directory.root(em()))!
  const d = await t0.fixtures.distributor()
  const c = t0.client()
  await c.enterCm(staff.login, staff.password, root.id)
  const edit = `/admin/api/resources/Distributor/records/${d.id}/edit`
  const refused = await adminPost(c, edit, { state: 'cancelled' })
  t.false(isSuccess(refused), refused.body)
  t.regex(refused.body, /no pasa de Activo a Cancelado/)
  t.is((await snapshot([d.id]))[0].state, 'active')
  t.true(isSuccess(await adminPost(c, edit, { state: 'suspended' })))
  t.is((await snapshot([d.id]))[0].state, 'suspended')
})
