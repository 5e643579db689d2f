import type { EntityManager } from '@mikro-orm/postgresql'

/**
 * Extension point `clients.customerFigures`: columns and sort keys of the customer list that other
 * plugins own (stamp balance, points, latest purchase, latest stamping, or anything a new plugin
 * adds). The keys are open: each source names its own key, Spanish label and kind. The clients plugin
 * never reads their tables; it reads each contributed relation by `customer_id` and the named
 * columns, and only for distributors whose tier enables the contributing plugin. A missing row means
 * "nothing yet": integers read as 0, hundredths as "0.00", timestamps as null. When two sources
 * contribute the same key, the first one contributed wins; a key that names one of the customer's
 * own fields ('notes', 'rfc'…) is ignored.
 */
export type CustomerFigureKey = string
export type FigureKind = 'integer' | 'hundredths' | 'timestamp'
/** `short`: the list's column heading, where `label` is too long for a narrow column (the show page uses `label`). */
export interface CustomerFigure { key: CustomerFigureKey, column: string, kind: FigureKind, label: string, short?: string }

export interface CustomerFigureSource {
  /**
   * A table, view or parenthesised SELECT the contributing plugin owns, with one row per customer at
   * most: `customer_id uuid`, `distributor_id uuid` (the tenant, so a sort can use an index on it)
   * and the figure columns. Joined as `left join <relation> f on f.customer_id = c.id`.
   * For fast sorts at scale, index it on (distributor_id, <column>) and on customer_id: a sort by a
   * figure reads the rows with a non-default value (≠ 0, not null) in that index's order, then the
   * other customers by NIC with an anti-join on customer_id. An aggregate view cannot use either
   * index (the planner evaluates it whole); contribute a table kept current by its owner instead.
   */
  relation: string
  figures: CustomerFigure[]
}

export const CUSTOMER_FIGURES = 'clients.customerFigures'

/**
 * Extension point `clients.customerSearch`: other things a customer is found by (its CTIs). A
 * relation with `customer_id uuid`, `distributor_id uuid` and `column`, any number of rows per
 * customer; the search box matches `column like '<q>%'` (q trimmed, as typed, and upper-cased), so
 * keep the column in a canonical case and index it on (distributor_id, column varchar_pattern_ops).
 */
export interface CustomerSearchSource { relation: string, column: string }

export const CUSTOMER_SEARCH = 'clients.customerSearch'

/**
 * Extension point `clients.customerCreatedDetails`: what another plugin adds, under its `key`, to the
 * answer of POST /api/v1/customers about the customer just created (the stamping plugin: its new CTI
 * and the CTI's generated password, shown that once). Read only for distributors whose tier enables
 * the contributor, after the creation committed; a key that names a customer field is ignored.
 */
export interface CustomerCreatedDetails { key: string, details(em: EntityManager, customer: { id: string, nic: string, distributorId: string }): Promise<unknown> }

export const CUSTOMER_CREATED_DETAILS = 'clients.customerCreatedDetails'

declare module '../../core/plugin-api.js' {
  interface ExtensionPointTypes {
    'clients.customerCreatedDetails': CustomerCreatedDetails
    'clients.customerFigures': CustomerFigureSource
    'clients.customerSearch': CustomerSearchSource
  }
}
