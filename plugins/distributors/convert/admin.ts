import { fileURLToPath } from 'node:url'
import { isCatalogedError, type AdminContribution, type AdminUser } from '../../../core/plugin-api.js'
import type { ConvertService } from './service.js'

export const CONVERT_COMPONENT = 'DistributorsConvertCustomer'
const componentFile = fileURLToPath(new URL('./components/convert-customer.jsx', import.meta.url))

/** "Convertir en distribuidor": an action on a Clientes record (GET shows what will happen, POST converts). */
export function convertAdmin(convert: ConvertService, em: () => import('@mikro-orm/postgresql').EntityManager): AdminContribution {
  return {
    components: { [CONVERT_COMPONENT]: componentFile },
    actionsFor: {
      Customer: {
        convertToDistributor: {
          actionType: 'record',
          icon: 'GitBranch',
          component: CONVERT_COMPONENT,
          handler: async (request: any, _response: any, context: any) => {
            const { record, currentAdmin } = context
            const admin: AdminUser = currentAdmin
            if (request.method !== 'post') return { record: record.toJSON(currentAdmin) }
            try {
              const { distributor } = await convert.convert(em(), admin.distributorId, String(record.params.nic), admin.profileId)
              const state = distributor.state === 'inactive' ? 'Sin activar: actívela en Distribuidores' : 'Sin validar: su perfil principal debe verificar su correo y su móvil'
              return { record: record.toJSON(currentAdmin), notice: { type: 'success', message: `El cliente ${record.params.nic} es ahora el distribuidor «${distributor.name}» (${state}).` } }
            } catch (e) {
              if (isCatalogedError(e) && e.status < 500) return { record: record.toJSON(currentAdmin), notice: { type: 'error', message: e.message } }
              throw e
            }
          },
        },
      },
    },
    locale: { resources: { Customer: { actions: { convertToDistributor: 'Convertir en distribuidor' } } } },
  }
}
