import { BaseProperty, BaseRecord, BaseResource, ValidationError } from 'adminjs'
import { FieldValidationError, ForbiddenError, isCatalogedError, NotFoundError, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import type { MemberJson, MembersService } from './service.js'

const PROPERTIES = [
  new BaseProperty({ path: 'id', isId: true, isSortable: false }),
  new BaseProperty({ path: 'name', isSortable: false, position: 1 }),
  new BaseProperty({ path: 'email', isSortable: false, position: 2 }),
  new BaseProperty({ path: 'mobile', isSortable: false, position: 3 }),
  new BaseProperty({ path: 'verified', isSortable: false, position: 4 }),
]
const actorOf = (context: any): AdminUser => {
  const a = context?.currentAdmin as AdminUser | undefined
  if (!a?.distributorId) throw new ForbiddenError('No hay un distribuidor en la sesión')
  return a
}
const params = (m: MemberJson) => ({ ...m, verified: m.emailVerified && m.mobileVerified ? 'Sí' : 'Pendiente' })
/** Service errors as AdminJS shows them: field errors beside the fields, the rest as the form's error. */
const adminError = (e: unknown) => {
  if (e instanceof FieldValidationError) return new ValidationError(Object.fromEntries(Object.entries(e.fields).map(([k, message]) => [k, { type: 'invalid', message }])))
  if (isCatalogedError(e) && e.status < 500) return new ValidationError({}, { type: e.code, message: e.message })
  return e
}

/**
 * "Herramientas → Usuarios" over the members service (core keeps the memberships, so there is no
 * table of ours to scope): every read and write is the current distributor's own members.
 */
export class MembersResource extends BaseResource {
  constructor(private readonly ctx: PluginContext<any>, private readonly members: MembersService) { super({}) }
  override id() { return 'DistributorUser' }
  override databaseName() { return 'cuenta-maestra' }
  override databaseType() { return 'members' }
  override properties() { return PROPERTIES }
  override property(path: string) { return PROPERTIES.find((p) => p.path() === path) ?? null as never }
  private async all(context: any) { return this.members.list(this.ctx.em(), actorOf(context).distributorId) }
  override async count(_filter: unknown, context?: any) { return (await this.all(context)).length }
  override async find(_filter: unknown, options: { limit?: number, offset?: number } = {}, context?: any) {
    const offset = Math.max(Number(options.offset) || 0, 0)
    return (await this.all(context)).slice(offset, offset + Math.min(Math.max(Number(options.limit) || 10, 1), 500)).map((m) => new BaseRecord(params(m), this))
  }
  override async findOne(id: string, context?: any) {
    const m = (await this.all(context)).find((x) => x.id === id)
    return m ? new BaseRecord(params(m), this) : null
  }
  override async findMany(ids: string[], context?: any) {
    return (await this.all(context)).filter((m) => ids.includes(m.id)).map((m) => new BaseRecord(params(m), this))
  }
  override async create(p: Record<string, unknown>, context?: any) {
    const a = actorOf(context)
    try {
      const { member } = await this.members.admit(this.ctx.em(), a.distributorId, { email: p.email, mobile: p.mobile, name: p.name }, a.profileId)
      return params(member)
    } catch (e) { throw adminError(e) }
  }
  override async update(): Promise<never> { throw new ForbiddenError('Los datos de un usuario los cambia él mismo en su perfil') }
  override async delete(id: string, context?: any) {
    const a = actorOf(context)
    try { await this.members.remove(this.ctx.em(), a.distributorId, String(id), a.profileId) } catch (e) {
      if (isCatalogedError(e) && e.status === 404) throw new NotFoundError('El usuario')
      throw adminError(e)
    }
  }
}

/** The CM resource: list, admit (e-mail + mobile), show and remove. */
export function membersAdmin(ctx: PluginContext<any>, members: MembersService) {
  const resource = new MembersResource(ctx, members)
  return {
    resources: [{
      resource,
      options: {
        navigation: { name: 'Herramientas', icon: 'Tool' },
        listProperties: ['name', 'email', 'mobile', 'verified'],
        showProperties: ['name', 'email', 'mobile', 'verified'],
        editProperties: ['email', 'mobile', 'name'],
        filterProperties: [],
        properties: { id: { isVisible: false }, verified: { isVisible: { list: true, show: true, filter: false, edit: false } } },
        actions: {
          edit: { isAccessible: false }, bulkDelete: { isAccessible: false }, search: { isAccessible: false },
          delete: { guard: '¿Quitar a este usuario? Sus sesiones y tokens de API de esta cuenta terminan de inmediato.' },
        },
      },
    }],
    locale: {
      resources: {
        DistributorUser: {
          properties: { name: 'Nombre', email: 'Correo electrónico', mobile: 'Número móvil', verified: 'Verificado' },
          actions: { new: 'Nuevo usuario', list: 'Usuarios', show: 'Usuario', delete: 'Quitar' },
        },
      },
      labels: { DistributorUser: 'Usuarios', Herramientas: 'Herramientas' },
    },
  }
}
