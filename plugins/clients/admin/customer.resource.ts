import { ScopedResource } from '../../../core/admin/scoped-resource.js'
import type { PluginContext } from '../../../core/kernel/plugin.js'
import { CustomerSchema, type Customer } from '../entities/customer.js'
import type { CustomersService } from '../services/customers.js'

/** Clientes in the CM: the distributor's own customers only; created and edited through the service. */
export function customerResource(ctx: PluginContext, customers: CustomersService) {
  return {
    resource: new ScopedResource<Customer>(ctx.orm, {
      entity: CustomerSchema,
      scope: 'tenant',
      writable: ['legalName', 'tradeName', 'rfc', 'phone'],
      filterable: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'createdAt'],
      create: ({ em, distributorId, params }) => customers.create(em, distributorId, params),
      update: ({ em, entity, params }) => customers.update(em, entity, params),
    }),
    options: {
      navigation: { icon: 'Users' },
      titleProperty: 'legalName',
      listProperties: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'createdAt'],
      showProperties: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'createdAt'],
      editProperties: ['legalName', 'tradeName', 'rfc', 'phone'],
      filterProperties: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'createdAt'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        id: { isVisible: false },
        distributorId: { isVisible: false },
        legalName: { isTitle: true, isRequired: true },
        rfc: { isRequired: true },
      },
    },
  }
}

export const clientsAdminLocale = {
  labels: { Customer: 'Clientes', Clientes: 'Clientes' },
  resources: {
    Customer: {
      properties: { nic: 'NIC', legalName: 'Razón social', tradeName: 'Nombre comercial', rfc: 'RFC', phone: 'Teléfono', createdAt: 'Alta' },
      actions: { list: 'Clientes', new: 'Agregar cliente' },
    },
  },
}
