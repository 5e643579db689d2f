import { defineError } from '../../core/plugin-api.js'

// ── Malformed requests (400): refused before anything is reserved ──────────────────────────────
export const MalformedBase64Error = defineError('malformed_base64', 400, () => 'xml is not valid base64')
export const MalformedXmlError = defineError('malformed_xml', 400, (detail: string) => `The document is not well-formed XML: ${detail}`)
export const XmlDtdForbiddenError = defineError('xml_dtd_forbidden', 400, () => 'DTDs and entity declarations are not allowed')

// ── CFDI rules (422): the code names the rule ───────────────────────────────────────────────────
export const CfdiRootError = defineError('cfdi_root_invalid', 422, () => 'The root element must be cfdi:Comprobante in http://www.sat.gob.mx/cfd/4')
export const CfdiVersionError = defineError('cfdi_version_invalid', 422, (v: string) => `Version must be 4.0, not '${v}'`)
export const CfdiSelloError = defineError('cfdi_sello_missing', 422, () => 'Sello is missing or empty')
export const CfdiNoCertificadoError = defineError('cfdi_no_certificado_invalid', 422, () => 'NoCertificado must be 20 digits')
export const CfdiFechaError = defineError('cfdi_fecha_invalid', 422, (v: string) => `Fecha '${v}' is not a valid local date-time (AAAA-MM-DDThh:mm:ss)`)
export const CfdiFechaRangeError = defineError('cfdi_fecha_out_of_range', 422, () => 'Fecha must be within the last 72 hours and at most 24 hours ahead')
export const CfdiEmisorError = defineError('cfdi_emisor_rfc_invalid', 422, () => 'cfdi:Emisor with a valid Rfc is required')
export const CfdiAlreadyStampedError = defineError('cfdi_already_stamped', 422, () => 'The document already carries a TimbreFiscalDigital')

// ── Requests to the stamping API and the CTI routes ────────────────────────────────────────────
export const CtiNotFoundError = defineError('cti_not_found', 404, (id: string) => `CTI ${id} not found`)
export const CtiCredentialsError = defineError('cti_credentials_invalid', 401, () => 'Wrong CTI or password')
export const CtiThrottledError = defineError('cti_throttled', 429,
  () => 'Too many failed attempts for this CTI or address; try again later', true)
export const CtiBlockedError = defineError('cti_blocked', 403, (id: string) => `CTI ${id} is blocked`)
export const CtiExpiredError = defineError('cti_expired', 403, (id: string) => `Unlimited CTI ${id} has expired`)
export const RfcNotAllowedError = defineError('rfc_not_allowed', 403, (rfc: string) => `This CTI may not stamp for issuer RFC ${rfc}`)
export const AppNotAllowedError = defineError('app_not_allowed', 403,
  () => 'Unlimited CTIs may only be used by Induxsoft applications V10 or later and FactuDesk Web')
export const IddConflictError = defineError('idd_conflict', 409, (idd: string) => `idd '${idd}' was already used for another document`)
export const CtiNotStandardError = defineError('cti_not_standard', 422, (id: string) => `CTI ${id} is unlimited: it has no stamp balance`)
export const CtiIdTakenError = defineError('cti_id_taken', 409, (id: string) => `CTI id ${id} is already taken`)
export const StampInProgressError = defineError('stamp_in_progress', 409,
  () => 'The same document is being stamped by another request; retry shortly', true)

// ── PAC ────────────────────────────────────────────────────────────────────────────────────────
export const PacUnavailableError = defineError('pac_unavailable', 503, () => 'PAC unavailable; nothing was charged', true)
/** The reservation was voided (expired) before the TFD could be recorded: nothing charged, retry. */
export const StampReservationLostError = defineError('stamp_reservation_lost', 503,
  () => 'The stamp reserved for this document expired before it was recorded; nothing was charged, retry', true)
