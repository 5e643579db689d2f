import { DOMParser, MIME_TYPE, type Element } from '@xmldom/xmldom'
import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
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
  const when = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(fecha) ? DateTime.fromISO(fecha, { zone: MEXICO_CITY }) : null
  if (!when || !when.isValid) throw new CfdiFechaError(fecha)
  const ageMs = now.getTime() - when.toMillis()
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

/** Local date-time of Mexico City in SAT's format (no offset). */
export const mexicoCityNow = (at: Date = new Date()) => DateTime.fromJSDate(at).setZone(MEXICO_CITY).toFormat("yyyy-MM-dd'T'HH:mm:ss")
