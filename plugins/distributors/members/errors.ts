import { defineError } from '../../../core/plugin-api.js'

export const MemberNotFoundError = defineError('member_not_found', 404, () => 'Ese usuario no es miembro de esta cuenta')
export const AlreadyMemberError = defineError('already_member', 409, () => 'Ese perfil ya es usuario de esta cuenta')
