/**
 * Extension point `clients.customerFigures`: columns and sort keys of the customer list that other
 * plugins own (stamp balance, points, latest purchase, latest stamping). The clients plugin never
 * reads their tables; it LEFT JOINs each contributed relation on `customer_id` and reads the named
 * columns. A missing row means "nothing yet": integers and hundredths read as 0, timestamps as null.
 */
export type CustomerFigureKey = 'stampBalance' | 'points' | 'lastStampPurchaseAt' | 'lastStampedAt'

export interface CustomerFigureSource {
  /**
   * A table, view or parenthesised SELECT the contributing plugin owns, with one row per customer at
   * most: `customer_id uuid`, `distributor_id uuid` (the tenant, so a sort can use an index on it)
   * and the figure columns. Joined as `left join <relation> f on f.customer_id = c.id`.
   */
  relation: string
  figures: { key: CustomerFigureKey, column: string, kind: 'integer' | 'hundredths' | 'timestamp' }[]
}

export const CUSTOMER_FIGURES = 'clients.customerFigures'

declare module '../../core/kernel/extensions.js' {
  interface ExtensionPointTypes { 'clients.customerFigures': CustomerFigureSource }
}
