import { mkdirSync } from 'node:fs'
import path from 'node:path'
import test from 'ava'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { openPage, readable, startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { distributor, em, inventory, ledger, mint, pkg, svc, tools } from '../plugins/purchases/helpers.js'

/**
 * Compras in a real browser: a sub-distributor buys a stamps package from its parent in the CM
 * (Compras → Timbres CFDI, the one confirmation, the result), gives points to a customer (Clientes →
 * Abonar puntos), the parent confirms a points order; then the customer buys one of its distributor's
 * packages in the PCC. Screenshots at 1440×900 go to /tmp/shots-purchases/ (and .tmp/screenshots/purchases-*).
 */

const SLOW = 180_000
const SHOTS = path.join('/tmp/shots-purchases', process.env.DATABASE_URL ? 'pg' : 'embedded')

let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('purchases-'); ({ t0, browser, base } = app); mkdirSync(SHOTS, { recursive: true }) })
test.after.always(() => app?.close())
const shot = async (page: Page, name: string) => { await app!.shot(page, name); await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }) }


test('a sub-distributor buys stamps in the CM and gives points to a customer; the parent confirms an order; the customer buys a package in the PCC', async (t) => {
  t.timeout(4 * SLOW)
  const x = t0!
  const seller = await distributor(x)
  const buyer = await distributor(x, seller.id)
  await mint(x, seller.id, { stamps: 20_000, points: 50_000_00 })
  await mint(x, buyer.id, { points: 5_000_00 })
  await pkg(x, seller.id, { asset: 'stamps', quantity: 1000, price: '1200.00', description: 'Paquete de 1,000 timbres' })
  await pkg(x, seller.id, { asset: 'stamps', quantity: 5000, price: '5500.00', description: 'Paquete de 5,000 timbres' })
  const points = await pkg(x, seller.id, { asset: 'points', quantity: '1000.00', price: '1000.00', description: 'Paquete de 1,000 puntos' })
  // An order of the buyer, pending, for the parent to confirm.
  await svc(x).orders.create(em(x), { type: 'distributor', id: buyer.id }, { package: points.id, count: 2 })
  // The buyer's customer, its package for the PCC and the setting that allows buying it there.
  const clients = x.app.kernel.contexts.get('clients')!.use('clients').customers
  const customer = await clients.create(em(x), buyer.id, { legalName: 'Abarrotes La Esperanza SA de CV', rfc: 'EKU9003173C9' })
  const stamping = x.app.kernel.contexts.get('stamping')!.use('stamping')
  const cti = (await stamping.ctis.list(em(x), buyer.id, { customerIds: [customer.id] }, 1, 10)).items[0].id
  await pkg(x, buyer.id, { asset: 'stamps', quantity: 100, price: '150.00', description: 'Paquete de 100 timbres', forDistributors: false })
  await tools(x).settings.update(em(x), buyer.id, { pccStampPurchase: true })
  const profile = await x.fixtures.profile()
  await clients.link(em(x), customer.id, profile.id)

  const { context, page, errors, dialogs, login } = await openPage(browser!, base, SLOW)
  try {
    // ── CM: Compras → Timbres CFDI ──
    await login(buyer, /\/admin(\/|$)/)
    await page.goto(`${base}/admin/resources/PurchaseStamps`)
    await page.getByText('Paquete de 5,000 timbres').waitFor()
    const tabs = await page.getByTestId('purchases-tabs').innerText()
    t.regex(tabs, /Timbres CFDI/)
    t.regex(tabs, /Puntos/)
    let body = await page.locator('body').innerText()
    t.true(body.includes('Compras'), 'the sidebar group')
    t.true(body.includes('Sus puntos: 5,000.00 puntos'), body.slice(0, 500))
    readable(t, body, 'Timbres CFDI')
    await shot(page, '01-cm-timbres')

    await page.getByLabel('Paquete de 1,000 timbres').check()
    await page.fill('#purchase-count', '2')
    await page.getByRole('button', { name: 'Comprar' }).click()
    const confirm = page.getByTestId('purchase-confirm')
    await confirm.waitFor()
    const confirmText = await confirm.innerText()
    t.regex(confirmText, /Esta compra no se puede cancelar ni revertir/)
    t.regex(confirmText, /2,000 timbres/)
    t.regex(confirmText, /2,400\.00 puntos/)
    await shot(page, '02-cm-confirmacion')

    await page.getByRole('button', { name: 'Confirmar compra' }).click()
    const result = page.getByTestId('purchase-result')
    await result.waitFor()
    const resultText = await result.innerText()
    t.regex(resultText, /Compra hecha/)
    t.regex(resultText, /Su inventario ahora: 2,000 timbres · Sus puntos: 2,600\.00 puntos/)
    readable(t, resultText, 'result')
    t.deepEqual(dialogs, [], 'one confirmation, no browser dialog')
    t.deepEqual(await inventory(x, buyer.id), [2000, 2_600_00])
    await shot(page, '03-cm-resultado')

    // Short of points: what is missing, and nothing moves.
    await page.getByRole('button', { name: 'Hacer otra compra' }).click()
    await page.getByLabel('Paquete de 5,000 timbres').check()
    await page.getByRole('button', { name: 'Comprar' }).click()
    await page.getByRole('button', { name: 'Confirmar compra' }).click()
    await page.getByTestId('purchase-error').waitFor()
    t.regex(await page.getByTestId('purchase-error').innerText(), /le faltan 2,900\.00 puntos\. No se movió nada/)
    t.deepEqual(await inventory(x, buyer.id), [2000, 2_600_00])
    await shot(page, '04-cm-sin-puntos')

    // ── CM: Compras → Puntos (the buyer's own orders) ──
    await page.getByTestId('purchases-tabs').getByRole('button', { name: 'Puntos' }).click()
    await page.getByTestId('my-orders').waitFor()
    body = await page.locator('body').innerText()
    t.regex(body, /Por confirmar/)
    readable(t, body, 'Puntos')
    await shot(page, '05-cm-puntos')

    // ── CM: Clientes → Abonar puntos ──
    await page.goto(`${base}/admin/resources/Customer/records/${customer.id}/givePoints`)
    await page.getByTestId('give-points').waitFor()
    await page.getByText('2,600.00 puntos').first().waitFor()
    await page.getByLabel(`Puntos para ${customer.nic}`).fill('500')
    await page.getByLabel(`Importe para ${customer.nic}`).fill('500.00')
    await page.getByRole('button', { name: 'Continuar' }).click()
    await page.getByTestId('give-points-confirm').waitFor()
    t.regex(await page.getByTestId('give-points-confirm').innerText(), new RegExp(`Se abonarán 500\\.00 puntos al cliente NIC ${customer.nic} por \\$500\\.00`))
    await shot(page, '06-cm-abonar-confirmacion')
    await page.getByRole('button', { name: 'Abonar puntos' }).click()
    await page.getByTestId('give-points-result').waitFor()
    t.regex(await page.getByTestId('give-points-result').innerText(), new RegExp(`500\\.00 puntos al cliente NIC ${customer.nic} por \\$500\\.00`))
    await shot(page, '07-cm-abonar-resultado')

    // ── CM: the parent confirms the order ──
    await login(seller, /\/admin(\/|$)/)
    await page.goto(`${base}/admin/resources/PurchasePoints`)
    await page.getByTestId('buyers-orders').waitFor()
    await page.getByTestId('buyers-orders').getByRole('button', { name: 'Confirmar' }).click()
    await page.getByLabel(/Referencia del pago/).fill('SPEI 0123456789')
    await shot(page, '08-cm-confirmar-pedido')
    await page.getByRole('button', { name: 'Confirmar pago' }).click()
    await page.getByText('Pagado y entregado').first().waitFor()
    body = await page.getByTestId('buyers-orders').innerText()
    t.regex(body, /SPEI 0123456789/)
    readable(t, body, 'buyers orders')
    await shot(page, '09-cm-pedido-confirmado')

    // ── PCC: the customer buys its distributor's package ──
    await login(profile, /\/pcc\/\d+/)
    await page.goto(`${base}/pcc/${customer.nic}/compras`)
    body = await page.locator('main').innerText()
    t.regex(body, /500\.00/)
    readable(t, body, 'PCC Comprar')
    await shot(page, '10-pcc-comprar')
    await page.selectOption('#cti', cti)
    await page.fill('#stamp-count', '2')
    await Promise.all([page.waitForLoadState('load'), page.click('form:has(#stamp-package) button[type=submit]')])
    body = await page.locator('main').innerText()
    t.regex(body, /Esta compra no se puede cancelar ni revertir/)
    t.regex(body, /200 timbres/)
    await shot(page, '11-pcc-confirmacion')
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Comprar' }).click()])
    body = await page.locator('main').innerText()
    t.regex(body, /Compra realizada: 200 timbres/)
    readable(t, body, 'PCC result')
    await shot(page, '12-pcc-resultado')
    t.deepEqual(errors, [])
  } finally { await context.close() }
  t.deepEqual(await ledger(x).verify(em(x)), [])
})
