import { sql, type Kysely } from 'kysely';

/**
 * Integrated channels: channel configurations, the per-item transmission audit, per-catalog sync state, transmission
 * runs, the outbound request log and Cornerstone poll state. PostgreSQL 15 subset (runs unchanged on PGlite).
 *
 * No foreign key to `enterprise_customer` or `enterprise_catalog`: the engine can drive a remote enterprise-catalog
 * (`ECAT_CATALOG_API_URL`), whose customers and catalogs are not in this database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table channel_configuration (
      id serial primary key,
      enterprise_customer_uuid uuid not null,
      channel_code varchar(30) not null
        check (channel_code in ('GENERIC', 'CSOD', 'SAP', 'DEGREED2', 'CANVAS', 'BLACKBOARD', 'MOODLE')),
      display_name varchar(255) not null default '',
      active boolean not null default true,
      dry_run_mode_enabled boolean not null default false,
      transmission_chunk_size integer not null check (transmission_chunk_size between 1 and 10000),
      -- catalog uuids as a JSON array; empty = every catalog of the customer
      catalogs_to_transmit jsonb not null default '[]'::jsonb,
      show_course_price boolean not null default false,
      remove_orphaned_content boolean not null default false,
      -- channel settings; secret fields hold "enc:v1:..." (AES-256-GCM with ECAT_SECRET_KEY), never plain text
      settings jsonb not null default '{}'::jsonb,
      last_content_sync_attempted_at timestamptz,
      last_content_sync_errored_at timestamptz,
      -- last outbound LMS call, for the channel's minimum call interval across runs and processes
      last_call_at timestamptz,
      -- the run holding this configuration: at most one transmission per configuration at a time
      run_owner text,
      run_lease_until timestamptz,
      created timestamptz not null default now(),
      modified timestamptz not null default now(),
      deleted_at timestamptz
    );
    create index channel_configuration_customer_idx on channel_configuration (enterprise_customer_uuid, id) where deleted_at is null;

    create table content_metadata_transmission (
      id bigserial primary key,
      enterprise_customer_uuid uuid not null,
      channel_code varchar(30) not null,
      configuration_id integer not null references channel_configuration (id) on delete cascade,
      content_id varchar(255) not null,
      content_title varchar(255),
      channel_metadata jsonb,
      -- content_last_modified of the metadata last mapped (compared with generate_diff's date_updated)
      content_last_changed timestamptz,
      enterprise_customer_catalog_uuid uuid,
      remote_created_at timestamptz,
      remote_updated_at timestamptz,
      remote_deleted_at timestamptz,
      remote_errored_at timestamptz,
      api_response_status_code integer,
      api_response_body text,
      -- the intent, saved before the call and cleared only by an acknowledged one
      marked_for varchar(32) check (marked_for in ('create', 'update', 'delete')),
      -- whether the LMS holds the item, as far as acknowledged calls tell
      is_live boolean not null default false,
      failure_count integer not null default 0,
      -- back-off: not retried before this time (unless forced)
      next_attempt_at timestamptz,
      -- set while the row's catalog is no longer transmitted by its configuration
      orphaned_at timestamptz,
      created timestamptz not null default now(),
      modified timestamptz not null default now(),
      constraint content_metadata_transmission_uniq unique (channel_code, configuration_id, content_id)
    );
    create index content_metadata_transmission_catalog_idx
      on content_metadata_transmission (configuration_id, enterprise_customer_catalog_uuid);
    create index content_metadata_transmission_pending_idx
      on content_metadata_transmission (configuration_id, marked_for) where marked_for is not null;

    create table channel_catalog_sync (
      configuration_id integer not null references channel_configuration (id) on delete cascade,
      catalog_uuid uuid not null,
      -- the catalog content version every item of which was exported; a skip needs it and no pending row
      synced_version text,
      synced_at timestamptz,
      last_diff_at timestamptz,
      primary key (configuration_id, catalog_uuid)
    );

    create table channel_transmission_run (
      id serial primary key,
      configuration_id integer not null references channel_configuration (id) on delete cascade,
      job_id text,
      reason text not null,
      status text not null default 'running'
        check (status in ('running', 'success', 'partial', 'failed', 'skipped', 'interrupted')),
      dry_run boolean not null default false,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      summary jsonb not null default '{}'::jsonb,
      detail text
    );
    create index channel_transmission_run_config_idx on channel_transmission_run (configuration_id, started_at desc);

    create table channel_request_log (
      id bigserial primary key,
      configuration_id integer not null,
      channel_code varchar(30) not null,
      enterprise_customer_uuid uuid not null,
      method varchar(10) not null,
      url text not null,
      status integer,
      duration_ms integer not null default 0,
      request_body text,
      response_body text,
      error text,
      created timestamptz not null default now()
    );
    create index channel_request_log_config_idx on channel_request_log (configuration_id, created);
    create index channel_request_log_created_idx on channel_request_log (created);

    create table csod_poll_state (
      configuration_id integer primary key references channel_configuration (id) on delete cascade,
      last_list_at timestamptz,
      last_updates_at timestamptz,
      polls integer not null default 0
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table csod_poll_state;
    drop table channel_request_log;
    drop table channel_transmission_run;
    drop table channel_catalog_sync;
    drop table content_metadata_transmission;
    drop table channel_configuration;
  `.execute(db);
}
