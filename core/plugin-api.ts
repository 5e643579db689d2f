/**
 * The kernel's public API. A plugin imports the kernel from here alone (its AdminJS code also from
 * './plugin-api-admin.js', kept apart because AdminJS costs seconds to load); another plugin only
 * through that plugin's index.ts. test/core/plugin-imports.test.ts fails on any other import.
 * Plugins augment `PluginServices` and `ExtensionPointTypes` through this module.
 */
export { definePlugin, mergeAdmin } from './kernel/plugin.js'
export type {
  AdminContribution, AdminPage, CliCommand, Destination, Identity, DemoSeeder, InstalledPlugin, Message, MigrationEntry, PccPage,
  PccPageResult, PccRequestContext, PluginContext, PluginDefinition, PluginRoutes, PluginServices, PortalProvider,
  PortalTarget, SitePages, Transport,
} from './kernel/plugin.js'
export {
  BadRequestError, defineError, FieldValidationError, ForbiddenError, InvalidParameterError, isCatalogedError, NotFoundError,
  PluginNotInTierError, type CatalogedError,
} from './kernel/errors.js'
export type { EventBus, PluginEvents } from './kernel/events.js'
export type { JobDefinition, JobRun } from './kernel/jobs.js'
export type { OutboxHandler, OutboxMessage } from './kernel/outbox.js'
export type { FileStorage, StoredFile } from './kernel/storage.js'
export type { PluginSettings } from './kernel/settings.js'
export type { EntitlementGrant } from './kernel/entitlements.js'
export type { DashboardFigure, Extensions, ExtensionPointTypes, StateChangeGuard } from './kernel/extensions.js'
export type { Logger } from './kernel/logger.js'
export { formatHundredths, parseHundredths } from './kernel/money.js'
export { sql } from './db/sql.js'
export { preparedSql } from './db/prepared.js'
export { sqlMigration } from './db/sql-migration.js'
export { objectBody, pagination, textProblem } from './http/request.js'
export type { ApiOperation, PluginRouter, RouteDoc } from './http/router.js'
export type { Actor, AdminUser } from './http/types.js'
export { used as throttleUsed } from './http/throttle.js'
export { normalizeEmail, normalizeMobile } from './identity/normalize.js'
export { DistributorNotFoundError, EmailTakenError, InvalidTokenError, MobileTakenError } from './identity/errors.js'
export { parseNewProfile } from './identity/service.js'
export type { AuditInput, DirectoryEntry, DistributorDirectory } from './identity/directory.js'
