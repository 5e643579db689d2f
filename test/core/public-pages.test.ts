import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ViewEngine } from '../../core/views/engine.js'
import { defaultTheme } from '../../themes/default/theme.js'
import { startTestApp, type TestApp } from '../helpers/app.js'

// The public pages on the theme (the sign-in page; the accounts plugin's are tested with it), and
// dates as people in Mexico read them.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

test('the `date` helper: local Mexico City time in Spanish, "—" when empty, never an ISO string', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cm-views-'))
  try {
    writeFileSync(path.join(dir, 'd.hbs'), '{{date when}}|{{date when "day"}}|{{date nothing}}|{{date junk}}')
    const views = new ViewEngine(defaultTheme.dir, [{ prefix: '', dir }])
    // 18:25 UTC is 12:25 in Mexico City (UTC-6, no daylight saving since 2022).
    t.is(views.render('d', { when: '2026-12-04T18:25:03.284Z', junk: 'ayer' }, ''), '4 dic 2026, 12:25|4 dic 2026|—|—')
    // A Date object, and the evening that is already the next day in UTC.
    t.is(views.render('d', { when: new Date('2026-07-02T03:10:00Z') }, ''), '1 jul 2026, 21:10|1 jul 2026|—|—')
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('the sign-in page uses the theme\'s one stylesheet and labels its inputs', async (t) => {
  for (const url of ['/login']) {
    const res = await t0.inject({ method: 'GET', url })
    t.is(res.statusCode, 200, url)
    t.is((res.body.match(/<link rel="stylesheet"[^>]*>/g) ?? []).join(), '<link rel="stylesheet" href="/assets/site.css">', url)
    t.false(/https?:\/\/(?!localhost)/.test(res.body.replace(/<svg[\s\S]*?<\/svg>/g, '')), `${url}: nothing from another host`)
    // Every visible input has a label pointing at it.
    for (const [, id] of res.body.matchAll(/<input(?![^>]*type="hidden")[^>]*id="([^"]+)"/g)) t.true(res.body.includes(`<label for="${id}">`), `${url} #${id}`)
  }
  const css = await t0.inject({ method: 'GET', url: '/assets/site.css' })
  t.is(css.statusCode, 200)
  t.regex(css.body, /:focus-visible/)
  t.false(/@import|url\(\s*['"]?https?:/.test(css.body), 'no external fonts or stylesheets')
})
