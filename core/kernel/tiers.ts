import type { TierConfig } from '../../config/tiers.js'

/** Plugin ids a tier enables among those installed; an unknown tier enables nothing. */
export function pluginsOfTier(tiers: TierConfig, tier: string, installed: readonly string[]): string[] {
  const def = tiers[tier]
  if (!def) return []
  return def.plugins === '*' ? [...installed] : installed.filter((id) => (def.plugins as readonly string[]).includes(id))
}
