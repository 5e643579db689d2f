import { defineError } from '../../core/plugin-api.js'

export const CustomerNotFoundError = defineError('customer_not_found', 404, (nic: string) => `No se encontró el cliente ${nic}`)
export const ProfileNotMatchedError = defineError('profile_not_matched', 422,
  () => 'Ningún perfil tiene ese correo y móvil (la persona debe crear primero su perfil)')
export const OwnerAdministersCmError = defineError('owner_administers_cm', 422,
  () => 'Un perfil que administra una CM no puede ser el perfil principal de un cliente')
export const ProfileAlreadyLinkedError = defineError('profile_already_linked', 409, () => 'Ese perfil ya está vinculado a este cliente')
export const OwnerCannotBeUnlinkedError = defineError('owner_cannot_be_unlinked', 409, () => 'El perfil principal no puede desvincularse; asigne otro perfil principal desde la CM')
export const LastLinkedProfileError = defineError('last_linked_profile', 409, () => 'Un cliente necesita al menos un perfil vinculado')
export const CustomerHasMovementsError = defineError('customer_has_movements', 409,
  (nics: string[]) => `${nics.length > 1 ? 'Los clientes' : 'El cliente'} ${nics.join(', ')} ${nics.length > 1 ? 'tienen' : 'tiene'} movimientos (timbres, ventas o licencias) y no se puede${nics.length > 1 ? 'n' : ''} eliminar. Para darlo de baja, márquelo con la categoría «Baja».`)
