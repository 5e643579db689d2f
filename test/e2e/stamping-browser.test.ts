import test from 'ava'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { rows } from '../security/support.js'
import { CTI_PASSWORD, Stamping } from '../plugins/stamping/helpers.js'
import { b64, sampleCfdi } from '../helpers/cfdi.js'

/**
 * Timbrado in a real browser: the CTI list with balances, the transfer form (its confirmation, the
 * notice, the new balance) and the customer's PCC page. Screenshots go to .tmp/screenshots/stamping-*.
 */

const SLOW = 180_000

let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('stamping-'); ({ t0, browser, base } = app) })
test.after.always(() => app?.close())
const shot = (page: Page, name: string) => app!.shot(page, name)

test('a distributor sees its CTIs with balances, transfers stamps through the form; the customer sees them in the PCC', async (t) => {
  t.timeout(4 * SLOW)
  // Services only: light-my-request's inject rewires the express app's request prototype, which
  // breaks the real sockets the browser uses afterwards.
  const s = new Stamping(t0!)
  const d = await s.distributor(500)
  const customers = t0!.app.kernel.contexts.get('clients')!.use('clients').customers
  const customer = async (legalName: string) => {
    const c = await customers.create(s.em(), d.id, { legalName, rfc: 'EKU9003173C9' })
    const { items } = await s.services.ctis.list(s.em(), d.id, { customerIds: [c.id] }, 1, 10)
    await s.services.ctis.resetPassword(s.em(), d.id, items[0].id, CTI_PASSWORD, CTI_PASSWORD)
    return { id: c.id, nic: c.nic, cti: items[0].id }
  }
  const stamp = (cti: string, password: string) => fetch(`${base}/api/v1/stamp`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cti, password, xml: b64(sampleCfdi()) }),
  })
  const one = await customer('Abarrotes La Esperanza SA de CV')
  const two = await customer('Ferretería El Clavo SA de CV')
  await s.services.sales.transferToCti(s.em(), d.id, two.cti, { quantity: 40, amount: 6000, idempotencyKey: 'e2e-two' })
  await s.services.sales.setAutoSale(s.em(), d.id, [two.cti], { minimum: 10, quantity: 100, amount: 15000 })

  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(SLOW)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  // A resource or script the Content-Security-Policy blocked is an error too.
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text()) && !/fonts\.googleapis\.com/.test(m.text())) errors.push(m.text()) })
  const dialogs: string[] = []
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.accept() })
  try {
    await page.goto(`${base}/login`)
    await page.fill('input[name="login"]', d.login)
    await page.fill('input[name="password"]', d.password)
    await Promise.all([page.waitForURL(/\/admin(\/|$)/), page.click('button[type="submit"]')])

    await page.goto(`${base}/admin/resources/StampingAccount`)
    await page.getByText(one.cti, { exact: true }).first().waitFor()
    await shot(page, '01-timbrado-list')
    const body = await page.locator('body').innerText()
    // The customer's name, not its NIC.
    t.true(body.includes('Abarrotes La Esperanza SA de CV'))
    t.true(body.includes('Estándar'))
    t.true(body.includes('Mín. 10 → 100 timbres por $150.00'))

    await page.goto(`${base}/admin/resources/StampingAccount/records/${one.cti}/transfer`)
    await page.getByText('Transfiera timbres de su inventario a esta cuenta.').waitFor()
    t.regex(await page.locator('body').innerText(), /irreversible/)
    await page.fill('#f-quantity', '25')
    await page.fill('#f-amount', '37.50')
    await shot(page, '02-transfer-form')
    await page.getByRole('button', { name: 'Transferir timbres' }).click()
    await page.getByText(/Transferidos 25 timbres/).first().waitFor()
    // The form was the one confirmation: no browser confirm() after it.
    t.deepEqual(dialogs, [])
    await page.waitForURL(/\/admin\/resources\/StampingAccount(\?|$)/)
    await shot(page, '03-after-transfer')
    t.is(await s.balanceOf(one.cti), 25)
    t.is((await rows(t0!, 'select count(*)::int as n from stamping_sale where cti_id = ?', [one.cti]))[0].n, 1)

    await page.goto(`${base}/admin/resources/StampingAccount/bulk/massTransfer?recordIds=${one.cti},${two.cti}`)
    await page.getByText(/se aplica completa o no se aplica/).first().waitFor()
    await shot(page, '04-mass-transfer-form')
    t.deepEqual(errors, [])
  } finally { await context.close() }

  // The customer's panel.
  const p = await t0!.fixtures.profile()
  const id = one.id
  await t0!.app.kernel.contexts.get('clients')!.use('clients').customers.link(s.em(), id, p.id)
  const pcc = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1280, height: 900 } })
  const page2 = await pcc.newPage()
  page2.setDefaultTimeout(SLOW)
  try {
    await page2.goto(`${base}/login`)
    await page2.fill('input[name="login"]', p.email)
    await page2.fill('input[name="password"]', p.password)
    await Promise.all([page2.waitForURL((u) => !u.pathname.startsWith('/login')), page2.click('button[type="submit"]')])
    await page2.goto(`${base}/pcc/${one.nic}/timbrado`)
    t.true((await page2.locator('body').innerText()).includes(one.cti))
    await page2.fill('#password', 'clave-nueva-del-cliente')
    await page2.fill('#passwordConfirmation', 'clave-nueva-del-cliente')
    await shot(page2, '05-pcc-timbrado')
    await Promise.all([page2.waitForNavigation(), page2.click('form[action$="/timbrado"] button[type="submit"]')])
    await shot(page2, '06-pcc-password-changed')
    // The notice is in the page the redirect rendered: read it now, so a refusal shows what was said.
    t.regex(await page2.locator('body').innerText(), /Contraseña de la cuenta .* cambiada/)
    t.is((await stamp(one.cti, 'clave-nueva-del-cliente')).status, 200)
  } finally { await pcc.close() }
})
