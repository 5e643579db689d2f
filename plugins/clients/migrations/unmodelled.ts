/**
 * DDL of the clients migrations that MikroORM cannot model: CHECK constraints (and the column
 * retyping `col in (…)` makes its diff want), the partial unique index of one owner, the expression
 * indexes ordering NICs as numbers (alone and after the sign-up instant), the trigram GIN index and the pattern-ops prefix index. The
 * schema-drift test accepts exactly these statements for the clients plugin.
 */
export const CLIENTS_ALLOWED_DRIFT = [
  // clients_0001_customer
  'alter table "clients_customer_profile" drop constraint if exists "clients_customer_profile_role_check";',
  'alter table "clients_customer_profile" alter column "role" type varchar(10) using ("role"::varchar(10));',
  'drop index "clients_customer_one_owner";',
  // clients_0002_customer_record
  'alter table "clients_customer" drop constraint if exists "clients_customer_category_check";',
  'alter table "clients_customer" drop constraint if exists "clients_customer_color_check";',
  'alter table "clients_customer" drop constraint clients_customer_stamp_price_check;',
  'alter table "clients_customer" alter column "category" type varchar(10) using ("category"::varchar(10));',
  'alter table "clients_customer" alter column "color" type varchar(10) using ("color"::varchar(10));',
  'drop index "clients_customer_distributor_nic_number_index";',
  'drop index "clients_customer_search_key_prefix_index";',
  // clients_0003_search_table
  'drop index "clients_customer_search_trgm_index";',
  // clients_0004_broad_search (the prefix index above is rebuilt under its name, with INCLUDE)
  'drop index "clients_customer_distributor_created_nic_index";',
  'drop index "clients_customer_distributor_created_desc_nic_index";',
]
