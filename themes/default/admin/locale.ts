/**
 * AdminJS's own strings in the manuals' Spanish ("usted"), over its bundled `es` locale, which is
 * machine-translated ("Espectáculo", "Registro dado eliminado con éxito") and misses a few keys (the
 * confirmation box's title fell back to "Confirm"). Data of the theme, like its brand: the core's
 * and plugins' strings are merged over these, and config/app.ts `adminLocale` over everything.
 */
export const adminJsSpanish = {
  actions: { new: 'Crear', edit: 'Editar', show: 'Ver', delete: 'Eliminar', bulkDelete: 'Eliminar seleccionados', list: 'Lista', search: 'Buscar' },
  buttons: {
    save: 'Guardar', addNewItem: 'Agregar elemento', filter: 'Filtrar', filterActive: 'Filtrar ({{count}})', applyChanges: 'Aplicar',
    resetFilter: 'Quitar filtros', confirmRemovalMany: 'Eliminar {{count}} registro', confirmRemovalMany_plural: 'Eliminar {{count}} registros',
    logout: 'Cerrar sesión', login: 'Iniciar sesión', createFirstRecord: 'Crear el primero', cancel: 'Cancelar', confirm: 'Confirmar', ok: 'Aceptar', contactUs: 'Contacto',
  },
  labels: {
    navigation: 'Navegación', pages: 'Páginas', selectedRecords: 'Seleccionados ({{selected}})', filters: 'Filtros', dashboard: 'Inicio',
    adminVersion: 'AdminJS {{version}}', appVersion: 'Versión {{version}}', confirm: '¿Confirma?', 'modal-label': '¿Confirma?',
  },
  properties: { length: 'Cantidad', from: 'Desde', to: 'Hasta' },
  components: {
    DropZone: { placeholder: 'Suelte aquí su archivo o haga clic para elegirlo', acceptedType: 'Tipos aceptados: {{mimeTypes}}', unsupportedType: 'El archivo {{fileName}} es de un tipo no aceptado: {{fileType}}', unsupportedSize: 'El archivo {{fileName}} es demasiado grande' },
    Login: { welcomeHeader: 'Bienvenido', welcomeMessage: 'a Cuenta Maestra', loginButton: 'Entrar' },
  },
  messages: {
    successfullyBulkDeleted: 'Se eliminó {{count}} registro', successfullyBulkDeleted_plural: 'Se eliminaron {{count}} registros',
    successfullyDeleted: 'Registro eliminado', successfullyUpdated: 'Cambios guardados', successfullyCreated: 'Registro creado',
    thereWereValidationErrors: 'Hay datos por corregir: revise los campos marcados.',
    forbiddenError: 'No tiene permiso para esta acción.', anyForbiddenError: 'No tiene permiso para esta acción.',
    bulkDeleteError: 'No se pudieron eliminar los registros. Inténtelo de nuevo.',
    errorFetchingRecords: 'No se pudieron cargar los registros. Inténtelo de nuevo.',
    errorFetchingRecord: 'No se pudo cargar el registro. Inténtelo de nuevo.',
    // AdminJS's record form says this in English when a save fails (notice-box.jsx maps it here).
    saveFailed: 'No se pudieron guardar los cambios. Revise su conexión e inténtelo de nuevo.',
    noRecordsSelected: 'No ha seleccionado ningún registro', pickSomeFirstToRemove: 'Seleccione primero los registros que desea eliminar',
    theseRecordsWillBeRemoved: 'Se eliminará el siguiente registro', theseRecordsWillBeRemoved_plural: 'Se eliminarán los siguientes registros',
    error404Resource: 'Esta sección no existe o no tiene acceso a ella.',
    error404Action: 'Esta acción no existe aquí o no tiene permiso para usarla.',
    error404Record: 'El registro no existe o no tiene permiso para verlo.',
    seeConsoleForMore: 'Si el problema continúa, comuníquese con soporte.',
    noActionComponent: 'Esta acción no tiene pantalla.', noRecordsInResource: 'Aún no hay registros', noRecords: 'No hay registros',
    confirmDelete: '¿Eliminar este registro?', invalidCredentials: 'Correo o contraseña incorrectos',
    welcomeOnBoard_title: 'Bienvenido', welcomeOnBoard_subtitle: '', keyPlaceholder: 'CLAVE', valuePlaceholder: 'VALOR', initialKey: 'Clave-{{number}}',
    keyInUse: 'Las claves deben ser únicas.', keyValuePropertyDefaultDescription: 'Todos los valores se guardan como texto.',
    pageNotFound_title: 'Página no encontrada', pageNotFound_subtitle: 'La página <strong>"{{pageName}}"</strong> no existe',
    componentNotFound_title: 'Pantalla no disponible', componentNotFound_subtitle: 'Esta pantalla no tiene un componente que la muestre.',
  },
}
