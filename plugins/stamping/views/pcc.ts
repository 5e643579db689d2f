import type { Request } from 'express'
import { FieldValidationError, isCatalogedError, type PccPage, type PccRequestContext, type PluginContext } from '../../../core/plugin-api.js'
import type { StampingServices } from '../index.js'
import { CtiNotFoundError } from '../errors.js'

const TYPE_LABELS: Record<string, string> = { standard: 'Estándar', unlimited: 'Ilimitada' }

/** The customer's own CTIs, as the panel shows them (never the password or the ledger account). */
async function ctisOf(s: StampingServices, pcc: PccRequestContext) {
  const { items } = await s.ctis.list(pcc.em, pcc.distributorId, { customerIds: [pcc.customerId] }, 1, 100)
  const balances = await s.ctis.balances(pcc.em, items)
  return items.map((c) => ({
    id: c.id, type: TYPE_LABELS[c.type] ?? c.type, standard: c.type === 'standard', active: c.active,
    balance: c.accountId ? balances.get(c.accountId) ?? 0 : null,
    validUntil: c.validUntil ?? null, rfc: c.rfc ?? null,
    // The yearly renewal unpaid (the distributor's points were short): blocked once its year ends.
    renewalUnpaid: !!c.renewalWarning,
    renewalBlocked: !!c.renewalWarning && !!c.validUntil && new Date(c.validUntil).getTime() < Date.now(),
  }))
}

const field = (req: Request, name: string) => (req.body && typeof req.body[name] === 'string' ? req.body[name] as string : '')

/** PCC "Cuentas de timbrado": balances and state of the customer's CTIs, and a password change for one of them. */
export function stampingPcc(ctx: PluginContext<any>): { pages: PccPage[] } {
  const s = () => ctx.use('stamping')
  const render = async (pcc: PccRequestContext, extra: Record<string, unknown> = {}) => ({ view: 'stamping/ctis', data: { ctis: await ctisOf(s(), pcc), ...extra } })
  return {
    pages: [{
      path: 'timbrado',
      title: 'Cuentas de timbrado',
      get: (_req, pcc) => render(pcc),
      async post(req, _res, pcc) {
        const id = field(req, 'cti')
        try {
          // Only a CTI of this very customer: another customer's, or another distributor's, is "not found".
          const cti = id ? await s().ctis.get(pcc.em, pcc.distributorId, id).catch(() => null) : null
          if (!cti || cti.customerId !== pcc.customerId) throw new CtiNotFoundError(id)
          // Checked here: the service lets a password through with a mismatching confirmation.
          if (field(req, 'password') !== field(req, 'passwordConfirmation')) throw new FieldValidationError({ passwordConfirmation: 'La confirmación no coincide con la contraseña' })
          await s().ctis.resetPassword(pcc.em, pcc.distributorId, cti.id, field(req, 'password'), field(req, 'passwordConfirmation'), pcc.profileId)
          req.session.flash = { type: 'success', message: `Contraseña de la cuenta ${cti.id} cambiada. Configure sus aplicaciones con la nueva.` }
          return { redirect: `${pcc.base}/timbrado` }
        } catch (e) {
          // Field errors go under their fields; the rest above the form.
          if (e instanceof FieldValidationError) return render(pcc, { errors: e.fields, selected: id })
          let message: string
          if (e instanceof CtiNotFoundError) message = 'La cuenta de timbrado no existe.'
          else if (isCatalogedError(e) && e.status < 500) message = 'No se pudo cambiar la contraseña.'
          else throw e
          return render(pcc, { error: message, selected: id })
        }
      },
    }],
  }
}
