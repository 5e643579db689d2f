/** Spanish strings for the core's admin resources, merged over AdminJS's own `es` locale. */
export const coreAdminLocale = {
  actions: { revoke: 'Revocar' },
  labels: { Distributor: 'Distribuidores', Tier: 'Niveles', ApiToken: 'Tokens de API', Job: 'Tareas programadas', Entitlement: 'Derechos adquiridos', AuditEntry: 'Bitácora', Staff: 'Consola de personal', Cuenta: 'Cuenta' },
  messages: {
    tokenCreated: 'Token creado. Cópielo ahora: no se volverá a mostrar.',
    tokenRevoked: 'Token revocado', revokeConfirm: '¿Revocar el token? Las aplicaciones que lo usan dejarán de tener acceso.',
    loginWelcome: 'Bienvenido a Cuenta Maestra',
  },
  resources: {
    Distributor: {
      actions: { new: 'Nuevo distribuidor' },
      properties: {
        name: 'Nombre', isRoot: 'Plataforma', parentId: 'Distribuidor padre', state: 'Estado', tier: 'Nivel',
        cmExpiresAt: 'Vencimiento del CM', createdAt: 'Alta', memberName: 'Nombre del primer usuario',
        memberEmail: 'Correo del primer usuario', memberMobile: 'Móvil del primer usuario', memberPassword: 'Contraseña inicial (si el perfil es nuevo)',
      },
    },
    AuditEntry: {
      properties: { at: 'Fecha', action: 'Acción', subject: 'Objeto', distributorId: 'Distribuidor', actorProfileId: 'Perfil que actuó', detail: 'Detalle (antes y después)' },
    },
    Tier: { properties: { id: 'Clave', name: 'Nombre', modules: 'Módulos' } },
    Job: { properties: { name: 'Tarea', lastStartedAt: 'Último inicio', lastFinishedAt: 'Última ejecución', lastResult: 'Último resultado', lastError: 'Último error', runs: 'Ejecuciones' } },
    Entitlement: {
      properties: { distributorId: 'Distribuidor', key: 'Derecho', since: 'Desde', until: 'Hasta (vacío: sin fin)', source: 'Origen', createdAt: 'Registrado' },
      actions: { edit: 'Cambiar fin de vigencia' },
    },
    ApiToken: {
      properties: { label: 'Descripción', prefix: 'Inicio del token', createdAt: 'Creado', revokedAt: 'Revocado', lastUsedAt: 'Último uso', profileId: 'Perfil', distributorId: 'Distribuidor' },
      actions: { revoke: 'Revocar' },
    },
  },
}

export const DISTRIBUTOR_STATE_LABELS: Record<string, string> = {
  unvalidated: 'Sin validar', inactive: 'Sin activar', active: 'Activo', suspended: 'Suspendido', cancelled: 'Cancelado', expired: 'Vencido',
}
