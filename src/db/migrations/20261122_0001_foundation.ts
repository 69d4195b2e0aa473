import { sql, type Kysely } from 'kysely';

/** Job workers, job leases (crash recovery) and async task records. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table job_worker (
      worker_id text primary key,
      host text not null,
      pid integer not null,
      started_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now()
    );
    create table job_lease (
      job_id text primary key,
      queue text not null,
      worker_id text not null,
      started_at timestamptz not null default now()
    );
    create index job_lease_worker_idx on job_lease (worker_id);
    create table task (
      id text primary key,
      kind text not null,
      state text not null default 'PENDING' check (state in ('PENDING', 'STARTED', 'SUCCESS', 'FAILURE')),
      requested_by text,
      enterprise_uuid text,
      args jsonb not null default '{}'::jsonb,
      result jsonb,
      created timestamptz not null default now(),
      modified timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table task; drop table job_lease; drop table job_worker;`.execute(db);
}
