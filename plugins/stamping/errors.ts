import { defineError } from '../../core/plugin-api.js'

// ── Malformed requests (400): refused before anything is reserved ──────────────────────────────
export const MalformedBase64Error = defineError('malformed_base64', 400, () => "'xml' no es base64 válido")
export const MalformedXmlError = defineError('malformed_xml', 400, (detail?: string) => `El documento no es XML bien formado${detail ? `: ${detail}` : ''}`)
export const XmlDtdForbiddenError = defineError('xml_dtd_forbidden', 400, () => 'No se admiten DTD ni declaraciones de entidades')
export const XmlTooDeepError = defineError('xml_too_deep', 400,
  () => 'El documento anida elementos a demasiada profundidad (más de 100 niveles)')

// ── CFDI rules (422): the code names the rule ───────────────────────────────────────────────────
export const CfdiRootError = defineError('cfdi_root_invalid', 422, () => 'El elemento raíz debe ser cfdi:Comprobante en http://www.sat.gob.mx/cfd/4')
export const CfdiVersionError = defineError('cfdi_version_invalid', 422, (v: string) => `Version debe ser 4.0, no '${v}'`)
export const CfdiSelloError = defineError('cfdi_sello_missing', 422, () => 'Falta el Sello o está vacío')
export const CfdiNoCertificadoError = defineError('cfdi_no_certificado_invalid', 422, () => 'NoCertificado debe tener 20 dígitos')
export const CfdiFechaError = defineError('cfdi_fecha_invalid', 422, (v: string) => `Fecha '${v}' no es una fecha y hora local válida (AAAA-MM-DDThh:mm:ss)`)
export const CfdiFechaRangeError = defineError('cfdi_fecha_out_of_range', 422, () => 'Fecha debe estar dentro de las últimas 72 horas y a lo sumo 24 horas en el futuro')
export const CfdiEmisorError = defineError('cfdi_emisor_rfc_invalid', 422, () => 'Se requiere cfdi:Emisor con un Rfc válido (patrón del SAT y dígito verificador)')
export const CfdiAlreadyStampedError = defineError('cfdi_already_stamped', 422, () => 'El documento ya contiene un TimbreFiscalDigital')

// ── Requests to the stamping API and the CTI routes ────────────────────────────────────────────
export const CtiNotFoundError = defineError('cti_not_found', 404, (id: string) => `No se encontró la CTI ${id}`)
export const CtiCredentialsError = defineError('cti_credentials_invalid', 401, () => 'CTI o contraseña incorrectas')
export const CtiThrottledError = defineError('cti_throttled', 429,
  () => 'Demasiados intentos fallidos para esta CTI o dirección; inténtelo más tarde', true)
export const CtiBlockedError = defineError('cti_blocked', 403, (id: string) => `La CTI ${id} está bloqueada`)
export const CtiExpiredError = defineError('cti_expired', 403, (id: string) => `La CTI ilimitada ${id} está vencida`)
export const CtiRenewalUnpaidError = defineError('cti_renewal_unpaid', 403,
  (id: string) => `La CTI ilimitada ${id} está bloqueada: su renovación anual no se ha pagado porque su distribuidor no tiene puntos suficientes. Se desbloqueará en cuanto se pague.`)
export const RfcNotAllowedError = defineError('rfc_not_allowed', 403, (rfc: string) => `Esta CTI no puede timbrar para el RFC emisor ${rfc}`)
export const AppNotAllowedError = defineError('app_not_allowed', 403,
  () => 'Las CTI ilimitadas solo pueden usarse con aplicaciones Induxsoft V10 o posteriores y con FactuDesk Web')
export const IddConflictError = defineError('idd_conflict', 409, (idd: string) => `El idd '${idd}' ya se usó para otro documento`)
export const CtiNotUnlimitedError = defineError('cti_not_unlimited', 422, (id: string) => `La CTI ${id} es estándar: no tiene renovación anual`)
export const CtiRenewalNotDueError = defineError('cti_renewal_not_due', 409, (id: string, until: string) => `La renovación de la CTI ${id} aún no corresponde: está pagada hasta el ${until}`)
export const CtiNotStandardError = defineError('cti_not_standard', 422, (id: string) => `La CTI ${id} es ilimitada: no tiene saldo de timbres`)
export const CtiIdTakenError = defineError('cti_id_taken', 409, (id: string) => `El identificador de CTI ${id} ya está en uso`)
export const StampInProgressError = defineError('stamp_in_progress', 409,
  () => 'Otra solicitud está timbrando el mismo documento; reintente en unos momentos', true)

// ── PAC ────────────────────────────────────────────────────────────────────────────────────────
export const PacUnavailableError = defineError('pac_unavailable', 503, () => 'El PAC no está disponible; no se cobró nada', true)
/** The reservation was voided (expired) before the TFD could be recorded: nothing charged, retry. */
export const StampReservationLostError = defineError('stamp_reservation_lost', 503,
  () => 'El timbre reservado para este documento venció antes de registrarse; no se cobró nada, reintente', true)
