import test from 'ava'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { withCheckDigit } from '../../plugins/clients/rfc.js'

/**
 * One Spanish voice: every CM resource page (list, show, new, edit and each custom action the
 * signed-in user may open), every CM page, the staff console, every PCC page and the public pages,
 * rendered in Chromium at 1440×900. The pages come from the app itself (AdminJS's state for the
 * signed-in user, the PCC's navigation), so a plugin's new screen is checked without editing this
 * file. A page fails on English left over from AdminJS, on "tú" where the manuals say "usted", on a
 * field key shown to a person, and on any request to another host (fonts from a CDN).
 */

const SLOW = 180_000

/** Words AdminJS, react-select and the design system say in English, and AdminJS's own awkward Spanish. */
const LEFTOVERS = [
  'Select...', 'Confirm', 'Cancel', 'Save', 'Filter', 'There was an error', 'Check out console', 'No records', 'No options',
  'Loading...', 'Actions', 'Show', 'Edit', 'Delete', 'Create new', 'Previous', 'Next', 'Reset', 'Submit', 'Search', 'Logout',
  'Dashboard', 'Welcome', 'Password', 'Email', 'records', 'Contact us', 'Espectáculo', 'Registro dado', 'identificación dada',
  'Consulte la consola', 'Compruébelos', 'Paginas', 'Crear nuevo', 'Borrar', 'Yes', 'Apply', 'Clear',
]
/** "tú" where the manuals say "usted". */
const TU = /\b(tu|tus|puedes|tienes|estás|eres|elige|cámbiala|inicia sesión|restablece|escribe|revisa|ingresa|introduce|vuelve|reactives|quieres|debes|te)\b/i
/**
 * A field key (camelCase) or a "field:" prefix, as code names things, not as a person reads them. An
 * event's name in the staff's audit log (`core.memberAdded`) is a code staff search by: it may stay.
 */
const FIELD_KEY = /(?<![\w.])[a-z]+[A-Z][a-zA-Z]*\b(?!\.)|^[a-z][a-zA-Z.]*:\s/m

let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('voice-'); ({ t0, browser, base } = app) })
test.after.always(() => app?.close())

interface Finding { url: string, problem: string }
/** While a save is failed on purpose, AdminJS's form leaves its rejected request unhandled. */
let failingOnPurpose = false

/** What a person reads on the page: the text, placeholders, titles, the document's title. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const document = (globalThis as any).document
    const attrs = [...document.querySelectorAll('[placeholder],[title],[aria-label],input[type=submit],input[type=button]')]
      .map((e: any) => [e.getAttribute('placeholder'), e.getAttribute('title'), e.getAttribute('aria-label'), e.type === 'submit' || e.type === 'button' ? e.value : ''].filter(Boolean).join('\n'))
    // Each text node on its own line: adjacent buttons ("Ver", "Bloquear") must not read as one word.
    const texts: string[] = []
    const walker = document.createTreeWalker(document.body, 4 /* NodeFilter.SHOW_TEXT */)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName) || !el.checkVisibility()) continue
      if (n.textContent!.trim()) texts.push(n.textContent!.trim())
    }
    return [document.title, ...texts, ...attrs].join('\n')
  })
}

function problemsIn(text: string): string[] {
  const out: string[] = []
  for (const word of LEFTOVERS) {
    const re = new RegExp(`(^|[^\\p{L}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u')
    if (re.test(text)) out.push(`English or awkward leftover "${word}"`)
  }
  const tu = TU.exec(text)
  if (tu) out.push(`"tú" form "${tu[0]}" in: ${text.slice(Math.max(0, tu.index - 40), tu.index + 40).replace(/\s+/g, ' ')}`)
  const key = FIELD_KEY.exec(text)
  if (key) out.push(`field key "${key[0].trim()}" in: ${text.slice(Math.max(0, key.index - 40), key.index + 40).replace(/\s+/g, ' ')}`)
  return out
}

/** A browser context that records requests to other hosts and script errors as findings. */
async function openContext(findings: Finding[]): Promise<{ context: BrowserContext, page: Page }> {
  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(SLOW)
  const origin = new URL(base).origin
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) findings.push({ url: page.url(), problem: `request to another host: ${r.url()}` }) })
  page.on('pageerror', (e) => { if (!(failingOnPurpose && /AxiosError/.test(String(e)))) findings.push({ url: page.url(), problem: `script error: ${e}` }) })
  return { context, page }
}

async function signIn(page: Page, login: string, password: string) {
  await page.goto(`${base}/login`)
  await page.fill('input[name="login"]', login)
  await page.fill('input[name="password"]', password)
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type="submit"]')])
}

async function check(page: Page, findings: Finding[], url: string, settle?: (page: Page) => Promise<unknown>, status = 400) {
  const res = await page.goto(`${base}${url}`)
  if (!res || res.status() >= status) findings.push({ url, problem: `HTTP ${res?.status()}` })
  if (settle) await settle(page)
  else await page.waitForLoadState('networkidle')
  await readPage(page, findings, url)
  if (shoot) await app!.shot(page, shotPrefix + url.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 120) || 'root')
}
/** CM_SCREENSHOTS=1: a screenshot of every page, into .tmp/screenshots/voice-*, named by who saw it and its path. */
const shoot = !!process.env.CM_SCREENSHOTS
let shotPrefix = ''

async function readPage(page: Page, findings: Finding[], url: string) {
  for (const problem of problemsIn(await visibleText(page))) findings.push({ url, problem })
}

/** AdminJS has drawn its layout and the action (its spinner gone). */
const adminReady = async (page: Page) => {
  await page.locator('[data-css="sidebar"], section[data-css*="sidebar"], nav').first().waitFor({ timeout: 30_000 })
  await page.waitForLoadState('networkidle')
  await page.waitForFunction(() => !(globalThis as any).document.querySelector('[data-css="loader"], .adminjs_Loader'))
}

/**
 * Every page of the CM as AdminJS offers it to the signed-in user: resource actions, each record
 * action on the first record of the list, each bulk action on it, and the custom pages. Actions
 * without a component run on a click (delete, revoke) and have no page of their own.
 */
async function checkAdmin(page: Page, findings: Finding[]): Promise<string[]> {
  await check(page, findings, '/admin', adminReady)
  const state = await page.evaluate(() => (globalThis as any).REDUX_STATE) as {
    resources: { id: string, href: string | null, resourceActions: { name: string, component: unknown }[] }[], pages: { name: string }[]
  }
  const visited: string[] = []
  // Sections this user may not open (a distributor following a staff link): AdminJS's refusal.
  for (const r of state.resources.filter((x) => !x.href)) {
    const url = `/admin/resources/${r.id}`
    await check(page, findings, url, adminReady, 500); visited.push(`${url} (refused)`)
  }
  const hasPage = (a: { component: unknown }) => a.component !== false
  for (const r of state.resources) {
    for (const a of r.resourceActions.filter(hasPage)) {
      const url = a.name === 'list' ? `/admin/resources/${r.id}` : `/admin/resources/${r.id}/actions/${a.name}`
      await check(page, findings, url, adminReady); visited.push(url)
      // The list's filters, opened.
      if (a.name === 'list' && await page.locator('[data-css$="filter-button"]').count()) {
        await page.locator('[data-css$="filter-button"]').first().click()
        await page.waitForLoadState('networkidle')
        await readPage(page, findings, `${url} (filters)`)
      }
      // A new record sent empty: the errors under the fields are Spanish sentences, not field keys.
      if (a.name === 'new' && await page.getByTestId('button-save').count()) {
        // (The browser may refuse first, on a required field: then there is nothing more to read.)
        await Promise.all([page.waitForResponse((res) => res.request().method() === 'POST', { timeout: 10_000 }).catch(() => {}), page.getByTestId('button-save').click()])
        await page.waitForLoadState('networkidle')
        await readPage(page, findings, `${url} (sent empty)`)
      }
    }
    if (!r.href) continue
    const list = await page.evaluate(async (id) => (await fetch(`/admin/api/resources/${id}/actions/list`)).json(), r.id) as
      { records?: { id: string, recordActions: { name: string, component: unknown }[], bulkActions: { name: string, component: unknown }[] }[] }
    // A resource whose list is a page of its own (Compras' tabs) answers its page's data, not records.
    const record = list.records?.[0]
    if (!record) continue
    const recordUrl = `/admin/resources/${r.id}/records/${encodeURIComponent(record.id)}`
    for (const a of record.recordActions.filter(hasPage)) {
      const url = `${recordUrl}/${a.name}`
      await check(page, findings, url, adminReady); visited.push(url)
      // A save the server does not answer: AdminJS's notice for it.
      if (a.name === 'edit' && await page.getByTestId('button-save').count()) {
        failingOnPurpose = true
        await page.route('**/api/resources/*/records/*/edit', (route) => route.fulfill({ status: 500, body: '' }))
        // (The browser may refuse first, on a required field left empty: then no request, no notice.)
        const [posted] = await Promise.all([
          page.waitForResponse((res) => res.request().method() === 'POST', { timeout: 10_000 }).then(() => true, () => false),
          page.getByTestId('button-save').click(),
        ])
        if (posted) {
          await page.getByTestId('notice-wrapper').waitFor()
          await page.waitForLoadState('networkidle')
          await readPage(page, findings, `${url} (save failed)`)
          visited.push(`${url} (save failed)`)
        }
        await page.unroute('**/api/resources/*/records/*/edit')
        failingOnPurpose = false
      }
    }
    // Actions that run on a click after a confirmation (delete, revoke): the confirmation box.
    for (const a of record.recordActions.filter((x) => x.component === false && (x as { guard?: string }).guard)) {
      await check(page, findings, `${recordUrl}/show`, adminReady)
      const button = page.getByTestId(`action-${a.name}`).first()
      if (!await button.count()) continue
      await button.click()
      const cancel = page.getByRole('button', { name: 'Cancelar' })
      await cancel.or(page.getByRole('button', { name: 'Cancel' })).first().waitFor()
      await readPage(page, findings, `${recordUrl} (${a.name}: confirmation)`)
      visited.push(`${recordUrl}#${a.name}`)
      await page.keyboard.press('Escape')
    }
    for (const a of record.bulkActions.filter(hasPage)) {
      const url = `/admin/resources/${r.id}/bulk/${a.name}?recordIds=${encodeURIComponent(record.id)}`
      await check(page, findings, url, adminReady); visited.push(url)
    }
  }
  for (const p of state.pages) {
    const url = `/admin/pages/${p.name}`
    await check(page, findings, url, adminReady); visited.push(url)
  }
  return visited
}

const report = (findings: Finding[]) => findings.map((f) => `${f.url}: ${f.problem}`).join('\n')

test.serial('every public, CM, staff and PCC page speaks Spanish with "usted", shows no field key and loads nothing from other hosts', async (t) => {
  t.timeout(8 * SLOW)
  const kernel = t0!.app.kernel
  const d = await t0!.fixtures.distributor({ name: 'Distribuidora del Bajío' })
  const { customers } = kernel.contexts.get('clients')!.use('clients')
  const customer = await customers.create(kernel.orm.em.fork(), d.id, { legalName: 'Abarrotes La Esperanza S.A. de C.V.', tradeName: 'La Esperanza', rfc: withCheckDigit('AES050412XY0'), phone: '33 3615 2040' })
  const owner = await t0!.fixtures.profile({ name: 'Lucía Hernández' })
  await customers.link(kernel.orm.em.fork(), customer.id, owner.id)
  const staff = await t0!.fixtures.staff()
  const findings: Finding[] = []

  // Public pages, signed out.
  const anonymous = await openContext(findings)
  try {
    for (const url of ['/login', '/forgot', '/signup']) await check(anonymous.page, findings, url)
    // A bad reset link is a 400 page that says so (and offers a new link): read it all the same.
    await check(anonymous.page, findings, '/reset?token=no-es-un-token', undefined, 401)
  } finally { await anonymous.context.close() }

  // The CM of a distributor, then the staff console (staff see the root distributor's CM too).
  const cmPages: string[] = []
  for (const who of [staff, d]) {
    shotPrefix = who === staff ? 'staff-' : 'cm-'
    const { context, page } = await openContext(findings)
    try {
      await signIn(page, who.login, who.password)
      cmPages.push(...await checkAdmin(page, findings))
      await check(page, findings, '/profile')
    } catch (e) {
      await app!.shot(page, `99-failure-${shotPrefix}`).catch(() => {})
      throw e
    } finally { await context.close() }
  }
  t.true(cmPages.some((u) => u.startsWith('/admin/resources/Customer')), 'the CM pages come from the app')
  t.true(cmPages.some((u) => u.startsWith('/admin/resources/Distributor/records/')), 'the staff console is visited')
  t.true(cmPages.some((u) => u.endsWith('(refused)')), 'a distributor following a staff link is refused')
  t.true(cmPages.some((u) => u.endsWith('#revoke')), 'a confirmation box is read')
  t.true(cmPages.some((u) => u.endsWith('(save failed)')), 'a failed save\'s notice is read')
  t.log(`${cmPages.length} CM and staff pages`)

  // The customer's panel: every page its navigation offers.
  const { context, page } = await openContext(findings)
  try {
    await signIn(page, owner.login, owner.password)
    await check(page, findings, '/')
    await check(page, findings, `/pcc/${customer.nic}`)
    const nav: string[] = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('a[href^="/pcc/"]')].map((a: any) => a.getAttribute('href')))
    const pccPages = [...new Set(nav)].filter((h) => h.split('/').length === 4)
    t.true(pccPages.length >= 2, `the PCC offers its pages: ${pccPages.join(', ')}`)
    for (const url of pccPages) await check(page, findings, url)
    // Each PCC form sent empty: its errors are Spanish, under labels, never a field key.
    for (const url of pccPages) {
      await page.goto(`${base}${url}`)
      const forms = await page.locator('main form[method="post" i]').count()
      for (let i = 0; i < forms; i++) {
        await page.goto(`${base}${url}`)
        const form = page.locator('main form[method="post" i]').nth(i)
        await form.locator('input:not([type=hidden]):not([type=checkbox]), textarea').evaluateAll((els) => els.forEach((e: any) => { e.value = ''; e.removeAttribute('required'); e.removeAttribute('minlength'); e.removeAttribute('pattern') }))
        const submit = form.locator('button[type="submit"], input[type="submit"], button:not([type])').first()
        if (!await submit.count()) continue
        await Promise.all([page.waitForLoadState('load'), submit.click()])
        for (const problem of problemsIn(await visibleText(page))) findings.push({ url: `${url} (form ${i + 1} sent empty)`, problem })
      }
    }
  } finally { await context.close() }

  t.is(report(findings), '', 'no English, "tú", field key or other host on any page')
})
