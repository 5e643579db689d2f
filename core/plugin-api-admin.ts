/** The kernel's public API for a plugin's AdminJS code (loaded only when the CM is mounted). */
export { ScopedResource } from './admin/scoped-resource.js'
export type * from './admin/scoped-resource.js'
