import { BaseProperty, BaseRecord, BaseResource, ValidationError } from 'adminjs'
import { FieldValidationError, ForbiddenError, formatHundredths, isCatalogedError, parseHundredths, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import type { ToolsPackage } from '../entities/package.js'
import type { ToolsServices } from '../index.js'
import type { ToolsSettings } from '../services/settings.js'

/** 150000 → "1,500.00" (whole hundredths, no float). */
const grouped = (hundredths: number) => {
  const [int, cents] = formatHundredths(hundredths).split('.')
  return `${Number(int).toLocaleString('es-MX')}.${cents}`
}
export const pesos = (hundredths: number) => `$${grouped(hundredths)}`
const ASSET_LABEL = { stamps: 'Timbres', points: 'Puntos' } as const

const actorOf = (context: any): AdminUser => {
  const a = context?.currentAdmin as AdminUser | undefined
  if (!a?.distributorId) throw new ForbiddenError('No hay un distribuidor en la sesión')
  return a
}
/**
 * Service errors as AdminJS shows them: field errors beside the fields; a refusal of the whole
 * form beside `field` too, because AdminJS reports a save with only a base error as a success.
 */
const adminError = (e: unknown, field: string) => {
  if (e instanceof FieldValidationError) return new ValidationError(Object.fromEntries(Object.entries(e.fields).map(([k, message]) => [k, { type: 'invalid', message }])))
  if (isCatalogedError(e) && e.status < 500) return new ValidationError({ [field]: { type: e.code, message: e.message } }, { type: e.code, message: e.message })
  return e
}
/** What people type in a money field: "$1,500.00" → "1500.00". */
const typedAmount = (v: unknown) => (typeof v === 'string' ? v.replace(/[\s$,]/g, '') : v)
const typedBool = (v: unknown) => (v === true || v === 'true' ? true : v === false || v === 'false' || v === '' ? false : v)

// ── Precios ───────────────────────────────────────────────────────────────────────────────────

const PACKAGE_PROPERTIES = [
  new BaseProperty({ path: 'id', isId: true, isSortable: false }),
  new BaseProperty({ path: 'description', isSortable: false, position: 1 }),
  new BaseProperty({ path: 'assetText', isSortable: false, position: 2 }),
  new BaseProperty({ path: 'quantityText', isSortable: false, position: 3 }),
  new BaseProperty({ path: 'priceText', isSortable: false, position: 4 }),
  new BaseProperty({ path: 'buyer', isSortable: false, position: 5 }),
  new BaseProperty({ path: 'asset', isSortable: false, position: 6 }),
  new BaseProperty({ path: 'quantity', isSortable: false, position: 7 }),
  new BaseProperty({ path: 'price', isSortable: false, position: 8 }),
  new BaseProperty({ path: 'forDistributors', type: 'boolean', isSortable: false, position: 9 }),
]

/** A package as the CM shows it (text columns) and edits it (raw fields). */
const packageParams = (p: ToolsPackage) => ({
  id: p.id, description: p.description, asset: p.asset, assetText: ASSET_LABEL[p.asset],
  quantity: p.asset === 'points' ? formatHundredths(p.quantity) : String(p.quantity),
  quantityText: p.asset === 'points' ? `${grouped(p.quantity)} puntos` : `${p.quantity.toLocaleString('es-MX')} timbres`,
  price: formatHundredths(p.price), priceText: pesos(p.price),
  forDistributors: p.forDistributors, buyer: p.forDistributors ? 'Subdistribuidores' : 'Sus clientes',
})
const packageInput = (p: Record<string, unknown>) => {
  const out: Record<string, unknown> = {}
  for (const k of ['asset', 'quantity', 'price', 'description', 'forDistributors']) if (p[k] !== undefined) out[k] = p[k]
  if ('quantity' in out) out.quantity = typedAmount(out.quantity)
  if ('price' in out) out.price = typedAmount(out.price)
  if ('forDistributors' in out) out.forDistributors = typedBool(out.forDistributors)
  return out
}

/**
 * "Herramientas → Precios" over the packages service: every read and write is one of the current
 * distributor's own live packages (another's, or an archived one, is not found); delete archives.
 */
export class PackagesResource extends BaseResource {
  constructor(private readonly ctx: PluginContext<any>, private readonly s: ToolsServices) { super({}) }
  override id() { return 'ToolsPackage' }
  override databaseName() { return 'cuenta-maestra' }
  override databaseType() { return 'tools' }
  override properties() { return PACKAGE_PROPERTIES }
  override property(path: string) { return PACKAGE_PROPERTIES.find((p) => p.path() === path) ?? null as never }
  private async all(context: any) { return this.s.packages.list(this.ctx.em(), actorOf(context).distributorId) }
  override async count(_filter: unknown, context?: any) { return (await this.all(context)).length }
  override async find(_filter: unknown, options: { limit?: number, offset?: number } = {}, context?: any) {
    const offset = Math.max(Number(options.offset) || 0, 0)
    return (await this.all(context)).slice(offset, offset + Math.min(Math.max(Number(options.limit) || 10, 1), 500)).map((p) => new BaseRecord(packageParams(p), this))
  }
  override async findOne(id: string, context?: any) {
    try { return new BaseRecord(packageParams(await this.s.packages.getOwn(this.ctx.em(), actorOf(context).distributorId, String(id))), this) } catch (e) {
      if (isCatalogedError(e) && e.status === 404) return null
      throw e
    }
  }
  override async findMany(ids: string[], context?: any) {
    return (await this.all(context)).filter((p) => ids.includes(p.id)).map((p) => new BaseRecord(packageParams(p), this))
  }
  override async create(params: Record<string, unknown>, context?: any) {
    const a = actorOf(context)
    try { return packageParams(await this.s.packages.create(this.ctx.em(), a.distributorId, packageInput(params), { profileId: a.profileId })) } catch (e) { throw adminError(e, 'forDistributors') }
  }
  override async update(id: string, params: Record<string, unknown>, context?: any) {
    const a = actorOf(context)
    try { return packageParams(await this.s.packages.update(this.ctx.em(), a.distributorId, String(id), packageInput(params), { profileId: a.profileId })) } catch (e) { throw adminError(e, 'forDistributors') }
  }
  override async delete(id: string, context?: any) {
    const a = actorOf(context)
    const out = await this.s.packages.archive(this.ctx.em(), a.distributorId, String(id), { profileId: a.profileId })
    // The delete action's notice says so (see `after` below).
    if (context && out.pccStampPurchaseOff) context.pccStampPurchaseOff = true
  }
}

// ── Configuración global ──────────────────────────────────────────────────────────────────────

const SETTINGS_ID = 'global'
const SETTINGS_PROPERTIES = [
  new BaseProperty({ path: 'id', isId: true, isSortable: false }),
  // The record's title: without it AdminJS titled the screens with the id, "global".
  new BaseProperty({ path: 'title', isSortable: false, position: 0 }),
  new BaseProperty({ path: 'bulkStampPriceText', isSortable: false, position: 1 }),
  new BaseProperty({ path: 'pccStampPurchaseText', isSortable: false, position: 2 }),
  new BaseProperty({ path: 'pccPointsPurchaseText', isSortable: false, position: 3 }),
  new BaseProperty({ path: 'bulkStampPrice', isSortable: false, position: 4 }),
  new BaseProperty({ path: 'pccStampPurchase', type: 'boolean', isSortable: false, position: 5 }),
  new BaseProperty({ path: 'pccPointsPurchase', type: 'boolean', isSortable: false, position: 6 }),
]
const allowed = (b: boolean) => (b ? 'Permitida' : 'No permitida')
const settingsParams = (s: ToolsSettings) => ({
  id: SETTINGS_ID, title: 'Configuración global',
  bulkStampPrice: s.bulkStampPrice, bulkStampPriceText: `${pesos(parseHundredths(s.bulkStampPrice) ?? 0)} por timbre`,
  pccStampPurchase: s.pccStampPurchase, pccStampPurchaseText: allowed(s.pccStampPurchase),
  pccPointsPurchase: s.pccPointsPurchase, pccPointsPurchaseText: allowed(s.pccPointsPurchase),
})

/** "Herramientas → Configuración global": one record, the current distributor's settings (show and edit). */
export class SettingsResource extends BaseResource {
  constructor(private readonly ctx: PluginContext<any>, private readonly s: ToolsServices) { super({}) }
  override id() { return 'ToolsSetting' }
  override databaseName() { return 'cuenta-maestra' }
  override databaseType() { return 'tools' }
  override properties() { return SETTINGS_PROPERTIES }
  override property(path: string) { return SETTINGS_PROPERTIES.find((p) => p.path() === path) ?? null as never }
  private async one(context: any): Promise<BaseRecord> { return new BaseRecord(settingsParams(await this.s.settings.get(this.ctx.em(), actorOf(context).distributorId)), this) }
  override async count(_filter: unknown, context?: any) { actorOf(context); return 1 }
  override async find(_filter: unknown, _options: unknown, context?: any) { return [await this.one(context)] }
  override async findOne(id: string, context?: any): Promise<BaseRecord | null> { return id === SETTINGS_ID ? this.one(context) : null }
  override async findMany(ids: string[], context?: any): Promise<BaseRecord[]> { return ids.includes(SETTINGS_ID) ? [await this.one(context)] : [] }
  override async create(): Promise<never> { throw new ForbiddenError('La configuración global ya existe: edítela') }
  override async delete(): Promise<never> { throw new ForbiddenError('La configuración global no se elimina') }
  override async update(id: string, params: Record<string, unknown>, context?: any) {
    const a = actorOf(context)
    if (id !== SETTINGS_ID) throw new ForbiddenError()
    const patch: Record<string, unknown> = {}
    if (params.bulkStampPrice !== undefined) patch.bulkStampPrice = typedAmount(params.bulkStampPrice)
    for (const k of ['pccStampPurchase', 'pccPointsPurchase']) if (params[k] !== undefined) patch[k] = typedBool(params[k])
    try { return settingsParams(await this.s.settings.update(this.ctx.em(), a.distributorId, patch, { profileId: a.profileId })) } catch (e) { throw adminError(e, 'pccStampPurchase') }
  }
}

export function toolsAdmin(ctx: PluginContext<any>, s: ToolsServices): AdminContribution {
  const navigation = { name: 'Herramientas', icon: 'Tool' }
  const off = { isAccessible: false }
  return {
    resources: [
      {
        resource: new PackagesResource(ctx, s),
        options: {
          navigation,
          listProperties: ['description', 'assetText', 'quantityText', 'priceText', 'buyer'],
          showProperties: ['description', 'assetText', 'quantityText', 'priceText', 'buyer'],
          editProperties: ['asset', 'quantity', 'price', 'description', 'forDistributors'],
          filterProperties: [],
          properties: {
            id: { isVisible: false },
            description: { isTitle: true, type: 'textarea', description: 'Lo que verá el comprador (hasta 200 caracteres).' },
            asset: { availableValues: [{ value: 'stamps', label: 'Timbres' }, { value: 'points', label: 'Puntos' }], description: 'No cambia después: para otro tipo, elimine el paquete y cree otro.' },
            quantity: { description: 'Timbres: un número entero. Puntos: hasta dos decimales.' },
            price: { description: 'Precio del paquete en pesos, IVA incluido (p. ej. 1500.00).' },
            forDistributors: { description: 'Márquelo si el paquete es para sus subdistribuidores (requiere MKL Multi-nivel); sin marcar, es para sus clientes.' },
          },
          actions: {
            bulkDelete: off, search: off,
            // Nothing to filter by (filterProperties is empty): no "Filtrar" button opening an empty drawer.
            list: { showFilter: false },
            delete: {
              guard: '¿Eliminar este paquete? Dejará de ofrecerse; las compras que ya lo usaron lo conservan.',
              after: async (response: any, _request: unknown, context: any) => {
                if (context?.pccStampPurchaseOff && response?.notice?.type === 'success') {
                  response.notice = { type: 'success', message: 'Paquete eliminado. Era su último paquete de timbres para clientes: se desactivó la compra de timbres en el PCC.' }
                }
                return response
              },
            },
          },
        },
      },
      {
        resource: new SettingsResource(ctx, s),
        options: {
          navigation,
          // The sidebar opens the one record.
          href: ({ h }: any) => h.recordActionUrl({ resourceId: 'ToolsSetting', recordId: SETTINGS_ID, actionName: 'show' }),
          listProperties: ['bulkStampPriceText', 'pccStampPurchaseText', 'pccPointsPurchaseText'],
          showProperties: ['bulkStampPriceText', 'pccStampPurchaseText', 'pccPointsPurchaseText'],
          editProperties: ['bulkStampPrice', 'pccStampPurchase', 'pccPointsPurchase'],
          filterProperties: [],
          properties: {
            id: { isVisible: false },
            title: { isTitle: true, isVisible: false },
            bulkStampPrice: { description: 'Importe por timbre (pesos, IVA incluido) de una transferencia sin importe, cuando el cliente no tiene precio de timbre propio.' },
            pccStampPurchase: { description: `Sus clientes podrán comprar sus paquetes de timbres en el PCC. Requisitos: al menos un paquete de timbres para clientes y su cuenta activa (compra automática de timbres habilitada).` },
            pccPointsPurchase: { description: 'Sus clientes podrán pedir puntos en el PCC; cada pedido se rechaza si sus propios puntos no lo cubren.' },
          },
          actions: { new: off, delete: off, bulkDelete: off, search: off, list: { showFilter: false }, edit: { showInDrawer: false } },
        },
      },
    ],
    locale: {
      resources: {
        ToolsPackage: {
          properties: {
            description: 'Descripción', assetText: 'Tipo', quantityText: 'Cantidad', priceText: 'Precio', buyer: 'Para',
            asset: 'Tipo', quantity: 'Cantidad', price: 'Precio (MXN, IVA incluido)', forDistributors: 'Distribuidor',
          },
          actions: { new: 'Agregar paquete', list: 'Precios', show: 'Paquete', edit: 'Editar paquete', delete: 'Eliminar' },
        },
        ToolsSetting: {
          properties: {
            bulkStampPriceText: 'Precio general de timbres a granel', pccStampPurchaseText: 'Compra de timbres a través del PCC', pccPointsPurchaseText: 'Compra de puntos a través del PCC',
            bulkStampPrice: 'Precio general de timbres a granel (MXN, IVA incluido)', pccStampPurchase: 'Permitir compra de timbres a través del PCC', pccPointsPurchase: 'Permitir compra de puntos a través del PCC',
          },
          actions: { list: 'Configuración global', show: 'Configuración global', edit: 'Editar configuración' },
        },
      },
      labels: { ToolsPackage: 'Precios', ToolsSetting: 'Configuración global', Herramientas: 'Herramientas' },
    },
  }
}
