import test from 'ava'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { withCheckDigit } from '../../plugins/clients/rfc.js'

/**
 * The real app in a real browser: Debian's chromium driven by playwright-core. Signs in through the
 * form, enters the CM, creates a customer in Clientes and finds it in the list. Screenshots go to
 * .tmp/screenshots/ (git-ignored) for a person to look at.
 */

// AdminJS bundles its frontend on the first request in development mode: allow for it.
const SLOW = 120_000

let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp(''); ({ t0, browser, base } = app) })
test.after.always(() => app?.close())
const shot = (page: Page, name: string) => app!.shot(page, name)

test('a distributor signs in, opens Clientes, creates a customer and sees it in the list', async (t) => {
  t.timeout(4 * SLOW)
  const d = await t0!.fixtures.distributor({ name: 'Distribuidora del Bajío' })
  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(SLOW)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  // A resource or script the Content-Security-Policy blocked is an error too.
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text()) && !/fonts\.googleapis\.com/.test(m.text())) errors.push(m.text()) })
  try {
    // Sign-in form (carries a hidden _csrf).
    await page.goto(`${base}/login`)
    t.is(await page.locator('input[name="_csrf"]').count(), 1)
    t.is(await page.locator('h1').innerText(), 'Iniciar sesión')
    await shot(page, '01-login')
    await page.fill('input[name="login"]', d.login)
    await page.fill('input[name="password"]', d.password)
    await Promise.all([page.waitForURL(/\/admin(\/|$)/), page.click('button[type="submit"]')])

    // The CM: our dashboard, in Spanish, with Clientes in the sidebar.
    const group = page.getByText('Clientes', { exact: true }).first()
    await group.waitFor()
    await shot(page, '02-cm-dashboard')
    // Our own home page, not AdminJS's demo dashboard (rocket, "Contact Us", links to its docs).
    await page.getByText('Bienvenido a Cuenta Maestra').waitFor()
    t.regex(await page.locator('body').innerText(), /Está trabajando en Distribuidora del Bajío/)
    t.is(await page.getByText('Contact Us').count(), 0)
    const link = page.locator('a[href="/admin/resources/Customer"]').first()
    if (!(await link.isVisible())) await group.click()
    await link.click()
    await page.waitForURL(/\/admin\/resources\/Customer/)
    const create = page.locator('a[href$="/resources/Customer/actions/new"]').first()
    await create.waitFor()
    await shot(page, '03-clientes-empty')
    // AdminJS speaks Spanish (its `es` locale plus ours), not its English defaults.
    t.true(await page.getByText('Filtrar', { exact: true }).first().isVisible())
    t.is(await page.getByText('Filter', { exact: true }).count(), 0)

    // New customer.
    await create.click()
    await page.waitForURL(/\/resources\/Customer\/actions\/new/)
    const legalName = page.locator('input[name="legalName"]')
    await legalName.waitFor()
    await shot(page, '04-clientes-new')
    await legalName.fill('Comercializadora Godínez SA de CV')
    await page.fill('input[name="tradeName"]', 'Godínez')
    await page.fill('input[name="rfc"]', 'GODE561231GR8')
    await page.fill('input[name="phone"]', '55 1234 5678')
    await page.locator('[data-testid="button-save"], button[type="submit"]').first().click()

    // Back in the list (or on the record): the new customer is there.
    await page.waitForURL(/\/resources\/Customer(\/actions\/list|\/records\/[^/]+\/show|\?|$)/)
    await page.getByText('Comercializadora Godínez SA de CV').first().waitFor()
    await shot(page, '05-clientes-created')
    await page.goto(`${base}/admin/resources/Customer`)
    const row = page.locator('tr', { hasText: 'Comercializadora Godínez SA de CV' })
    await row.first().waitFor()
    t.regex(await row.first().innerText(), /GODE561231GR8/)
    await shot(page, '06-clientes-list')

    // A few more customers for a screenshot of a lived-in list (docs/cm.png is taken from it).
    const { customers } = t0!.app.kernel.contexts.get('clients')!.use('clients')
    const more = [
      ['Abarrotes La Esperanza S.A. de C.V.', 'La Esperanza', 'AES050412XY0', '33 3615 2040'],
      ['Consultores Fiscales del Norte S.C.', 'CFN Consultores', 'CFN110823AB0', '81 8340 1122'],
      ['Farmacia San Rafael S.A. de C.V.', 'Farmacia San Rafael', 'FSR980105KT0', '222 231 4455'],
      ['Taller Mecánico Hernández S.A. de C.V.', null, 'TMH150630QW0', null],
    ] as const
    for (const [legalName, tradeName, rfc, phone] of more) {
      await customers.create(t0!.app.kernel.orm.em.fork(), d.id, { legalName, tradeName, rfc: withCheckDigit(rfc), phone })
    }
    await page.reload()
    await page.locator('tr', { hasText: 'Farmacia San Rafael' }).first().waitFor()
    t.is(await page.locator('tbody tr').count(), 5)
    await page.screenshot({ path: path.join(app!.shots, '07-clientes-list-several.png'), clip: { x: 0, y: 0, width: 1440, height: 680 } })
    t.deepEqual(errors, [], 'no script errors in the page')
  } catch (e) {
    await shot(page, '99-failure').catch(() => {})
    throw e
  } finally {
    await context.close()
  }
})
