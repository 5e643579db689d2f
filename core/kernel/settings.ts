import type { EntityManager } from '@mikro-orm/postgresql'
import { z } from 'zod'
import { FieldValidationError } from './errors.js'

/** One plugin's settings for one distributor: the plugin's schema, every field with a default. */
export interface PluginSettings<T> {
  get(em: EntityManager, distributorId: string): Promise<T>
  /** Validates the merged settings (422 naming the fields, in Spanish) and stores the patched fields. */
  update(em: EntityManager, distributorId: string, patch: Partial<T>): Promise<T>
}

export function pluginSettings<T>(plugin: string, schema: z.ZodObject = z.object({})): PluginSettings<T> {
  // Only fields set explicitly are stored, so a later change of a default reaches everyone else.
  const stored = async (em: EntityManager, distributorId: string) => ((await em.execute<{ value: Record<string, unknown> }[]>(
    'select value from core_distributor_setting where distributor_id = ? and plugin = ?', [distributorId, plugin]))[0]?.value ?? {})
  return {
    get: async (em, distributorId) => schema.parse(await stored(em, distributorId)) as T,
    async update(em, distributorId, patch) {
      const fields: Record<string, string> = {}
      for (const key of Object.keys(patch)) if (!(key in schema.shape)) fields[key] = 'Campo desconocido'
      const parsed = schema.safeParse({ ...(await stored(em, distributorId)), ...patch }, { error: z.locales.es().localeError })
      for (const issue of parsed.error?.issues ?? []) fields[issue.path.join('.') || 'settings'] ??= issue.message
      if (Object.keys(fields).length || !parsed.success) throw new FieldValidationError(fields)
      const value = Object.fromEntries(Object.keys(patch).map((k) => [k, parsed.data[k]]))
      // Merged key by key in the statement: two updates of different fields at once both stay.
      await em.execute(`insert into core_distributor_setting (distributor_id, plugin, value) values (?, ?, ?::jsonb)
        on conflict (distributor_id, plugin) do update set value = core_distributor_setting.value || excluded.value`, [distributorId, plugin, JSON.stringify(value)])
      return parsed.data as T
    },
  }
}
