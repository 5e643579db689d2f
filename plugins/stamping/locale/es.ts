/** Spanish strings of the stamping plugin's CM screens, merged into AdminJS's `es` locale. */
export const stampingAdminLocale = {
  labels: { StampingAccount: 'Timbrado' },
  resources: {
    StampingAccount: {
      properties: {
        id: 'CTI', customerNic: 'Cliente (NIC)', type: 'Tipo', 'type.standard': 'Estándar', 'type.unlimited': 'Ilimitada',
        active: 'Activa', 'active.true': 'Sí', 'active.false': 'No', balance: 'Saldo (timbres)', validUntil: 'Vigencia', rfc: 'RFC',
        autoSale: 'Venta automática', autoSaleMinimum: 'Venta automática: mínimo', autoSaleQuantity: 'Venta automática: cantidad',
        autoSaleAmount: 'Venta automática: importe (MXN)', autoSaleWarning: 'Aviso de venta automática', createdAt: 'Alta',
      },
      actions: {
        list: 'Cuentas de timbrado', show: 'Ver', transfer: 'Transferir timbres', block: 'Bloquear', unblock: 'Reactivar',
        resetPassword: 'Restablecer contraseña', revealPassword: 'Ver contraseña inicial', massTransfer: 'Transferencia masiva',
        autoSale: 'Venta automática', createCti: 'Crear cuenta de timbrado',
      },
    },
  },
}
