import { bootKernel, type Kernel, type KernelConfig } from './kernel/boot.js'
import { buildHttp, type Http, type HttpOptions } from './http/app.js'

export interface App { kernel: Kernel, http: Http, close(): Promise<void> }

/** Boots the kernel and assembles the HTTP application (without listening). */
export async function startApp(config: KernelConfig, http: HttpOptions): Promise<App> {
  // Loading AdminJS takes seconds: begun here, it overlaps opening the database; buildHttp awaits it.
  if (http.admin !== false) import('./admin/build.js').catch(() => {})
  const kernel = await bootKernel(config)
  try {
    const built = await buildHttp(kernel, http)
    return { kernel, http: built, close: () => kernel.close() }
  } catch (e) {
    await kernel.close().catch(() => {})
    throw e
  }
}
