import { existsSync, mkdirSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startTestApp, type TestApp } from './app.js'

export const CHROMIUM = process.env.CM_CHROMIUM ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']
const root = path.resolve(import.meta.dirname, '..', '..')

export interface BrowserApp {
  t0: TestApp
  /** http://127.0.0.1:<port> of the app listening on a real socket. */
  base: string
  browser: Browser
  /** A full-page screenshot into .tmp/screenshots/<folder>-<embedded|pg>/ (git-ignored), for a person to look at. */
  shot(page: Page, name: string): Promise<Buffer>
  /** The folder the screenshots go to. */
  shots: string
  close(): Promise<void>
}

/**
 * The app with the CM mounted, listening on a real socket, and Debian's chromium driven by
 * playwright-core. Fails, saying why, when chromium is missing.
 */
export async function startBrowserApp(folder: string, opts: { admin?: boolean } = {}): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get install -y chromium), or CM_CHROMIUM pointing at a chromium binary`)
  }
  const shots = path.join(root, '.tmp', 'screenshots', `${folder}${process.env.DATABASE_URL ? 'pg' : 'embedded'}`)
  const t0 = await startTestApp({ admin: opts.admin ?? true })
  let server: Server | undefined
  let browser: Browser | undefined
  try {
    server = t0.app.http.app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { server!.once('listening', resolve); server!.once('error', reject) })
    // launch() gives chromium a fresh temporary user-data-dir of its own and removes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 })
  } catch (e) {
    if (server) server.close()
    await t0.close()
    throw e
  }
  rmSync(shots, { recursive: true, force: true })
  mkdirSync(shots, { recursive: true })
  return {
    t0, browser, shots,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shot: (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true }),
    close: async () => {
      await browser?.close().catch(() => {})
      await new Promise<void>((resolve) => { server!.closeAllConnections(); server!.close(() => resolve()) })
      await t0.close()
    },
  }
}

/** Nothing on screen a person should not read: raw ids, ISO dates, field keys, English AdminJS words. */
export function readable(t: { notRegex(s: string, r: RegExp, m?: string): void }, text: string, where: string) {
  t.notRegex(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, `${where}: a raw id`)
  t.notRegex(text, /\d{4}-\d{2}-\d{2}/, `${where}: an ISO date`)
  t.notRegex(text, /\b(pccStampPurchase|pccPointsPurchase|bulkStampPrice|forDistributors|yearlyPoints|entitlementKey|mkl-multinivel)\b/, `${where}: a field key`)
  t.notRegex(text, /\b(Filter|Actions|Create new|Save|Cancel|Loading|No records|Edit|Show|Delete|Yes)\b/, `${where}: English`)
}

/** Signs `who` in through the real /login form, as a new visitor (no cookies of an earlier sign-in), and waits for `landing`. */
export async function signIn(page: Page, base: string, who: { login: string, password: string }, landing: RegExp): Promise<void> {
  await page.context().clearCookies()
  await page.goto(`${base}/login`)
  await page.fill('input[name="login"]', who.login)
  await page.fill('input[name="password"]', who.password)
  await Promise.all([page.waitForURL(landing), page.click('form[action="/login"] button[type="submit"]')])
}

/**
 * A page at 1440×900 in es-MX, in a context of its own (close it when done), with what went wrong
 * on it collected: uncaught page errors, and the browser dialogs it raised (accepted, so a test can
 * assert there were none where one confirmation in the page should do).
 */
export async function openPage(browser: Browser, base: string, timeoutMs: number) {
  const context = await browser.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(timeoutMs)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  const dialogs: string[] = []
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.accept() })
  const login = (who: { login: string, password: string }, landing: RegExp) => signIn(page, base, who, landing)
  return { context, page, errors, dialogs, login }
}
