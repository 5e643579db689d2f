import { randomUUID } from 'node:crypto'
import type { Request } from 'express'
import { FieldValidationError, isCatalogedError, type PccPage, type PccRequestContext, type PluginContext } from '../../../core/plugin-api.js'
import { orderJson } from '../services/orders.js'

const field = (req: Request, name: string) => (req.body && typeof req.body[name] === 'string' ? req.body[name] as string : '')
const param = (req: Request, name: string) => (typeof req.query[name] === 'string' ? req.query[name] as string : '')
/** "$1,500.00" */
export const pesos = (hundredths: number) => `$${(Number(hundredths) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
const STATES: Record<string, string> = { pending: 'Por confirmar', confirmed: 'Pagado y entregado', cancelled: 'Cancelado' }

/**
 * PCC "Comprar": with its distributor's permission, a customer buys one of the distributor's
 * customer stamps packages with its points, into a CTI it chooses, and orders points packages that
 * the distributor confirms when paid. Each purchase shows a confirmation page first.
 */
export function purchasesPcc(ctx: PluginContext<any>): { pages: PccPage[] } {
  const s = () => ctx.use('purchases')
  const tools = () => ctx.use('tools')
  const stamping = () => ctx.use('stamping')

  async function view(pcc: PccRequestContext, extra: Record<string, unknown> = {}) {
    const settings = await tools().settings.get(pcc.em, pcc.distributorId)
    const all = await tools().packages.list(pcc.em, pcc.distributorId, { forDistributors: false })
    const pkg = (p: (typeof all)[number]) => ({ id: p.id, description: p.description, price: pesos(p.price), quantity: p.asset === 'points' ? pesos(p.quantity).slice(1) : Number(p.quantity).toLocaleString('es-MX') })
    const { items } = await stamping().ctis.list(pcc.em, pcc.distributorId, { customerIds: [pcc.customerId] }, 1, 100)
    const orders = (await s().orders.list(pcc.em, { type: 'customer', id: pcc.customerId, distributorId: pcc.distributorId }, { perPage: 20 })).items
    return {
      view: 'purchases/pcc',
      data: {
        points: pesos(await s().purchases.customerPoints(pcc.em, pcc.customerId)).slice(1),
        stampsAllowed: settings.pccStampPurchase, pointsAllowed: settings.pccPointsPurchase,
        stampPackages: settings.pccStampPurchase ? all.filter((p) => p.asset === 'stamps').map(pkg) : [],
        pointPackages: settings.pccPointsPurchase ? all.filter((p) => p.asset === 'points').map(pkg) : [],
        ctis: items.filter((c) => c.type === 'standard').map((c) => ({ id: c.id })),
        orders: orders.map((o) => ({ ...orderJson(o), stateLabel: STATES[o.state], pending: o.state === 'pending', total: pesos(o.amount), points: pesos(o.quantity).slice(1) })),
        ...extra,
      },
    }
  }

  /** The confirmation step: what will happen, in words, with a fresh idempotency key for the one click that follows. */
  async function confirmation(req: Request, pcc: PccRequestContext, what: 'stamps' | 'points') {
    const id = param(req, 'package')
    const count = Number(param(req, 'count') || '1')
    const fields: Record<string, string> = {}
    if (!Number.isSafeInteger(count) || count < 1 || count > 1000) fields.count = 'Indique de 1 a 1000 paquetes'
    const pkg = /^[0-9a-f-]{36}$/i.test(id) ? await tools().packages.get(pcc.em, id) : null
    if (!pkg || pkg.distributorId !== pcc.distributorId || pkg.forDistributors || pkg.asset !== what) fields.package = 'Elija un paquete'
    if (what === 'stamps' && !param(req, 'cti')) fields.cti = 'Elija la cuenta de timbrado'
    if (Object.keys(fields).length) return view(pcc, { errors: fields })
    return {
      view: 'purchases/pcc-confirm',
      data: {
        what, stamps: what === 'stamps', package: pkg!.id, description: pkg!.description, count, cti: param(req, 'cti'),
        quantity: what === 'stamps' ? (pkg!.quantity * count).toLocaleString('es-MX') : pesos(pkg!.quantity * count).slice(1),
        total: pesos(pkg!.price * count), idempotencyKey: randomUUID(),
      },
    }
  }

  return {
    pages: [{
      path: 'compras',
      title: 'Comprar',
      // The confirmation step is a GET (?review=stamps|points&package&count&cti): it changes nothing.
      get: (req, pcc) => {
        const review = param(req, 'review')
        return review === 'stamps' || review === 'points' ? confirmation(req, pcc, review) : view(pcc)
      },
      async post(req, _res, pcc) {
        const action = field(req, 'action')
        try {
          if (action === 'buy-stamps') {
            const out = await s().purchases.pccBuyStamps(pcc.em, { customerId: pcc.customerId, distributorId: pcc.distributorId, profileId: pcc.profileId },
              { package: field(req, 'package'), count: Number(field(req, 'count')), cti: field(req, 'cti'), idempotencyKey: field(req, 'idempotencyKey') })
            req.session.flash = { type: 'success', message: `Compra realizada: ${out.quantity.toLocaleString('es-MX')} timbres abonados a la cuenta ${out.cti}; se descontaron ${pesos(out.points).slice(1)} puntos.` }
            return { redirect: `${pcc.base}/compras` }
          }
          if (action === 'order-points') {
            await s().orders.create(pcc.em, { type: 'customer', id: pcc.customerId, distributorId: pcc.distributorId }, { package: field(req, 'package'), count: Number(field(req, 'count')) }, { profileId: pcc.profileId })
            req.session.flash = { type: 'success', message: 'Pedido registrado. Pague a su distribuidor; al confirmar el pago, los puntos se abonan a su cuenta.' }
            return { redirect: `${pcc.base}/compras` }
          }
          if (action === 'cancel-order') {
            await s().orders.cancel(pcc.em, { type: 'customer', id: pcc.customerId, distributorId: pcc.distributorId }, field(req, 'order'), { profileId: pcc.profileId })
            req.session.flash = { type: 'success', message: 'Pedido cancelado.' }
            return { redirect: `${pcc.base}/compras` }
          }
          return view(pcc, { error: 'Acción no reconocida.' })
        } catch (e) {
          if (e instanceof FieldValidationError) return view(pcc, { errors: e.fields, error: 'Revise los datos de la compra.' })
          if (isCatalogedError(e) && e.status < 500) return view(pcc, { error: `No se realizó la compra: ${e.message}.`.replace('..', '.') })
          throw e
        }
      },
    }],
  }
}
