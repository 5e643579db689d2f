/** Spanish strings of the stamping plugin's CM screens, merged into AdminJS's `es` locale. */
const actions = {
  transfer: 'Transferir timbres', block: 'Bloquear', unblock: 'Reactivar', resetPassword: 'Restablecer contraseña',
  revealPassword: 'Ver contraseña inicial', payRenewal: 'Pagar renovación', massTransfer: 'Transferencia masiva', autoSale: 'Venta automática', createCti: 'Crear cuenta de timbrado',
  stampingAccounts: 'Cuentas de timbrado',
}

export const stampingAdminLocale = {
  labels: { StampingAccount: 'Timbrado' },
  // Also at the top level: AdminJS's breadcrumbs translate the action without its resource.
  actions,
  resources: {
    StampingAccount: {
      properties: {
        id: 'CTI', customerSearch: 'Cliente (nombre, RFC, NIC, teléfono…)', customerNic: 'Cliente (NIC)', type: 'Tipo', typeLabel: 'Tipo', active: 'Activa', activeLabel: 'Activa', balance: 'Saldo (timbres)', validUntil: 'Vigencia', rfc: 'RFC',
        autoSale: 'Venta automática', autoSaleMinimum: 'Venta automática: mínimo', autoSaleQuantity: 'Venta automática: cantidad',
        autoSaleAmount: 'Venta automática: importe (MXN)', autoSaleWarning: 'Aviso de venta automática', createdAt: 'Alta',
        lowStamps: 'Con pocos timbres', customerName: 'Cliente', renewalWarning: 'Aviso de renovación',
      },
      actions: {
        list: 'Cuentas de timbrado', show: 'Ver', ...actions,
      },
    },
    // The action stamping adds to the clients plugin's customers.
    Customer: { actions: { stampingAccounts: 'Cuentas de timbrado' } },
  },
}
