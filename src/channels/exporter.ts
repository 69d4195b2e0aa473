/**
 * The content metadata exporter (reference §2, with the fixes of §10/§11): decides, per configuration, what must be
 * created, updated and deleted on the LMS. It reads the catalog through a {@link CatalogClient} and a snapshot of the
 * configuration's audit rows, and returns a plan of row writes; it writes nothing itself, so a dry run can show the
 * plan without changing a row, and the engine applies it in one transaction.
 *
 * Per transmitted catalog (oldest first):
 * - **fast path**: when the catalog's content version equals the one this configuration last fully exported, no row
 *   of the catalog is pending or failed, and the catalog was diffed within the full-diff interval, it is skipped after
 *   that one version read: no diff, no metadata;
 * - otherwise one `generate_diff` with the keys this configuration believes live under the catalog; then
 *   - not included (in the catalog, not sent) → create, unless the key is live under another transmitted catalog
 *     (no duplicates) or is an orphan (re-adopted, no create);
 *   - found → update when `date_updated` is newer than the content last sent, or the row is still marked; a row
 *     whose delete failed is recreated (P14);
 *   - not found → delete, unless another transmitted catalog holds the key (then the row moves there).
 * Metadata is fetched only for creates and updates (pages of 100), never for deletes; a key the diff names but the
 * metadata lacks is skipped and logged (P7), and the catalog is then not recorded as synced.
 *
 * Rows that failed are left alone until their back-off passes (`next_attempt_at`, computed from the run's own clock,
 * P9) unless the run is forced. One row per (configuration, key), ever: writes are upserts keyed by content id, so a
 * failed create retried later never inserts a second row (P13).
 */
import type { CatalogContentItem, ChannelAction } from './channel-adapter.js';
import { type CatalogClient, metadataContentId } from './catalog-client.js';
import { isoToMicros } from './channel-time.js';
import { titleOf, withExecEdPrefix } from './mapping/content.js';

/** The exporter's view of one audit row. */
export interface PlanRow {
  contentId: string;
  catalogUuid: string | null;
  markedFor: ChannelAction | null;
  isLive: boolean;
  contentLastChangedUs: number | null;
  nextAttemptAt: Date | null;
  orphanedAt: Date | null;
}

/** A change to one audit row (inserted when absent). Fields left undefined are not touched. */
export interface RowWrite {
  contentId: string;
  markedFor?: ChannelAction | null;
  catalogUuid?: string;
  channelMetadata?: unknown;
  contentTitle?: string;
  contentLastChangedUs?: number | null;
  orphanedAt?: Date | null;
}

/**
 * What a configuration's audit rows look like per catalog, without reading them: enough to decide that a run has
 * nothing to do (every catalog at its synced version, nothing pending, no orphan to record or delete) without
 * loading one row per item.
 */
export interface AuditCatalogSummary {
  catalogUuid: string | null;
  /** Rows marked for a call. */
  pending: number;
  live: number;
  /** Live rows not yet recorded as orphans. */
  liveNotOrphaned: number;
  /** Live rows not already marked for delete. */
  liveNotDeleting: number;
}

/** The audit rows, read only when the summary shows the run needs them. */
export interface LazyPlanRows {
  summary: readonly AuditCatalogSummary[];
  load(): Promise<PlanRow[]>;
}

/** The summary of rows already in memory (the same numbers the audit query computes). */
export function summarizeRows(rows: readonly PlanRow[]): AuditCatalogSummary[] {
  const byCatalog = new Map<string | null, AuditCatalogSummary>();
  for (const r of rows) {
    const key = r.catalogUuid?.toLowerCase() ?? null;
    let s = byCatalog.get(key);
    if (!s) byCatalog.set(key, (s = { catalogUuid: r.catalogUuid, pending: 0, live: 0, liveNotOrphaned: 0, liveNotDeleting: 0 }));
    if (r.markedFor !== null) s.pending++;
    if (r.isLive) {
      s.live++;
      if (r.orphanedAt === null) s.liveNotOrphaned++;
      if (r.markedFor !== 'delete') s.liveNotDeleting++;
    }
  }
  return [...byCatalog.values()];
}

export interface CatalogSyncState {
  syncedVersion: string | null;
  lastDiffAt: Date | null;
}

export interface ExportConfiguration {
  id: number;
  customerUuid: string;
  /** Empty = every catalog of the customer. */
  catalogsToTransmit: readonly string[];
  removeOrphanedContent: boolean;
}

export interface ExportLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ExportInput {
  configuration: ExportConfiguration;
  /** The configuration's audit rows, or their summary and a way to read them when needed. */
  rows: readonly PlanRow[] | LazyPlanRows;
  syncStates: ReadonlyMap<string, CatalogSyncState>;
  client: CatalogClient;
  /** The channel payload of an item; throws when the item cannot be mapped. */
  map(item: CatalogContentItem, action: 'create' | 'update'): unknown;
  now: Date;
  /** Ignore the error back-off (on-demand runs). */
  force: boolean;
  /** Diff a catalog at least this often, whatever its version says. */
  fullDiffAfterMs: number;
  logger: ExportLogger;
}

export interface CatalogOutcome {
  uuid: string;
  version: string | null;
  /** Skipped by the fast path. */
  skipped: boolean;
  diffed: boolean;
  /** Every item of `version` is in the plan or already acknowledged: the version may be recorded as synced. */
  complete: boolean;
}

export interface ExportCounts {
  create: number;
  update: number;
  delete: number;
  /** Rows moved to another catalog of the configuration (orphans re-adopted, keys that changed catalog). */
  readopted: number;
  /** Live rows whose catalog is no longer transmitted and that stay on the LMS. */
  orphans: number;
  /** Rows left alone because their error back-off has not passed. */
  backedOff: number;
  /** Keys the diff named that the metadata did not return (P7). */
  missingMetadata: number;
  /** Items whose mapping failed. */
  mappingErrors: number;
}

export interface ExportPlan {
  writes: Map<string, RowWrite>;
  /** Rows that were marked for a call before this plan. */
  pendingBefore: number;
  catalogs: CatalogOutcome[];
  counts: ExportCounts;
}

interface PendingFetch {
  action: 'create' | 'update';
  /** For a re-adopted row: only update if the content changed. */
  onlyIfChanged: boolean;
  row: PlanRow | undefined;
  dateUpdatedUs: number | null;
}

function isLazy(rows: ExportInput['rows']): rows is LazyPlanRows {
  return !Array.isArray(rows);
}

export async function exportContent(input: ExportInput): Promise<ExportPlan> {
  const { configuration: config, client, now, logger } = input;
  const writes = new Map<string, RowWrite>();
  const counts: ExportCounts = { create: 0, update: 0, delete: 0, readopted: 0, orphans: 0, backedOff: 0, missingMetadata: 0, mappingErrors: 0 };
  const write = (w: RowWrite) => writes.set(w.contentId, { ...writes.get(w.contentId), ...w });
  const eligible = (row: PlanRow | undefined) =>
    input.force || row === undefined || row.nextAttemptAt === null || row.nextAttemptAt.getTime() <= now.getTime();

  // Catalogs to transmit, oldest first; a listed catalog that is not the customer's is never transmitted.
  const customerCatalogs = await client.listCatalogs(config.customerUuid);
  const wanted = new Set(config.catalogsToTransmit.map((c) => c.toLowerCase()));
  const catalogs = wanted.size === 0 ? customerCatalogs : customerCatalogs.filter((c) => wanted.has(c.uuid.toLowerCase()));
  const transmitted = new Set(catalogs.map((c) => c.uuid.toLowerCase()));
  const isTransmitted = (uuid: string | null) => uuid !== null && transmitted.has(uuid.toLowerCase());

  const lazy: LazyPlanRows = isLazy(input.rows) ? input.rows : { summary: summarizeRows(input.rows), load: async () => [...(input.rows as PlanRow[])] };
  const pendingCatalogs = new Set<string>();
  for (const s of lazy.summary) if (s.pending > 0 && s.catalogUuid !== null) pendingCatalogs.add(s.catalogUuid.toLowerCase());
  // Rows under catalogs no longer transmitted that need work: pending ones, live ones not yet recorded as orphans,
  // and (removing orphans) live ones not yet marked for delete. Without them and without a catalog to diff, the
  // rows are not read at all.
  const outsideWork = lazy.summary.some(
    (s) => !isTransmitted(s.catalogUuid) && (s.pending > 0 || s.liveNotOrphaned > 0 || (config.removeOrphanedContent && s.liveNotDeleting > 0)),
  );
  const audit: { loaded: { rows: readonly PlanRow[]; byKey: Map<string, PlanRow> } | null } = { loaded: null };
  const allRows = async () => {
    if (audit.loaded === null) {
      const rows = await lazy.load();
      audit.loaded = { rows, byKey: new Map(rows.map((r) => [r.contentId, r])) };
    }
    return audit.loaded;
  };
  if (outsideWork) {
    // Pending creates under catalogs that left the configuration were never sent: cancel them.
    for (const row of (await allRows()).rows) {
      if (!row.isLive && row.markedFor !== null && !isTransmitted(row.catalogUuid)) write({ contentId: row.contentId, markedFor: null });
    }
  }

  const outcomes: CatalogOutcome[] = [];
  /** Keys of each diffed catalog (found ∪ not included): what it holds now. */
  const members = new Map<string, Set<string>>();
  /** Keys already decided in this run (a key in two catalogs is handled once). */
  const handled = new Set<string>();
  const fetches = new Map<string, Map<string, PendingFetch>>();
  const fetchFor = (catalog: string) => {
    let m = fetches.get(catalog);
    if (!m) fetches.set(catalog, (m = new Map<string, PendingFetch>()));
    return m;
  };
  const deleteCandidates: PlanRow[] = [];
  const incomplete = new Set<string>();

  for (const catalog of catalogs) {
    const uuid = catalog.uuid;
    const version = await client.contentVersion(uuid);
    const state = input.syncStates.get(uuid.toLowerCase());
    const diffDue = !state?.lastDiffAt || now.getTime() - state.lastDiffAt.getTime() >= input.fullDiffAfterMs;
    if (version === null) {
      // Gone between the listing and now: its rows become orphans on the next run.
      outcomes.push({ uuid, version, skipped: true, diffed: false, complete: false });
      continue;
    }
    if (state?.syncedVersion === version && !pendingCatalogs.has(uuid.toLowerCase()) && !diffDue) {
      outcomes.push({ uuid, version, skipped: true, diffed: false, complete: true });
      continue;
    }
    const { rows, byKey: rowsByKey } = await allRows();
    // What we believe the catalog holds: live rows, and rows still waiting to be created (a Cornerstone item not yet
    // polled, a create in back-off), so that those are compared by date instead of fetched again every run.
    const believed = rows
      .filter((r) => (r.isLive || r.markedFor === 'create') && r.catalogUuid?.toLowerCase() === uuid.toLowerCase())
      .map((r) => r.contentId);
    const diff = await client.generateDiff(uuid, believed);
    const held = new Set<string>([...diff.notIncluded, ...diff.found.map((f) => f.contentKey)]);
    members.set(uuid, held);
    outcomes.push({ uuid, version, skipped: false, diffed: true, complete: true });

    for (const key of diff.notIncluded) {
      if (handled.has(key)) continue;
      const row = rowsByKey.get(key);
      if (row?.isLive) {
        // Live under another transmitted catalog: that catalog owns it (no duplicate).
        if (isTransmitted(row.catalogUuid)) continue;
        // An orphan (its catalog left the configuration) that this catalog holds: re-adopt it, no create.
        handled.add(key);
        write({ contentId: key, catalogUuid: uuid, orphanedAt: null });
        counts.readopted++;
        fetchFor(uuid).set(key, { action: 'update', onlyIfChanged: true, row, dateUpdatedUs: null });
        continue;
      }
      handled.add(key);
      if (!eligible(row)) {
        counts.backedOff++;
        continue;
      }
      fetchFor(uuid).set(key, { action: 'create', onlyIfChanged: false, row, dateUpdatedUs: null });
    }

    for (const { contentKey: key, dateUpdated } of diff.found) {
      if (handled.has(key)) continue;
      handled.add(key);
      const row = rowsByKey.get(key);
      if (row === undefined) continue;
      if (!eligible(row)) {
        counts.backedOff++;
        continue;
      }
      const dateUpdatedUs = isoToMicros(dateUpdated);
      // A delete that did not go through, for content that is back (P14): send it again as a create, which every
      // adapter turns into an update of what the LMS still holds.
      if (row.markedFor === 'delete') {
        fetchFor(uuid).set(key, { action: 'create', onlyIfChanged: false, row, dateUpdatedUs });
        continue;
      }
      const changed = row.contentLastChangedUs === null || (dateUpdatedUs !== null && row.contentLastChangedUs < dateUpdatedUs);
      // Still marked from an earlier run (not sent yet, or failed): it goes again as it is, with a fresh payload only
      // when the content changed since.
      if (row.markedFor !== null) {
        if (changed) fetchFor(uuid).set(key, { action: row.markedFor, onlyIfChanged: false, row, dateUpdatedUs });
        continue;
      }
      if (changed) fetchFor(uuid).set(key, { action: row.isLive ? 'update' : 'create', onlyIfChanged: false, row, dateUpdatedUs });
    }

    for (const key of diff.notFound) {
      const row = rowsByKey.get(key);
      if (row === undefined || handled.has(key)) continue;
      handled.add(key);
      // A create still waiting for content that left the catalog before it was sent: nothing to send any more.
      if (!row.isLive) write({ contentId: key, markedFor: null });
      else deleteCandidates.push(row);
    }
  }

  // Live rows whose catalog is no longer transmitted, and not re-adopted above. Unread rows (nothing diffed, no work
  // outside the transmitted catalogs) are orphans already recorded, only counted.
  if (audit.loaded === null) {
    for (const s of lazy.summary) if (!isTransmitted(s.catalogUuid)) counts.orphans += s.live;
  }
  const orphans = (audit.loaded?.rows ?? []).filter((r) => r.isLive && !isTransmitted(r.catalogUuid) && !handled.has(r.contentId));
  const orphansToCheck = orphans.filter((r) => r.orphanedAt === null || (config.removeOrphanedContent && r.markedFor !== 'delete'));

  // Before deleting, or when first orphaned: does another transmitted catalog hold the key?
  const toLocate = [...deleteCandidates, ...orphansToCheck];
  const located = new Map<string, string>();
  if (toLocate.length > 0) {
    for (const catalog of catalogs) {
      const pending = toLocate.filter((r) => !located.has(r.contentId) && r.catalogUuid?.toLowerCase() !== catalog.uuid.toLowerCase());
      if (pending.length === 0) continue;
      let held = members.get(catalog.uuid);
      if (held === undefined) {
        if (outcomes.find((o) => o.uuid === catalog.uuid)?.version === null) continue;
        // A catalog the fast path skipped: ask about these keys only.
        const diff = await client.generateDiff(catalog.uuid, pending.map((r) => r.contentId));
        held = new Set(diff.found.map((f) => f.contentKey));
      }
      for (const r of pending) if (held.has(r.contentId)) located.set(r.contentId, catalog.uuid);
    }
  }

  for (const row of deleteCandidates) {
    const home = located.get(row.contentId);
    if (home !== undefined) {
      write({ contentId: row.contentId, catalogUuid: home, orphanedAt: null });
      counts.readopted++;
      fetchFor(home).set(row.contentId, { action: 'update', onlyIfChanged: true, row, dateUpdatedUs: null });
    } else if (!eligible(row)) counts.backedOff++;
    else {
      write({ contentId: row.contentId, markedFor: 'delete' });
      counts.delete++;
    }
  }

  for (const row of orphans) {
    const home = located.get(row.contentId);
    if (home !== undefined) {
      write({ contentId: row.contentId, catalogUuid: home, orphanedAt: null });
      counts.readopted++;
      fetchFor(home).set(row.contentId, { action: 'update', onlyIfChanged: true, row, dateUpdatedUs: null });
      continue;
    }
    counts.orphans++;
    if (row.orphanedAt === null) write({ contentId: row.contentId, orphanedAt: now });
    if (config.removeOrphanedContent && row.markedFor !== 'delete') {
      if (!eligible(row)) counts.backedOff++;
      else {
        write({ contentId: row.contentId, markedFor: 'delete' });
        counts.delete++;
      }
    }
  }

  // Metadata only for creates and updates, per catalog.
  for (const [catalogUuid, wantedKeys] of fetches) {
    if (wantedKeys.size === 0) continue;
    const items = await client.getMetadata(catalogUuid, [...wantedKeys.keys()]);
    const byId = new Map<string, CatalogContentItem>();
    for (const item of items) {
      const id = metadataContentId(item);
      if (id !== undefined && wantedKeys.has(id)) byId.set(id, item);
    }
    for (const [key, want] of wantedKeys) {
      const item = byId.get(key);
      if (item === undefined) {
        counts.missingMetadata++;
        incomplete.add(catalogUuid);
        logger.warn({ configurationId: config.id, catalog: catalogUuid, contentId: key }, 'the catalog named this content but returned no metadata for it; skipped');
        continue;
      }
      const lastModifiedUs = isoToMicros(item['content_last_modified']) ?? want.dateUpdatedUs;
      if (want.onlyIfChanged && want.row?.contentLastChangedUs != null && lastModifiedUs !== null && lastModifiedUs <= want.row.contentLastChangedUs) {
        continue;
      }
      let mapped: unknown;
      try {
        mapped = input.map(item, want.action);
      } catch (err) {
        counts.mappingErrors++;
        incomplete.add(catalogUuid);
        logger.warn(
          { configurationId: config.id, customer: config.customerUuid, contentId: key, err: err instanceof Error ? err.message : String(err) },
          'content could not be mapped for the channel; skipped',
        );
        continue;
      }
      write({
        contentId: key,
        markedFor: want.action,
        catalogUuid,
        channelMetadata: mapped,
        // Upstream's title rule: Executive Education courses get "ExecEd: " (§2.1).
        contentTitle: titleOf(withExecEdPrefix(item)),
        contentLastChangedUs: lastModifiedUs,
        orphanedAt: null,
      });
      if (want.action === 'create') counts.create++;
      else counts.update++;
    }
  }

  for (const o of outcomes) if (incomplete.has(o.uuid)) o.complete = false;
  logger.info({ configurationId: config.id, counts, catalogs: outcomes.length }, 'export planned');
  return { writes, catalogs: outcomes, counts, pendingBefore: lazy.summary.reduce((n, s) => n + s.pending, 0) };
}
