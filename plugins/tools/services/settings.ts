import type { EntityManager } from '@mikro-orm/postgresql'
import { z } from 'zod'
import { FieldValidationError, formatHundredths, parseHundredths, sql, type PluginSettings } from '../../../core/plugin-api.js'
import type { Actor, PackagesService } from './packages.js'

const price = z.string().refine((s) => parseHundredths(s) !== null, 'un importe como "0.50"')

/** Herramientas → Configuración global, per distributor (the kernel's core_distributor_setting, plugin 'tools'). */
export const toolsSettingsSchema = z.object({
  /** MXN with IVA per stamp: a transfer's default amount when the customer has no stamp price of its own. */
  bulkStampPrice: price.default('0.00'),
  /** Customers may buy the distributor's customer stamps packages in the PCC. */
  pccStampPurchase: z.boolean().default(false),
  /** Customers may buy points in the PCC (each order must be covered by the distributor's own points). */
  pccPointsPurchase: z.boolean().default(false),
})
export type ToolsSettings = z.output<typeof toolsSettingsSchema>
export interface SettingsPatch { bulkStampPrice?: unknown, pccStampPurchase?: unknown, pccPointsPurchase?: unknown }

const FIELDS = ['bulkStampPrice', 'pccStampPurchase', 'pccPointsPurchase']
export const MAX_BULK_PRICE = 100_000_00
export const NO_PACKAGE = 'Para permitir la compra de timbres en el PCC defina antes al menos un paquete de timbres para sus clientes (Herramientas → Precios)'
export const NOT_SELLING = 'Para permitir la compra de timbres en el PCC su cuenta debe estar activa: mientras no lo está, la compra automática de timbres está en pausa'

/** The setting as the API shows it: "0.50", two decimals always. */
const normalized = (s: ToolsSettings): ToolsSettings => ({ ...s, bulkStampPrice: formatHundredths(parseHundredths(s.bulkStampPrice) ?? 0) })

export class SettingsService {
  constructor(
    private readonly store: PluginSettings<ToolsSettings>,
    private readonly packages: PackagesService,
    /** Whether the distributor's automatic stamp sales run now (an active account; the platform always). */
    private readonly sells: (em: EntityManager, distributorId: string) => Promise<boolean>,
    private readonly audit: (em: EntityManager, entry: { action: string, subject: string, distributorId: string, actorProfileId: string | null, before?: unknown, after?: unknown }) => Promise<void>,
  ) {}

  async get(em: EntityManager, distributorId: string): Promise<ToolsSettings> {
    return normalized(await this.store.get(em, distributorId))
  }

  /** The bulk stamp price in hundredths of MXN. */
  async bulkStampPrice(em: EntityManager, distributorId: string): Promise<number> {
    return parseHundredths((await this.store.get(em, distributorId)).bulkStampPrice) ?? 0
  }

  /** Serializes package and settings changes of one distributor until the transaction ends. */
  async lock(em: EntityManager, distributorId: string): Promise<void> {
    await sql(em, 'select pg_advisory_xact_lock(hashtextextended(?, 0))', [`tools:${distributorId}`])
  }

  /**
   * Patches the settings (422 naming each bad field, nothing stored). Turning PCC stamp purchase on
   * needs a customer stamps package and the distributor's automatic sales running (an active account).
   */
  async update(em: EntityManager, distributorId: string, patch: SettingsPatch, actor: Actor = {}): Promise<ToolsSettings> {
    const fields: Record<string, string> = {}
    const clean: Partial<ToolsSettings> = {}
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new FieldValidationError({ settings: 'Debe ser un objeto' })
    for (const key of Object.keys(patch)) if (!FIELDS.includes(key)) fields[key] = 'Campo desconocido'
    if (patch.bulkStampPrice !== undefined) {
      const v = patch.bulkStampPrice
      const n = typeof v === 'string' ? parseHundredths(v) : typeof v === 'number' && Number.isFinite(v) ? parseHundredths(String(v)) : null
      if (n === null || n > MAX_BULK_PRICE) fields.bulkStampPrice = 'El precio de timbre a granel debe ser un importe de 0 a 100000.00 con a lo más dos decimales (p. ej. "0.50")'
      else clean.bulkStampPrice = formatHundredths(n)
    }
    for (const key of ['pccStampPurchase', 'pccPointsPurchase'] as const) {
      if (patch[key] === undefined) continue
      if (typeof patch[key] !== 'boolean') fields[key] = 'Debe ser verdadero o falso'
      else clean[key] = patch[key] as boolean
    }
    if (Object.keys(fields).length) throw new FieldValidationError(fields)
    return em.transactional(async (tx) => {
      await this.lock(tx, distributorId)
      const before = await this.get(tx, distributorId)
      if (clean.pccStampPurchase && !before.pccStampPurchase) {
        if (!await this.packages.countCustomerStampPackages(tx, distributorId)) throw new FieldValidationError({ pccStampPurchase: NO_PACKAGE }, NO_PACKAGE)
        if (!await this.sells(tx, distributorId)) throw new FieldValidationError({ pccStampPurchase: NOT_SELLING }, NOT_SELLING)
      }
      const after = normalized(await this.store.update(tx, distributorId, clean))
      await this.audit(tx, { action: 'tools.settingsUpdated', subject: `settings:${distributorId}`, distributorId, actorProfileId: actor.profileId ?? null, before, after })
      return after
    })
  }

  /** After packages changed (same transaction, lock held): PCC stamp purchase goes off with the last customer stamps package. */
  async packagesChanged(em: EntityManager, distributorId: string, actor: Actor = {}): Promise<boolean> {
    const s = await this.get(em, distributorId)
    if (!s.pccStampPurchase || await this.packages.countCustomerStampPackages(em, distributorId)) return false
    await this.store.update(em, distributorId, { pccStampPurchase: false })
    await this.audit(em, { action: 'tools.settingsUpdated', subject: `settings:${distributorId}`, distributorId, actorProfileId: actor.profileId ?? null,
      before: s, after: { ...s, pccStampPurchase: false } })
    return true
  }
}
