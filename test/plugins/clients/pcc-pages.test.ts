import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import { errorLabel } from '../../../plugins/clients/pcc.js'
import { uniqueIp } from '../../security/support.js'
import { Stamping, startStampingApp } from '../stamping/helpers.js'
import type { TestApp } from '../../helpers/app.js'

// The customer panel as a customer meets it: URLs that name its NIC (and only its own), dates in
// Mexico City time, and form errors under their fields with labels, never the fields' keys.

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp(); s = new Stamping(t0) })
test.after.always(() => t0?.close())

const idOf = async (nic: string) => (await sql<{ id: string }[]>(s.em(), 'select id from clients_customer where nic = ?', [nic]))[0].id
/** What a person reads on the page: the main part, tags stripped. */
const text = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

async function panelFor(nic: string) {
  const p = await t0.fixtures.profile()
  await t0.app.kernel.contexts.get('clients')!.use('clients').customers.link(s.em(), await idOf(nic), p.id)
  const c = t0.client({ remoteAddress: uniqueIp() })
  const res = await c.login(p.email, p.password)
  if (res.statusCode !== 303) throw new Error(`login ${res.statusCode}`)
  return { c, landing: res.headers.location as string }
}

test('PCC URLs name the customer by its NIC; its UUID is nowhere; another customer\'s NIC (same or other distributor) is 404', async (t) => {
  const d = await s.distributor(10)
  const other = await s.distributor(10)
  const mine = await s.customer(d, 'Ferretería El Clavo SA de CV')
  const neighbour = await s.customer(d, 'Vecino del Mismo Distribuidor SA')
  const foreign = await s.customer(other, 'Cliente de Otro Distribuidor SA')
  const { c, landing } = await panelFor(mine.nic)
  // One destination: sign-in goes straight to it, by NIC.
  t.is(landing, `/pcc/${mine.nic}`)
  t.is((await c.get('/pcc')).headers.location, `/pcc/${mine.nic}`)
  const first = await c.get(`/pcc/${mine.nic}`)
  t.is(first.statusCode, 303)
  t.regex(first.headers.location as string, new RegExp(`^/pcc/${mine.nic}/[a-z]+$`))
  const uuid = await idOf(mine.nic)
  for (const page of ['datos', 'perfiles', 'timbrado']) {
    const res = await c.get(`/pcc/${mine.nic}/${page}`)
    t.is(res.statusCode, 200, page)
    t.false(res.body.includes(uuid), `${page}: no UUID`)
    const links = [...res.body.matchAll(/(?:href|action)="(\/pcc\/[^"]*)"/g)].map((m) => m[1])
    t.true(links.length >= 3, page)
    for (const href of links) t.true(href.startsWith(`/pcc/${mine.nic}/`), href)
    t.true(res.body.includes(`NIC <strong>${mine.nic}</strong>`))
  }
  // The UUID form of the URL is gone, and other customers' NICs are not this profile's to open.
  t.is((await c.get(`/pcc/${uuid}/datos`)).statusCode, 404)
  const _csrf = await c.csrf(`/pcc/${mine.nic}/datos`)
  for (const x of [neighbour, foreign]) {
    const before = await s.api(x === foreign ? other : d, 'GET', `/api/v1/customers/${x.nic}`)
    for (const url of [`/pcc/${x.nic}`, `/pcc/${x.nic}/datos`, `/pcc/${x.nic}/timbrado`]) {
      const res = await c.get(url)
      t.is(res.statusCode, 404, url)
      t.false(res.body.includes(x.cti))
    }
    const post = await c.postForm(`/pcc/${x.nic}/datos`, { _csrf, legalName: 'Tomado SA', rfc: 'EKU9003173C9' })
    t.is(post.statusCode, 404)
    t.is(post.headers.location, undefined)
    t.deepEqual((await s.api(x === foreign ? other : d, 'GET', `/api/v1/customers/${x.nic}`)).json(), before.json())
  }
  // A CTI password change redirects within the NIC URL.
  const changed = await c.postForm(`/pcc/${mine.nic}/timbrado`, { _csrf, cti: mine.cti, password: 'clave-nueva-123', passwordConfirmation: 'clave-nueva-123' })
  t.is(changed.headers.location, `/pcc/${mine.nic}/timbrado`)
})

test('PCC dates read as in Mexico City ("4 dic 2026, 12:25"), never as ISO strings', async (t) => {
  const d = await s.distributor(10)
  const x = await s.customer(d, 'Papelería La Pluma SA')
  await s.transfer(d, x.cti, 3)
  const { c } = await panelFor(x.nic)
  const page = await c.get(`/pcc/${x.nic}/datos`)
  t.is(page.statusCode, 200)
  t.false(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(page.body), 'no ISO timestamp')
  const shown = /Última compra de timbres<\/dt><dd class="small">([^<]+)<\/dd>/.exec(page.body)![1]
  const expected = new Intl.DateTimeFormat('es-MX', { timeZone: 'America/Mexico_City', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  // The purchase happened just now: today's date and time in Mexico City (give or take a minute).
  const now = Date.now()
  t.true([now - 60_000, now, now + 60_000].map((ms) => expected.format(ms)).includes(shown), shown)
  t.regex(shown, /^\d{1,2} [a-z]{3,4} \d{4}, \d{2}:\d{2}$/)
  t.regex(page.body, /Última emisión<\/dt><dd class="small">—<\/dd>/)
  // A validity that ends at midnight UTC ends at 18:00 of the day before in Mexico City: said as such.
  await sql(s.em(), `update stamping_cti set valid_until = '2027-01-15T00:00:00Z' where id = ?`, [x.cti])
  const ctis = await c.get(`/pcc/${x.nic}/timbrado`)
  t.true(ctis.body.includes('<td>14 ene 2027, 18:00</td>'))
  t.false(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(ctis.body))
})

test('PCC data form: each error under its own field, in Spanish; the summary names labels, never keys', async (t) => {
  const d = await s.distributor(0)
  const x = await s.customer(d, 'Abarrotes Don Pepe SA')
  const { c } = await panelFor(x.nic)
  const url = `/pcc/${x.nic}/datos`
  const res = await c.postForm(url, {
    _csrf: await c.csrf(url), legalName: 'Abarrotes Don Pepe SA', rfc: 'MALO',
    'legalRepresentative.name': 'Ana', 'legalRepresentative.email': 'no-es-correo', 'legalRepresentative.phones': '',
    'technicalContact.phones': '12',
  })
  t.is(res.statusCode, 422)
  const under = (name: string, message: RegExp) => t.regex(res.body, new RegExp(`name="${name.replace('.', '\\.')}"[^>]*aria-invalid="true"[^>]*>\\s*<p class="field-error" id="${name.replace('.', '\\.')}-error">${message.source}</p>`), name)
  under('rfc', /RFC inválido[^<]*/)
  under('legalRepresentative.email', /Correo electrónico inválido/)
  under('technicalContact.phones', /Teléfonos inválidos[^<]*/)
  const visible = text(res.body)
  t.regex(visible, /Revise los datos marcados: RFC, Representante legal · Correo, Contacto técnico · Teléfonos\./)
  for (const key of ['rfc:', 'legalRepresentative', 'technicalContact', 'phones']) t.false(visible.includes(key), key)
  // What was typed stays in the form.
  t.true(res.body.includes('value="no-es-correo"'))
  t.is((await s.api(d, 'GET', `/api/v1/customers/${x.nic}`)).json().rfc, 'EKU9003173C9')
})

test('error keys map to labels: nested, whole contacts and unknown keys alike', (t) => {
  t.is(errorLabel('legalRepresentative.email'), 'Representante legal · Correo')
  t.is(errorLabel('financialContact'), 'Contacto financiero')
  t.is(errorLabel('taxRegime'), 'Régimen fiscal')
  t.is(errorLabel('technicalContact.fax'), 'Contacto técnico · Dato')
  t.is(errorLabel('stampPrice'), 'Otro dato')
})
