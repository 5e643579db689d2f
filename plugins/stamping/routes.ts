import type { Request } from 'express'
import { BadRequestError, FieldValidationError, formatHundredths, objectBody as body, pagination as page, type PluginContext, type PluginRoutes } from '../../core/plugin-api.js'
import type { StampingServices } from './index.js'
import { parseNewCti, type CtiRow } from './services/ctis.js'
import { parseStampRequest } from './services/stamp.js'
import { parseAutoSale, parseTransfer } from './services/sales.js'
import { stampingApiDocs as docs } from './api-docs.js'

const query = (req: Request, name: string): string | undefined => {
  const v = req.query[name]
  if (v === undefined || v === '') return undefined
  if (typeof v !== 'string' || v.length > 200) throw new BadRequestError(`'${name}' debe darse una sola vez, con a lo sumo 200 caracteres`)
  return v
}

export function stampingRoutes(ctx: PluginContext, s: StampingServices): PluginRoutes {
  const em = () => ctx.em()
  const clients = ctx.use('clients').customers

  /** CTI rows as the API shows them: the customer by NIC, the balance from the ledger. */
  async function ctiJson(rows: CtiRow[]) {
    const balances = await s.ctis.balances(em(), rows)
    return rows.map((r) => ({
      id: r.id, customer: r.customerNic, type: r.type, active: r.active,
      balance: r.accountId ? balances.get(r.accountId) ?? 0 : null,
      validUntil: r.validUntil ? new Date(r.validUntil).toISOString() : null,
      rfc: r.rfc ?? null,
      autoSale: r.autoSaleMinimum !== null && r.autoSaleMinimum !== undefined
        ? { minimum: r.autoSaleMinimum, quantity: r.autoSaleQuantity!, amount: formatHundredths(r.autoSaleAmount!), warning: r.autoSaleWarning ?? null }
        : null,
    }))
  }

  // ── Distributors (bearer token, tier-gated) ─────────────────────────────────────────────────
  const api = ctx.http.apiRouter()

  api.get('/inventory', { doc: docs.inventory }, async (req, res) => {
    const inv = await s.sales.inventory(em(), req.actor!.distributorId)
    res.json({ stamps: inv.stamps, points: formatHundredths(inv.points) })
  })

  api.get('/ctis', { doc: docs.listCtis }, async (req, res) => {
    const { page: p, perPage } = page(req)
    const d = req.actor!.distributorId
    const nic = query(req, 'customer')
    const q = query(req, 'q')
    let customerIds = nic ? [(await clients.getByNic(em(), d, nic)).id] : undefined
    // `q` searches the owning customers' fields as the customer search does (CTI ids included).
    if (q) {
      const matching = new Set(await clients.searchIds(em(), d, q))
      customerIds = customerIds ? customerIds.filter((id) => matching.has(id)) : [...matching]
    }
    const { items, total } = await s.ctis.list(em(), d, { customerIds }, p, perPage)
    res.json({ items: await ctiJson(items), total })
  })

  api.get('/ctis/:id', { doc: docs.getCti }, async (req, res) => {
    res.json((await ctiJson([await s.ctis.get(em(), req.actor!.distributorId, String(req.params.id))]))[0])
  })

  api.post('/ctis', { doc: docs.createCti }, async (req, res) => {
    const b = body(req)
    if (typeof b.customer !== 'string' || !b.customer) throw new FieldValidationError({ customer: 'Indique el NIC del cliente' })
    const customer = await clients.getByNic(em(), req.actor!.distributorId, b.customer)
    const cti = await s.sales.createCti(em(), req.actor!.distributorId, customer, parseNewCti(b), { profileId: req.actor!.profileId })
    res.status(201).json((await ctiJson([cti]))[0])
  })

  api.post('/ctis/:id/reset-password', { doc: docs.resetPassword }, async (req, res) => {
    const b = body(req)
    await s.ctis.resetPassword(em(), req.actor!.distributorId, String(req.params.id), b.password, b.passwordConfirmation, req.actor!.profileId)
    res.status(204).end()
  })
  api.post('/ctis/:id/block', { doc: docs.block }, async (req, res) => { await s.ctis.setActive(em(), req.actor!.distributorId, String(req.params.id), false, req.actor!.profileId); res.status(204).end() })
  api.post('/ctis/:id/unblock', { doc: docs.unblock }, async (req, res) => { await s.ctis.setActive(em(), req.actor!.distributorId, String(req.params.id), true, req.actor!.profileId); res.status(204).end() })

  api.post('/ctis/:id/transfers', { doc: docs.transfer }, async (req, res) => {
    const out = await s.sales.transferToCti(em(), req.actor!.distributorId, String(req.params.id), parseTransfer(body(req)), { profileId: req.actor!.profileId })
    res.status(out.replayed ? 200 : 201).json({ transfer: out.transfer, balance: out.balance, inventory: out.inventory })
  })

  api.post('/transfers/mass', { doc: docs.mass }, async (req, res) => {
    const out = await s.sales.transferMass(em(), req.actor!.distributorId, body(req), { profileId: req.actor!.profileId })
    res.status(out.replayed ? 200 : 201).json({ transfer: out.transfer, balances: out.balances, inventory: out.inventory })
  })

  api.put('/ctis/:id/auto-sale', { doc: docs.setAutoSale }, async (req, res) => {
    const d = req.actor!.distributorId
    await s.sales.setAutoSale(em(), d, [String(req.params.id)], parseAutoSale(body(req)), { profileId: req.actor!.profileId })
    res.json((await ctiJson([await s.ctis.get(em(), d, String(req.params.id))]))[0])
  })
  api.delete('/ctis/:id/auto-sale', { doc: docs.deleteAutoSale }, async (req, res) => {
    await s.sales.setAutoSale(em(), req.actor!.distributorId, [String(req.params.id)], null)
    res.status(204).end()
  })

  // ── Software (CTI credentials in the body; no session, no token) ─────────────────────────────
  const pub = ctx.http.publicRouter()

  pub.post('/stamp', { bodyLimit: '5mb', doc: docs.stamp }, async (req, res) => {
    res.json(await s.stamps.stamp(em(), parseStampRequest(req.body), req.ip ?? 'unknown'))
  })

  pub.post('/balance', { doc: docs.balance }, async (req, res) => {
    res.json(await s.stamps.balance(em(), req.body, req.ip ?? 'unknown'))
  })

  pub.get('/sandbox/certificate', { doc: docs.certificate }, async (_req, res) => {
    res.type('application/x-pem-file').send((await s.pacKeys()).certificatePem)
  })

  return { api, public: pub }
}
