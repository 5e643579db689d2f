import test from 'ava'
import { createPublicKey, verify } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import forge from 'node-forge'
import { sql } from '../../../core/db/sql.js'
import type { TestApp } from '../../helpers/app.js'
import { b64, sampleCfdi } from '../../helpers/cfdi.js'
import { mexicoCityNow } from '../../../plugins/stamping/cfdi/validate.js'
import { CTI_PASSWORD, Stamping, startStampingApp } from './helpers.js'

let t0: TestApp
let s: Stamping
// Few failures allowed, so the throttling test stays short.
test.before(async () => { t0 = await startStampingApp({ ctiFailures: 3, ipFailures: 8, unlimitedYearlyPoints: '100.00' }); s = new Stamping(t0) })
test.after.always(() => t0?.close())

const code = (res: { json(): any }) => res.json().error?.code

async function loaded(stamps = 5) {
  const d = await s.distributor(1000, 100_000)
  const { nic, cti } = await s.customer(d)
  if (stamps) await s.transfer(d, cti, stamps)
  return { d, nic, cti }
}

test('malformed requests are refused with 400 before anything is reserved', async (t) => {
  const { cti } = await loaded(2)
  const cases: [unknown, string][] = [
    // A missing or mistyped field is named: { fields: { cti: '…' } }.
    [{ password: CTI_PASSWORD, xml: b64(sampleCfdi()) }, 'invalid_parameter'],
    [{ cti, password: CTI_PASSWORD }, 'invalid_parameter'],
    [{ cti, password: 5, xml: b64(sampleCfdi()) }, 'invalid_parameter'],
    [[1, 2], 'bad_request'],
    [{ cti, password: CTI_PASSWORD, xml: 'no es base64!!' }, 'malformed_base64'],
    [{ cti, password: CTI_PASSWORD, xml: b64('<cfdi:Comprobante') }, 'malformed_xml'],
    [{ cti, password: CTI_PASSWORD, xml: b64('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>') }, 'xml_dtd_forbidden'],
  ]
  for (const [payload, expected] of cases) {
    const res = await t0.inject({ method: 'POST', url: '/api/v1/stamp', payload: payload as object })
    t.is(res.statusCode, 400, JSON.stringify(payload).slice(0, 80))
    t.is(code(res), expected)
    t.deepEqual(Object.keys(res.json().error).sort(), ['code', 'message', 'retryable', ...(expected === 'invalid_parameter' ? ['fields'] : [])].sort())
  }
  const raw = await t0.inject({ method: 'POST', url: '/api/v1/stamp', payload: '{"cti":', headers: { 'content-type': 'application/json' } })
  t.is(raw.statusCode, 400)
  t.is(await s.balanceOf(cti), 2)
  t.is(await s.stampsOf(cti), 0)
})

test('CFDI rules broken → 422 naming the rule; nothing charged', async (t) => {
  const { cti } = await loaded(2)
  const old = mexicoCityNow(new Date(Date.now() - 73 * 3_600_000))
  const ahead = mexicoCityNow(new Date(Date.now() + 25 * 3_600_000))
  const cases: [Parameters<typeof sampleCfdi>[0], string][] = [
    [{ namespace: 'http://www.sat.gob.mx/cfd/3' }, 'cfdi_root_invalid'],
    [{ version: '3.3' }, 'cfdi_version_invalid'],
    [{ sello: '' }, 'cfdi_sello_missing'],
    [{ noCertificado: '123' }, 'cfdi_no_certificado_invalid'],
    [{ fecha: '2026-13-01T10:00:00' }, 'cfdi_fecha_invalid'],
    [{ fecha: old }, 'cfdi_fecha_out_of_range'],
    [{ fecha: ahead }, 'cfdi_fecha_out_of_range'],
    [{ emisorRfc: 'EKU9003173C8' }, 'cfdi_emisor_rfc_invalid'],
    [{ complemento: 'tfd' }, 'cfdi_already_stamped'],
  ]
  for (const [doc, expected] of cases) {
    const res = await s.stamp(cti, { doc })
    t.is(res.statusCode, 422, expected)
    t.is(code(res), expected)
  }
  t.is(await s.balanceOf(cti), 2)
})

test('a body over 5 MiB → 413; a large document under it is accepted', async (t) => {
  const { cti } = await loaded(1)
  const big = await t0.inject({ method: 'POST', url: '/api/v1/stamp', payload: { cti, password: CTI_PASSWORD, xml: 'A'.repeat(5 * 1024 * 1024 + 10) } })
  t.is(big.statusCode, 413)
  const padded = sampleCfdi().replace('<cfdi:Conceptos>', `<cfdi:Conceptos>${'<cfdi:Concepto ClaveProdServ="01010101" Cantidad="1" ClaveUnidad="ACT" Descripcion="x" ValorUnitario="1.00" Importe="1.00" ObjetoImp="01"/>'.repeat(15000)}`)
  const ok = await s.stamp(cti, { xml: b64(padded) })
  t.is(ok.statusCode, 200, ok.body.slice(0, 200))
})

test('wrong CTI or password → 401; blocked → 403; unblocked works again; /balance needs the same credentials', async (t) => {
  const { d, cti } = await loaded(3)
  const wrong = await s.stamp(cti, { password: 'otra-clave-123' })
  t.is(wrong.statusCode, 401)
  t.is(code(wrong), 'cti_credentials_invalid')
  const unknown = await s.stamp('CTI-NO-EXISTE', {})
  t.is(unknown.statusCode, 401)
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/block`)).statusCode, 204)
  const blocked = await s.stamp(cti)
  t.is(blocked.statusCode, 403)
  t.is(code(blocked), 'cti_blocked')
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/unblock`)).statusCode, 204)
  t.is((await s.stamp(cti)).statusCode, 200)
  const bal = await t0.inject({ method: 'POST', url: '/api/v1/balance', payload: { cti, password: CTI_PASSWORD } })
  t.is(bal.statusCode, 200)
  t.like(bal.json(), { type: 'standard', balance: 2 })
  const badBal = await t0.inject({ method: 'POST', url: '/api/v1/balance', payload: { cti, password: 'nope-nope-nope' } })
  t.is(badBal.statusCode, 401)
  t.is(await s.balanceOf(cti), 2)
})

test('a password reset drops the cached credentials at once', async (t) => {
  const { d, cti } = await loaded(3)
  t.is((await s.stamp(cti)).statusCode, 200)
  const mismatch = await s.api(d, 'POST', `/api/v1/ctis/${cti}/reset-password`, { password: 'nueva-clave-456', passwordConfirmation: 'nueva-clave-457' })
  t.is(mismatch.statusCode, 422)
  t.deepEqual(Object.keys(mismatch.json().error.details?.fields ?? mismatch.json().error.fields ?? {}), ['passwordConfirmation'])
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/reset-password`, { password: 'corta' })).statusCode, 422)
  t.is((await s.stamp(cti)).statusCode, 200, 'a refused reset changes nothing')
  t.is((await s.api(d, 'POST', `/api/v1/ctis/${cti}/reset-password`, { password: 'nueva-clave-456' })).statusCode, 204)
  t.is((await s.stamp(cti)).statusCode, 401)
  t.is((await s.stamp(cti, { password: 'nueva-clave-456' })).statusCode, 200)
})

test('failed credentials for a CTI or an IP past the threshold → 429, even with the right password', async (t) => {
  const { cti } = await loaded(3)
  const ip = '203.0.113.7'
  for (let i = 0; i < 3; i++) t.is((await s.stamp(cti, { password: `mala-clave-${i}00`, remoteAddress: ip })).statusCode, 401)
  const fourth = await s.stamp(cti, { password: 'mala-clave-900', remoteAddress: ip })
  t.is(fourth.statusCode, 429)
  t.is(code(fourth), 'cti_throttled')
  t.true(fourth.json().error.retryable)
  // The right password from another address: the CTI's count refuses it before argon2 is run.
  const right = await s.stamp(cti, { remoteAddress: '198.51.100.9' })
  t.is(right.statusCode, 429)
  // Per IP: guesses at many CTIs from one address.
  const ip2 = '203.0.113.8'
  const statuses: number[] = []
  for (let i = 0; i < 10; i++) statuses.push((await s.stamp(`CTI-FALSA-${i}`, { remoteAddress: ip2 })).statusCode)
  t.true(statuses.slice(0, 8).every((st) => st === 401), statuses.join(','))
  t.true(statuses.slice(8).every((st) => st === 429), statuses.join(','))
  t.is(await s.balanceOf(cti), 3)
})

test('no stamps → 402 insufficient_stamps; a replay of an earlier document still answers with balance 0', async (t) => {
  const { cti } = await loaded(1)
  const xml = b64(sampleCfdi())
  t.is((await s.stamp(cti, { xml, idd: 'a-1' })).statusCode, 200)
  const empty = await s.stamp(cti)
  t.is(empty.statusCode, 402)
  t.is(code(empty), 'insufficient_stamps')
  const replay = await s.stamp(cti, { xml, idd: 'a-1' })
  t.is(replay.statusCode, 200)
  t.like(replay.json(), { replayed: true, balance: 0 })
  const conflict = await s.stamp(cti, { idd: 'a-1' })
  t.is(conflict.statusCode, 409)
  t.deepEqual(await s.verify(cti), [])
})

test('unlimited CTI: charged yearly in points, only Induxsoft V10+ or FactuDesk Web, RFC restriction, expiry', async (t) => {
  const { d, nic } = await loaded(0)
  const create = await s.api(d, 'POST', '/api/v1/ctis', { customer: nic, type: 'unlimited', password: CTI_PASSWORD, rfc: 'EKU9003173C9' })
  t.is(create.statusCode, 201, create.body)
  const cti = create.json()
  t.like(cti, { type: 'unlimited', balance: null, rfc: 'EKU9003173C9', active: true })
  t.true(new Date(cti.validUntil).getTime() > Date.now() + 360 * 86_400_000)
  t.is((await s.api(d, 'GET', '/api/v1/inventory')).json().points, '900.00')
  const noApp = await s.stamp(cti.id)
  t.is(noApp.statusCode, 403)
  t.is(code(noApp), 'app_not_allowed')
  t.is(code(await s.stamp(cti.id, { app: 'MaxiComercio 2014' })), 'app_not_allowed')
  t.is(code(await s.stamp(cti.id, { app: 'MaxiComercio/9.5' })), 'app_not_allowed')
  t.is((await s.stamp(cti.id, { app: 'MaxiComercio/10.2' })).statusCode, 200)
  t.is((await s.stamp(cti.id, { app: 'FactuDeskWeb' })).statusCode, 200)
  const otherRfc = await s.stamp(cti.id, { app: 'FactuDeskWeb', doc: { emisorRfc: 'XAXX010101000' } })
  t.is(otherRfc.statusCode, 403)
  t.is(code(otherRfc), 'rfc_not_allowed')
  const bal = await t0.inject({ method: 'POST', url: '/api/v1/balance', payload: { cti: cti.id, password: CTI_PASSWORD } })
  t.like(bal.json(), { type: 'unlimited', rfc: 'EKU9003173C9' })
  await sql(s.em(), `update stamping_cti set valid_until = now() - interval '1 day' where id = ?`, [cti.id])
  const expired = await s.stamp(cti.id, { app: 'FactuDeskWeb' })
  t.is(expired.statusCode, 403)
  t.is(code(expired), 'cti_expired')
  // Without the points, no unlimited CTI.
  const poor = await s.distributor(10)
  const { nic: nic2 } = await s.customer(poor)
  const refused = await s.api(poor, 'POST', '/api/v1/ctis', { customer: nic2, type: 'unlimited', password: CTI_PASSWORD })
  t.is(refused.statusCode, 409)
  t.is(code(refused), 'insufficient_inventory')
  t.is((await s.api(poor, 'GET', `/api/v1/ctis?customer=${nic2}`)).json().total, 1)
})

test('the TFD is a TFD 1.1 whose SelloSAT verifies against the published certificate', async (t) => {
  const { cti } = await loaded(1)
  const original = sampleCfdi()
  const res = await s.stamp(cti, { xml: b64(original) })
  const stamped = Buffer.from(res.json().xml, 'base64').toString('utf8')
  const doc = new DOMParser().parseFromString(stamped, 'text/xml')
  const tfd = doc.getElementsByTagNameNS('http://www.sat.gob.mx/TimbreFiscalDigital', 'TimbreFiscalDigital')[0]
  t.truthy(tfd)
  t.is(tfd.parentNode?.localName, 'Complemento')
  const a = (n: string) => tfd.getAttribute(n)!
  t.is(a('Version'), '1.1')
  t.is(a('UUID'), res.json().uuid)
  t.is(a('SelloCFD'), 'U2VsbG8gZGUgcHJ1ZWJh')
  t.regex(a('NoCertificadoSAT'), /^\d{20}$/)
  t.regex(a('FechaTimbrado'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)
  const cert = await t0.inject({ method: 'GET', url: '/api/v1/sandbox/certificate' })
  t.is(cert.statusCode, 200)
  t.regex(cert.body, /^-----BEGIN CERTIFICATE-----/)
  const chain = `||1.1|${a('UUID')}|${a('FechaTimbrado')}|${a('RfcProvCertif')}|${a('SelloCFD')}|${a('NoCertificadoSAT')}||`
  const key = createPublicKey(forge.pki.publicKeyToPem(forge.pki.certificateFromPem(cert.body).publicKey as forge.pki.rsa.PublicKey))
  t.true(verify('sha256', Buffer.from(chain), key, Buffer.from(a('SelloSAT'), 'base64')))
  t.false(verify('sha256', Buffer.from(chain.replace('1.1', '1.0')), key, Buffer.from(a('SelloSAT'), 'base64')))
  // The serial of the certificate is the NoCertificadoSAT, as SAT's are.
  t.is(Buffer.from(forge.pki.certificateFromPem(cert.body).serialNumber, 'hex').toString('ascii'), a('NoCertificadoSAT'))
  // Everything outside the complement is the issuer's document, byte for byte.
  t.true(stamped.startsWith(original.slice(0, original.indexOf('</cfdi:Comprobante>') - 10)))
})

test('another distributor\'s CTI: every distributor route answers 404 and changes nothing', async (t) => {
  const { cti } = await loaded(2)
  const other = await s.distributor(100)
  for (const [method, url, payload] of [
    ['GET', `/api/v1/ctis/${cti}`, undefined],
    ['POST', `/api/v1/ctis/${cti}/transfers`, { quantity: 1, amount: '1.00', idempotencyKey: 'x' }],
    ['POST', `/api/v1/ctis/${cti}/block`, undefined],
    ['POST', `/api/v1/ctis/${cti}/unblock`, undefined],
    ['POST', `/api/v1/ctis/${cti}/reset-password`, { password: 'secuestro-123' }],
    ['PUT', `/api/v1/ctis/${cti}/auto-sale`, { minimum: 1, quantity: 5, amount: '5.00' }],
    ['DELETE', `/api/v1/ctis/${cti}/auto-sale`, undefined],
    ['POST', '/api/v1/transfers/mass', { idempotencyKey: 'm', items: [{ cti, quantity: 1, amount: '1.00' }] }],
  ] as const) {
    const res = await s.api(other, method, url, payload)
    t.is(res.statusCode, 404, `${method} ${url}`)
  }
  t.is((await s.api(other, 'GET', '/api/v1/ctis')).json().total, 0)
  t.is((await s.api(other, 'GET', `/api/v1/ctis?q=${cti}`)).json().total, 0)
  t.is((await s.stamp(cti)).statusCode, 200)
  t.is(await s.balanceOf(cti), 1)
})
