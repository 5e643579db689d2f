import { randomBytes } from 'node:crypto'
import { mexicoCityNow } from '../../plugins/stamping/cfdi/validate.js'

export interface SampleOptions {
  fecha?: string
  emisorRfc?: string
  version?: string
  sello?: string
  noCertificado?: string
  namespace?: string
  complemento?: 'none' | 'empty' | 'selfClosing' | 'tfd'
  prefix?: string
  /** Makes two documents differ (their SHA-256 too). */
  folio?: string
}

/** A minimal CFDI 4.0 (ingreso) the sandbox accepts; options break one rule at a time. */
export function sampleCfdi(o: SampleOptions = {}): string {
  const p = o.prefix ?? 'cfdi'
  const ns = o.namespace ?? 'http://www.sat.gob.mx/cfd/4'
  const complemento = {
    none: '',
    empty: `<${p}:Complemento></${p}:Complemento>`,
    selfClosing: `<${p}:Complemento/>`,
    tfd: `<${p}:Complemento><tfd:TimbreFiscalDigital xmlns:tfd="http://www.sat.gob.mx/TimbreFiscalDigital" Version="1.1" UUID="X"/></${p}:Complemento>`,
  }[o.complemento ?? 'none']
  return `<?xml version="1.0" encoding="UTF-8"?>
<${p}:Comprobante xmlns:${p}="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Version="${o.version ?? '4.0'}" Serie="A" Folio="${o.folio ?? randomBytes(6).toString('hex')}" Fecha="${o.fecha ?? mexicoCityNow()}" Sello="${o.sello ?? 'U2VsbG8gZGUgcHJ1ZWJh'}" NoCertificado="${o.noCertificado ?? '30001000000500003416'}" Certificado="" SubTotal="100.00" Moneda="MXN" Total="116.00" TipoDeComprobante="I" Exportacion="01" MetodoPago="PUE" LugarExpedicion="06000">
  <${p}:Emisor Rfc="${o.emisorRfc ?? 'EKU9003173C9'}" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>
  <${p}:Receptor Rfc="XAXX010101000" Nombre="PUBLICO EN GENERAL" DomicilioFiscalReceptor="06000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>
  <${p}:Conceptos>
    <${p}:Concepto ClaveProdServ="01010101" Cantidad="1" ClaveUnidad="ACT" Descripcion="Servicio &amp; prueba" ValorUnitario="100.00" Importe="100.00" ObjetoImp="01"/>
  </${p}:Conceptos>
  ${complemento}
</${p}:Comprobante>`
}

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
