import test from 'ava'
import { EntitySchema } from '@mikro-orm/postgresql'
import { z } from 'zod'
import { bootKernel } from '../../core/kernel/boot.js'
import {
  EntityNameClashError, PluginBootTimeoutError, PluginCycleError, PluginDependencyMissingError, PluginDuplicateError,
  PluginInvalidError, PluginNotAccessibleError, PluginOptionsInvalidError,
} from '../../core/kernel/errors.js'
import { definePlugin, type InstalledPlugin, type PluginDefinition } from '../../core/kernel/plugin.js'
import { bootOrder, resolvePlugins } from '../../core/kernel/registry.js'
import { sqlMigration } from '../../core/db/sql-migration.js'
import clients from '../../plugins/clients/index.js'
import { baseKernelConfig, freshDatabase } from '../helpers/db.js'

const plugin = (id: string, extra: Partial<PluginDefinition<any>> = {}) => definePlugin({ id, version: '1.0.0', ...extra })
const installed = (...plugins: PluginDefinition<any>[]): InstalledPlugin[] => plugins.map((p) => ({ plugin: p }))
const ids = (list: { plugin: PluginDefinition<any> }[] | PluginDefinition<any>[]) =>
  list.map((x) => ('plugin' in x ? x.plugin.id : x.id))

const entity = (name: string, table = `t_${name.toLowerCase()}`) => new EntitySchema<{ id: string }>({
  name, tableName: table, properties: { id: { type: 'uuid', primary: true } },
})

// ── Registry (pure: nothing touches a database) ───────────────────────────────────────────────────

test('boot order follows dependsOn; ties keep config order', (t) => {
  const a = plugin('a'), b = plugin('b', { dependsOn: ['c'] }), c = plugin('c'), d = plugin('d', { dependsOn: ['a', 'b'] }), e = plugin('e')
  t.deepEqual(ids(resolvePlugins(installed(d, e, b, a, c))), ['a', 'c', 'b', 'd', 'e'])
  t.deepEqual(ids(resolvePlugins(installed(a, b, c, d, e))), ['a', 'c', 'b', 'd', 'e'])
  t.deepEqual(ids(resolvePlugins(installed(e, c, a))), ['e', 'c', 'a'])
  t.deepEqual(ids(bootOrder([b, c])), ['c', 'b'])
})

test('a missing dependency fails with both names', (t) => {
  const e = t.throws(() => resolvePlugins(installed(plugin('a'), plugin('billing', { dependsOn: ['a', 'stamping'] }))), { instanceOf: PluginDependencyMissingError })
  t.is(e.code, 'plugin_dependency_missing')
  t.regex(e.message, /'stamping'/)
  t.regex(e.message, /'billing'/)
})

test('a cycle fails and the message names the cycle', (t) => {
  const e = t.throws(() => resolvePlugins(installed(
    plugin('x', { dependsOn: ['a'] }), plugin('a', { dependsOn: ['b'] }), plugin('b', { dependsOn: ['c'] }), plugin('c', { dependsOn: ['a'] }),
  )), { instanceOf: PluginCycleError })
  t.is(e.code, 'plugin_cycle')
  t.regex(e.message, /a -> b -> c -> a/)
  t.notRegex(e.message, /x/)
  const self = t.throws(() => resolvePlugins(installed(plugin('solo', { dependsOn: ['solo'] }))), { instanceOf: PluginCycleError })
  t.regex(self.message, /solo -> solo/)
})

test('a plugin installed twice fails naming it', (t) => {
  const e = t.throws(() => resolvePlugins(installed(plugin('a'), plugin('dup'), plugin('dup'))), { instanceOf: PluginDuplicateError })
  t.is(e.code, 'plugin_duplicate')
  t.regex(e.message, /'dup'/)
})

test('bad options fail naming the plugin and the field; good options are parsed with defaults', (t) => {
  const withOptions = plugin('mailer', { options: z.object({ host: z.string(), port: z.number().int().default(25), tls: z.object({ enabled: z.boolean() }).optional() }) })
  const bad = t.throws(() => resolvePlugins([{ plugin: withOptions, options: { host: 'smtp', port: 'x' } }]), { instanceOf: PluginOptionsInvalidError })
  t.is(bad.code, 'plugin_options_invalid')
  t.regex(bad.message, /'mailer'/)
  t.regex(bad.message, /port/)
  const nested = t.throws(() => resolvePlugins([{ plugin: withOptions, options: { host: 'smtp', tls: { enabled: 'yes' } } }]), { instanceOf: PluginOptionsInvalidError })
  t.regex(nested.message, /tls\.enabled/)
  const missing = t.throws(() => resolvePlugins([{ plugin: withOptions }]), { instanceOf: PluginOptionsInvalidError })
  t.regex(missing.message, /host/)
  t.deepEqual(resolvePlugins([{ plugin: withOptions, options: { host: 'smtp' } }])[0].options, { host: 'smtp', port: 25 })
  const none = t.throws(() => resolvePlugins([{ plugin: plugin('plain'), options: { x: 1 } }]), { instanceOf: PluginOptionsInvalidError })
  t.regex(none.message, /'plain'/)
})

test('an entity name defined by two plugins, or by a plugin and the core, fails naming both', (t) => {
  const e = t.throws(() => resolvePlugins(installed(
    plugin('shop', { entities: [entity('Invoice', 'shop_invoice')] }),
    plugin('billing', { entities: [entity('Invoice', 'billing_invoice')] }),
  )), { instanceOf: EntityNameClashError })
  t.is(e.code, 'entity_name_clash')
  t.regex(e.message, /'Invoice'/)
  t.regex(e.message, /'shop'/)
  t.regex(e.message, /'billing'/)
  const core = t.throws(() => resolvePlugins(installed(plugin('people', { entities: [entity('Profile', 'people_profile')] })), { Profile: 'core' }), { instanceOf: EntityNameClashError })
  t.regex(core.message, /'Profile'.*'core'.*'people'/)
})

test('bootKernel checks entity names against the core before opening any database', async (t) => {
  const e = await t.throwsAsync(bootKernel(baseKernelConfig({
    plugins: installed(clients, plugin('people', { entities: [entity('Profile', 'people_profile')] })),
    // Unreachable on purpose: the check must fail first.
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
  })), { instanceOf: EntityNameClashError })
  t.regex(e.message, /'Profile'.*'core'.*'people'/)
  const dup = await t.throwsAsync(bootKernel(baseKernelConfig({
    plugins: installed(clients, plugin('more-clients', { entities: [entity('Customer', 'more_clients_customer')] })),
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
  })), { instanceOf: EntityNameClashError })
  t.regex(dup.message, /'Customer'.*'clients'.*'more-clients'/)
})

test('a migration not prefixed with the plugin id fails naming the plugin and the migration', (t) => {
  const e = t.throws(() => resolvePlugins(installed(plugin('software-downloads', { migrations: [sqlMigration('downloads_0001', 'select 1')] }))), { instanceOf: PluginInvalidError })
  t.is(e.code, 'plugin_invalid')
  t.regex(e.message, /'software-downloads'/)
  t.regex(e.message, /downloads_0001/)
  t.regex(e.message, /software_downloads_/)
  t.notThrows(() => resolvePlugins(installed(plugin('software-downloads', { migrations: [sqlMigration('software_downloads_0001', 'select 1')] }))))
  // Another plugin's prefix is not enough.
  t.throws(() => resolvePlugins(installed(plugin('stamp', { migrations: [sqlMigration('stamping_0001', 'select 1')] }))), { instanceOf: PluginInvalidError })
})

test('an invalid id or a missing version fails naming the plugin', (t) => {
  t.throws(() => resolvePlugins(installed(plugin('Bad_Id'))), { instanceOf: PluginInvalidError, message: /'Bad_Id'/ })
  t.throws(() => resolvePlugins(installed({ ...plugin('noversion'), version: undefined as never })), { instanceOf: PluginInvalidError, message: /'noversion'.*version/ })
})

// ── Lifecycle on a real database ──────────────────────────────────────────────────────────────────

/** Boots clients plus the given plugins on a fresh database; the database is dropped afterwards. */
async function withKernel<T>(plugins: PluginDefinition<any>[], run: (boot: () => ReturnType<typeof bootKernel>) => Promise<T>, bootTimeoutMs?: number): Promise<T> {
  const db = await freshDatabase()
  try {
    return await run(() => bootKernel(baseKernelConfig({ ...db.config, plugins: installed(...plugins), bootTimeoutMs })))
  } finally { await db.drop() }
}

test('plugins boot in dependency order and are destroyed in reverse, each after its own onClose', async (t) => {
  const events: string[] = []
  const recorder = (id: string, extra: Partial<PluginDefinition<any>> = {}) => plugin(id, {
    ...extra,
    services: () => { events.push(`services:${id}`); return { id } },
    bootstrap: (ctx) => {
      events.push(`bootstrap:${id}`)
      ctx.onClose(() => { events.push(`onClose:${id}`) })
    },
    destroy: () => { events.push(`destroy:${id}`) },
  })
  // Config lists beta first, but it depends on alpha, which depends on clients.
  const beta = recorder('beta', { dependsOn: ['alpha'] })
  const alpha = recorder('alpha', { dependsOn: ['clients'] })
  await withKernel([beta, clients, alpha], async (boot) => {
    const kernel = await boot()
    t.deepEqual(kernel.installedIds, ['clients', 'alpha', 'beta'])
    t.deepEqual(events, ['services:alpha', 'services:beta', 'bootstrap:alpha', 'bootstrap:beta'])
    // A dependency's services are reachable; the plugin's own too.
    t.truthy(kernel.contexts.get('alpha')!.use('clients').customers)
    events.length = 0
    await kernel.close()
    t.deepEqual(events, ['onClose:beta', 'destroy:beta', 'onClose:alpha', 'destroy:alpha'])
    t.false(await kernel.orm.isConnected())
  })
})

test('ctx.use() of a plugin not listed in dependsOn fails with plugin_not_accessible', async (t) => {
  const destroyed: string[] = []
  const first = plugin('first', { destroy: () => { destroyed.push('first') } })
  const sneaky = plugin('sneaky', { dependsOn: ['first'], bootstrap: (ctx) => { ctx.use('clients') } })
  await withKernel([clients, first, sneaky], async (boot) => {
    const e = await t.throwsAsync(boot(), { instanceOf: PluginNotAccessibleError })
    t.is(e.code, 'plugin_not_accessible')
    t.regex(e.message, /'sneaky'.*'clients'/)
    // What had booted was torn down.
    t.deepEqual(destroyed, ['first'])
  })
})

test('a bootstrap that never resolves fails with plugin_boot_timeout naming the plugin', async (t) => {
  const destroyed: string[] = []
  const ok = plugin('ok', { bootstrap: () => {}, destroy: () => { destroyed.push('ok') } })
  const hung = plugin('hung', { dependsOn: ['ok'], bootstrap: () => new Promise<void>(() => {}) })
  await withKernel([clients, ok, hung], async (boot) => {
    const e = await t.throwsAsync(boot(), { instanceOf: PluginBootTimeoutError })
    t.is(e.code, 'plugin_boot_timeout')
    t.regex(e.message, /'hung'/)
    t.true(destroyed.includes('ok'))
  }, 300)
})
