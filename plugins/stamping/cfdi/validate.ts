import { createHash } from 'node:crypto'
import { DateTime, IANAZone } from 'luxon'
import { isValidRfc } from '../../clients/index.js'
import { SaxesParser, type SaxesTagNS } from 'saxes'
import {
  CfdiAlreadyStampedError, CfdiEmisorError, CfdiFechaError, CfdiFechaRangeError, CfdiNoCertificadoError, CfdiRootError,
  CfdiSelloError, CfdiVersionError, MalformedBase64Error, MalformedXmlError, XmlDtdForbiddenError, XmlTooDeepError,
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

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
/** SAT's pattern for an RFC (Anexo 20): upper case, no separators. */
const SAT_RFC = /^[A-ZÑ&]{3,4}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$/
/**
 * Elements nested deeper than this are refused. A CFDI with its complements nests about ten deep;
 * the namespace-aware parser's cost grows with the square of the depth (32,000 levels blocked the
 * process for seconds), so the cap keeps every document's parse linear and short.
 */
export const MAX_XML_DEPTH = 100

/** The identity of a document for exactly-once: SHA-256 (hex) of its decoded bytes. */
export const documentSha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * Whole groups of four, padding only at the end. (As one regex of groups, `^(?:[…]{4})*…$`, it took
 * 0.4–0.8 s for a 1.9 MB document, before any credential was checked: a character class and the
 * length say the same in linear time.)
 */
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/

export function decodeBase64(b64: string): Buffer {
  const compact = /\s/.test(b64) ? b64.replace(/\s+/g, '') : b64
  if (!compact || compact.length % 4 !== 0 || !BASE64_CHARS.test(compact)) throw new MalformedBase64Error()
  return Buffer.from(compact, 'base64')
}

/**
 * Checks the CFDI rules the sandbox can check (not Sello against Certificado: no SAT certificates
 * here). Everything is decided before any stamp is reserved. `now` is injectable for tests.
 */
export function validateCfdi(bytes: Buffer, now: Date = new Date(), sha256?: string): ValidCfdi {
  // Fatal: bytes that are not UTF-8 would become U+FFFD, and the stamped XML would no longer be
  // what the issuer signed. A BOM is kept, as the client sent it.
  let xml: string
  try {
    xml = utf8.decode(bytes)
  } catch {
    throw new MalformedXmlError('no está codificado en UTF-8 válido')
  }
  // No DTD at all: entity expansion (billion laughs) and external entities (XXE) start there.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlDtdForbiddenError()
  let scanned: ScannedCfdi
  try {
    scanned = scanCfdi(xml)
  } catch (e) {
    if (e instanceof XmlDtdForbiddenError || e instanceof XmlTooDeepError) throw e
    // The parser's own wording is English (and positions are not tracked, for speed): no detail.
    throw new MalformedXmlError()
  }
  const { root, emisor, complemento, stamped } = scanned
  const attr = (tag: SaxesTagNS, name: string) => tag.attributes[name]?.value ?? null
  if (root.uri !== CFDI_NS || root.local !== 'Comprobante') throw new CfdiRootError()
  const version = attr(root, 'Version') ?? ''
  if (version !== '4.0') throw new CfdiVersionError(version)
  const sello = (attr(root, 'Sello') ?? '').trim()
  if (!sello) throw new CfdiSelloError()
  const noCertificado = attr(root, 'NoCertificado') ?? ''
  if (!/^\d{20}$/.test(noCertificado)) throw new CfdiNoCertificadoError()
  const fecha = attr(root, 'Fecha') ?? ''
  const whenMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(fecha) ? mexicoCityLocalToMillis(fecha) : null
  if (whenMs === null) throw new CfdiFechaError(fecha)
  const ageMs = now.getTime() - whenMs
  if (ageMs > 72 * 3_600_000 || ageMs < -24 * 3_600_000) throw new CfdiFechaRangeError()

  // As written: SAT's pattern has no spaces and no lower case, so neither is fixed up here.
  const emisorRfc = (emisor && attr(emisor, 'Rfc')) ?? ''
  if (!SAT_RFC.test(emisorRfc) || !isValidRfc(emisorRfc)) throw new CfdiEmisorError()
  if (stamped) throw new CfdiAlreadyStampedError()

  return {
    xml, sha256: sha256 ?? documentSha256(bytes), emisorRfc, sello, noCertificado, fecha,
    complementoTag: complemento ? complemento.name : null, rootTag: root.name,
  }
}

interface ScannedCfdi { root: SaxesTagNS, emisor: SaxesTagNS | null, complemento: SaxesTagNS | null, stamped: boolean }

/**
 * One strict, namespace-aware pass over the document (saxes: XML 1.0 well-formedness, unbound
 * prefixes and undefined entities are errors), keeping only what the rules read: the root, its
 * first cfdi:Emisor and cfdi:Complemento children, and whether a TFD appears anywhere. No tree is
 * built: building one with xmldom cost a stamp more than the rest of its validation.
 */
function scanCfdi(xml: string): ScannedCfdi {
  const parser = new SaxesParser({ xmlns: true, position: false })
  let root: SaxesTagNS | null = null
  let emisor: SaxesTagNS | null = null
  let complemento: SaxesTagNS | null = null
  let stamped = false
  let depth = 0
  parser.on('doctype', () => { throw new XmlDtdForbiddenError() })
  parser.on('opentag', (tag) => {
    if (++depth > MAX_XML_DEPTH) throw new XmlTooDeepError()
    if (depth === 1) root = tag
    else if (depth === 2 && tag.uri === CFDI_NS) {
      if (tag.local === 'Emisor') emisor ??= tag
      else if (tag.local === 'Complemento') complemento ??= tag
    }
    if (tag.uri === TFD_NS && tag.local === 'TimbreFiscalDigital') stamped = true
  })
  parser.on('closetag', () => { depth-- })
  // Without an 'error' handler saxes throws at the first error, which is what we want.
  parser.write(xml).close()
  if (!root) throw new Error('no root element')
  return { root, emisor, complemento, stamped }
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
