import type { EntityManager } from '@mikro-orm/postgresql'
import { FieldValidationError, formatHundredths, NotFoundError, parseHundredths, sql, textProblem } from '../../../core/plugin-api.js'
import { PACKAGE_ASSETS, type PackageAsset, type ToolsPackage } from '../entities/package.js'

/** A package in the API: `quantity` stamps as an integer, points as a decimal string ("1000.00"); `price` MXN with IVA. */
export interface PackageJson { id: string, asset: PackageAsset, quantity: number | string, price: string, description: string, forDistributors: boolean }
/** What create and update accept (the API body, the CM form): validated here, 422 naming the fields. */
export interface PackageInput { asset?: unknown, quantity?: unknown, price?: unknown, description?: unknown, forDistributors?: unknown }
export interface PackageFilter { asset?: PackageAsset, forDistributors?: boolean }
/** Who acts (audit log). */
export interface Actor { profileId?: string | null }

export const MAX_DESCRIPTION = 200
export const MAX_STAMPS = 10_000_000
/** Points and prices: at most 1 000 000 000.00. */
export const MAX_HUNDREDTHS = 100_000_000_000
const FIELDS = ['asset', 'quantity', 'price', 'description', 'forDistributors']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const COLUMNS = `id, distributor_id as "distributorId", asset, quantity::float8 as quantity, price::float8 as price, description,
  for_distributors as "forDistributors", created_at as "createdAt", archived_at as "archivedAt"`

/** "1500.00" or 1500 → hundredths (> 0), or a message in `fields`. */
function hundredths(value: unknown, field: string, label: string, fields: Record<string, string>): number | undefined {
  const n = typeof value === 'string' ? parseHundredths(value) : typeof value === 'number' && Number.isFinite(value) ? parseHundredths(String(value)) : null
  if (n === null || n <= 0 || n > MAX_HUNDREDTHS) { fields[field] = `${label} debe ser mayor que cero, con a lo más dos decimales (p. ej. "1500.00")`; return undefined }
  return n
}

function quantityOf(value: unknown, asset: PackageAsset, fields: Record<string, string>): number | undefined {
  if (asset === 'points') return hundredths(value, 'quantity', 'La cantidad de puntos', fields)
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : value
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_STAMPS) {
    fields.quantity = `La cantidad de timbres debe ser un número entero de 1 a ${MAX_STAMPS.toLocaleString('es-MX')}`
    return undefined
  }
  return n
}

/**
 * Checks a create (`current` absent: asset, quantity, price and description required) or an update
 * (only the fields given) and returns the columns to write. Nothing is written when a field is bad.
 */
export function parsePackage(input: PackageInput, current?: ToolsPackage): Partial<Omit<ToolsPackage, 'id' | 'distributorId' | 'createdAt' | 'archivedAt'>> {
  const fields: Record<string, string> = {}
  const given = (k: keyof PackageInput) => input[k] !== undefined
  for (const key of Object.keys(input)) if (!FIELDS.includes(key)) fields[key] = 'Campo desconocido'
  const out: ReturnType<typeof parsePackage> = {}
  let asset: PackageAsset | undefined = current?.asset
  if (given('asset') || !current) {
    if (typeof input.asset !== 'string' || !PACKAGE_ASSETS.includes(input.asset as PackageAsset)) fields.asset = 'El tipo debe ser "stamps" (timbres) o "points" (puntos)'
    else if (current && input.asset !== current.asset) fields.asset = 'El tipo de un paquete no cambia: elimínelo y cree otro'
    else asset = out.asset = input.asset as PackageAsset
  }
  if (given('quantity') || !current) {
    if (input.quantity === undefined || input.quantity === null || input.quantity === '') fields.quantity = 'Indique la cantidad'
    else if (asset) out.quantity = quantityOf(input.quantity, asset, fields)
  }
  if (given('price') || !current) {
    if (input.price === undefined || input.price === null || input.price === '') fields.price = 'Indique el precio'
    else out.price = hundredths(input.price, 'price', 'El precio', fields)
  }
  if (given('description') || !current) {
    const d = typeof input.description === 'string' ? input.description.trim() : undefined
    const bad = d === undefined ? 'debe ser texto' : d === '' ? 'es obligatoria' : textProblem(d, MAX_DESCRIPTION)
    if (bad) fields.description = `La descripción ${bad}`
    else out.description = d
  }
  if (given('forDistributors')) {
    if (typeof input.forDistributors !== 'boolean') fields.forDistributors = 'Debe ser verdadero o falso'
    else out.forDistributors = input.forDistributors
  } else if (!current) out.forDistributors = false
  if (Object.keys(fields).length) throw new FieldValidationError(fields)
  return out
}

/** A package as the API and other plugins show it. */
export const packageJson = (p: ToolsPackage): PackageJson => ({
  id: p.id, asset: p.asset,
  quantity: p.asset === 'points' ? formatHundredths(p.quantity) : p.quantity,
  price: formatHundredths(p.price), description: p.description, forDistributors: p.forDistributors,
})

/** Rules the settings keep when packages change (switches PCC stamp purchase off with the last customer stamps package). */
export interface PackageHooks {
  /** Throws 403 multilevel_not_entitled unless the distributor may sell to sub-distributors. */
  assertMultilevel(em: EntityManager, distributorId: string): Promise<void>
  /** Serializes package and settings changes of one distributor (same transaction). */
  lock(em: EntityManager, distributorId: string): Promise<void>
  /** After a change in `em`'s transaction: true when PCC stamp purchase was switched off. */
  changed(em: EntityManager, distributorId: string, actor: Actor): Promise<boolean>
  audit(em: EntityManager, entry: { action: string, subject: string, distributorId: string, actorProfileId: string | null, before?: unknown, after?: unknown }): Promise<void>
}

/**
 * Herramientas → Precios: the packages a distributor sells. Every write takes the owner and answers
 * 404 for another distributor's package; archived packages are neither listed nor found.
 */
export class PackagesService {
  constructor(private readonly hooks: PackageHooks) {}

  /** The distributor's live packages, cheapest per unit first within each asset (stamps first). */
  async list(em: EntityManager, distributorId: string, filter: PackageFilter = {}): Promise<ToolsPackage[]> {
    const where = ['distributor_id = ?', 'archived_at is null']
    const params: unknown[] = [distributorId]
    if (filter.asset) { where.push('asset = ?'); params.push(filter.asset) }
    if (filter.forDistributors !== undefined) { where.push('for_distributors = ?'); params.push(filter.forDistributors) }
    return sql<ToolsPackage[]>(em, `select ${COLUMNS} from tools_package where ${where.join(' and ')}
      order by asset desc, for_distributors, quantity, price, created_at, id`, params)
  }

  /** Any live package by id (whoever owns it), or null when missing or archived. `lock`: FOR SHARE, so it cannot be archived or changed until the caller's transaction ends. */
  async get(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<ToolsPackage | null> {
    if (typeof id !== 'string' || !UUID.test(id)) return null
    const [row] = await sql<ToolsPackage[]>(em, `select ${COLUMNS} from tools_package where id = ? and archived_at is null${opts.lock ? ' for share' : ''}`, [id])
    return row ?? null
  }

  /** One of the distributor's own live packages; anything else is 404. */
  async getOwn(em: EntityManager, distributorId: string, id: string, lock = false): Promise<ToolsPackage> {
    if (typeof id !== 'string' || !UUID.test(id)) throw new NotFoundError('El paquete')
    const [row] = await sql<ToolsPackage[]>(em, `select ${COLUMNS} from tools_package where id = ? and distributor_id = ? and archived_at is null${lock ? ' for update' : ''}`, [id, distributorId])
    if (!row) throw new NotFoundError('El paquete')
    return row
  }

  async create(em: EntityManager, distributorId: string, input: PackageInput, actor: Actor = {}): Promise<ToolsPackage> {
    const v = parsePackage(input)
    return em.transactional(async (tx) => {
      if (v.forDistributors) await this.hooks.assertMultilevel(tx, distributorId)
      await this.hooks.lock(tx, distributorId)
      const [row] = await sql<ToolsPackage[]>(tx, `insert into tools_package (distributor_id, asset, quantity, price, description, for_distributors)
        values (?, ?, ?, ?, ?, ?) returning ${COLUMNS}`, [distributorId, v.asset, v.quantity, v.price, v.description, v.forDistributors])
      await this.hooks.audit(tx, { action: 'tools.packageCreated', subject: `package:${row.id}`, distributorId, actorProfileId: actor.profileId ?? null, after: packageJson(row) })
      return row
    })
  }

  /** Changes quantity, price, description or the "Distribuidor" box; orders and sales keep the figures they recorded. */
  async update(em: EntityManager, distributorId: string, id: string, patch: PackageInput, actor: Actor = {}): Promise<ToolsPackage> {
    return em.transactional(async (tx) => {
      await this.hooks.lock(tx, distributorId)
      const before = await this.getOwn(tx, distributorId, id, true)
      const v = parsePackage(patch, before)
      if (v.forDistributors && !before.forDistributors) await this.hooks.assertMultilevel(tx, distributorId)
      const [row] = await sql<ToolsPackage[]>(tx, `update tools_package set quantity = ?, price = ?, description = ?, for_distributors = ? where id = ? returning ${COLUMNS}`,
        [v.quantity ?? before.quantity, v.price ?? before.price, v.description ?? before.description, v.forDistributors ?? before.forDistributors, id])
      await this.hooks.audit(tx, { action: 'tools.packageUpdated', subject: `package:${id}`, distributorId, actorProfileId: actor.profileId ?? null, before: packageJson(before), after: packageJson(row) })
      await this.hooks.changed(tx, distributorId, actor)
      return row
    })
  }

  /**
   * Deletes a package for buyers: it is archived, so orders and sales that name it keep it. When it
   * was the last customer stamps package, PCC stamp purchase is switched off (`pccStampPurchaseOff`).
   */
  async archive(em: EntityManager, distributorId: string, id: string, actor: Actor = {}): Promise<{ pccStampPurchaseOff: boolean }> {
    return em.transactional(async (tx) => {
      await this.hooks.lock(tx, distributorId)
      const before = await this.getOwn(tx, distributorId, id, true)
      await sql(tx, 'update tools_package set archived_at = now() where id = ?', [id])
      await this.hooks.audit(tx, { action: 'tools.packageArchived', subject: `package:${id}`, distributorId, actorProfileId: actor.profileId ?? null, before: packageJson(before) })
      return { pccStampPurchaseOff: await this.hooks.changed(tx, distributorId, actor) }
    })
  }

  /** Live customer (not "Distribuidor") stamps packages of the distributor. */
  async countCustomerStampPackages(em: EntityManager, distributorId: string): Promise<number> {
    const [{ n }] = await sql<{ n: number }[]>(em, `select count(*)::int as n from tools_package where distributor_id = ? and asset = 'stamps' and not for_distributors and archived_at is null`, [distributorId])
    return n
  }

  json(row: ToolsPackage): PackageJson { return packageJson(row) }
}
