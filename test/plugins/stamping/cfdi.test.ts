import test from 'ava'
import { X509Certificate, verify } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import { DateTime } from 'luxon'
import { decodeBase64, validateCfdi, MEXICO_CITY, TFD_NS } from '../../../plugins/stamping/cfdi/validate.js'
import { isValidRfc } from '../../../plugins/clients/index.js'
import { generateSandboxKeys, SandboxPac } from '../../../plugins/stamping/cfdi/sandbox-pac.js'
import { tfdOriginalString } from '../../../plugins/stamping/cfdi/tfd.js'
import { sampleCfdi } from '../../helpers/cfdi.js'

const keys = generateSandboxKeys()
const pac = new SandboxPac(keys, { latencyMs: 0, failureRate: 0, rfcProvCertif: 'SPR190613I52' })
const local = (hoursFromNow: number) => DateTime.now().plus({ hours: hoursFromNow }).setZone(MEXICO_CITY).toFormat("yyyy-MM-dd'T'HH:mm:ss")
const code = (fn: () => unknown) => { try { fn(); return 'ok' } catch (e) { return (e as { code?: string }).code ?? String(e) } }
const check = (xml: string) => code(() => validateCfdi(Buffer.from(xml)))

test('a well-formed CFDI 4.0 passes and is identified by its SHA-256', (t) => {
  const xml = sampleCfdi({ folio: 'F1' })
  const v = validateCfdi(Buffer.from(xml))
  t.is(v.emisorRfc, 'EKU9003173C9')
  t.regex(v.sha256, /^[0-9a-f]{64}$/)
  t.not(validateCfdi(Buffer.from(sampleCfdi({ folio: 'F2' }))).sha256, v.sha256)
})

test('base64 must be strict', (t) => {
  t.is(code(() => decodeBase64('not base64!!')), 'malformed_base64')
  t.is(code(() => decodeBase64('')), 'malformed_base64')
  t.is(code(() => decodeBase64('YWJj')), 'ok')
})

test('malformed XML, DTDs and entities are refused as 400 codes', (t) => {
  t.is(check('<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"><unclosed></cfdi:Comprobante>'), 'malformed_xml')
  t.is(check('not xml at all'), 'malformed_xml')
  const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + sampleCfdi().replace(/^<\?xml[^>]*>/, '')
  t.is(check(xxe), 'xml_dtd_forbidden')
  const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>`
  t.is(check(laughs), 'xml_dtd_forbidden')
  // Well-formedness is strict: an undefined entity, an unbound prefix, a second root, bad attribute syntax.
  t.is(check(sampleCfdi().replace('PUBLICO EN GENERAL', 'PUBLICO &nbsp; GENERAL')), 'malformed_xml')
  t.is(check(sampleCfdi().replace('<cfdi:Emisor ', '<x:Emisor ')), 'malformed_xml')
  t.is(check(`${sampleCfdi()}<otro/>`), 'malformed_xml')
  t.is(check(sampleCfdi().replace('Version="4.0"', 'Version=4.0')), 'malformed_xml')
  t.is(check(sampleCfdi().replace('Version="4.0"', 'Version="4.0" Version="4.0"')), 'malformed_xml')
  // Predefined entities and character references are fine; so is a byte-order mark before the declaration.
  t.is(check(sampleCfdi().replace('PUBLICO EN GENERAL', 'PUBLICO &amp; GENERAL &#241;')), 'ok')
  t.is(check(`\uFEFF${sampleCfdi()}`), 'ok')
})

test('each CFDI rule is refused with a code that names it', (t) => {
  t.is(check(sampleCfdi({ namespace: 'http://www.sat.gob.mx/cfd/3' })), 'cfdi_root_invalid')
  t.is(check(sampleCfdi({ version: '3.3' })), 'cfdi_version_invalid')
  t.is(check(sampleCfdi({ sello: '' })), 'cfdi_sello_missing')
  t.is(check(sampleCfdi({ noCertificado: '123' })), 'cfdi_no_certificado_invalid')
  t.is(check(sampleCfdi({ fecha: '2026-13-45T99:00:00' })), 'cfdi_fecha_invalid')
  t.is(check(sampleCfdi({ fecha: '2026-11-23 10:00:00' })), 'cfdi_fecha_invalid')
  t.is(check(sampleCfdi({ fecha: local(-73) })), 'cfdi_fecha_out_of_range')
  t.is(check(sampleCfdi({ fecha: local(-71) })), 'ok')
  t.is(check(sampleCfdi({ fecha: local(25) })), 'cfdi_fecha_out_of_range')
  t.is(check(sampleCfdi({ fecha: local(23) })), 'ok')
  t.is(check(sampleCfdi({ emisorRfc: 'EKU9003173C8' })), 'cfdi_emisor_rfc_invalid')
  t.is(check(sampleCfdi({ emisorRfc: 'NOTANRFC' })), 'cfdi_emisor_rfc_invalid')
  // Verdicts are memoised per RFC: asked again, each one answers the same.
  for (const [rfc, ok] of [['EKU9003173C8', false], ['EKU9003173C9', true], ['XAXX010101000', true], ['EKU9003173C9X', false], ['E'.repeat(100_000), false]] as const) {
    t.is(isValidRfc(rfc), ok, rfc.slice(0, 20))
    t.is(isValidRfc(rfc), ok, rfc.slice(0, 20))
  }
  t.is(check(sampleCfdi({ complemento: 'tfd' })), 'cfdi_already_stamped')
  t.is(check(sampleCfdi({ prefix: 'c' })), 'ok', 'any prefix bound to the CFDI 4 namespace')
  // The Emisor read is the root's own child in the CFDI namespace, not one nested deeper or in another namespace.
  const withoutEmisor = sampleCfdi().replace(/<cfdi:Emisor [^>]*\/>/, '')
  t.is(check(withoutEmisor), 'cfdi_emisor_rfc_invalid')
  t.is(check(withoutEmisor.replace('<cfdi:Receptor ', '<cfdi:Receptor><cfdi:Emisor Rfc="EKU9003173C9"/></cfdi:Receptor><cfdi:X ')), 'cfdi_emisor_rfc_invalid')
  t.is(check(withoutEmisor.replace('<cfdi:Receptor ', '<e:Emisor xmlns:e="urn:otro" Rfc="EKU9003173C9"/><cfdi:Receptor ')), 'cfdi_emisor_rfc_invalid')
  // A TFD anywhere in the document means it was stamped already.
  t.is(check(sampleCfdi().replace('<cfdi:Receptor ', '<cfdi:Addenda><x xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital"><tfd:TimbreFiscalDigital/></x></cfdi:Addenda><cfdi:Receptor ')), 'cfdi_already_stamped')
})

test('the sandbox PAC adds a TFD 1.1 that verifies against its certificate', async (t) => {
  for (const complemento of ['none', 'empty', 'selfClosing'] as const) {
    const doc = validateCfdi(Buffer.from(sampleCfdi({ complemento })))
    const { tfd, stampedXml } = await pac.stamp(doc)
    t.regex(tfd.uuid, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/)
    t.regex(tfd.noCertificadoSat, /^\d{20}$/)
    t.is(tfd.selloCfd, doc.sello)
    const parsed = new DOMParser().parseFromString(stampedXml, 'text/xml')
    const nodes = parsed.getElementsByTagNameNS(TFD_NS, 'TimbreFiscalDigital')
    t.is(nodes.length, 1)
    const el = nodes[0]
    t.is(el.getAttribute('Version'), '1.1')
    t.is((el.parentNode as { localName?: string }).localName, 'Complemento')
    t.is(parsed.getElementsByTagNameNS('http://www.sat.gob.mx/cfd/4', 'Complemento').length, 1)
    const cert = new X509Certificate(keys.certificatePem)
    const chain = tfdOriginalString({ uuid: el.getAttribute('UUID')!, fechaTimbrado: el.getAttribute('FechaTimbrado')!, rfcProvCertif: el.getAttribute('RfcProvCertif')!, selloCfd: el.getAttribute('SelloCFD')!, noCertificadoSat: el.getAttribute('NoCertificadoSAT')! })
    t.true(verify('sha256', Buffer.from(chain), cert.publicKey, Buffer.from(el.getAttribute('SelloSAT')!, 'base64')))
    t.false(verify('sha256', Buffer.from(chain + 'x'), cert.publicKey, Buffer.from(el.getAttribute('SelloSAT')!, 'base64')))
    // The issuer's part of the document is untouched.
    t.true(stampedXml.startsWith(doc.xml.slice(0, doc.xml.indexOf('<cfdi:Conceptos>'))))
  }
  t.is(Buffer.from(new X509Certificate(keys.certificatePem).serialNumber, 'hex').toString('ascii'), keys.noCertificado)
})

test('failure rate 1 always fails as pac_unavailable (retryable)', async (t) => {
  const failing = new SandboxPac(keys, { latencyMs: 0, failureRate: 1, rfcProvCertif: 'SPR190613I52' })
  const e = await t.throwsAsync(failing.stamp(validateCfdi(Buffer.from(sampleCfdi()))))
  t.is((e as { code?: string }).code, 'pac_unavailable')
  t.is((e as { retryable?: boolean }).retryable, true)
})

test('Mexico City local time: the memoised conversion agrees with luxon, across the 2022 end of DST and today', async (t) => {
  const { mexicoCityNow, mexicoCityNowLuxon, mexicoCityLocalToMillis } = await import('../../../plugins/stamping/cfdi/validate.js')
  const { DateTime } = await import('luxon')
  // (01:00–02:00 local on 2022-10-30 happened twice; a local time in it has two valid readings.)
  const instants = [Date.UTC(2021, 6, 1, 12), Date.UTC(2022, 9, 30, 5, 30), Date.UTC(2022, 9, 30, 8, 30), Date.UTC(2026, 11, 1, 18, 5, 7), Date.now()]
  for (const ms of instants) {
    t.is(mexicoCityNow(new Date(ms)), mexicoCityNowLuxon(new Date(ms)))
    const local = mexicoCityNowLuxon(new Date(ms))
    t.is(mexicoCityLocalToMillis(local), DateTime.fromISO(local, { zone: 'America/Mexico_City' }).toMillis(), local)
  }
  t.is(mexicoCityLocalToMillis('2026-02-30T10:00:00'), null)
  t.is(mexicoCityLocalToMillis('2026-12-01T24:00:00'), null)
})
