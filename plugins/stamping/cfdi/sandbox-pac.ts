import { createPrivateKey, generateKeyPairSync, randomInt, randomUUID, sign } from 'node:crypto'
import forge from 'node-forge'
import { PacUnavailableError } from '../errors.js'
import { insertTfd, tfdElement, tfdOriginalString, type TfdFields } from './tfd.js'
import { mexicoCityNow, type ValidCfdi } from './validate.js'

export interface PacResult { tfd: TfdFields, stampedXml: string }

/** A PAC (Proveedor Autorizado de Certificación): the sandbox one here; a real one plugs in later. */
export interface Pac { stamp(doc: ValidCfdi): Promise<PacResult> }

export interface SandboxKeys { privateKeyPem: string, certificatePem: string, noCertificado: string }

/** RSA key and a self-signed certificate whose serial, like SAT's, is the ASCII of the 20 digits. */
export function generateSandboxKeys(): SandboxKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const noCertificado = `3000${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e7)).padStart(7, '0')}`
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  cert.serialNumber = Buffer.from(noCertificado, 'ascii').toString('hex')
  cert.validity.notBefore = new Date(Date.now() - 86_400_000)
  cert.validity.notAfter = new Date(Date.now() + 4 * 365 * 86_400_000)
  const subject = [{ name: 'commonName', value: 'PAC de pruebas Cuenta Maestra' }, { name: 'countryName', value: 'MX' }, { name: 'organizationName', value: 'Cuenta Maestra Sandbox' }]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create())
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(cert), noCertificado }
}

export interface SandboxOptions {
  /** Delay added to every call (SANDBOX_PAC_LATENCY_MS). */
  latencyMs: number
  /** Share of calls that fail as "PAC unavailable" (SANDBOX_PAC_FAILURE_RATE, 0–1). */
  failureRate: number
  rfcProvCertif: string
}

/** Issues real TFD 1.1 complements signed with a local key whose certificate the API publishes. */
export class SandboxPac implements Pac {
  private readonly key
  constructor(private readonly keys: SandboxKeys, private readonly options: SandboxOptions) {
    this.key = createPrivateKey(keys.privateKeyPem)
  }

  async stamp(doc: ValidCfdi): Promise<PacResult> {
    if (this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs))
    if (this.options.failureRate > 0 && Math.random() < this.options.failureRate) throw new PacUnavailableError()
    const base = {
      uuid: randomUUID().toUpperCase(),
      fechaTimbrado: mexicoCityNow(),
      rfcProvCertif: this.options.rfcProvCertif,
      selloCfd: doc.sello,
      noCertificadoSat: this.keys.noCertificado,
    }
    const selloSat = sign('sha256', Buffer.from(tfdOriginalString(base), 'utf8'), this.key).toString('base64')
    const tfd = { ...base, selloSat }
    return { tfd, stampedXml: insertTfd(doc, tfdElement(tfd)) }
  }
}
