import test from 'ava'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { CTI_PASSWORD, Stamping } from '../plugins/stamping/helpers.js'
import { b64, sampleCfdi } from '../helpers/cfdi.js'
import { rows } from '../security/support.js'

/**
 * The CM as a distributor meets it, in Chromium at 1440×900 and 1280×800: dashboard figures, the
 * Clientes list (no cell wraps), a customer's show page (contacts in sections, "—" for empty) and
 * Timbrado. Screenshots go to .tmp/shots/ for a person to look at.
 */
const SLOW = 180_000
let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('cm-screens-'); ({ t0, browser, base } = app) })
test.after.always(() => app?.close())
const shotsDir = path.resolve(import.meta.dirname, '..', '..', '.tmp', 'shots')

async function seed() {
  const s = new Stamping(t0!)
  const d = await s.distributor(5000, 0)
  await s.ledger.mint(s.em(), { distributorId: d.id, points: 250_000 })
  const customers = t0!.app.kernel.contexts.get('clients')!.use('clients').customers
  const made: { id: string, nic: string, cti: string, legalName: string, rfc: string, phone: string }[] = []
  const data = [
    { legalName: 'Abarrotes La Esperanza SA de CV', tradeName: 'La Esperanza', rfc: 'EKU9003173C9', phone: '55 1234 5678', email: 'contacto@esperanza.mx',
      legalRepresentative: { name: 'María López Hernández', email: 'maria@esperanza.mx', phones: ['55 8765 4321'] },
      financialContact: { name: 'Jorge Pérez', email: 'finanzas@esperanza.mx', phones: [] } },
    { legalName: 'Ferretería El Clavo SA de CV', rfc: 'VMK090618HV6', phone: '33 3615 0000' },
    { legalName: 'Consultores Zamora y Asociados SC', rfc: 'MAG041126GT8', phone: '81 8340 1122' },
  ]
  for (const input of data) {
    const c = await customers.create(s.em(), d.id, input)
    const { items } = await s.services.ctis.list(s.em(), d.id, { customerIds: [c.id] }, 1, 10)
    await s.services.ctis.resetPassword(s.em(), d.id, items[0].id, CTI_PASSWORD, CTI_PASSWORD)
    made.push({ id: c.id, nic: c.nic, cti: items[0].id, legalName: c.legalName, rfc: c.rfc, phone: c.phone ?? '' })
  }
  await s.services.sales.transferToCti(s.em(), d.id, made[0].cti, { quantity: 40, amount: 6000, idempotencyKey: 'scr-1' })
  await s.services.sales.transferToCti(s.em(), d.id, made[1].cti, { quantity: 3, amount: 450, idempotencyKey: 'scr-2' })
  await s.services.sales.setAutoSale(s.em(), d.id, [made[0].cti], { minimum: 10, quantity: 100, amount: 15000 })
  const stamp = await fetch(`${base}/api/v1/stamp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cti: made[0].cti, password: CTI_PASSWORD, xml: b64(sampleCfdi()) }) })
  if (stamp.status !== 200) throw new Error(`stamp: ${stamp.status}`)
  return { s, d, made }
}

/** Which of these texts, shown in a list cell, take more than one line (or are missing). */
const wrappedOf = (page: Page, texts: string[]) => page.evaluate((all) => all.filter((x) => {
  const doc = (globalThis as any).document
  const cells = [...doc.querySelectorAll('td span, td a')].filter((e: any) => e.textContent === x)
  return !cells.length || cells.some((e: any) => e.getClientRects().length !== 1 || e.getBoundingClientRect().height > 26)
}), texts)

const rowsOf = async (query: string) => rows(t0!, query)

async function login(page: Page, d: { login: string, password: string }) {
  await page.goto(`${base}/login`)
  await page.fill('input[name="login"]', d.login)
  await page.fill('input[name="password"]', d.password)
  await Promise.all([page.waitForURL(/\/admin(\/|$)/), page.click('button[type="submit"]')])
}

test('screenshots of the CM at 1440×900 and 1280×800', async (t) => {
  t.timeout(4 * SLOW)
  mkdirSync(shotsDir, { recursive: true })
  const { d, made } = await seed()
  for (const [w, h] of [[1440, 900], [1280, 800]]) {
    const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: w, height: h } })
    const page = await context.newPage()
    page.setDefaultTimeout(60_000)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => { if (m.type() === 'error' && !/fonts\.googleapis\.com/.test(m.text())) errors.push(m.text()) })
    try {
      await login(page, d)
      const shot = (name: string) => page.screenshot({ path: path.join(shotsDir, `${name}-${w}.png`), fullPage: true })
      await page.goto(`${base}/admin`)
      await page.waitForTimeout(1500)
      await shot('dashboard')
      await page.goto(`${base}/admin/resources/Customer`)
      await page.getByText(made[0].nic, { exact: true }).first().waitFor()
      await shot('clientes')
      // No cell of NIC, RFC, phone, figures or dates wraps, and the table fits the page (1280 without sidebar, 1440 with it).
      const texts = made.flatMap((m) => [m.nic, m.rfc, m.phone])
      t.deepEqual(await wrappedOf(page, texts), [], `${w}px`)
      t.true(await page.evaluate(() => { const doc = (globalThis as any).document; return doc.querySelector('.clients-list table').getBoundingClientRect().right <= doc.documentElement.clientWidth }), `${w}px table fits`)
      await page.goto(`${base}/admin/resources/Customer/records/${made[0].id}/show`)
      await page.waitForTimeout(1500)
      await shot('cliente-show')
      await page.goto(`${base}/admin/resources/Customer/records/${made[0].id}/edit`)
      await page.waitForTimeout(1500)
      await shot('cliente-edit')
      await page.getByText('Representante legal').first().scrollIntoViewIfNeeded()
      await page.screenshot({ path: path.join(shotsDir, `cliente-edit-contactos-${w}.png`) })
      await page.goto(`${base}/admin/resources/Customer/records/${made[1].id}/assignOwner`)
      await page.waitForTimeout(1500)
      await shot('cliente-asignar-perfil')
      await page.goto(`${base}/admin/resources/StampingAccount`)
      await page.getByText(made[0].cti, { exact: true }).first().waitFor()
      await shot('timbrado')
      t.deepEqual(await wrappedOf(page, [...made.map((m) => m.cti), 'Estándar', 'Mín. 10 → 100 timbres por $150.00']), [], `${w}px Timbrado`)
      t.deepEqual(errors, [])
    } finally { t.log(errors.join('\n')); await context.close() }
  }
})

test('Timbrado: each action asks once, in its own form (no browser confirm()); auto top-up says it sells now and how much it sold; action links open in a new tab', async (t) => {
  t.timeout(4 * SLOW)
  const { s, d, made } = await seed()
  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(60_000)
  const dialogs: string[] = []
  context.on('page', (p) => p.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.accept() }))
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.accept() })
  try {
    await login(page, d)
    // Block: the form's box says what happens; one click does it.
    await page.goto(`${base}/admin/resources/StampingAccount/records/${made[2].cti}/block`)
    await page.getByText(/Al pulsar «Bloquear», ninguna aplicación podrá timbrar/).first().waitFor()
    await page.getByRole('button', { name: 'Bloquear' }).click()
    await page.getByText(`CTI ${made[2].cti} bloqueada`).first().waitFor()
    t.is((await rowsOf(`select active from stamping_cti where id = '${made[2].cti}'`))[0].active, false)

    // Auto top-up on two accounts, one (3 stamps) already below the minimum typed: the box says it sells now.
    const before = await s.balanceOf(made[1].cti)
    t.is(before, 3)
    await page.goto(`${base}/admin/resources/StampingAccount/bulk/autoSale?recordIds=${made[1].cti},${made[0].cti}`)
    await page.fill('#f-minimum', '10')
    await page.fill('#f-quantity', '100')
    await page.fill('#f-amount', '150.00')
    const now = page.getByTestId('auto-sale-now')
    await now.waitFor()
    t.regex(await now.innerText(), new RegExp(`se venderán ahora mismo 100 timbres de su inventario.*${made[1].cti} \\(saldo 3\\)`))
    t.false((await now.innerText()).includes(made[0].cti))
    await page.screenshot({ path: path.join(shotsDir, 'timbrado-venta-automatica-1440.png'), fullPage: true })
    await page.getByRole('button', { name: 'Guardar venta automática' }).click()
    await page.getByText(new RegExp(`Venta automática configurada en 2 cuentas\\. Se vendieron ahora 100 timbres \\(100 a ${made[1].cti}\\)`)).first().waitFor()
    t.is(await s.balanceOf(made[1].cti), 103)

    // Transfer: one click, no second confirmation.
    await page.goto(`${base}/admin/resources/StampingAccount/records/${made[1].cti}/transfer`)
    await page.fill('#f-quantity', '2')
    await page.fill('#f-amount', '3.00')
    await page.getByRole('button', { name: 'Transferir timbres' }).click()
    await page.getByText(/Transferidos 2 timbres/).first().waitFor()
    t.is(await s.balanceOf(made[1].cti), 105)
    t.deepEqual(dialogs, [])

    // Links opened in a new tab: the customer's "Cuentas de timbrado" (was AdminJS's 404) and an action form.
    const tab = await context.newPage()
    await tab.goto(`${base}/admin/resources/Customer/records/${made[0].id}/stampingAccounts`)
    await tab.waitForURL(new RegExp(`/admin/resources/StampingAccount\\?filters\\.customerNic=${made[0].nic}`))
    await tab.getByText(made[0].cti, { exact: true }).first().waitFor()
    t.is(await tab.getByText('Página no encontrada').count(), 0)
    const tab2 = await context.newPage()
    await tab2.goto(`${base}/admin/resources/StampingAccount/records/${made[0].cti}/transfer`)
    await tab2.getByText('Transfiera timbres de su inventario a esta cuenta.').waitFor()
    const tab3 = await context.newPage()
    await tab3.goto(`${base}/admin/resources/Customer/records/${made[1].id}/assignOwner`)
    await tab3.getByText(/Indique el correo y el móvil del perfil/).waitFor()
    t.is(await tab3.getByTestId('record-title').innerText(), made[1].legalName)

    // The dashboard's figure links to its list (the blocked CTI, active again, is low: 0 stamps).
    await s.services.ctis.setActive(s.em(), d.id, made[2].cti, true)
    await page.goto(`${base}/admin`)
    t.is(await page.locator('a[data-figure="ctisLow"]').innerText().then((x) => x.split('\n').pop()), '1')
    await page.locator('a[data-figure="ctisLow"]').click()
    await page.waitForURL(/filters\.lowStamps=true/)
    await page.getByText(made[2].cti, { exact: true }).first().waitFor()
    t.deepEqual(dialogs, [])
  } finally { await context.close() }
})
