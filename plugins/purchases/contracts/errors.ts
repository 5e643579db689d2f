import { defineError } from '../../../core/plugin-api.js'

/** MKL and subscription contracts (plugins/purchases/contracts). */
export const OfferNotFoundError = defineError('offer_not_found', 404, () => 'La oferta no existe o ya no está a la venta')
export const ContractNotFoundError = defineError('contract_not_found', 404, () => 'El contrato no existe')
export const ContractExistsError = defineError('contract_exists', 409, (offer: string) => `Ya tiene un contrato activo de ${offer}`)
export const CmRenewalRequiredError = defineError('cm_renewal_required', 422,
  (why: 'no_expiry' | 'expired') => why === 'expired'
    ? 'Su Cuenta Maestra está vencida: renuévela antes de contratar (los contratos se ajustan a su vencimiento)'
    : 'Su Cuenta Maestra no tiene fecha de vencimiento: debe renovarse antes de contratar (los contratos se ajustan a su vencimiento)')
export const PlatformCannotContractError = defineError('platform_cannot_contract', 422, () => 'La plataforma no contrata ofertas: las venden ella y los distribuidores')
export const ContractPointsShortError = defineError('contract_points_short', 422,
  (charge: string, balance: string, missing: string) => `Puntos insuficientes: el cargo es de ${charge} puntos y su saldo es de ${balance} puntos; le faltan ${missing} puntos. No se cobró nada.`)
export const RenewalPointsShortError = defineError('renewal_points_short', 422,
  (detail: string, total: string, balance: string, missing: string) => `No se puede renovar: la renovación incluye el cargo anual de sus contratos (${detail}), ${total} puntos en total, y el saldo de puntos de la cuenta es de ${balance} puntos; faltan ${missing} puntos. No se aplicó nada.`)
export const ContractCancelForbiddenError = defineError('contract_cancel_forbidden', 403, () => 'Solo el distribuidor que le vende el contrato (o el personal de la plataforma) puede cancelarlo')
export const ContractAlreadyEndedError = defineError('contract_already_ended', 409, () => 'El contrato ya terminó')
