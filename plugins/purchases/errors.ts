import { defineError, formatHundredths } from '../../core/plugin-api.js'
import { InsufficientPointsError } from '../ledger/index.js'

/** What is missing, as `error.details` of the API body: `{ missing: "120.00", asset: "points" }` (stamps: a whole number). */
const missingDetails = (asset: 'stamps' | 'points', missing: number) =>
  ({ details: { asset, missing: asset === 'points' ? formatHundredths(missing) : missing } })

// ── Not enough value: 422 naming what is missing; nothing moved ──────────────────────────────────
/**
 * The buyer's points do not cover the purchase. The ledger's own code (`insufficient_points`), as a
 * 422 with what is missing: a purchase refused for its size, not a failed payment.
 */
export class PurchaseInsufficientPointsError extends InsufficientPointsError {
  override readonly status: number = 422
  constructor(readonly missing: number) {
    super('', formatHundredths(missing))
    this.message = `Puntos insuficientes: faltan ${formatHundredths(missing)} puntos`
  }
  override get details() { return missingDetails('points', this.missing) }
}

const SellerShortOfStamps = defineError('seller_insufficient_stamps', 422,
  (missing: number) => `El vendedor no tiene timbres suficientes: faltan ${missing.toLocaleString('es-MX')}`)
export class SellerInsufficientStampsError extends SellerShortOfStamps {
  constructor(readonly missing: number) { super(missing) }
  override get details() { return missingDetails('stamps', this.missing) }
}

const SellerShortOfPoints = defineError('seller_insufficient_points', 422,
  (missing: string) => `El vendedor no tiene puntos suficientes para entregar el pedido: faltan ${missing}`)
export class SellerInsufficientPointsError extends SellerShortOfPoints {
  constructor(readonly missing: number) { super(formatHundredths(missing)) }
  override get details() { return missingDetails('points', this.missing) }
}

// ── Catalogue ─────────────────────────────────────────────────────────────────────────────────────
export const PackageNotFoundError = defineError('package_not_found', 404,
  () => 'El paquete no existe o no está a la venta para usted')
export const PackageAssetMismatchError = defineError('package_asset_mismatch', 422,
  (expected: 'stamps' | 'points') => expected === 'stamps' ? 'El paquete no es de timbres: los puntos se compran con un pedido' : 'El paquete no es de puntos: los timbres se compran con puntos')
export const NoSellerError = defineError('no_seller', 422,
  () => 'La plataforma no tiene a quién comprar: su inventario se emite con el comando mint')

// ── Orders (points bought with money) ─────────────────────────────────────────────────────────────
export const OrderNotFoundError = defineError('order_not_found', 404, () => 'El pedido no existe')
export const OrderAlreadyConfirmedError = defineError('order_already_confirmed', 409,
  () => 'El pedido ya fue confirmado y sus puntos entregados; una compra confirmada es definitiva')
export const OrderCancelledError = defineError('order_cancelled', 409, () => 'El pedido está cancelado')
export const OrderConfirmForbiddenError = defineError('order_confirm_forbidden', 403,
  () => 'Solo el vendedor confirma un pedido, al recibir el pago')

// ── PCC ───────────────────────────────────────────────────────────────────────────────────────────
export const PccPurchaseDisabledError = defineError('pcc_purchase_disabled', 403,
  (what: 'stamps' | 'points') => `Su distribuidor no permite comprar ${what === 'stamps' ? 'timbres' : 'puntos'} en el panel`)
export const DistributorPointsShortError = defineError('distributor_points_short', 422,
  () => 'Su distribuidor no tiene puntos suficientes para atender este pedido; intente con un paquete menor o más tarde')
