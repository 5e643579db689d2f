// Loaded before server.ts (`node --import tsx --import ./preload.mjs server.ts`, see package.json
// `start`), in the main thread and again, as module hooks, in the thread that runs tsx's hooks.
// Two things a portal process otherwise carries idle (measured with `npm run bench:start`):
//  - AdminJS imports its component bundler (rollup, babel and its presets: ~1,000 modules, 30 MB of
//    heap, 0.6 s of start) even when the bundle of the last run is still good (core/admin/bundle-dir.ts
//    drops it when a component changes). Here the bundler is only imported when a bundle is built.
//  - Loading ~3,400 modules leaves garbage in heaps that then idle and never collect it (the hooks
//    thread sat at 100 MB with 23 MB live). The hooks thread collects 2 s after its last module; the
//    main thread once, after that, in the first 2 s it is (nearly) idle.
import { register } from 'node:module'
import { MessageChannel, isMainThread } from 'node:worker_threads'
import v8 from 'node:v8'
import vm from 'node:vm'

const BUNDLER = '/adminjs/lib/backend/bundler/components.bundler.js'
const IDLE_MS = 2_000
let collect = () => { v8.setFlagsFromString('--expose-gc'); collect = vm.runInNewContext('gc'); collect() }

if (isMainThread) {
  const { port1, port2 } = new MessageChannel()
  let armed = false
  port1.on('message', () => { armed = true }).unref()
  let last = performance.eventLoopUtilization()
  const watch = setInterval(() => {
    const now = performance.eventLoopUtilization()
    const quiet = performance.eventLoopUtilization(now, last).utilization < 0.05
    last = now
    if (armed && quiet) { clearInterval(watch); collect() }
  }, IDLE_MS).unref()
  register(import.meta.url, { data: { port: port2 }, transferList: [port2] })
}

// ---- module hooks (hooks thread) ----
let port, timer
export function initialize(data) { port = data.port }

export async function resolve(specifier, context, next) {
  clearTimeout(timer)
  timer = setTimeout(() => { collect(); port.postMessage('collect') }, IDLE_MS).unref()
  const resolved = await next(specifier, context)
  if (!resolved.url.endsWith(BUNDLER) || context.parentURL?.startsWith('data:')) return resolved
  return { url: `data:text/javascript,${encodeURIComponent(lazyBundler(resolved.url))}`, format: 'module', shortCircuit: true }
}

/** The bundler's interface (utils/asset-bundler.js) with getOutput reading the file, as it does. */
const lazyBundler = (real) => `import { readFile } from 'node:fs/promises'
import { COMPONENTS_OUTPUT_PATH } from ${JSON.stringify(new URL('./utils/constants.js', real).href)}
let bundler
const load = async () => (bundler ??= (await import(${JSON.stringify(real)})).default)
export default {
  getOutput: () => readFile(COMPONENTS_OUTPUT_PATH, 'utf-8').catch((e) => { if (e.code === 'ENOENT') return null; throw e }),
  createEntry: async (o) => (await load()).createEntry(o),
  build: async () => (await load()).build(),
  watch: async () => (await load()).watch(),
}`
