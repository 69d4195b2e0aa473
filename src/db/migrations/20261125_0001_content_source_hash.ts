import { sql, type Kysely } from 'kysely';

/**
 * An unchanged refresh writes no content row (issue 7, B5):
 *
 * - `content_metadata.source_hash`: md5 of the upstream input (search hit + full `/courses/` or `/programs/` item,
 *   and the version of the merge rules) that last produced the row's JSON. A refresh whose input hashes the same
 *   knows the merge would change nothing, without reading the stored JSON. Null: not known (rows written before
 *   this migration, or by a writer that does not track it); the refresh then merges and compares as before.
 * - `content_metadata.last_synced_at` goes: setting it on every sync rewrote every row of every refresh. When
 *   content was last confirmed against upstream is recorded per query (`catalog_query.last_refresh_success_at`);
 *   when a row last changed is `modified`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table content_metadata add column source_hash char(32);
    alter table content_metadata drop column last_synced_at;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table content_metadata add column last_synced_at timestamptz not null default now();
    update content_metadata set last_synced_at = modified;
    alter table content_metadata drop column source_hash;
  `.execute(db);
}
