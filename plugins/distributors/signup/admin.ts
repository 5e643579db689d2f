import { fileURLToPath } from 'node:url'
import { isCatalogedError, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import type { SignupService } from './service.js'

export const SIGNUP_LINK_COMPONENT = 'DistributorsSignupLink'
const componentFile = fileURLToPath(new URL('./components/signup-link.jsx', import.meta.url))

/**
 * The CM page "Enlace de alta": the distributor's signed sign-up link to put on its website, and a
 * button that revokes it (every earlier link then answers 404) and shows the new one.
 */
export function signupAdmin(ctx: PluginContext<any>, signup: SignupService): AdminContribution {
  return {
    pages: {
      signupLink: {
        label: 'Enlace de alta',
        component: SIGNUP_LINK_COMPONENT,
        icon: 'Link',
        handler: async (request: any, _response: any, context: any) => {
          const admin: AdminUser | undefined = context?.currentAdmin
          if (!admin?.distributorId) return { error: 'No hay un distribuidor en la sesión.' }
          try {
            if (request.method === 'post') {
              const link = await signup.rotate(ctx.em(), admin.distributorId, admin.profileId)
              return { ...link, notice: 'Se revocó el enlace anterior; este es el nuevo.' }
            }
            return await signup.link(ctx.em(), admin.distributorId)
          } catch (e) {
            if (isCatalogedError(e) && e.status < 500) return { error: e.message }
            throw e
          }
        },
      },
    },
    components: { [SIGNUP_LINK_COMPONENT]: componentFile },
  }
}
