import test from 'ava'
import { installedPlugins } from '../../../config/app.js'
import notes from '../../../plugins/notes/index.js'
import { definePlugin } from '../../../core/plugin-api.js'
import { startTestApp, type TestApp } from '../../helpers/app.js'
import { adminPost, api, apiCustomer, reduxState, rows, uniqueIp } from '../../security/support.js'

// The README walkthrough's plugin, installed beside the real ones by configuration alone: its CM
// resource with an action and a component, its CM page, its PCC page, its API routes, its column on
// Clientes and its job; all of it absent for a distributor whose tier ('basico') lacks it.

let t0: TestApp
/** The kernel's clock (jobs read it): the job test moves it. */
let now: Date | undefined
test.before(async () => {
  t0 = await startTestApp({ admin: true, kernel: { plugins: [...installedPlugins, { plugin: notes, options: { maxLength: 500 } }], clock: () => now ?? new Date(),
    // config/app.ts's adminLocale: the installation rewords one of the plugin's strings.
    adminLocale: { resources: { Note: { properties: { body: 'Texto de la nota' } } } } } })
})
test.after.always(() => t0?.close())

test('API: /api/v1/notes for a tier with notes; 403 plugin_not_in_tier without; bad input 422 and nothing stored', async (t) => {
  const d = await t0.fixtures.distributor()
  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  const created = await api(t0, d, 'POST', '/api/v1/notes', { body: 'Llamar el lunes' })
  t.is(created.statusCode, 201, created.body)
  t.is((await api(t0, d, 'GET', '/api/v1/notes')).json().items[0].body, 'Llamar el lunes')
  for (const body of ['', 'x'.repeat(501), 'a\u0000b', 42]) {
    const res = await api(t0, d, 'POST', '/api/v1/notes', { body })
    t.is(res.statusCode, 422, JSON.stringify(body))
    t.deepEqual(Object.keys(res.json().error.fields), ['body'])
  }
  t.is((await api(t0, d, 'GET', '/api/v1/notes')).json().items.length, 1)
  const refused = await api(t0, basic, 'GET', '/api/v1/notes')
  t.is(refused.statusCode, 403)
  t.is(refused.json().error.code, 'plugin_not_in_tier')
  // Another distributor never sees these notes.
  t.is((await api(t0, await t0.fixtures.distributor(), 'GET', '/api/v1/notes')).json().items.length, 0)
})

test('the Clientes column: a customer created gets a note (event, same transaction) and the list shows and sorts by it, only where the tier has notes', async (t) => {
  const d = await t0.fixtures.distributor()
  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  const a = await apiCustomer(t0, d, 'Alfa Notas')
  await apiCustomer(t0, d, 'Beta Notas')
  await t0.app.kernel.contexts.get('notes')!.use('notes').notes.add(t0.app.kernel.orm.em.fork(), d.id, 'Segunda nota', a.id)
  const list = (await api(t0, d, 'GET', '/api/v1/customers?sort=-noteCount')).json()
  t.deepEqual(list.items.map((c: any) => [c.legalName, c.noteCount]), [['Alfa Notas', 2], ['Beta Notas', 1]])
  t.is((await api(t0, d, 'GET', '/api/v1/customers.csv')).body.split('\r\n')[0].split(',').at(-1), 'Notas')

  await apiCustomer(t0, basic, 'Gamma Básico')
  const plain = (await api(t0, basic, 'GET', '/api/v1/customers')).json()
  t.false('noteCount' in plain.items[0])
  t.is(plain.items[0].notes, null, 'the customer\'s own notes field is not a figure')
  t.false('stampBalance' in plain.items[0], 'stamping is not in basico either: its figures are not read')
  t.is((await api(t0, basic, 'GET', '/api/v1/customers?sort=noteCount')).statusCode, 400)
})

test('CM: the Notas resource, its pin action (GET changes nothing, POST toggles), its page and the Clientes column, all hidden from basico', async (t) => {
  const d = await t0.fixtures.distributor()
  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  const c = await t0.client()
  await c.enterCm(d.login, d.password, d.id)
  const state = reduxState((await c.get('/admin')).body)
  t.truthy(state.resources.find((r: any) => r.id === 'Note'))
  t.truthy(state.pages.find((p: any) => p.name === 'notesSummary'))
  const customer = state.resources.find((r: any) => r.id === 'Customer')
  t.true(customer.listProperties.some((p: any) => p.name === 'noteCount'))
  const locale = JSON.stringify(state.locale)
  t.true(locale.includes('"notesSummary":"Resumen de notas"'), 'the page\'s label')
  t.true(locale.includes('"body":"Texto de la nota"'), 'config overrides the plugin\'s string')
  t.true(locale.includes('"pinned":"Fijada"'), 'the plugin\'s other strings stay')

  const note = await api(t0, d, 'POST', '/api/v1/notes', { body: 'Para fijar' })
  const id = note.json().id
  const R = `/admin/api/resources/Note/records/${id}/pin`
  t.is((await c.get(R)).statusCode, 200)
  t.false((await rows(t0, 'select pinned from notes_note where id = ?', [id]))[0].pinned)
  const pinned = await adminPost(c, R)
  t.is(pinned.json().notice.type, 'success')
  t.true((await rows(t0, 'select pinned from notes_note where id = ?', [id]))[0].pinned)
  t.is((await c.get('/admin/api/pages/notesSummary')).json().total, 1)

  const b = await t0.client()
  await b.enterCm(basic.login, basic.password, basic.id)
  const bState = reduxState((await b.get('/admin')).body)
  t.falsy(bState.resources.find((r: any) => r.id === 'Note' && r.href))
  t.false(bState.resources.find((r: any) => r.id === 'Customer').listProperties.some((p: any) => p.name === 'noteCount'))
  const list = await b.get('/admin/api/resources/Note/actions/list')
  t.true(list.statusCode === 403 || list.json().notice?.type === 'error', list.body.slice(0, 200))
  // Another distributor's note cannot be pinned through its own CM.
  const other = await adminPost(b, R)
  t.true(other.statusCode === 403 || other.json().notice?.type === 'error')
})

test('PCC: the Notas page for a customer whose distributor has notes; absent from the navigation and refused for basico', async (t) => {
  const d = await t0.fixtures.distributor()
  const basic = await t0.fixtures.distributor({ tier: 'basico' })
  const mine = await apiCustomer(t0, d, 'Cliente con notas')
  const theirs = await apiCustomer(t0, basic, 'Cliente básico')
  const p = await t0.fixtures.profile()
  const customers = t0.app.kernel.contexts.get('clients')!.use('clients').customers
  await customers.link(t0.app.kernel.orm.em.fork(), mine.id, p.id)
  await customers.link(t0.app.kernel.orm.em.fork(), theirs.id, p.id)
  const c = t0.client({ remoteAddress: uniqueIp() })
  t.is((await c.login(p.email, p.password)).statusCode, 303)
  const page = await c.get(`/pcc/${mine.nic}/notas`)
  t.is(page.statusCode, 200)
  t.true(page.body.includes(`Alta del cliente ${mine.nic}`))
  const other = await c.get(`/pcc/${theirs.nic}/notas`)
  t.is(other.statusCode, 403)
  t.false((await c.get(`/pcc/${theirs.nic}/datos`)).body.includes('/notas'))
})

test('the job: the kernel runs it once with the injected clock; it deletes old unpinned notes only', async (t) => {
  const d = await t0.fixtures.distributor()
  const em = t0.app.kernel.orm.em.fork()
  const svc = t0.app.kernel.contexts.get('notes')!.use('notes').notes
  const old = await svc.add(em, d.id, 'Vieja')   // created now: old only by the moved clock
  const kept = await svc.add(em, d.id, 'Vieja fijada')
  await svc.pin(em, d.id, kept.id, true)
  const fresh = await svc.add(em, d.id, 'Reciente')
  now = new Date(Date.now() + 366 * 86_400_000)   // a year and a day later, by the kernel's clock
  await rows(t0, `update notes_note set created_at = ?::timestamptz - interval '30 days' where id = ?`, [now.toISOString(), fresh.id])   // 30 days old by that clock
  const run = await t0.app.kernel.jobs.run('notes.purge')
  now = undefined
  t.true(run.ran)
  t.regex(String(run.result), /^\d+ notas eliminadas$/)
  t.deepEqual((await rows(t0, 'select body from notes_note where id in (?, ?, ?) order by body', [old.id, kept.id, fresh.id])).map((r) => r.body), ['Reciente', 'Vieja fijada'])
})

test('boot refuses, naming both plugins, a plugin claiming another\'s API path, PCC page or the site\'s own page path, and a table without its prefix', async (t) => {
  const { bootKernel } = await import('../../../core/kernel/boot.js')
  const { baseKernelConfig, freshDatabase } = await import('../../helpers/db.js')
  const { startApp } = await import('../../../core/app.js')
  const { defaultTheme } = await import('../../../themes/default/theme.js')
  const db = await freshDatabase()
  try {
    const shadow = definePlugin({ id: 'shadow', version: '1', dependsOn: ['clients'], apiPaths: ['/customers/export'], routes: (ctx) => { const r = ctx.http.publicRouter(); r.get('/customers/export', (_q, s) => { s.json([]) }); return { public: r } } })
    const e1 = await t.throwsAsync(startApp(baseKernelConfig({ ...db.config, plugins: [...installedPlugins, { plugin: shadow }] }), { theme: defaultTheme, admin: false }))
    t.regex(e1!.message, /'\/customers\/export'.*'clients'.*'shadow'/)
    const stray = definePlugin({ id: 'stray', version: '1', apiPaths: ['/stray'], routes: (ctx) => { const r = ctx.http.apiRouter(); r.get('/customers', (_q, s) => { s.json([]) }); return { api: r } } })
    const e2 = await t.throwsAsync(startApp(baseKernelConfig({ ...db.config, plugins: [...installedPlugins, { plugin: stray }] }), { theme: defaultTheme, admin: false }))
    t.regex(e2!.message, /stray.*'\/customers' is outside its apiPaths/)
    const twin = definePlugin({ id: 'twin', version: '1', pcc: () => ({ pages: [{ path: 'notas', title: 'Otra', get: async () => ({ view: 'x' }) }] }) })
    const e3 = await t.throwsAsync(startApp(baseKernelConfig({ ...db.config, plugins: [...installedPlugins, { plugin: notes }, { plugin: twin }] }), { theme: defaultTheme, admin: false }))
    t.regex(e3!.message, /PCC page 'notas'.*'notes'.*'twin'/)
    const { EntitySchema } = await import('@mikro-orm/postgresql')
    const bare = definePlugin({ id: 'bare', version: '1', entities: [new EntitySchema({ name: 'Bare', tableName: 'things', properties: { id: { type: 'uuid', primary: true } } })] })
    const e4 = await t.throwsAsync(bootKernel(baseKernelConfig({ ...db.config, plugins: [...installedPlugins, { plugin: bare }] })))
    t.regex(e4!.message, /bare.*table 'things'.*prefixed 'bare_'/)
    // Public pages live at /<id>/: a plugin named like one of the site's own paths can't take it.
    const login = definePlugin({ id: 'login', version: '1', routes: (ctx) => { const r = ctx.http.publicRouter(); r.get('/', (_q, s) => { s.send('x') }); return { pages: r } } })
    const e5 = await t.throwsAsync(startApp(baseKernelConfig({ ...db.config, plugins: [...installedPlugins, { plugin: login }] }), { theme: defaultTheme, admin: false }))
    t.regex(e5!.message, /'\/login'.*'core'.*'login'/)
  } finally { await db.drop() }
})

test('the README\'s walkthrough shows this plugin\'s code as it is', async (t) => {
  const { readFileSync } = await import('node:fs')
  const read = (f: string) => readFileSync(new URL(`../../../${f}`, import.meta.url), 'utf8').trimEnd()
  const readme = read('README.md')
  for (const f of ['plugins/notes/index.ts', 'plugins/notes/admin/note.resource.ts']) t.true(readme.includes(read(f)), `README.md lacks the current ${f}`)
})
