import test from 'ava'
import type { Browser } from 'playwright-core'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'

/**
 * /api/v1/docs in Chromium at 1440×900: the page's stylesheet applies under the strict CSP (no
 * inline style or script, nothing from another origin), every operation of openapi.json is listed,
 * and the index links to each. Screenshots go to .tmp/screenshots/api-docs-*.
 */

let app: BrowserApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('api-docs-'); ({ browser, base } = app) })
test.after.always(() => app?.close())

test('the API reference renders with its own stylesheet and lists every operation, with nothing blocked or fetched elsewhere', async (t) => {
  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
  page.on('pageerror', (e) => problems.push(String(e)))
  const origins = new Set<string>()
  page.on('request', (r) => origins.add(new URL(r.url()).origin))
  try {
    await page.goto(`${base}/api/v1/docs`)
    const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json() as { paths: Record<string, Record<string, { operationId: string }>> }
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
    t.true(ids.length >= 20)
    for (const id of ids) t.is(await page.locator(`section#${id}`).count(), 1, id)
    t.is(await page.locator('nav a').count(), ids.length)
    // The stylesheet applied: the header's colour comes from docs.css.
    // (runs in the page: no DOM types here, so the page's getComputedStyle is reached through globalThis)
    t.is(await page.locator('header').evaluate((e) => (globalThis as any).getComputedStyle(e).backgroundColor), 'rgb(11, 61, 107)')
    await app!.shot(page, '01-docs')
    await page.locator('nav a', { hasText: '/transfers/mass' }).click()
    await page.screenshot({ path: `${app!.shots}/02-docs-mass-transfer.png` })
    t.true(await page.locator('section#postTransfersMass').isVisible())
    t.regex(await page.locator('section#postTransfersMass').innerText(), /idempotencyKey/)
    t.deepEqual([...origins], [base])
    t.deepEqual(problems, [])
  } finally { await context.close() }
})
