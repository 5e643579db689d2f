import { defineError } from '../../core/plugin-api.js'

export const InvalidTransitionError = defineError('invalid_transition', 409,
  (action: string, state: string) => `No se puede ${action} una cuenta en estado ${state}`)
export const MultilevelNotEntitledError = defineError('multilevel_not_entitled', 403,
  () => 'Su cuenta no tiene el derecho "MKL Multi-nivel": no puede administrar subdistribuidores')
