import {
  EntityNameClashError, PluginClashError, PluginCycleError, PluginDependencyMissingError, PluginDuplicateError,
  PluginInvalidError, PluginOptionsInvalidError,
} from './errors.js'
import type { InstalledPlugin, PluginDefinition } from './plugin.js'

export interface ResolvedPlugin { plugin: PluginDefinition<any>, options: unknown }

const ID = /^[a-z][a-z0-9-]*$/

/**
 * Checks what configuration installs before any plugin code runs: ids, duplicates, dependencies,
 * cycles, options and entity names. Returns plugins in boot order: dependencies first, ties in the
 * order config lists them.
 */
export function resolvePlugins(installed: readonly InstalledPlugin[], reservedEntities: Record<string, string> = {}): ResolvedPlugin[] {
  const byId = new Map<string, InstalledPlugin>()
  for (const entry of installed) {
    const { id } = entry.plugin
    if (typeof id !== 'string' || !ID.test(id)) throw new PluginInvalidError(String(id), 'id must be kebab-case')
    if (typeof entry.plugin.version !== 'string') throw new PluginInvalidError(id, 'version is required')
    if (byId.has(id)) throw new PluginDuplicateError(id)
    byId.set(id, entry)
  }
  for (const entry of installed) {
    for (const dep of entry.plugin.dependsOn ?? []) {
      if (!byId.has(dep)) throw new PluginDependencyMissingError(dep, entry.plugin.id)
    }
  }
  const order = bootOrder(installed.map((e) => e.plugin))
  const owners = new Map(Object.entries(reservedEntities))
  const tables = new Map<string, string>()
  return order.map((plugin) => {
    const prefix = `${plugin.id.replaceAll('-', '_')}_`
    for (const entity of plugin.entities ?? []) {
      const name = entity.meta.className
      const owner = owners.get(name)
      if (owner) throw new EntityNameClashError(name, owner, plugin.id)
      owners.set(name, plugin.id)
      const table = entity.meta.tableName ?? entity.meta.collection
      if (!table?.startsWith(prefix)) throw new PluginInvalidError(plugin.id, `table '${table}' of entity '${name}' must be prefixed '${prefix}'`)
      if (tables.has(table)) throw new PluginClashError(`Table '${table}'`, tables.get(table)!, plugin.id)
      tables.set(table, plugin.id)
    }
    for (const m of plugin.migrations ?? []) {
      if (!m.name.startsWith(prefix)) throw new PluginInvalidError(plugin.id, `migration '${m.name}' must be prefixed '${prefix}'`)
    }
    return { plugin, options: parseOptions(plugin, byId.get(plugin.id)!.options) }
  })
}

function parseOptions(plugin: PluginDefinition<any>, raw: unknown): unknown {
  if (!plugin.options) {
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Object.keys(raw).length > 0)) {
      throw new PluginOptionsInvalidError(plugin.id, 'this plugin takes no options')
    }
    return {}
  }
  const result = plugin.options.safeParse(raw ?? {})
  if (!result.success) {
    const problems = result.error.issues.map((i: { path: PropertyKey[], message: string }) =>
      `${i.path.map(String).join('.') || '(options)'}: ${i.message}`).join('; ')
    throw new PluginOptionsInvalidError(plugin.id, problems)
  }
  return result.data
}

/** Depth-first topological sort; visiting in config order keeps ties stable. */
export function bootOrder(plugins: readonly PluginDefinition<any>[]): PluginDefinition<any>[] {
  const byId = new Map(plugins.map((p) => [p.id, p]))
  const state = new Map<string, 'visiting' | 'done'>()
  const out: PluginDefinition<any>[] = []
  const visit = (p: PluginDefinition<any>, path: string[]) => {
    const s = state.get(p.id)
    if (s === 'done') return
    if (s === 'visiting') {
      const start = path.indexOf(p.id)
      throw new PluginCycleError([...path.slice(start), p.id])
    }
    state.set(p.id, 'visiting')
    for (const dep of p.dependsOn ?? []) {
      const d = byId.get(dep)
      if (!d) throw new PluginDependencyMissingError(dep, p.id)
      visit(d, [...path, p.id])
    }
    state.set(p.id, 'done')
    out.push(p)
  }
  for (const p of plugins) visit(p, [])
  return out
}
