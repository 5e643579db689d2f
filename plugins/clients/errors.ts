import { defineError } from '../../core/kernel/errors.js'

export const CustomerNotFoundError = defineError('customer_not_found', 404, (nic: string) => `Customer ${nic} not found`)
