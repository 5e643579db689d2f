import type { ValidCfdi } from './validate.js'
import { TFD_NS } from './validate.js'

export interface TfdFields {
  uuid: string
  fechaTimbrado: string
  rfcProvCertif: string
  selloCfd: string
  noCertificadoSat: string
  selloSat: string
}

/** The chain SelloSAT signs (TFD 1.1 original string). */
export const tfdOriginalString = (f: Omit<TfdFields, 'selloSat'>) =>
  `||1.1|${f.uuid}|${f.fechaTimbrado}|${f.rfcProvCertif}|${f.selloCfd}|${f.noCertificadoSat}||`

const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function tfdElement(f: TfdFields): string {
  return `<tfd:TimbreFiscalDigital xmlns:tfd="${TFD_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
    ` xsi:schemaLocation="${TFD_NS} http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd"` +
    ` Version="1.1" UUID="${attr(f.uuid)}" FechaTimbrado="${attr(f.fechaTimbrado)}" RfcProvCertif="${attr(f.rfcProvCertif)}"` +
    ` SelloCFD="${attr(f.selloCfd)}" NoCertificadoSAT="${attr(f.noCertificadoSat)}" SelloSAT="${attr(f.selloSat)}"/>`
}

/**
 * Adds the TFD inside cfdi:Complemento, creating it before the root's end tag when absent. The rest
 * of the document is left byte for byte as the issuer signed it.
 */
export function insertTfd(doc: ValidCfdi, tfd: string): string {
  const { xml } = doc
  if (doc.complementoTag) {
    const close = `</${doc.complementoTag}>`
    const at = xml.lastIndexOf(close)
    if (at >= 0) return xml.slice(0, at) + tfd + xml.slice(at)
    const selfClosing = new RegExp(`<${doc.complementoTag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s[^>]*)?/>`)
    const m = selfClosing.exec(xml)
    if (m) return xml.slice(0, m.index) + `<${doc.complementoTag}${m[1] ?? ''}>${tfd}${close}` + xml.slice(m.index + m[0].length)
  }
  const prefix = doc.rootTag.includes(':') ? `${doc.rootTag.split(':')[0]}:` : ''
  const rootClose = `</${doc.rootTag}>`
  const at = xml.lastIndexOf(rootClose)
  if (at < 0) throw new Error('root end tag not found in a well-formed document')
  return xml.slice(0, at) + `<${prefix}Complemento>${tfd}</${prefix}Complemento>` + xml.slice(at)
}
