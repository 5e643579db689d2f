import { ScopedResource } from '../../../core/admin/scoped-resource.js'
import type { PluginContext } from '../../../core/kernel/plugin.js'
import { CATEGORIES, COLORS, CustomerSchema, type Customer } from '../entities/customer.js'
import type { CustomerInput, CustomersService } from '../services/customers.js'
import { CATEGORY_LABELS, COLOR_LABELS, TAX_REGIMES } from '../services/validate.js'

/** The admin names `otherData` (the column); the service takes the API's `notes`. */
const toInput = (params: Record<string, unknown>): CustomerInput => {
  const { otherData, ...rest } = params
  return otherData === undefined ? rest : { ...rest, notes: otherData }
}

const SCALARS = ['legalName', 'tradeName', 'rfc', 'taxRegime', 'postalCode', 'address', 'phone', 'email', 'otherData', 'stampPrice', 'category', 'color']

/** Clientes in the CM: the distributor's own customers only; created and edited through the service. */
export function customerResource(ctx: PluginContext, customers: CustomersService) {
  return {
    resource: new ScopedResource<Customer>(ctx.orm, {
      entity: CustomerSchema,
      scope: 'tenant',
      writable: SCALARS,
      filterable: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'email', 'category', 'color', 'createdAt'],
      create: ({ em, distributorId, params }) => customers.create(em, distributorId, toInput(params)),
      update: ({ em, entity, params }) => customers.update(em, entity, toInput(params)),
    }),
    options: {
      navigation: { icon: 'Users' },
      titleProperty: 'legalName',
      listProperties: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'category', 'color', 'createdAt'],
      showProperties: ['nic', ...SCALARS, 'createdAt'],
      editProperties: SCALARS,
      filterProperties: ['nic', 'legalName', 'tradeName', 'rfc', 'phone', 'email', 'category', 'color', 'createdAt'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        id: { isVisible: false },
        distributorId: { isVisible: false },
        legalRepresentative: { isVisible: false },
        financialContact: { isVisible: false },
        technicalContact: { isVisible: false },
        legalName: { isTitle: true, isRequired: true },
        rfc: { isRequired: true },
        otherData: { type: 'textarea' },
        taxRegime: { availableValues: Object.entries(TAX_REGIMES).map(([value, name]) => ({ value, label: `${value} · ${name}` })) },
        category: { availableValues: CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] })) },
        color: { availableValues: COLORS.map((value) => ({ value, label: COLOR_LABELS[value] })) },
      },
    },
  }
}

export const clientsAdminLocale = {
  labels: { Customer: 'Clientes', Clientes: 'Clientes' },
  resources: {
    Customer: {
      properties: {
        nic: 'NIC', legalName: 'Razón social', tradeName: 'Nombre comercial', rfc: 'RFC', taxRegime: 'Régimen fiscal', postalCode: 'Código postal',
        address: 'Domicilio', phone: 'Teléfono', email: 'Correo', otherData: 'Notas', stampPrice: 'Precio de timbre (MXN)',
        category: 'Categoría', color: 'Color', createdAt: 'Alta',
      },
      actions: { list: 'Clientes', new: 'Agregar cliente' },
    },
  },
}
