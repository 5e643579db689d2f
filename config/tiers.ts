/**
 * Tier → plugins it enables. Reviewed like code; which tier a distributor has is data (set in the
 * staff console). '*' enables every installed plugin.
 */
export interface TierDefinition { name: string, plugins: readonly string[] | '*' }
export type TierConfig = Record<string, TierDefinition>

export const tiers: TierConfig = {
  basico: { name: 'Básico', plugins: ['clients'] },
  completo: { name: 'Completo', plugins: '*' },
}

/** The tier the platform's root distributor (staff) and demo distributors get. */
export const FULL_TIER = 'completo'
