/**
 * Per configuration and catalog: the content version the configuration last fully exported (architecture invariant
 * 6 — with no row pending, that version is acknowledged by the LMS and the catalog may be skipped) and when it was
 * last diffed.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { CatalogSyncState } from './exporter.js';

export async function loadSyncStates(executor: Executor, configurationId: number): Promise<Map<string, CatalogSyncState>> {
  const rows = await executor
    .selectFrom('channel_catalog_sync')
    .select(['catalog_uuid', 'synced_version', 'last_diff_at'])
    .where('configuration_id', '=', configurationId)
    .execute();
  return new Map(rows.map((r) => [r.catalog_uuid.toLowerCase(), { syncedVersion: r.synced_version, lastDiffAt: r.last_diff_at }]));
}

export interface SyncStateUpdate {
  catalogUuid: string;
  /** Record this version as fully exported; undefined leaves it, null forgets it. */
  syncedVersion?: string | null;
  diffedAt?: Date;
}

export async function saveSyncStates(executor: Executor, configurationId: number, updates: readonly SyncStateUpdate[], now: Date): Promise<void> {
  for (const u of updates) {
    const values = {
      configuration_id: configurationId,
      catalog_uuid: u.catalogUuid,
      ...(u.syncedVersion !== undefined ? { synced_version: u.syncedVersion, synced_at: u.syncedVersion === null ? null : now } : {}),
      ...(u.diffedAt !== undefined ? { last_diff_at: u.diffedAt } : {}),
    };
    await executor
      .insertInto('channel_catalog_sync')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['configuration_id', 'catalog_uuid']).doUpdateSet({
          ...(u.syncedVersion !== undefined ? { synced_version: sql`excluded.synced_version`, synced_at: sql`excluded.synced_at` } : {}),
          ...(u.diffedAt !== undefined ? { last_diff_at: sql`excluded.last_diff_at` } : {}),
        }),
      )
      .execute();
  }
}
