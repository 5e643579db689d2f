import { defineError } from '../../../core/plugin-api.js'

export const CustomerWithoutOwnerError = defineError('customer_without_owner', 409,
  (nic: string) => `El cliente ${nic} no tiene perfil principal. Asígnele uno («Asignar perfil admin») antes de convertirlo en distribuidor.`)
export const CustomerAlreadyConvertedError = defineError('customer_already_converted', 409,
  (nic: string) => `El cliente ${nic} ya es la cuenta propia de un distribuidor.`)
