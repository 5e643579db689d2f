import { defineError } from '../../core/kernel/errors.js'

export const CustomerNotFoundError = defineError('customer_not_found', 404, (nic: string) => `Customer ${nic} not found`)
export const ProfileNotMatchedError = defineError('profile_not_matched', 422,
  () => 'No profile has that e-mail and mobile (the person must first have a profile)')
export const OwnerAdministersCmError = defineError('owner_administers_cm', 422,
  () => 'A profile that administers a CM cannot own a customer')
export const ProfileAlreadyLinkedError = defineError('profile_already_linked', 409, () => 'That profile is already linked to this customer')
export const OwnerCannotBeUnlinkedError = defineError('owner_cannot_be_unlinked', 409, () => 'The owner profile cannot be unlinked; assign another owner from the CM')
export const LastLinkedProfileError = defineError('last_linked_profile', 409, () => 'A customer needs at least one linked profile')
export const CustomerHasMovementsError = defineError('customer_has_movements', 409,
  (nics: string[]) => `${nics.length > 1 ? 'Los clientes' : 'El cliente'} ${nics.join(', ')} ${nics.length > 1 ? 'tienen' : 'tiene'} movimientos (timbres, ventas o licencias) y no se puede${nics.length > 1 ? 'n' : ''} eliminar. Para darlo de baja, márquelo con la categoría «Baja».`)
