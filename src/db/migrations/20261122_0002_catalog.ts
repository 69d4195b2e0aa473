import { sql, type Kysely } from 'kysely';

/**
 * Catalog data model: customers, deduplicated catalog queries, catalogs, content and query membership.
 * PostgreSQL 15 subset (runs unchanged on PGlite).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table enterprise_customer (
      uuid uuid primary key,
      name text not null default '',
      slug text,
      active boolean not null default true,
      enable_learner_portal boolean not null default true,
      created timestamptz not null default now(),
      modified timestamptz not null default now()
    );
    create unique index enterprise_customer_slug_idx on enterprise_customer (slug) where slug is not null;

    create table catalog_query (
      id serial primary key,
      uuid uuid not null unique,
      title varchar(100) unique,
      content_filter jsonb not null default '{}'::jsonb,
      content_filter_hash char(32) not null unique,
      created timestamptz not null default now(),
      modified timestamptz not null default now(),
      -- moves only when the set of member content changes
      membership_modified timestamptz,
      -- moves whenever a member's content changes (real change, by hash) or membership changes
      content_modified timestamptz,
      last_refresh_success_at timestamptz,
      last_refresh_attempt_at timestamptz
    );

    create table enterprise_catalog (
      uuid uuid primary key,
      title varchar(255) not null,
      enterprise_uuid uuid not null references enterprise_customer (uuid),
      enterprise_name varchar(255) not null default '',
      catalog_query_id integer references catalog_query (id) on delete set null,
      enabled_course_modes jsonb not null default '["verified", "professional", "no-id-professional", "audit", "honor"]'::jsonb,
      publish_audit_enrollment_urls boolean not null default false,
      created timestamptz not null default now(),
      modified timestamptz not null default now()
    );
    create index enterprise_catalog_enterprise_idx on enterprise_catalog (enterprise_uuid, created);
    create index enterprise_catalog_query_idx on enterprise_catalog (catalog_query_id);
    create index enterprise_catalog_created_idx on enterprise_catalog (created, uuid);

    create table content_metadata (
      id serial primary key,
      content_key varchar(255) not null unique,
      content_uuid uuid,
      content_type varchar(32) not null check (content_type in ('course', 'courserun', 'program', 'learnerpathway')),
      parent_content_key varchar(255),
      json_metadata jsonb not null default '{}'::jsonb,
      -- md5 of the canonical JSON; modified moves only when it changes
      content_hash char(32) not null,
      created timestamptz not null default now(),
      modified timestamptz not null default now(),
      last_synced_at timestamptz not null default now()
    );
    create index content_metadata_parent_idx on content_metadata (parent_content_key);
    create index content_metadata_uuid_idx on content_metadata (content_uuid);

    create table catalog_query_membership (
      catalog_query_id integer not null references catalog_query (id) on delete cascade,
      content_metadata_id integer not null references content_metadata (id) on delete cascade,
      primary key (catalog_query_id, content_metadata_id)
    );
    create index catalog_query_membership_content_idx on catalog_query_membership (content_metadata_id, catalog_query_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table catalog_query_membership;
    drop table content_metadata;
    drop table enterprise_catalog;
    drop table catalog_query;
    drop table enterprise_customer;
  `.execute(db);
}
