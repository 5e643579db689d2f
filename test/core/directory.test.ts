import test from 'ava'
import { startTestApp, uniqueMobile, type TestApp } from '../helpers/app.js'
import { adminPost, api, rows } from '../security/support.js'
import type { DirectoryEntry } from '../../core/identity/directory.js'
import type { EntityManager } from '@mikro-orm/postgresql'
import { ensureRootDistributor } from '../../core/identity/bootstrap.js'
import { coreMigrations } from '../../core/migrations/index.js'
import { sql } from '../../core/db/sql.js'

// The kernel's directory (tree, state, lifecycle events), identity service and audit log.

let t0: TestApp
test.before(async () => {
  t0 = await startTestApp({ admin: true })
  await ensureRootDistributor(em())
})
test.after.always(() => t0?.close())

const em = () => t0.app.kernel.orm.em.fork() as EntityManager
const dir = () => t0.app.kernel.directory
const label = (id: string) => id.replaceAll('-', '')
const pathOf = async (id: string) => (await rows<{ path: string }>(t0, 'select path::text as path from core_distributor where id = ?', [id]))[0].path
const make = (parentId: string | undefined, name = `D ${Math.random().toString(36).slice(2, 8)}`) => dir().create(em(), { name, tier: 'completo', parentId })

/** root → a → b → c → d, and x beside a. */
async function tree() {
  const root = (await dir().root(em()))!
  const a = await make(undefined)
  const b = await make(a.id)
  const c = await make(b.id)
  const d = await make(c.id)
  const x = await make(root.id)
  return { root, a, b, c, d, x }
}

test('a new distributor gets its parent\'s path plus its own label; a 4-level tree is one chain of labels', async (t) => {
  const { root, a, b, c, d } = await tree()
  t.is(root.path, label(root.id))
  t.is(a.parentId, root.id, 'no parent given: under the root')
  t.is(a.path, `${label(root.id)}.${label(a.id)}`)
  t.is(d.path, [root, a, b, c, d].map((n) => label(n.id)).join('.'))
  t.is(await pathOf(d.id), d.path)
  t.deepEqual((await dir().subtreeIds(em(), b.id)).sort(), [b.id, c.id, d.id].sort())
  t.deepEqual(await dir().get(em(), d.id), d)
  t.is(await dir().get(em(), 'not-a-uuid'), null)
})

test('isWithin: itself, child and grandchild yes; sibling and ancestor no', async (t) => {
  const { root, a, b, c, x } = await tree()
  t.true(await dir().isWithin(em(), a.id, a.id))
  t.true(await dir().isWithin(em(), a.id, b.id))
  t.true(await dir().isWithin(em(), a.id, c.id))
  t.true(await dir().isWithin(em(), root.id, c.id))
  t.false(await dir().isWithin(em(), a.id, x.id))
  t.false(await dir().isWithin(em(), x.id, a.id))
  t.false(await dir().isWithin(em(), b.id, a.id))
  t.false(await dir().isWithin(em(), c.id, root.id))
  // The SQL fragment answers the same inside a plugin's own query.
  const [n] = await rows<{ n: number }>(t0, `select count(*)::int as n from core_distributor where ${dir().subtreeSql('id')}`, [a.id])
  t.is(n.n, 4)
})

test('moving a distributor rewrites its whole subtree\'s paths, and the move is audited', async (t) => {
  const { root, a, b, c, d, x } = await tree()
  await dir().move(em(), b.id, x.id)
  t.is(await pathOf(b.id), [root, x, b].map((n) => label(n.id)).join('.'))
  t.is(await pathOf(d.id), [root, x, b, c, d].map((n) => label(n.id)).join('.'))
  t.is(await pathOf(a.id), a.path)
  t.true(await dir().isWithin(em(), x.id, d.id))
  t.false(await dir().isWithin(em(), a.id, c.id))
  const [row] = await rows(t0, `select detail from core_audit_log where action = 'core.distributorMoved' and subject = ?`, [b.id])
  t.deepEqual(row.detail, { before: { parentId: a.id }, after: { parentId: x.id } })
})

test('a move under its own subtree is refused, whichever way it is written, and changes nothing', async (t) => {
  const { a, b, d } = await tree()
  const err = await t.throwsAsync(dir().move(em(), a.id, d.id))
  t.is((err as any).code, 'distributor_cycle')
  await t.throwsAsync(dir().move(em(), b.id, b.id), { message: /subárbol/ })
  // Written straight in SQL (e.g. the staff console's adapter), the trigger refuses it too.
  await t.throwsAsync(rows(t0, 'update core_distributor set parent_id = ? where id = ?', [d.id, a.id]), { message: /core_distributor_cycle/ })
  t.is(await pathOf(d.id), d.path)
  t.is((await dir().get(em(), a.id))!.parentId, a.parentId)
})

test('two opposite moves at once cannot make a cycle: the second waits for the first and is refused', async (t) => {
  const { a, x } = await tree()
  const first = em()
  await first.begin()
  await dir().move(first, a.id, x.id)
  // On the server the second move runs on another connection while the first is still open.
  const second = dir().move(em(), x.id, a.id).then(() => null, (e) => e)
  await new Promise((r) => setTimeout(r, 300))
  await first.commit()
  t.is((await second)?.code, 'distributor_cycle')
  t.is(await pathOf(a.id), `${x.path}.${label(a.id)}`)
  t.is(await pathOf(x.id), x.path)
})

// Serial (ava runs these before the others): the subscribers see only this test's events.
test.serial('lifecycle events run inside the caller\'s transaction: a rollback undoes the distributor, the audit row and what subscribers wrote', async (t) => {
  const seen: { event: string, payload: any, visible: boolean }[] = []
  const events = t0.app.kernel.events
  const subscriber = (event: string) => async (payload: any, tx: EntityManager) => {
    const id = payload.distributor?.id ?? payload.distributorId
    const [r] = await tx.getConnection().execute('select count(*)::int as n from core_distributor where id = ?', [id], 'all', tx.getTransactionContext())
    seen.push({ event, payload, visible: r.n === 1 })
    await tx.getConnection().execute(`insert into core_setting (key, value) values (?, 'x')`, [`${event}:${id}`], 'all', tx.getTransactionContext())
  }
  events.on('core.distributorCreated', subscriber('created'))
  events.on('core.distributorStateChanged', subscriber('state'))
  events.on('core.distributorPurged', subscriber('purged'))

  const name = `Revertido ${Date.now()}`
  await t.throwsAsync(em().transactional(async (tx) => {
    await dir().create(tx, { name, tier: 'completo' })
    throw new Error('rollback')
  }), { message: 'rollback' })
  t.is(seen.length, 1)
  t.true(seen[0].visible, 'the subscriber sees the new row in the same transaction')
  const gone = seen[0].payload.distributor as DirectoryEntry
  t.is((await rows(t0, 'select 1 from core_distributor where name = ?', [name])).length, 0)
  t.is((await rows(t0, 'select 1 from core_audit_log where subject = ?', [gone.id])).length, 0)
  t.is((await rows(t0, 'select 1 from core_setting where key = ?', [`created:${gone.id}`])).length, 0)

  const d = await make(undefined)
  await dir().setState(em(), d.id, 'suspended', { actorProfileId: null })
  await dir().setState(em(), d.id, 'suspended')
  await dir().markPurged(em(), d.id)
  t.deepEqual(seen.slice(1).map((s) => s.event), ['created', 'state', 'purged'], 'no event when the state does not change')
  t.like(seen[2].payload, { from: 'active', to: 'suspended', distributor: { id: d.id, state: 'suspended' } })
  t.deepEqual(seen[3].payload, { distributorId: d.id, parentId: d.parentId })
  t.is((await rows(t0, 'select 1 from core_setting where key like ?', [`%:${d.id}`])).length, 3)
})

test('setState and create leave an audit row with before and after; the root keeps its state', async (t) => {
  const staff = await t0.fixtures.staff()
  const d = await dir().create(em(), { name: 'Auditado', tier: 'completo', actorProfileId: staff.id })
  await dir().setState(em(), d.id, 'suspended', { actorProfileId: staff.id })
  const log = await rows(t0, 'select action, actor_profile_id, distributor_id, detail from core_audit_log where subject = ? order by at, action', [d.id])
  t.deepEqual(log.map((r) => r.action), ['core.distributorCreated', 'core.distributorStateChanged'])
  t.is(log[0].actor_profile_id, staff.id)
  t.is(log[0].detail.after.name, 'Auditado')
  t.deepEqual(log[1].detail, { before: { state: 'active' }, after: { state: 'suspended' } })
  t.is(log[1].distributor_id, d.id)
  // ctx.audit is the same writer, for plugins.
  await t0.app.kernel.contexts.get('clients')!.audit(em(), { action: 'clients.test', subject: 'x', before: 1, after: 2 })
  t.deepEqual((await rows(t0, `select detail from core_audit_log where action = 'clients.test'`))[0].detail, { before: 1, after: 2 })
  const root = (await dir().root(em()))!
  await t.throwsAsync(dir().setState(em(), root.id, 'cancelled'), { code: 'validation_failed' } as never)
  await t.throwsAsync(dir().setState(em(), d.id, 'bogus' as never), { code: 'validation_failed' } as never)
})

test('tierOf answers from a short per-process cache', async (t) => {
  const d = await make(undefined)
  t.is(await dir().tierOf(em(), d.id), 'completo')
  await rows(t0, `update core_distributor set tier = 'basico' where id = ?`, [d.id])
  t.is(await dir().tierOf(em(), d.id), 'completo')
  dir().invalidate(d.id)
  t.is(await dir().tierOf(em(), d.id), 'basico')
})

test('identity: profiles by id, login and e-mail + mobile; members and memberships', async (t) => {
  const id = t0.app.kernel.contexts.get('clients')!.identity
  const d = await t0.fixtures.distributor()
  const p = (await id.profile(em(), d.profileId))!
  t.is(p.email, d.login)
  t.false('passwordHash' in p)
  t.deepEqual(await id.profileByLogin(em(), `  ${d.login.toUpperCase()} `), p)
  t.deepEqual(await id.profileByLogin(em(), d.mobile.replace('+52', '')), p)
  t.deepEqual(await id.profileByEmailAndMobile(em(), d.login, d.mobile), p)
  t.is(await id.profileByEmailAndMobile(em(), d.login, '+52 55 9999 9999'), null)
  t.is(await id.profile(em(), 'nope'), null)
  t.deepEqual(await id.profiles(em(), [p.id, 'nope']), [p])
  t.true(await id.isMember(em(), p.id, d.id))
  t.deepEqual(await id.memberDistributorIds(em(), p.id), [d.id])
  t.deepEqual((await id.members(em(), d.id)).map((m) => m.id), [p.id])
})

test('the last member cannot be removed; a removed member\'s API token answers 401 and its CM session ends at once', async (t) => {
  const id = t0.app.kernel.identity
  const d = await t0.fixtures.distributor()
  const err = await t.throwsAsync(id.removeMember(em(), d.id, d.profileId))
  t.is((err as any).code, 'last_member')
  t.true(await id.isMember(em(), d.profileId, d.id))

  const other = await t0.fixtures.profile()
  await id.addMember(em(), d.id, other.id)
  const c = t0.client()
  await c.enterCm(d.login, d.password, d.id)
  t.is((await c.get('/admin/api/resources/ApiToken/actions/list')).statusCode, 200)
  t.is((await api(t0, d, 'GET', '/api/v1/me')).statusCode, 200)
  t.is((await rows(t0, `select 1 from core_session where sess->>'profileId' = ?`, [d.profileId])).length, 1)

  await id.removeMember(em(), d.id, d.profileId, { actorProfileId: other.id })
  t.is((await api(t0, d, 'GET', '/api/v1/me')).statusCode, 401)
  t.is((await rows(t0, 'select 1 from core_api_token where profile_id = ? and revoked_at is null', [d.profileId])).length, 0)
  t.is((await rows(t0, `select 1 from core_session where sess->>'profileId' = ?`, [d.profileId])).length, 0)
  const res = await c.get('/admin/api/resources/ApiToken/actions/list')
  t.not(res.statusCode, 200)
  t.deepEqual((await id.members(em(), d.id)).map((m) => m.id), [other.id])
  t.is((await rows(t0, `select actor_profile_id from core_audit_log where action = 'core.memberRemoved' and subject = ?`, [d.profileId]))[0].actor_profile_id, other.id)
  await t.throwsAsync(id.removeMember(em(), d.id, d.profileId), { code: 'not_a_member' } as never)
})

test.serial('staff see the audit log (Bitácora) newest first and read-only; a distributor does not', async (t) => {
  const staff = await t0.fixtures.staff()
  const root = (await dir().root(em()))!
  const d = await make(undefined)
  await dir().setState(em(), d.id, 'suspended')
  const c = t0.client()
  await c.enterCm(staff.login, staff.password, root.id)
  const list = await c.get('/admin/api/resources/AuditEntry/actions/list')
  t.is(list.statusCode, 200)
  const records = list.json().records.map((r: any) => r.params)
  t.is(records[0].action, 'core.distributorStateChanged')
  t.is(records[0].subject, d.id)
  const ats = records.map((r: any) => new Date(r.at).getTime())
  t.deepEqual(ats, [...ats].sort((x: number, y: number) => y - x))
  const fx = await t0.fixtures.distributor()
  const other = t0.client()
  await other.enterCm(fx.login, fx.password, fx.id)
  const refused = (await other.get('/admin/api/resources/AuditEntry/actions/list')).json()
  t.is(refused.notice.type, 'error')
  t.deepEqual(refused.records, [])
  const created = await c.request({ method: 'POST', url: '/admin/api/resources/AuditEntry/actions/new', headers: { origin: 'http://localhost' }, payload: { action: 'forged' } })
  t.is(created.json().notice?.type, 'error')
  t.is((await rows(t0, `select 1 from core_audit_log where action = 'forged'`)).length, 0)
})

test('the staff console creates, suspends and moves distributors through the directory: events, audit rows and the tree', async (t) => {
  const staff = await t0.fixtures.staff()
  const root = (await dir().root(em()))!
  const parent = await make(undefined)
  const c = t0.client()
  await c.enterCm(staff.login, staff.password, root.id)
  const email = `nuevo-${Date.now()}@example.mx`
  const made = await adminPost(c, '/admin/api/resources/Distributor/actions/new', { name: 'Desde consola', tier: 'completo', memberEmail: email, memberMobile: uniqueMobile(), memberPassword: 'contraseña-larga-1' })
  const id = made.json().record?.params?.id as string
  t.truthy(id, made.body)
  const edited = await adminPost(c, `/admin/api/resources/Distributor/records/${id}/edit`, { state: 'suspended', parentId: parent.id, name: 'Desde consola 2' })
  t.is(edited.json().record.params.state, 'suspended', edited.body)
  const log = await rows(t0, 'select action, actor_profile_id from core_audit_log where distributor_id = ? order by at, action', [id])
  t.deepEqual(log.map((r) => r.action).sort(), ['core.distributorCreated', 'core.distributorMoved', 'core.distributorStateChanged', 'core.distributorUpdated', 'core.memberAdded'])
  t.true(log.every((r) => r.actor_profile_id === staff.id))
  t.is(await pathOf(id), `${parent.path}.${label(id)}`)
  t.is((await dir().get(em(), id))!.name, 'Desde consola 2')
})

test('core_0003_directory gives the rows already there their paths (run in a scratch schema, rolled back)', async (t) => {
  const statements = (name: string) => {
    const m = new (coreMigrations.find((x) => x.name === name)!.class)() as any
    const out: string[] = []
    m.addSql = (s: string) => out.push(s)
    m.up()
    return out
  }
  const ids = ['1', '2', '3', '4'].map((n) => `00000000-0000-0000-0000-00000000000${n}`)
  const paths = await em().transactional(async (tx) => {
    await sql(tx, 'create schema backfill_check')
    await sql(tx, 'set local search_path = backfill_check, public')
    for (const s of statements('core_0001_identity')) await sql(tx, s)
    await sql(tx, `insert into core_distributor (id, name, is_root, parent_id, tier) values (?, 'r', true, null, 't'), (?, 'a', false, ?, 't'), (?, 'b', false, ?, 't'), (?, 'c', false, ?, 't')`,
      [ids[0], ids[1], ids[0], ids[2], ids[1], ids[3], ids[0]])
    for (const s of statements('core_0003_directory')) await sql(tx, s)
    const out = await sql<{ name: string, path: string }[]>(tx, 'select name, path::text as path from core_distributor order by name')
    throw Object.assign(new Error('rollback'), { out })
  }).catch((e) => e.out)
  const l = ids.map(label)
  t.deepEqual(paths, [
    { name: 'a', path: `${l[0]}.${l[1]}` }, { name: 'b', path: `${l[0]}.${l[1]}.${l[2]}` }, { name: 'c', path: `${l[0]}.${l[3]}` }, { name: 'r', path: l[0] },
  ])
})

test('two members removed at once: the second removal waits for the first and is refused as the last member', async (t) => {
  const id = t0.app.kernel.identity
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.profile()
  await id.addMember(em(), d.id, other.id)
  const first = em()
  await first.begin()
  await id.removeMember(first, d.id, d.profileId)
  const second = id.removeMember(em(), d.id, other.id).then(() => null, (e) => e)
  await new Promise((r) => setTimeout(r, 300))
  await first.commit()
  t.is((await second)?.code, 'last_member')
  t.deepEqual((await id.members(em(), d.id)).map((m) => m.id), [other.id])
})
