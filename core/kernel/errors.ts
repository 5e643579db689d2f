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
export const InternalError = defineError('internal_error', 500, () => 'Internal error', true)
export const BadRequestError = defineError('bad_request', 400, (message: string) => message)
export const MalformedJsonError = defineError('malformed_json', 400, () => 'The request body is not valid JSON')
export const PayloadTooLargeError = defineError('payload_too_large', 413, () => 'The request body is too large')
export const UnauthenticatedError = defineError('unauthenticated', 401, () => 'Authentication required')
export const ForbiddenError = defineError('forbidden', 403, (message: string = 'Forbidden') => message)
export const PluginNotInTierError = defineError('plugin_not_in_tier', 403,
  (plugin: string) => `Your tier does not include '${plugin}'`)
export const NotFoundError = defineError('not_found', 404, (what: string = 'Resource') => `${what} not found`)
export const CsrfError = defineError('csrf_invalid', 403, () => 'Missing or invalid CSRF token')
export const TooManyAttemptsError = defineError('too_many_attempts', 429,
  () => 'Too many failed attempts; try again later', true)
export const DatabaseLockedError = defineError('database_locked', 500,
  (dir: string, pid: number) => `The embedded database in ${dir} is in use by process ${pid}; stop the server first`)

/** 422 with the names of the offending fields. */
export class FieldValidationError extends Error implements CatalogedError {
  static readonly code = 'validation_failed'
  readonly code = 'validation_failed'
  readonly status = 422
  readonly retryable = false
  constructor(readonly fields: Record<string, string>) {
    super(`Invalid fields: ${Object.keys(fields).join(', ')}`)
    this.name = 'validation_failed'
  }
  get details() { return { fields: this.fields } }
}
registry.set('validation_failed', 422)

// ── Kernel services ─────────────────────────────────────────────────────────────────────────────
export const FileTooLargeError = defineError('file_too_large', 413, (maxBytes: number) => `The file is larger than ${maxBytes} bytes`)
export const FileKeyInvalidError = defineError('file_key_invalid', 400, () => 'Invalid file key')
