/**
 * DDL of stamping_0001_ctis that MikroORM cannot model (CHECK constraints and the column retyping
 * they cause in its diff). The schema-drift test accepts exactly these statements for stamping.
 */
export const STAMPING_ALLOWED_DRIFT = [
  'alter table "stamping_cti" drop constraint if exists "stamping_cti_type_check";',
  'alter table "stamping_stamp" drop constraint if exists "stamping_stamp_status_check";',
  'alter table "stamping_cti" drop constraint stamping_cti_auto_sale_check;',
  'alter table "stamping_cti" alter column "type" type varchar(10) using ("type"::varchar(10));',
  'alter table "stamping_stamp" alter column "status" type varchar(10) using ("status"::varchar(10));',
  'alter table "stamping_sale" drop constraint stamping_sale_kind_check;',
  // the customer search's prefix lookup by CTI id (clients.customerSearch)
  'drop index "stamping_cti_search_index";',
]
