import { sql, type DashboardFigure } from '../../core/plugin-api.js'
import type { EntityManager } from '@mikro-orm/postgresql'
import type { LedgerService } from '../ledger/index.js'
import type { SalesService } from './services/sales.js'

/** A standard CTI is low on stamps at or below its auto top-up minimum, or this many without one. */
export const LOW_STAMPS = 10
const MONTH_START = `(date_trunc('month', now() at time zone 'America/Mexico_City') at time zone 'America/Mexico_City')`
const n = (v: number) => v.toLocaleString('es-MX')
/** Hundredths of a point as "2,500.00". */
const points = (h: number) => (h / 100).toLocaleString('es-MX', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const one = async (em: EntityManager, query: string, params: unknown[]) => Number((await sql<{ n: number }[]>(em, query, params))[0]?.n ?? 0)
const TIMBRADO = '/admin/resources/StampingAccount'

/** The active standard CTIs of a distributor that are low on stamps (ids), for the dashboard and the list's filter. */
export function lowCtisQuery(ledger: LedgerService): string {
  return `select c.id from stamping_cti c join ${ledger.ownerBalances('cti', 'stamps')} b on b.owner_id = c.id
    where c.distributor_id = ? and c.type = 'standard' and c.active and b.balance <= coalesce(c.auto_sale_minimum, ${LOW_STAMPS})`
}

/** The CM dashboard's figures this plugin owns (extension point 'cm.dashboard'). */
export function stampingDashboard(ledger: LedgerService, sales: SalesService): DashboardFigure[] {
  return [
    { key: 'inventoryStamps', label: 'Timbres en su inventario', href: TIMBRADO, value: async (em, d) => n((await sales.inventory(em, d)).stamps) },
    { key: 'inventoryPoints', label: 'Puntos en su saldo', href: TIMBRADO, value: async (em, d) => points((await sales.inventory(em, d)).points) },
    { key: 'ctis', label: 'Cuentas de timbrado', href: TIMBRADO, value: async (em, d) => n(await one(em, 'select count(*)::int as n from stamping_cti where distributor_id = ?', [d])) },
    {
      key: 'stampsSoldMonth', label: 'Timbres vendidos este mes', href: TIMBRADO,
      value: async (em, d) => n(await one(em, `select coalesce(sum(quantity), 0)::int as n from stamping_sale where distributor_id = ? and created_at >= ${MONTH_START}`, [d])),
    },
    {
      key: 'stampedMonth', label: 'Timbres emitidos este mes', href: TIMBRADO,
      value: async (em, d) => n(await one(em, `select count(*)::int as n from stamping_stamp where distributor_id = ? and status = 'stamped' and stamped_at >= ${MONTH_START}`, [d])),
    },
    {
      key: 'ctisLow', label: 'CTI con pocos timbres', href: `${TIMBRADO}?filters.lowStamps=true`,
      value: async (em, d) => n(await one(em, `select count(*)::int as n from (${lowCtisQuery(ledger)}) low`, [d])),
    },
  ]
}
