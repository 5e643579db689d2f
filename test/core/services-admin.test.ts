import test from 'ava'
import { definePlugin } from '../../core/kernel/plugin.js'
import { installedPlugins } from '../../config/app.js'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { adminPost, reduxState, rows } from '../security/support.js'

// Staff console: jobs' last runs (read-only) and entitlements (grant, list, end); members see neither.

const fixture = definePlugin({
  id: 'consolefix',
  version: '1.0.0',
  entitlements: { 'mkl-multinivel': 'MKL Multi-nivel' },
  jobs: () => ({ expire: { everyMs: 60_000, run: async () => '3 vencidos' } }),
})

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true, kernel: { plugins: [...installedPlugins, { plugin: fixture }], jobs: false } }) })
test.after.always(() => t0?.close())

const resourceOf = (state: any, id: string) => state.resources.find((r: any) => r.id === id)

test('staff see the jobs, grant an entitlement from the declared keys and end it; a member can do neither', async (t) => {
  const staff = await t0.fixtures.staff()
  const [root] = await rows(t0, 'select id from core_distributor where is_root')
  const d = await t0.fixtures.distributor()
  const c = t0.client()
  await c.enterCm(staff.login, staff.password, root.id)
  const state = reduxState((await c.get('/admin')).body)
  t.truthy(resourceOf(state, 'Job')?.href)
  const entitlementResource = resourceOf(state, 'Entitlement')
  // The keys every installed plugin declares (the distributors plugin's 'MKL Multi-nivel', the contracts' offers…), by label.
  const declared = Object.entries(Object.assign({}, ...t0.app.kernel.plugins.map((p) => p.plugin.entitlements ?? {})) as Record<string, string>)
  t.true(declared.length > 0)
  t.deepEqual(entitlementResource.properties.key.availableValues, declared.map(([value, label]) => ({ value, label })))

  await t0.app.kernel.jobs.run('consolefix.expire')
  const jobList = await c.get("/admin/api/resources/Job/actions/list")
  const jobs = jobList.json().records
  t.like(jobs.find((r: any) => r.id === 'consolefix.expire')?.params, { name: 'consolefix.expire', lastResult: '3 vencidos', runs: 1 })
  t.is((await adminPost(c, '/admin/api/resources/Job/records/consolefix.expire/edit', { lastResult: 'x' })).json().notice?.type, 'error')

  const undeclared = await adminPost(c, '/admin/api/resources/Entitlement/actions/new', { distributorId: d.id, key: 'otra-cosa' })
  t.is(undeclared.json().notice?.type, 'error')
  const res = await adminPost(c, '/admin/api/resources/Entitlement/actions/new', { distributorId: d.id, key: 'mkl-multinivel' })
  t.is(res.json().notice?.type, 'success', res.body.slice(0, 300))
  const [granted] = await rows(t0, 'select id, source, until from core_entitlement where distributor_id = ?', [d.id])
  t.is(granted.source, 'staff')
  t.is(granted.until, null)
  t.true(await t0.app.kernel.contexts.get('consolefix')!.entitled(d.id, 'mkl-multinivel'))

  const end = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toISOString()
  const ended = await adminPost(c, `/admin/api/resources/Entitlement/records/${granted.id}/edit`, { until: end, key: 'otra-cosa', distributorId: root.id })
  t.is(ended.json().notice?.type, 'success', ended.body.slice(0, 300))
  const [after] = await rows(t0, 'select distributor_id, key, until from core_entitlement where id = ?', [granted.id])
  t.is(after.distributor_id, d.id, 'only the end of the validity changes')
  t.is(after.key, 'mkl-multinivel')
  t.is(new Date(after.until).toISOString(), end)
  t.is((await adminPost(c, `/admin/api/resources/Entitlement/records/${granted.id}/delete`)).json().notice?.type, 'error')
  t.is((await rows(t0, 'select 1 from core_entitlement where id = ?', [granted.id])).length, 1)

  const member = t0.client()
  await member.enterCm(d.login, d.password, d.id)
  const memberState = reduxState((await member.get('/admin')).body)
  t.falsy(resourceOf(memberState, 'Job')?.href)
  t.falsy(resourceOf(memberState, 'Entitlement')?.href)
  for (const url of ['/admin/api/resources/Job/actions/list', '/admin/api/resources/Entitlement/actions/list']) {
    const r = await member.get(url)
    t.true(r.statusCode === 403 || r.json().notice?.type === 'error', url)
    t.false(r.body.includes('mkl-multinivel'), url)
  }
  t.is((await adminPost(member, '/admin/api/resources/Entitlement/actions/new', { distributorId: d.id, key: 'mkl-multinivel' })).json().notice?.type, 'error')
  t.is((await rows(t0, 'select 1 from core_entitlement where distributor_id = ?', [d.id])).length, 1)
})
