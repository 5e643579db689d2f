import test, { type ExecutionContext } from 'ava'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../helpers/app.js'
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js'
import { CTI_PASSWORD, Stamping } from '../plugins/stamping/helpers.js'

/**
 * The public pages and the customer panel in Chromium at 1440×900: styled inputs (not the browser's
 * tiny defaults), visible focus, labels, local dates, NIC URLs. Screenshots go to
 * .tmp/screenshots/pcc-*; a person looks at them.
 */

const SLOW = 120_000
let app: BrowserApp | undefined
let t0: TestApp | undefined
let browser: Browser | undefined
let base = ''
test.before(async () => { app = await startBrowserApp('pcc-', { admin: false }); ({ t0, browser, base } = app) })
test.after.always(() => app?.close())

/** Inputs drawn by the theme: full width of their field, at least 40 px high, with a visible border. */
async function assertStyledInputs(t: ExecutionContext, page: Page, where: string) {
  // Runs in the page (no DOM types here: the project compiles for Node).
  const boxes: { id: string, h: number, w: number, formW: number, border: string, label: boolean }[] = await page.locator('main input:not([type=hidden])').evaluateAll((els: any[]) => els.map((e) => {
    const g = globalThis as any
    const r = e.getBoundingClientRect(), form = (e.closest('.field') ?? e.closest('form')).getBoundingClientRect(), css = g.getComputedStyle(e)
    return { id: e.id, h: r.height, w: r.width, formW: form.width, border: css.borderTopWidth, label: !!g.document.querySelector(`label[for="${g.CSS.escape(e.id)}"]`) }
  }))
  t.true(boxes.length > 0, where)
  for (const b of boxes) {
    t.true(b.h >= 40, `${where} #${b.id}: ${b.h}px high`)
    t.true(b.w >= b.formW * 0.9, `${where} #${b.id}: ${b.w}px of ${b.formW}px`)
    t.is(b.border, '1px', `${where} #${b.id}`)
    t.true(b.label, `${where} #${b.id} has a label`)
  }
}

test('public pages and the PCC, as a customer sees them', async (t) => {
  t.timeout(4 * SLOW)
  // Services and fetch only: inject would rewire the app the browser talks to.
  const s = new Stamping(t0!)
  const d = await s.distributor(500)
  const customers = t0!.app.kernel.contexts.get('clients')!.use('clients').customers
  const c = await customers.create(s.em(), d.id, {
    legalName: 'Abarrotes La Esperanza SA de CV', tradeName: 'La Esperanza', rfc: 'EKU9003173C9', phone: '33 3614 2200', email: 'contacto@laesperanza.mx',
    legalRepresentative: { name: 'María Fernanda Ruiz', email: 'mfruiz@laesperanza.mx', phones: ['33 1111 2222'] },
  })
  const { items: [cti] } = await s.services.ctis.list(s.em(), d.id, { customerIds: [c.id] }, 1, 10)
  await s.services.ctis.resetPassword(s.em(), d.id, cti.id, CTI_PASSWORD, CTI_PASSWORD)
  const transfer = await fetch(`${base}/api/v1/ctis/${cti.id}/transfers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` }, body: JSON.stringify({ quantity: 120, amount: '180.00', idempotencyKey: `k-${Date.now()}` }),
  })
  t.is(transfer.status, 201)
  const p = await t0!.fixtures.profile({ name: 'Jorge Ramírez' })
  await customers.link(s.em(), c.id, p.id)

  const context = await browser!.newContext({ locale: 'es-MX', viewport: { width: 1440, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(SLOW)
  const errors: string[] = []
  // (A 400 or 422 page is logged by Chromium as a failed load: expected here, not a script error.)
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()) })
  page.on('pageerror', (e) => errors.push(String(e)))
  const shot = (name: string) => app!.shot(page, name)
  try {
    await page.goto(`${base}/login`)
    await assertStyledInputs(t, page, '/login')
    // Focus is visible: the focused input gets a ring.
    await page.focus('#login')
    t.not(await page.locator('#login').evaluate((e) => (globalThis as any).getComputedStyle(e).boxShadow), 'none')
    await shot('01-login')

    await page.click('a[href="/forgot"]')
    await page.waitForURL(`${base}/forgot`)
    await assertStyledInputs(t, page, '/forgot')
    t.is(await page.locator('main a[href="/login"]').count(), 1)
    await shot('02-forgot')

    await page.goto(`${base}/reset?token=enlace-vencido`)
    t.regex(await page.locator('main').innerText(), /El enlace no es válido o ya expiró/)
    t.is(await page.locator('input[type=password]').count(), 0)
    await shot('03-reset-bad-token')

    await page.goto(`${base}/signup`)
    await assertStyledInputs(t, page, '/signup')
    await shot('04-signup')
    await page.fill('#name', 'Persona de Prueba')
    await page.fill('#email', 'no-es-correo')
    await page.fill('#mobile', '33 1234 5678')
    await page.fill('#password', 'contraseña-larga')
    await page.fill('#passwordConfirmation', 'otra-distinta')
    // The browser's own check would stop an invalid e-mail before the server sees it (in its own words).
    await page.locator('form[action="/signup"]').evaluate((f: any) => f.setAttribute('novalidate', ''))
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/signup"] button[type=submit]')])
    t.is(await page.locator('#passwordConfirmation-error').innerText(), 'La confirmación no coincide con la contraseña')
    await shot('05-signup-errors')

    await page.goto(`${base}/login`)
    await page.fill('#login', p.email)
    await page.fill('#password', p.password)
    await Promise.all([page.waitForURL(/\/pcc\/\d+\/\w+$/), page.click('form[action="/login"] button[type=submit]')])
    t.true(page.url().startsWith(`${base}/pcc/${c.nic}/`), page.url())
    const home = await page.locator('main').innerText()
    t.true(home.includes('Abarrotes La Esperanza SA de CV'))
    t.regex(home, /\d{1,2} [a-z]{3} \d{4}, \d{2}:\d{2}/, 'a local date')
    t.false(/\d{4}-\d{2}-\d{2}T/.test(home))
    await assertStyledInputs(t, page, 'PCC datos')
    await shot('06-pcc-home')

    await page.click(`nav.tabs a[href="/pcc/${c.nic}/timbrado"]`)
    await page.waitForURL(`${base}/pcc/${c.nic}/timbrado`)
    t.true((await page.locator('main').innerText()).includes(cti.id))
    await shot('07-pcc-cti')

    await page.goto(`${base}/pcc/${c.nic}/datos`)
    await page.fill('#rfc', 'MALO')
    await page.fill('[id="legalRepresentative.email"]', 'no-es-correo')
    await page.locator('form[action$="/datos"]').evaluate((f: any) => f.setAttribute('novalidate', ''))
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/datos"] button[type=submit]')])
    t.regex(await page.locator('[id="legalRepresentative.email-error"]').innerText(), /Correo electrónico inválido/)
    await page.locator('#rfc').scrollIntoViewIfNeeded()
    await shot('08-pcc-datos-errors')

    await page.click('header a[href="/profile"]')
    await page.waitForURL(`${base}/profile`)
    await assertStyledInputs(t, page, '/profile')
    t.is(await page.locator('form[action="/profile/password"] #currentPassword').count(), 1)
    await shot('09-profile')

    // A profile linked to two customers chooses where to go.
    const second = await customers.create(s.em(), d.id, { legalName: 'Papelería El Lápiz SA de CV', rfc: 'EKU9003173C9' })
    await customers.link(s.em(), second.id, p.id)
    await page.goto(`${base}/`)
    t.is(await page.locator('main form[action="/switch"] button').count(), 2)
    await shot('10-landing')
    await page.goto(`${base}/pcc`)
    t.deepEqual((await page.locator('main ul.choices a').evaluateAll((as: any[]) => as.map((a) => a.getAttribute('href')))).sort(), [`/pcc/${c.nic}`, `/pcc/${second.nic}`].sort())
    await shot('11-pcc-choose')
    t.deepEqual(errors, [])
  } finally { await context.close() }
})
