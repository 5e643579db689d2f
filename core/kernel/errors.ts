/**
 * One catalogue of typed errors per area (this file for the kernel, `plugins/<id>/errors.ts` for each
 * plugin). The wire code is the contract: callers branch on the class or the code, never on the text.
 */
export interface CatalogedError extends Error {
  readonly code: string
  readonly status: number
  readonly retryable: boolean
  /** Extra machine-readable detail rendered into the API error body (e.g. which fields are invalid). */
  readonly details?: unknown
}

export type ErrorClass<A extends unknown[]> = {
  new (...args: A): CatalogedError
  readonly code: string
  readonly status: number
}

const registry = new Map<string, number>()

export function defineError<A extends unknown[]>(
  code: string,
  status: number,
  message: (...args: A) => string,
  retryable = false,
): ErrorClass<A> {
  if (!/^[a-z][a-z0-9_]*$/.test(code)) throw new Error(`error code must be snake_case: ${code}`)
  // The code is the API contract: two classes answering one code would be indistinguishable to clients.
  if (registry.has(code)) throw new Error(`error code defined twice: ${code}`)
  registry.set(code, status)
  return class extends Error implements CatalogedError {
    static readonly code = code
    static readonly status = status
    readonly code = code
    readonly status = status
    readonly retryable = retryable
    constructor(...args: A) {
      super(message(...args))
      this.name = code
    }
  }
}

export function isCatalogedError(e: unknown): e is CatalogedError {
  return e instanceof Error && typeof (e as CatalogedError).code === 'string' && typeof (e as CatalogedError).status === 'number'
}

/** Every code defined so far (for the catalogue test). */
export const definedErrorCodes = (): ReadonlyMap<string, number> => registry

// ── Kernel: plugin registry and boot ────────────────────────────────────────────────────────────
export const PluginDependencyMissingError = defineError('plugin_dependency_missing', 500,
  (dependency: string, plugin: string) => `The dependency '${dependency}' of plugin '${plugin}' is not installed`)
export const PluginCycleError = defineError('plugin_cycle', 500,
  (ids: string[]) => `Plugins depend on each other in a cycle: ${ids.join(' -> ')}`)
export const PluginDuplicateError = defineError('plugin_duplicate', 500,
  (id: string) => `Plugin '${id}' is installed twice`)
export const PluginOptionsInvalidError = defineError('plugin_options_invalid', 500,
  (id: string, problems: string) => `Invalid options for plugin '${id}': ${problems}`)
export const PluginInvalidError = defineError('plugin_invalid', 500,
  (id: string, problem: string) => `Plugin '${id}' is invalid: ${problem}`)
export const EntityNameClashError = defineError('entity_name_clash', 500,
  (name: string, a: string, b: string) => `Entity '${name}' is defined by both '${a}' and '${b}'; entity names must be unique`)
export const PluginBootTimeoutError = defineError('plugin_boot_timeout', 500,
  (id: string) => `Plugin did not start in time: '${id}'`)
export const PluginNotAccessibleError = defineError('plugin_not_accessible', 500,
  (from: string, to: string) => `Plugin '${from}' uses '${to}' without listing it in dependsOn`)
export const PluginClashError = defineError('plugin_clash', 500,
  (what: string, a: string, b: string) => `${what} is claimed by both '${a}' and '${b}'`)

// ── HTTP and API ────────────────────────────────────────────────────────────────────────────────
export const InternalError = defineError('internal_error', 500, () => 'Error interno; inténtelo de nuevo', true)
export const BadRequestError = defineError('bad_request', 400, (message: string) => message)
export const MalformedJsonError = defineError('malformed_json', 400, () => 'El cuerpo de la solicitud no es JSON válido')
export const PayloadTooLargeError = defineError('payload_too_large', 413, () => 'El cuerpo de la solicitud es demasiado grande')
export const UnauthenticatedError = defineError('unauthenticated', 401, () => 'Se requiere autenticación')
export const ForbiddenError = defineError('forbidden', 403, (message: string = 'No tiene permiso para esta acción') => message)
export const PluginNotInTierError = defineError('plugin_not_in_tier', 403,
  (plugin: string) => `Su nivel de servicio no incluye '${plugin}'`)
export const DistributorInactiveError = defineError('distributor_inactive', 403,
  () => 'La cuenta del distribuidor no está activa: solo una cuenta activa usa la Cuenta Maestra y la API')
export const NotFoundError = defineError('not_found', 404, (what: string = 'El recurso') => `${what} no existe`)
export const CsrfError = defineError('csrf_invalid', 403, () => 'Falta el token CSRF o no es válido; recargue la página')
export const TooManyAttemptsError = defineError('too_many_attempts', 429,
  () => 'Demasiados intentos fallidos; inténtelo más tarde', true)
export const DatabaseLockedError = defineError('database_locked', 500,
  (dir: string, pid: number) => `La base de datos integrada en ${dir} está en uso por el proceso ${pid}; detenga primero el servidor`)

/** 422 with the names of the offending fields. */
export class FieldValidationError extends Error implements CatalogedError {
  static readonly code: string = 'validation_failed'
  readonly code: string = 'validation_failed'
  readonly status: number = 422
  readonly retryable = false
  constructor(readonly fields: Record<string, string>, what = 'Campos no válidos') {
    super(`${what}: ${Object.keys(fields).join(', ')}`)
    this.name = this.code
  }
  get details() { return { fields: this.fields } }
}
registry.set('validation_failed', 422)
/** 400 naming the offending query or path parameters (or fields of a request refused as malformed). */
export class InvalidParameterError extends FieldValidationError {
  static override readonly code = 'invalid_parameter'
  override readonly code = 'invalid_parameter'
  override readonly status = 400
  constructor(fields: Record<string, string>) { super(fields, 'Parámetros no válidos'); this.name = this.code }
}
registry.set('invalid_parameter', 400)

// ── Kernel services ──────────────────────────────────────────────────────────────────────────────
export const FileTooLargeError = defineError('file_too_large', 413, (maxBytes: number) => `El archivo excede ${maxBytes} bytes`)
export const FileKeyInvalidError = defineError('file_key_invalid', 400, () => 'La clave del archivo no es válida')
