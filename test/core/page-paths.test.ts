import test from 'ava'
import { Router } from 'express'
import { inject } from 'light-my-request'
import { startApp } from '../../core/app.js'
import { definePlugin } from '../../core/plugin-api.js'
import { defaultTheme } from '../../themes/default/theme.js'
import { baseKernelConfig, freshDatabase, testPlugins } from '../helpers/db.js'

// A plugin's own top-level pages (`pagePaths`, e.g. the accounts plugin's /signup): mounted at the top
// after sessions, its router sees only the paths it claimed, and no other plugin nor the site may
// claim them too.

const pagesAt = (id: string, paths?: string[]) => definePlugin({ id, version: '1', pagePaths: paths, routes: () => {
  const r = Router()
  r.use((req, res) => { res.send(`${id} ${req.path} session:${typeof req.session}`) })
  return { pages: r }
} })

test('pagePaths: pages at the top with the session, seeing only their paths; a path claimed twice or the site\'s own is refused at boot', async (t) => {
  const db = await freshDatabase()
  try {
    const start = (...plugins: ReturnType<typeof pagesAt>[]) =>
      startApp(baseKernelConfig({ ...db.config, plugins: [...testPlugins, ...plugins.map((plugin) => ({ plugin }))] }), { theme: defaultTheme, admin: false })
    const app = await start(pagesAt('probe', ['/probe-here']))
    try {
      const get = (url: string) => inject(app.http.app as never, { method: 'GET', url })
      t.is((await get('/probe-here')).body, 'probe /probe-here session:object')
      t.is((await get('/probe-here/deeper')).body, 'probe /probe-here/deeper session:object')
      for (const url of ['/probe-herex', '/elsewhere', '/']) t.false((await get(url)).body.startsWith('probe'), url)
    } finally { await app.close() }
    const boot = (...plugins: ReturnType<typeof pagesAt>[]) => t.throwsAsync(start(...plugins))
    t.regex((await boot(pagesAt('probe', ['/probe-here']), pagesAt('twin', ['/probe-here/sub'])))!.message, /'\/probe-here\/sub'.*'probe'.*'twin'/)
    t.regex((await boot(pagesAt('rogue', ['/admin/x'])))!.message, /'\/admin\/x'.*'core'.*'rogue'/)
    // A plugin without pagePaths has its pages at /<id>/, which counts as claimed too.
    t.regex((await boot(pagesAt('probe', ['/probe-here']), pagesAt('probe-here')))!.message, /'\/probe-here'.*'probe'.*'probe-here'/)
  } finally { await db.drop() }
})
