import { sql, type Kysely } from 'kysely';

/**
 * Refresh runs: one row per attempt to refresh a catalog query from the content source, with what it fetched,
 * what it changed and, when it kept the old membership, why. PostgreSQL 15 subset (runs unchanged on PGlite).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table refresh_run (
      id serial primary key,
      catalog_query_id integer not null references catalog_query (id) on delete cascade,
      job_id text,
      attempt integer not null default 0,
      reason text not null,
      source text not null,
      -- running → success | refused | failed; a running row whose process died becomes interrupted
      status text not null default 'running' check (status in ('running', 'success', 'refused', 'failed', 'interrupted')),
      refusal_reason text check (refusal_reason in ('empty_result', 'guardrail')),
      detail text,
      started_at timestamptz not null default now(),
      fetched_at timestamptz,
      finished_at timestamptz,
      pages integer not null default 0,
      upstream_requests integer not null default 0,
      items_fetched integer not null default 0,
      items_rejected integer not null default 0,
      items_created integer not null default 0,
      items_updated integer not null default 0,
      items_unchanged integer not null default 0,
      members_before integer,
      members_after integer,
      members_added integer not null default 0,
      members_removed integer not null default 0
    );
    create index refresh_run_query_idx on refresh_run (catalog_query_id, started_at desc);
    create index refresh_run_running_idx on refresh_run (catalog_query_id) where status = 'running';
    create index task_kind_state_idx on task (kind, state) where state in ('PENDING', 'STARTED');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index task_kind_state_idx;
    drop table refresh_run;
  `.execute(db);
}
