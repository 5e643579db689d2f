import { defineError } from '../kernel/errors.js'

export const EmailTakenError = defineError('email_taken', 409, () => 'That e-mail already belongs to a profile')
export const MobileTakenError = defineError('mobile_taken', 409, () => 'That mobile already belongs to a profile')
export const ProfileNotFoundError = defineError('profile_not_found', 404, (login: string) => `No profile with login ${login}`)
export const InvalidTokenError = defineError('invalid_token', 400, () => 'The link is invalid or has expired')
export const DistributorNotFoundError = defineError('distributor_not_found', 404, (id: string) => `Distributor ${id} not found`)
export const AmbiguousDistributorError = defineError('distributor_ambiguous', 400,
  (login: string) => `${login} is a member of several distributors; pass --distributor`)
export const NotAMemberError = defineError('not_a_member', 400, (login: string) => `${login} is not a member of any distributor`)
export const DistributorCycleError = defineError('distributor_cycle', 422,
  (id: string, parentId: string) => `Distributor ${id} cannot move under ${parentId}, which is in its own subtree`)
export const LastMemberError = defineError('last_member', 409, () => 'A distributor keeps at least one member')
