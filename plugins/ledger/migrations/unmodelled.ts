/**
 * DDL of ledger_0001_journal that MikroORM cannot model (CHECK constraints and the column retyping
 * they cause in its diff). The schema-drift tests accept exactly these statements for the ledger.
 */
export const LEDGER_ALLOWED_DRIFT = [
  'alter table "ledger_account" drop constraint if exists "ledger_account_owner_type_check";',
  'alter table "ledger_account" drop constraint if exists "ledger_account_asset_check";',
  'alter table "ledger_account" drop constraint ledger_account_materialized_check;',
  'alter table "ledger_account" drop constraint ledger_account_unmaterialized_zero_check;',
  'alter table "ledger_account" alter column "owner_type" type varchar(20) using ("owner_type"::varchar(20));',
  'alter table "ledger_account" alter column "asset" type varchar(10) using ("asset"::varchar(10));',
  'alter table "ledger_entry" drop constraint if exists "ledger_entry_phase_check";',
  'alter table "ledger_entry" drop constraint if exists "ledger_entry_asset_check";',
  'alter table "ledger_entry" drop constraint ledger_entry_pending_id_check;',
  'alter table "ledger_entry" alter column "phase" type varchar(10) using ("phase"::varchar(10));',
  'alter table "ledger_entry" alter column "asset" type varchar(10) using ("asset"::varchar(10));',
  // ledger_0002_owner_balance_view: customers' accounts by uuid (an expression index)
  'drop index "ledger_account_customer_owner_index";',
]
