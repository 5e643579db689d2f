import { sqlMigration } from '../../../core/plugin-api.js'
import { commonPrefixSql } from '../services/search.js'

/**
 * Sets every search key's `shared_prefix` from the keys already written (clients_0004; exported so a
 * test can check that it agrees with what the service writes).
 */
export const SHARED_PREFIX_BACKFILL = `update "clients_customer_search_key" k set "shared_prefix" = p."n" from (
  select "customer_id", "key", (select count(*) from generate_series(1, least(length("key"), length("prev"))) i where left("key", i) = left("prev", i))::smallint as "n"
  from (select "customer_id", "key", lag("key") over (partition by "customer_id" order by "key" collate "C") as "prev" from "clients_customer_search_key") s
  where "prev" is not null
) p where p."customer_id" = k."customer_id" and p."key" = k."key";`

/**
 * Sets every search key's `shared_prefix` and, for heads (rows whose `head_shared_prefix` is not
 * null), `head_shared_prefix`, from the keys already written (clients_0005; exported so a test can
 * check that it agrees with what the service writes).
 */
export const SEARCH_KEY_BACKFILL = `update "clients_customer_search_key" k set "shared_prefix" = p."s", "head_shared_prefix" = p."h" from (
  select "customer_id", "key", (${commonPrefixSql('"key"', '"prev"')})::smallint as "s", case when "head" then (${commonPrefixSql('"key"', '"head_prev"')})::smallint end as "h"
  from (select "customer_id", "key", "head", lag("key") over (partition by "customer_id" order by "key" collate "C") as "prev",
      lag("key") over (partition by "customer_id", "head" order by "key" collate "C") as "head_prev"
    from (select "customer_id", "key", "head_shared_prefix" is not null as "head" from "clients_customer_search_key") s0) s1
) p where p."customer_id" = k."customer_id" and p."key" = k."key" and (k."shared_prefix", k."head_shared_prefix") is distinct from (p."s", p."h");`

/** Each customer's phone runs (digits from the second on, while 4 remain) as keys (clients_0005). */
export const PHONE_RUNS_INSERT = `insert into "clients_customer_search_key" ("customer_id", "key", "distributor_id", "shared_prefix", "head_shared_prefix")
  select c."id", substr(p."d", i), c."distributor_id", 0, null
  from "clients_customer" c
  cross join lateral (
    select left(regexp_replace(x, '[^0-9]', '', 'g'), 40) as "d" from (
      select c."phone" as x
      union all select jsonb_array_elements_text(case jsonb_typeof(j -> 'phones') when 'array' then j -> 'phones' else '[]' end)
        from unnest(array[c."legal_representative", c."financial_contact", c."technical_contact"]) j
    ) ph where x is not null
  ) p
  cross join generate_series(2, length(p."d") - 3) i
  on conflict do nothing;`

export const clientsMigrations = [
  sqlMigration('clients_0001_customer', `
create sequence "clients_customer_nic_seq" start with 100001;
create table "clients_customer" ("id" uuid not null default gen_random_uuid(), "distributor_id" uuid not null, "nic" varchar(20) not null default nextval('clients_customer_nic_seq')::text, "legal_name" varchar(300) not null, "trade_name" varchar(300) null, "rfc" varchar(13) not null, "phone" varchar(30) null, "created_at" timestamptz not null default now(), constraint "clients_customer_pkey" primary key ("id"));
alter table "clients_customer" add constraint "clients_customer_nic_unique" unique ("nic");
create index "clients_customer_distributor_created_index" on "clients_customer" ("distributor_id", "created_at");

create table "clients_customer_profile" ("id" uuid not null default gen_random_uuid(), "customer_id" uuid not null, "profile_id" uuid not null, "role" varchar(10) not null default 'member', "created_at" timestamptz not null default now(), constraint "clients_customer_profile_pkey" primary key ("id"));
create index "clients_customer_profile_profile_id_index" on "clients_customer_profile" ("profile_id");
alter table "clients_customer_profile" add constraint "clients_customer_profile_unique" unique ("customer_id", "profile_id");
alter table "clients_customer_profile" add constraint "clients_customer_profile_role_check" check ("role" in ('owner', 'member'));
create unique index "clients_customer_one_owner" on "clients_customer_profile" ("customer_id") where "role" = 'owner';
`),
  // The manual's five groups of customer data, classification, and what search and sort need:
  // a trigram index over an accent-folded text column, prefix keys behind a pattern-ops B-tree, and
  // indexes for the sort orders within a tenant (NIC ordered as a number, ties broken by it).
  sqlMigration('clients_0002_customer_record', `
create extension if not exists pg_trgm;
alter table "clients_customer" add column "tax_regime" varchar(3) null, add column "postal_code" varchar(5) null, add column "address" varchar(500) null, add column "email" varchar(254) null, add column "legal_representative" jsonb null, add column "financial_contact" jsonb null, add column "technical_contact" jsonb null, add column "other_data" text null, add column "stamp_price" numeric(10,2) null, add column "category" varchar(10) null, add column "color" varchar(10) null, add column "search_text" text not null default '', add column "sort_name" varchar(300) not null default '';
alter table "clients_customer" add constraint "clients_customer_category_check" check ("category" in ('favorite', 'dropped'));
alter table "clients_customer" add constraint "clients_customer_color_check" check ("color" in ('red', 'orange', 'yellow', 'green', 'blue', 'purple'));
alter table "clients_customer" add constraint "clients_customer_stamp_price_check" check ("stamp_price" >= 0);
create index "clients_customer_distributor_sort_name_index" on "clients_customer" ("distributor_id", "sort_name");
create index "clients_customer_distributor_color_index" on "clients_customer" ("distributor_id", "color");
create index "clients_customer_distributor_category_index" on "clients_customer" ("distributor_id", "category");
create index "clients_customer_distributor_nic_number_index" on "clients_customer" ("distributor_id", (("nic")::bigint));
create index "clients_customer_search_trgm_index" on "clients_customer" using gin ("search_text" gin_trgm_ops);

create table "clients_customer_search_key" ("customer_id" uuid not null, "key" varchar(40) not null, "distributor_id" uuid not null, constraint "clients_customer_search_key_pkey" primary key ("customer_id", "key"));
create index "clients_customer_search_key_prefix_index" on "clients_customer_search_key" ("distributor_id", "key" varchar_pattern_ops);
update "clients_customer" set "sort_name" = lower("legal_name"), "search_text" = lower("legal_name" || coalesce(E'\\n' || "trade_name", ''));
insert into "clients_customer_search_key" ("customer_id", "key", "distributor_id") select "id", k, "distributor_id" from "clients_customer", unnest(array["nic", "rfc", nullif(regexp_replace(coalesce("phone", ''), '\\D', '', 'g'), '')]) as k where k is not null on conflict do nothing;
`),
  // Derived search columns move out of the customer row (which keeps only what users typed).
  sqlMigration('clients_0003_search_table', `
create table "clients_customer_search" ("customer_id" uuid not null, "distributor_id" uuid not null, "search_text" text not null, "sort_name" varchar(300) not null, constraint "clients_customer_search_pkey" primary key ("customer_id"));
insert into "clients_customer_search" ("customer_id", "distributor_id", "search_text", "sort_name") select "id", "distributor_id", "search_text", "sort_name" from "clients_customer";
drop index "clients_customer_search_trgm_index";
drop index "clients_customer_distributor_sort_name_index";
alter table "clients_customer" drop column "search_text", drop column "sort_name";
create index "clients_customer_search_sort_name_index" on "clients_customer_search" ("distributor_id", "sort_name");
create index "clients_customer_search_trgm_index" on "clients_customer_search" using gin ("search_text" gin_trgm_ops);
`),
  // Broad searches (a word in 10,000 names, a prefix every phone shares) without visiting every
  // match: a prefix's matching customers are counted from the key index alone, without a DISTINCT,
  // by keeping on each key the length of the prefix it shares with the customer's previous key in
  // byte order (of a customer's keys starting with "5510", only the first shares fewer than 4
  // characters with its predecessor); and the newest-first list walks an index in its exact order,
  // ties (one batch's customers share their instant) included, and stops at the page.
  sqlMigration('clients_0004_broad_search', `
alter table "clients_customer_search_key" add column "shared_prefix" smallint not null default 0;
${SHARED_PREFIX_BACKFILL}
drop index "clients_customer_search_key_prefix_index";
create index "clients_customer_search_key_prefix_index" on "clients_customer_search_key" ("distributor_id", "key" varchar_pattern_ops) include ("customer_id", "shared_prefix");
drop index "clients_customer_distributor_created_index";
create index "clients_customer_distributor_created_nic_index" on "clients_customer" ("distributor_id", "created_at", (("nic")::bigint));
create index "clients_customer_distributor_created_desc_nic_index" on "clients_customer" ("distributor_id", "created_at" desc, (("nic")::bigint));
`),
  // Phones match any run of 4+ digits (the local number without its area code), still by prefix on
  // the key index: each phone's digits from its second digit on, while 4 remain, become keys too
  // ("runs"), and a prefix of one is a run inside the phone. The existing keys are the heads; shorter
  // texts match heads only, counted once per customer by `head_shared_prefix` as longer ones are by
  // `shared_prefix` (now over runs too).
  sqlMigration('clients_0005_phone_runs', `
alter table "clients_customer_search_key" add column "head_shared_prefix" smallint null;
update "clients_customer_search_key" set "head_shared_prefix" = "shared_prefix";
${PHONE_RUNS_INSERT}
${SEARCH_KEY_BACKFILL}
drop index "clients_customer_search_key_prefix_index";
create index "clients_customer_search_key_prefix_index" on "clients_customer_search_key" ("distributor_id", "key" varchar_pattern_ops) include ("customer_id", "shared_prefix", "head_shared_prefix");
`),
]
