import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'
import { sqlMigration } from '../../../core/plugin-api.js'

export type OfferKind = 'mkl' | 'subscription'
export const OFFER_KINDS: readonly OfferKind[] = ['mkl', 'subscription']

/** What staff sell by the year (the catalogue the whole network buys from): an entitlement at a yearly price in points. */
export interface PurchaseOffer {
  id: string
  kind: OfferKind
  name: string
  /** Hundredths of a point. */
  yearlyPoints: number
  /** The entitlement a contract grants (e.g. 'mkl-multinivel'). */
  entitlementKey: string
  active: boolean
  createdAt: Date
}

export const PurchaseOfferSchema = new EntitySchema<PurchaseOffer>({
  name: 'PurchaseOffer',
  tableName: 'purchases_offer',
  properties: {
    id: { type: 'uuid', primary: true },
    kind: { type: 'string', length: 20 },
    name: { type: 'string', length: 200 },
    yearlyPoints: { type: new BigIntType('number') },
    entitlementKey: { type: 'string', length: 100 },
    active: { type: 'boolean', default: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

export type ContractState = 'active' | 'cancelled'

/**
 * A distributor's yearly contract of an offer, bought from its parent (the seller; staff for a
 * top-level distributor) and aligned to its CM expiry: the buyer's entitlement runs until
 * `expiresAt` and is extended, and charged in full, with each CM renewal. Cancelled by the seller
 * or staff, it ends at expiry (`cancelAtExpiry`): not renewed, its entitlement keeps its end.
 */
export interface PurchaseContract {
  id: string
  /** The buyer: the tenant. */
  distributorId: string
  offerId: string
  sellerId: string
  state: ContractState
  startedAt: Date
  /** The CM expiry it is paid until ('YYYY-MM-DD'). */
  expiresAt: string
  cancelAtExpiry: boolean
  cancelledBy?: string | null
  cancelledAt?: Date | null
  /** The latest kernel entitlement it granted. */
  entitlementId: string
  renewedAt?: Date | null
  createdAt: Date
}

export const PurchaseContractSchema = new EntitySchema<PurchaseContract>({
  name: 'PurchaseContract',
  tableName: 'purchases_contract',
  indexes: [
    { name: 'purchases_contract_distributor_index', properties: ['distributorId'] },
    { name: 'purchases_contract_seller_index', properties: ['sellerId'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    distributorId: { type: 'uuid' },
    offerId: { type: 'uuid' },
    sellerId: { type: 'uuid' },
    state: { type: 'string', length: 20, default: 'active' },
    startedAt: { type: 'datetime' },
    expiresAt: { type: 'date' },
    cancelAtExpiry: { type: 'boolean', default: false },
    cancelledBy: { type: 'uuid', nullable: true },
    cancelledAt: { type: 'datetime', nullable: true },
    entitlementId: { type: 'uuid' },
    renewedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

/** One active contract per buyer and offer (the 409's backstop against two requests at once). */
export const CONTRACTS_ALLOWED_DRIFT = [
  'drop index "purchases_contract_active_unique";',
]

export const contractsMigrations = [
  sqlMigration('purchases_contracts_0001_offers_contracts', `
create table "purchases_offer" ("id" uuid not null, "kind" varchar(20) not null, "name" varchar(200) not null, "yearly_points" bigint not null, "entitlement_key" varchar(100) not null, "active" boolean not null default true, "created_at" timestamptz not null default now(), constraint "purchases_offer_pkey" primary key ("id"));
create table "purchases_contract" ("id" uuid not null, "distributor_id" uuid not null, "offer_id" uuid not null, "seller_id" uuid not null, "state" varchar(20) not null default 'active', "started_at" timestamptz not null, "expires_at" date not null, "cancel_at_expiry" boolean not null default false, "cancelled_by" uuid null, "cancelled_at" timestamptz null, "entitlement_id" uuid not null, "renewed_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "purchases_contract_pkey" primary key ("id"));
create index "purchases_contract_distributor_index" on "purchases_contract" ("distributor_id");
create index "purchases_contract_seller_index" on "purchases_contract" ("seller_id");
create unique index "purchases_contract_active_unique" on "purchases_contract" ("distributor_id", "offer_id") where "state" = 'active';
`),
]
