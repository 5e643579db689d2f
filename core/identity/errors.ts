import { defineError } from '../kernel/errors.js'

export const EmailTakenError = defineError('email_taken', 409, () => 'Ese correo ya pertenece a un perfil')
export const MobileTakenError = defineError('mobile_taken', 409, () => 'Ese móvil ya pertenece a un perfil')
export const ProfileNotFoundError = defineError('profile_not_found', 404, (login: string) => `No hay un perfil con el acceso ${login}`)
export const InvalidTokenError = defineError('invalid_token', 400, () => 'El enlace no es válido o ya venció')
export const DistributorNotFoundError = defineError('distributor_not_found', 404, (id: string) => `No se encontró el distribuidor ${id}`)
export const AmbiguousDistributorError = defineError('distributor_ambiguous', 400,
  (login: string) => `${login} es miembro de varios distribuidores; indique --distributor`)
export const NotAMemberError = defineError('not_a_member', 400, (login: string) => `${login} no es miembro de ningún distribuidor`)
export const DistributorCycleError = defineError('distributor_cycle', 422,
  (id: string, parentId: string) => `El distribuidor ${id} no puede quedar bajo ${parentId}, que está en su propio subárbol`)
export const LastMemberError = defineError('last_member', 409, () => 'No se puede quitar al último usuario: la cuenta debe conservar al menos uno')
