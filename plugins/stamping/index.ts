import { fileURLToPath } from 'node:url'
import type { EntityManager } from '@mikro-orm/postgresql'
import { z } from 'zod'
import { definePlugin, parseHundredths, sql, type JobDefinition, type PluginContext } from '../../core/plugin-api.js'
import { generateSandboxKeys, SandboxPac, type Pac, type SandboxKeys } from './cfdi/sandbox-pac.js'
import { StampingAccountSchema } from './entities/cti.js'
import { CustomerStampFiguresSchema, SandboxPacKeySchema, StampSaleSchema } from './entities/sale.js'
import { StampIddSchema, StampRecordSchema } from './entities/stamp.js'
import { stampingMigrations } from './migrations/index.js'
import { STAMPING_ALLOWED_DRIFT } from './migrations/unmodelled.js'
import { stampingRoutes } from './routes.js'
import { stampingCommands } from './commands.js'
import { CredentialCache, CtiService } from './services/ctis.js'
import { SalesService } from './services/sales.js'
import { StampService } from './services/stamp.js'
import { stampingPcc } from './views/pcc.js'
import { stampingDashboard } from './dashboard.js'

export interface StampingServices {
  ctis: CtiService
  sales: SalesService
  stamps: StampService
  /** The sandbox PAC's key and certificate (created on first start). */
  pacKeys(): Promise<SandboxKeys>
}

/**
 * 'stamping.defaultStampPrice': the distributor's price of one stamp (hundredths of MXN) for a
 * transfer that omits its amount and whose customer has no stamp price of its own; null: none.
 * The tools plugin contributes its bulk stamp price; without a contribution the amount is required.
 */
export type DefaultStampPrice = (em: EntityManager, distributorId: string) => Promise<number | null>
export const DEFAULT_STAMP_PRICE = 'stamping.defaultStampPrice'

declare module '../../core/plugin-api.js' {
  interface PluginServices { stamping: StampingServices }
  interface ExtensionPointTypes { 'stamping.defaultStampPrice': DefaultStampPrice }
}

const envNumber = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}

export const stampingOptions = z.object({
  /** SANDBOX_PAC_LATENCY_MS: delay added to every sandbox PAC call. */
  sandboxLatencyMs: z.number().int().nonnegative().default(() => envNumber('SANDBOX_PAC_LATENCY_MS', 0)),
  /** SANDBOX_PAC_FAILURE_RATE: share (0–1) of sandbox PAC calls that fail as "PAC unavailable". */
  sandboxFailureRate: z.number().min(0).max(1).default(() => envNumber('SANDBOX_PAC_FAILURE_RATE', 0)),
  /** The RfcProvCertif the sandbox puts in each TFD. */
  rfcProvCertif: z.string().default('SPR190613I52'),
  pacTimeoutMs: z.number().int().positive().default(30_000),
  /** A claimed document whose request has not finished after this long may be taken over. */
  staleClaimMs: z.number().int().positive().default(120_000),
  /** A request for a document an identical request is stamping waits this long for it. */
  waitForTwinMs: z.number().int().positive().default(35_000),
  ctiFailures: z.number().int().positive().default(10),
  ipFailures: z.number().int().positive().default(100),
  /**
   * How long a verified credential is trusted without argon2. A reset, block or unblock ends it at
   * once in every process (the row's credentials_version is read on each stamp), so this bounds
   * only memory and how often an active CTI pays argon2 again.
   */
  credentialCacheMs: z.number().int().nonnegative().default(3_600_000),
  /** Yearly price of an unlimited CTI in points, charged to the distributor (until purchases sets it). */
  unlimitedYearlyPoints: z.string().refine((s) => parseHundredths(s) !== null, 'a decimal like "1200.00"').default('1200.00'),
  /** How often the unlimited CTIs' yearly renewal job runs; 0 turns it off. */
  unlimitedRenewalIntervalMs: z.number().int().nonnegative().default(3_600_000),
})
type Options = z.output<typeof stampingOptions>

/** The key lives in the database: several processes, and the next start, sign with the same one. */
async function loadOrCreateKeys(ctx: PluginContext<Options>): Promise<SandboxKeys> {
  const em = ctx.em()
  const read = async () => (await sql<SandboxKeys[]>(em, `select private_key_pem as "privateKeyPem", certificate_pem as "certificatePem", no_certificado as "noCertificado" from stamping_pac_key where id = 1`))[0]
  const found = await read()
  if (found) return found
  const keys = generateSandboxKeys()
  await sql(em, `insert into stamping_pac_key (id, private_key_pem, certificate_pem, no_certificado) values (1, ?, ?, ?) on conflict (id) do nothing`,
    [keys.privateKeyPem, keys.certificatePem, keys.noCertificado])
  return (await read())!
}

export default definePlugin({
  id: 'stamping',
  title: 'Timbrado',
  version: '0.1.0',
  dependsOn: ['clients', 'ledger'],
  options: stampingOptions,
  unmodelledDdl: STAMPING_ALLOWED_DRIFT,
  apiPaths: ['/inventory', '/ctis', '/transfers', '/stamp', '/balance', '/sandbox'],
  entities: [StampingAccountSchema, StampRecordSchema, StampIddSchema, StampSaleSchema, CustomerStampFiguresSchema, SandboxPacKeySchema],
  migrations: stampingMigrations,
  views: fileURLToPath(new URL('./views', import.meta.url)),
  services: (ctx): StampingServices => {
    const o = ctx.options
    const ledger = ctx.use('ledger')
    ctx.extensions.declare('stamping', DEFAULT_STAMP_PRICE)
    const credentials = new CredentialCache(o.credentialCacheMs)
    const ctis = new CtiService(ledger, credentials, ctx.audit)
    const sales = new SalesService(ledger, ctis, parseHundredths(o.unlimitedYearlyPoints)!, ctx.audit, ctx.log, async (distributorId, em) => {
      const d = await ctx.directory.distributor(distributorId, em)
      return !!d && ctx.directory.isUsable(d)
    }, async (em, distributorId, customer) => {
      // A transfer without an amount: the customer's own stamp price, else the distributor's default (tools' bulk price).
      const own = (await ctx.use('clients').customers.getByNic(em, distributorId, customer.nic)).stampPrice
      if (own !== null && own !== undefined) return parseHundredths(String(own))
      // The tier read with this transaction's em (ctx.pluginsOf would ask for a second connection).
      const d = await ctx.directory.distributor(distributorId, em)
      for (const price of ctx.extensions.list(DEFAULT_STAMP_PRICE, d ? ctx.directory.pluginsFor(d) : [])) {
        const p = await price(em, distributorId)
        if (p !== null) return p
      }
      return null
    })
    let keys: Promise<SandboxKeys> | undefined
    const pacKeys = () => (keys ??= loadOrCreateKeys(ctx).catch((e) => { keys = undefined; throw e }))
    let pac: Promise<Pac> | undefined
    const pacFor = () => (pac ??= pacKeys().then((k) => new SandboxPac(k, { latencyMs: o.sandboxLatencyMs, failureRate: o.sandboxFailureRate, rfcProvCertif: o.rfcProvCertif })))
    const stamps = new StampService(ctx.orm, ledger, sales, credentials, pacFor, async (distributorId) => ctx.tierEnables(await ctx.directory.tierOf(ctx.em(), distributorId)), o, ctx.log)
    return { ctis, sales, stamps, pacKeys }
  },
  async bootstrap(ctx) {
    const { ctis, pacKeys, sales } = ctx.use('stamping')
    await pacKeys()
    // Automatic sales skipped while a distributor was not active go out once it is again, after commit.
    ctx.events.on('core.distributorStateChanged', async ({ distributor, to }, em) => {
      if (to === 'active') await ctx.outbox.emit(em, 'stamping.resumeAutoSales', { distributorId: distributor.id })
    })
    ctx.outbox.on('stamping.resumeAutoSales', async ({ payload }) => {
      await sales.resumeAutoSales(ctx.em(), (payload as { distributorId: string }).distributorId)
    })
    // A new customer gets its standard CTI in the same transaction: it exists when creation returns.
    ctx.events.on('clients.customerCreated', async ({ customer }, em) => {
      await ctis.createStandardFor(em, [customer])
    })
    // A purged distributor's customers move to its parent (clients), and their CTIs and figures with
    // them; sales and stamps stay as they were recorded. Their ledger accounts keep the tenant they
    // were opened under (the ledger never rewrites it); their balances are the CTIs' still.
    ctx.events.on('core.distributorPurged', async ({ distributorId, parentId }, em) => {
      if (!parentId) return
      await sql(em, 'update stamping_cti set distributor_id = ? where distributor_id = ?', [parentId, distributorId])
      await sql(em, 'update stamping_customer_figures set distributor_id = ? where distributor_id = ?', [parentId, distributorId])
    })
    ctx.events.on('clients.customersCreated', async ({ customers }, em) => {
      await ctis.createStandardFor(em, customers)
    })
    // After a bulk creation, the CTIs, figures and ledger accounts written for it get current statistics.
    ctx.events.onCommitted('clients.customersLoaded', async () => {
      await ctis.analyze(ctx.em())
      await ctx.use('ledger').analyze(ctx.em())
    })
    // A customer is deleted with its CTIs only while none has a movement; otherwise this refuses.
    ctx.events.on('clients.customersDeleting', async ({ customers }, em) => {
      await ctis.deleteForCustomers(em, customers)
    })
    ctx.extensions.contribute('stamping', 'clients.customerFigures', {
      relation: 'stamping_customer_figures',
      figures: [
        { key: 'stampBalance', column: 'stamp_balance', kind: 'integer', label: 'Saldo de timbres', short: 'Timbres' },
        { key: 'lastStampPurchaseAt', column: 'last_stamp_purchase_at', kind: 'timestamp', label: 'Última compra de timbres', short: 'Últ. compra' },
        { key: 'lastStampedAt', column: 'last_stamped_at', kind: 'timestamp', label: 'Última emisión', short: 'Últ. emisión' },
      ],
    })
    // The answer of POST /api/v1/customers names the new customer's CTI with its generated password, shown that once.
    ctx.extensions.contribute('stamping', 'clients.customerCreatedDetails', {
      key: 'cti',
      details: async (em, customer) => {
        const [cti] = (await ctis.list(em, customer.distributorId, { customerIds: [customer.id] }, 1, 1)).items
        return cti ? { id: cti.id, password: await ctis.revealInitialPassword(em, customer.distributorId, cti.id) } : null
      },
    })
    // The CM's home page: inventory, CTIs, this month's sales and stamps, CTIs low on stamps.
    for (const f of stampingDashboard(ctx.use('ledger'), ctx.use('stamping').sales)) ctx.extensions.contribute('stamping', 'cm.dashboard', f)
    // The customer search box also finds a customer by any of its CTIs' ids.
    ctx.extensions.contribute('stamping', 'clients.customerSearch', {
      relation: '(select customer_id, distributor_id, upper(id) as cti_key from stamping_cti)',
      column: 'cti_key',
    })
    // Points are the ledger's; it publishes owner balances as a relation for lists like this one.
    ctx.extensions.contribute('stamping', 'clients.customerFigures', {
      relation: `(select owner_id::uuid as customer_id, distributor_id, balance as points from ${ctx.use('ledger').ownerBalances('customer', 'points')} b)`,
      figures: [{ key: 'points', column: 'points', kind: 'hundredths', label: 'Puntos' }],
    })
  },
  routes: (ctx) => stampingRoutes(ctx, ctx.use('stamping')),
  jobs: (ctx): Record<string, JobDefinition> => (ctx.options.unlimitedRenewalIntervalMs ? {
    // Unlimited CTIs whose year ends within a day: charged a year in points, or blocked with a warning until paid.
    'unlimited-renewal': {
      everyMs: ctx.options.unlimitedRenewalIntervalMs,
      run: async ({ em, now }) => {
        const { renewed, unpaid } = await ctx.use('stamping').sales.renewDueUnlimited(em, now)
        return `${renewed} CTI ilimitadas renovadas, ${unpaid} sin puntos suficientes`
      },
    },
  } : {}),
  commands: (ctx) => stampingCommands(ctx.use('stamping').ctis, () => ctx.em()),
  // Imported when the admin is mounted: AdminJS is heavy and the CLI and API-only tests never mount it.
  admin: async (ctx) => (await import('./admin/cti.resource.js')).stampingAdmin(ctx),
  pcc: (ctx) => stampingPcc(ctx),
})
