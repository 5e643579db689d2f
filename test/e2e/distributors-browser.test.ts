import test from 'ava'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { rows } from '../security/support.js'
import { demoRfc } from '../../plugins/distributors/demo.js'

/**
 * Distribuidores in a real browser: the tabs with their counts, "Agregar distribuidor", then
 * Activar and Suspender, each after its one confirmation. Screenshots go to .tmp/screenshots/distributors-*.
 */

const SLOW = 60_000

let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('distributors-'); ({ t0, browser, base } = app) })
test.after.always(() => app?.close())
const shot = (page: Page, name: string) => app!.shot(page, name)

test('a parent adds a sub-distributor, activates it and suspends it in the CM', async (t) => {
  t.timeout(4 * SLOW)
  // Services only (no inject): it would break the real sockets the browser uses.
  const d = await t0!.fixtures.distributor({ name: 'Distribuidora Padre SA' })
  await t0!.app.kernel.entitlements.grant(t0!.app.kernel.orm.em.fork(), { distributorId: d.id, key: 'mkl-multinivel', source: 'test' })
  // The future administrator already has a verified profile: the new account is "Sin activar".
  const admin = await t0!.fixtures.profile({ name: 'Ana Administradora' })
  await rows(t0!, 'update core_profile set email_verified_at = now(), mobile_verified_at = now() where id = ?', [admin.id])
  const rfc = demoRfc()

  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(SLOW)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text()) && !/fonts\.googleapis\.com/.test(m.text())) errors.push(m.text()) })
  const dialogs: string[] = []
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.accept() })
  const stateOf = async () => (await rows<{ state: string }>(t0!, 'select d.state from core_distributor d where d.parent_id = ?', [d.id])).map((r) => r.state)
  try {
    await page.goto(`${base}/login`)
    await page.fill('input[name="login"]', d.login)
    await page.fill('input[name="password"]', d.password)
    await Promise.all([page.waitForURL(/\/admin(\/|$)/), page.click('button[type="submit"]')])

    await page.goto(`${base}/admin/resources/DistributorAccount`)
    await page.getByText('Sin activar (0)').waitFor()
    for (const tab of ['Sin validar (0)', 'Activos (0)', 'Suspendidos (0)', 'Vencidos (0)', 'Cancelados (0)']) t.true(await page.getByText(tab).isVisible(), tab)
    await shot(page, '01-tabs-empty')

    await page.goto(`${base}/admin/resources/DistributorAccount/actions/new`)
    // Step 1: the administrator's e-mail and mobile. The parent's own are refused, with the reason.
    await page.fill('#f-email', d.login)
    await page.fill('#f-mobile', d.mobile)
    await page.getByRole('button', { name: 'Continuar' }).click()
    await page.getByText(/usuario de su propia cuenta/).waitFor()
    await page.fill('#f-email', admin.email)
    await page.fill('#f-mobile', admin.mobile)
    await page.getByRole('button', { name: 'Continuar' }).click()
    await page.getByText(/El perfil existe y está verificado/).waitFor()
    // Step 2: the distributor's data.
    await page.fill('#f-legalName', 'Distribuidora Hija SA de CV')
    await page.fill('#f-rfc', 'ABC010101AAA')
    await page.fill('#f-contactName', 'Ana Administradora')
    await page.getByRole('button', { name: 'Agregar distribuidor' }).click()
    await page.getByText(/dígito verificador/).waitFor()
    t.deepEqual(await stateOf(), [], 'a bad RFC adds nothing')
    await page.fill('#f-rfc', rfc)
    await shot(page, '02-add-form')
    await page.getByRole('button', { name: 'Agregar distribuidor' }).click()
    await page.waitForURL(/DistributorAccount\/records\/[^/]+\/show|DistributorAccount(\?|$)/)
    t.deepEqual(await stateOf(), ['inactive'])
    const [child] = await rows<{ id: string }>(t0!, 'select id from core_distributor where parent_id = ?', [d.id])

    await page.goto(`${base}/admin/resources/DistributorAccount?filters.state=inactive`)
    await page.getByText('Sin activar (1)').waitFor()
    await page.getByText('Distribuidora Hija SA de CV').first().waitFor()
    await shot(page, '03-tab-sin-activar')
    // Dates read as a person reads them (the theme's date cells), and an empty one as "—".
    const table = await page.locator('table').first().innerText()
    t.notRegex(table, /\d{4}-\d{2}-\d{2}/, 'no ISO date in the list')
    t.regex(table, /\d{1,2} [a-z]{3} \d{4}, \d{2}:\d{2}/, 'the sign-up date, local')
    t.regex(table, /—/, 'no CM expiry yet: a dash')

    await page.goto(`${base}/admin/resources/DistributorAccount/records/${child.id}/show`)
    await page.getByText('CM: Sin activar').or(page.getByText('Sin Activar')).first().waitFor()
    await shot(page, '04-show')
    const shown = await page.locator('main, body').first().innerText()
    t.regex(shown, /Distribuidor padre\s+Distribuidora Padre SA/, 'the parent by its name')
    t.is(await page.locator('h2').first().innerText(), 'Distribuidora Hija SA de CV', 'the page is titled with the record')
    t.notRegex(shown, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'no id on the page')
    await page.getByText('Activar', { exact: true }).first().click()
    // One confirmation, the action's page, saying what will happen.
    await page.getByText(/La cuenta pasará a Activa/).waitFor()
    t.deepEqual(await stateOf(), ['inactive'], 'opening the action changes nothing')
    await shot(page, '05-confirm-activate')
    await page.getByRole('button', { name: 'Activar la cuenta' }).click()
    await page.getByText('Cuenta activada').first().waitFor()
    t.deepEqual(await stateOf(), ['active'])
    await shot(page, '06-activated')

    await page.goto(`${base}/admin/resources/DistributorAccount/records/${child.id}/show`)
    await page.getByText('Suspender', { exact: true }).first().click()
    await page.getByText(/La cuenta quedará Suspendida/).waitFor()
    await page.getByRole('button', { name: 'Suspender la cuenta' }).click()
    await page.getByText('Cuenta suspendida').first().waitFor()
    t.deepEqual(await stateOf(), ['suspended'])
    t.deepEqual(dialogs, [], 'no other confirmation')
    await page.goto(`${base}/admin/resources/DistributorAccount`)
    await page.getByText('Suspendidos (1)').waitFor()
    await shot(page, '07-suspended')
    t.deepEqual(errors, [])
  } catch (e) {
    await shot(page, 'zz-failure').catch(() => undefined)
    t.log(dialogs, errors, await stateOf())
    throw e
  } finally { await context.close() }
})
