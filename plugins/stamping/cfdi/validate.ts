import { DOMParser, MIME_TYPE, type Element } from '@xmldom/xmldom'
import { createHash } from 'node:crypto'
import { DateTime, IANAZone } from 'luxon'
import { Rfc } from '@nodecfdi/rfc'
import {
  CfdiAlreadyStampedError, CfdiEmisorError, CfdiFechaError, CfdiFechaRangeError, CfdiNoCertificadoError, CfdiRootError,
  CfdiSelloError, CfdiVersionError, MalformedBase64Error, MalformedXmlError, XmlDtdForbiddenError,
} from '../errors.js'

export const CFDI_NS = 'http://www.sat.gob.mx/cfd/4'
export const TFD_NS = 'http://www.sat.gob.mx/TimbreFiscalDigital'
export const MEXICO_CITY = 'America/Mexico_City'

export interface ValidCfdi {
  /** The decoded document, byte for byte as the client sent it. */
  xml: string
  /** SHA-256 (hex) of the decoded bytes: the identity of the document for exactly-once. */
  sha256: string
  emisorRfc: string
  sello: string
  noCertificado: string
  fecha: string
  /** Qualified name of an existing cfdi:Complemento child of the root, if any. */
  complementoTag: string | null
  /** Qualified name of the root (to close it). */
  rootTag: string
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function decodeBase64(b64: string): Buffer {
  const compact = b64.replace(/\s+/g, '')
  if (!compact || !STRICT_BASE64.test(compact)) throw new MalformedBase64Error()
  return Buffer.from(compact, 'base64')
}

/**
 * Checks the CFDI rules the sandbox can check (not Sello against Certificado: no SAT certificates
 * here). Everything is decided before any stamp is reserved. `now` is injectable for tests.
 */
export function validateCfdi(bytes: Buffer, now: Date = new Date()): ValidCfdi {
  const xml = bytes.toString('utf8')
  // No DTD at all: entity expansion (billion laughs) and external entities (XXE) start there.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlDtdForbiddenError()
  let doc
  try {
    doc = new DOMParser({
      onError: (level: string, message: string) => { if (level !== 'warning') throw new Error(message) },
    }).parseFromString(xml, MIME_TYPE.XML_TEXT)
  } catch (e) {
    throw new MalformedXmlError(String((e as Error).message ?? e).split('\n')[0].slice(0, 200))
  }
  if (doc.doctype) throw new XmlDtdForbiddenError()
  const root = doc.documentElement
  if (!root || root.namespaceURI !== CFDI_NS || root.localName !== 'Comprobante') throw new CfdiRootError()
  const version = root.getAttribute('Version') ?? ''
  if (version !== '4.0') throw new CfdiVersionError(version)
  const sello = (root.getAttribute('Sello') ?? '').trim()
  if (!sello) throw new CfdiSelloError()
  const noCertificado = root.getAttribute('NoCertificado') ?? ''
  if (!/^\d{20}$/.test(noCertificado)) throw new CfdiNoCertificadoError()
  const fecha = root.getAttribute('Fecha') ?? ''
  const whenMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(fecha) ? mexicoCityLocalToMillis(fecha) : null
  if (whenMs === null) throw new CfdiFechaError(fecha)
  const ageMs = now.getTime() - whenMs
  if (ageMs > 72 * 3_600_000 || ageMs < -24 * 3_600_000) throw new CfdiFechaRangeError()

  const children = Array.from(root.childNodes).filter((n): n is Element => n.nodeType === 1) as Element[]
  const emisor = children.find((c) => c.namespaceURI === CFDI_NS && c.localName === 'Emisor')
  const emisorRfc = (emisor?.getAttribute('Rfc') ?? '').trim().toUpperCase()
  if (!isValidRfc(emisorRfc)) throw new CfdiEmisorError()
  if (doc.getElementsByTagNameNS(TFD_NS, 'TimbreFiscalDigital').length > 0) throw new CfdiAlreadyStampedError()
  const complemento = children.find((c) => c.namespaceURI === CFDI_NS && c.localName === 'Complemento')

  return {
    xml, sha256: createHash('sha256').update(bytes).digest('hex'), emisorRfc, sello, noCertificado, fecha,
    complementoTag: complemento ? complemento.tagName : null, rootTag: root.tagName,
  }
}

/** Format and check digit; SAT's generic and foreign RFCs are valid. */
export function isValidRfc(rfc: string): boolean {
  const parsed = Rfc.parseOrNull(rfc)
  return !!parsed && (parsed.isGeneric() || parsed.isForeign() || parsed.doesCheckSumMatch())
}

const zone = IANAZone.create(MEXICO_CITY)
const HOUR = 3_600_000
const offsets = new Map<number, number>()
/**
 * Mexico City's UTC offset (ms) at an instant, memoised per hour: luxon asks Intl for every
 * conversion, which cost more than the rest of a stamp's validation.
 */
function offsetAt(ms: number): number {
  const hour = Math.floor(ms / HOUR)
  let o = offsets.get(hour)
  if (o === undefined) {
    if (offsets.size > 10_000) offsets.clear()
    o = zone.offset(hour * HOUR) * 60_000
    offsets.set(hour, o)
  }
  return o
}

/** "2026-12-01T10:00:00" read as Mexico City local time, or null when it is no real date. */
export function mexicoCityLocalToMillis(local: string): number | null {
  const [y, mo, d, h, mi, se] = local.split(/[-T:]/).map(Number)
  const naive = Date.UTC(y, mo - 1, d, h, mi, se)
  const check = new Date(naive)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null
  // Two passes settle the offset across a change of time (Mexico City had DST until 2022).
  const first = naive - offsetAt(naive)
  return naive - offsetAt(first)
}

/** Local date-time of Mexico City in SAT's format (no offset). */
export const mexicoCityNow = (at: Date = new Date()) => new Date(at.getTime() + offsetAt(at.getTime())).toISOString().slice(0, 19)

/** The same through luxon, unmemoised: the reference the tests compare with. */
export const mexicoCityNowLuxon = (at: Date = new Date()) => DateTime.fromJSDate(at).setZone(MEXICO_CITY).toFormat("yyyy-MM-dd'T'HH:mm:ss")
