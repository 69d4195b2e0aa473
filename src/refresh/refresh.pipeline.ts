/**
 * Refresh of one catalog query from the content source (enterprise-catalog.md §3.3, §3.8; architecture
 * invariants 1, 2 and 4):
 *
 * 1. begin: a `refresh_run` row (status running); open API tasks of the query are marked STARTED;
 * 2. fetch everything first — every search/all page, the force-included courses, then the full `/courses/` and
 *    `/programs/` items of the result. The source is all-or-nothing, so a failure here has written nothing;
 * 3. write, in ONE transaction: merge each item over its stored JSON (upstream's rules), upsert the rows (a row's
 *    `modified` moves only when its content hash changes), move `content_modified` of queries whose members
 *    really changed, then — unless the result is empty or trips the guardrail — replace the query's membership,
 *    publish the catalog events, and close the run and its tasks.
 *
 * The handler is idempotent: a run killed at any point left either nothing or a complete write, and running it
 * again converges on the same rows. Runs of one query never overlap (the queue is `stately` per query), so a
 * run still marked running when the next one begins belonged to a process that died.
 */
import { performance } from 'node:perf_hooks';
import type { Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { DB } from '../db/schema.js';
import {
  contentHash,
  recordSourceHashes,
  replaceQueryMembership,
  touchQueriesOfContent,
  upsertContent,
  type ContentInput,
} from '../catalog/content.repository.js';
import { publishCatalogEvent } from '../catalog/catalog-events.js';
import { DiscoveryFetchError, type DiscoveryCourse, type DiscoveryProgram } from '../discovery/content-source.js';
import {
  forceIncludeKeys,
  forceIncludedCourse,
  mapSearchHit,
  mergeFullCourse,
  mergeFullProgram,
  mergeSearchHit,
  sourceHash,
  type Json,
  type MappedItem,
} from './content-mapping.js';
import { judgeMembershipChange, type GuardrailSettings } from './guardrail.js';
import type { SourceHandle } from './refresh-source.js';
import { ownItem, type CycleItems, type CycleScope, type FullItem } from './cycle-items.js';
import type { RefreshMetrics } from './refresh.metrics.js';
import { beginRun, endRun, lockContentForMerge, lockQuery, memberSourceHashes, storedSourceHashes, type RunCounts } from './refresh.repository.js';

export interface RefreshLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RefreshDeps {
  db: Db;
  source: SourceHandle;
  logger: RefreshLogger;
  guardrail: GuardrailSettings;
  metrics?: RefreshMetrics;
  /** Full items shared within a refresh cycle; without it every refresh fetches its own. */
  cycleItems?: CycleItems;
}

export interface RefreshRequest {
  queryId: number;
  reason: string;
  jobId?: string | null;
  attempt?: number;
  /** The cycle (fan-out over many queries) this refresh belongs to, if any: it may reuse the cycle's full items. */
  cycle?: string;
  /** No retry follows a failure of this run: its tasks are closed as FAILURE. */
  finalAttempt?: boolean;
  signal?: AbortSignal;
}

export type RefreshStatus = 'success' | 'refused' | 'failed' | 'interrupted' | 'skipped';

export interface RefreshOutcome {
  queryId: number;
  /** Null when the query no longer exists (status `skipped`). */
  runId: number | null;
  status: RefreshStatus;
  refusalReason: 'empty_result' | 'guardrail' | null;
  detail: string | null;
  counts: RunCounts;
  durationMs: number;
}

const ZERO_COUNTS: RunCounts = {
  pages: 0,
  upstream_requests: 0,
  items_fetched: 0,
  items_rejected: 0,
  items_created: 0,
  items_updated: 0,
  items_unchanged: 0,
  members_before: null,
  members_after: null,
  members_added: 0,
  members_removed: 0,
};

/** What a task learns about the run that served it (`GET /api/v1/tasks/{id}/` → `result`). */
export function taskResult(outcome: Pick<RefreshOutcome, 'queryId' | 'runId' | 'status' | 'refusalReason' | 'detail' | 'counts'>) {
  const c = outcome.counts;
  return {
    catalog_query_id: outcome.queryId,
    refresh_run_id: outcome.runId,
    status: outcome.status,
    refusal_reason: outcome.refusalReason,
    detail: outcome.detail,
    items_fetched: c.items_fetched,
    items_created: c.items_created,
    items_updated: c.items_updated,
    items_unchanged: c.items_unchanged,
    members_added: c.members_added,
    members_removed: c.members_removed,
  };
}

interface Fetched {
  items: MappedItem[];
  courses: Map<string, FullItem<DiscoveryCourse>>;
  programs: Map<string, FullItem<DiscoveryProgram>>;
  /** Content key → `sourceHash` of the item's input, computed before the write transaction opens. */
  sources: Map<string, string>;
  pages: number;
  fetchedCount: number;
  rejected: number;
}

/** Full items of `keys` fetched for this query alone. */
async function ownItems<T>(keys: readonly string[], fetch: (keys: string[]) => Promise<T[]>, keyOf: (item: T) => string): Promise<Map<string, FullItem<T>>> {
  return new Map((await fetch([...keys])).map((v) => [keyOf(v), ownItem(v)]));
}

/**
 * Everything the write needs, from upstream, before anything is written. Throws on any failed request. Within a
 * cycle, full items another query of the cycle already fetched are reused (`cycle-items.ts`).
 */
async function fetchAll(
  handle: SourceHandle,
  filter: Readonly<Record<string, unknown>>,
  tally: { requests: number },
  signal: AbortSignal | undefined,
  cycle: CycleScope | null,
): Promise<Fetched> {
  const { source } = handle;
  const options = signal ? { signal } : {};
  return handle.measure(tally, async () => {
    const search = await source.searchAll(filter, options);
    const forcedKeys = forceIncludeKeys(filter);
    const forced = forcedKeys.length > 0 ? (await source.fetchCourses(forcedKeys, options)).map(forceIncludedCourse) : [];
    const items: MappedItem[] = [];
    const seen = new Set<string>();
    let rejected = 0;
    for (const hit of [...search.items, ...forced]) {
      const mapped = mapSearchHit(hit);
      if (!mapped.ok) {
        rejected++;
        continue;
      }
      if (seen.has(mapped.item.contentKey)) continue;
      seen.add(mapped.item.contentKey);
      items.push(mapped.item);
    }
    const courseKeys = items.filter((i) => i.contentType === 'course').map((i) => i.contentKey);
    const programUuids = items.filter((i) => i.contentType === 'program').map((i) => i.contentKey);
    const courseKey = (c: DiscoveryCourse) => c.key;
    const programUuid = (p: DiscoveryProgram) => p.uuid;
    const fetchCourses = (keys: string[]) => source.fetchCourses(keys, options);
    const fetchPrograms = (uuids: string[]) => source.fetchPrograms(uuids, options);
    let courses = new Map<string, FullItem<DiscoveryCourse>>();
    let programs = new Map<string, FullItem<DiscoveryProgram>>();
    if (courseKeys.length > 0) {
      courses = cycle ? await cycle.get('course', courseKeys, fetchCourses, courseKey) : await ownItems(courseKeys, fetchCourses, courseKey);
    }
    if (programUuids.length > 0) {
      programs = cycle ? await cycle.get('program', programUuids, fetchPrograms, programUuid) : await ownItems(programUuids, fetchPrograms, programUuid);
    }
    const fullOf = (i: MappedItem) => (i.contentType === 'course' ? courses.get(i.contentKey) : i.contentType === 'program' ? programs.get(i.contentKey) : null) ?? null;
    return {
      items,
      courses,
      programs,
      sources: new Map(items.map((i) => [i.contentKey, sourceHash(i, fullOf(i)?.hash ?? null)])),
      pages: search.pages,
      fetchedCount: search.items.length + forced.length,
      rejected,
    };
  });
}

/** The row to store for one item: search/all merge, then the full-metadata merge of courses and programs. */
function contentRow(item: MappedItem, stored: Json | null, fetched: Fetched, source: string): ContentInput {
  let json = mergeSearchHit(stored, item);
  if (item.contentType === 'course') {
    const full = fetched.courses.get(item.contentKey);
    if (full) json = mergeFullCourse(json, full.value());
  } else if (item.contentType === 'program') {
    const full = fetched.programs.get(item.contentKey);
    if (full) json = mergeFullProgram(json, full.value());
  }
  return {
    contentKey: item.contentKey,
    contentUuid: item.contentUuid,
    contentType: item.contentType,
    parentContentKey: item.parentContentKey,
    jsonMetadata: json,
    sourceHash: source,
  };
}

const KEY_BATCH = 1000;
/** deadlock_detected, serialization_failure: the transaction did nothing and may simply run again. */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001']);

async function withTransientRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !TRANSIENT_SQLSTATES.has((err as { code?: string }).code ?? '')) throw err;
    }
  }
}

type WriteResult = Omit<RefreshOutcome, 'durationMs' | 'runId'>;

async function write(
  deps: RefreshDeps,
  trx: Transaction<DB>,
  run: { id: number; started_at: Date },
  queryId: number,
  fetched: Fetched,
  requests: number,
  fetchedAt: Date,
): Promise<WriteResult> {
  const now = new Date();
  const query = await lockQuery(trx, queryId);
  const base = {
    pages: fetched.pages,
    upstream_requests: requests,
    items_fetched: fetched.fetchedCount,
    items_rejected: fetched.rejected,
  };
  if (!query) {
    return { queryId, status: 'skipped', refusalReason: null, detail: 'the query was deleted during the refresh', counts: { ...ZERO_COUNTS, ...base } };
  }

  // 1. Which items may have changed: those whose upstream input differs from the one their stored row was last
  //    merged from (or that have no row). Only ids and source hashes are read, nothing is locked. The members' come
  //    with the read of the membership itself; only items that are not members yet are looked up by key.
  const members = await memberSourceHashes(trx, queryId);
  const known = new Map<string, { id: number; source_hash: string | null }>(members.map((m) => [m.content_key, m]));
  const newKeys = fetched.items.map((i) => i.contentKey).filter((k) => !known.has(k));
  for (let i = 0; i < newKeys.length; i += KEY_BATCH) {
    for (const row of await storedSourceHashes(trx, newKeys.slice(i, i + KEY_BATCH))) known.set(row.content_key, row);
  }
  const memberIds: number[] = [];
  const candidates: { item: MappedItem; source: string }[] = [];
  for (const item of fetched.items) {
    const source = fetched.sources.get(item.contentKey) ?? '';
    const old = known.get(item.contentKey);
    if (old && old.source_hash === source) memberIds.push(old.id);
    else candidates.push({ item, source });
  }

  // 2. The candidates are merged over their stored JSON (locked, so a concurrent refresh of another query sharing
  //    the row cannot merge over the same old version), and written only when their content hash changed.
  const existingKeys = candidates.map((c) => c.item.contentKey).filter((k) => known.has(k)).sort();
  const locked = new Map<string, { id: number; content_hash: string; source_hash: string | null; json_metadata: Json }>();
  for (let i = 0; i < existingKeys.length; i += KEY_BATCH) {
    for (const row of await lockContentForMerge(trx, existingKeys.slice(i, i + KEY_BATCH))) locked.set(row.content_key, row);
  }
  const changedRows: ContentInput[] = [];
  const unknownSources: { id: number; sourceHash: string }[] = [];
  for (const { item, source } of candidates) {
    const old = locked.get(item.contentKey);
    const row = contentRow(item, old?.json_metadata ?? null, fetched, source);
    if (old) {
      const hash = contentHash(row.jsonMetadata);
      if (hash === old.content_hash) {
        // Same content from another input (another query's view of it): nothing to write. A row from before source
        // hashes existed gets this one, once, so the next refresh can skip it unread.
        memberIds.push(old.id);
        if (old.source_hash === null) unknownSources.push({ id: old.id, sourceHash: source });
        continue;
      }
      row.contentHash = hash;
    }
    changedRows.push(row);
  }
  changedRows.sort((a, b) => (a.contentKey < b.contentKey ? -1 : a.contentKey > b.contentKey ? 1 : 0));
  await recordSourceHashes(trx, unknownSources);
  const upserted = await upsertContent(trx, changedRows, now);
  const updatedIds = upserted.filter((u) => u.outcome === 'updated').map((u) => u.id);
  const created = upserted.filter((u) => u.outcome === 'created').length;
  for (const u of upserted) memberIds.push(u.id);
  await touchQueriesOfContent(trx, updatedIds, now);

  const current = members.map((m) => m.id);
  const before = current.length;
  const verdict = judgeMembershipChange({ before, after: memberIds.length, queryModified: query.modified, now }, deps.guardrail);
  let change = { added: 0, removed: 0 };
  if (verdict.apply) {
    change = await replaceQueryMembership(trx, queryId, memberIds, now, current);
    if (verdict.warning) deps.logger.warn({ queryId, runId: run.id }, `[CONTENT_DELTA_WARNING] ${verdict.warning}`);
  } else {
    deps.logger.warn({ queryId, runId: run.id, reason: verdict.reason }, `[CONTENT_DELTA_WARNING] refused: ${verdict.detail}`);
  }
  // Delivered on commit: every process's membership index and caches update together with the data.
  if (change.added > 0 || change.removed > 0) await publishCatalogEvent(deps.db, trx, { type: 'query_membership', queryId });
  if (updatedIds.length > 0) await publishCatalogEvent(deps.db, trx, { type: 'content', ids: updatedIds });

  const counts: RunCounts = {
    ...base,
    items_created: created,
    items_updated: updatedIds.length,
    items_unchanged: memberIds.length - created - updatedIds.length,
    members_before: before,
    members_after: verdict.apply ? before + change.added - change.removed : before,
    members_added: change.added,
    members_removed: change.removed,
  };
  const status = verdict.apply ? 'success' : 'refused';
  const refusalReason = verdict.apply ? null : verdict.reason;
  const detail = verdict.apply ? verdict.warning : verdict.detail;
  await endRun(trx, {
    queryId,
    run,
    status,
    refusalReason,
    detail,
    fetchedAt,
    finishedAt: new Date(),
    counts,
    queryTimes: { attemptAt: now, ...(verdict.apply ? { successAt: now } : {}) },
    tasks: { state: 'SUCCESS', result: taskResult({ queryId, runId: run.id, status, refusalReason, detail, counts }) },
  });
  return { queryId, status, refusalReason, detail, counts };
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return (err instanceof DiscoveryFetchError && err.code === 'aborted') || signal?.aborted === true;
}

/** Refresh one query. Resolves with the outcome (including refusals); rejects when the fetch or the write failed. */
export async function refreshQuery(deps: RefreshDeps, req: RefreshRequest): Promise<RefreshOutcome> {
  const t0 = performance.now();
  const { db, logger } = deps;
  const begun = await beginRun(
    db.kysely,
    { queryId: req.queryId, jobId: req.jobId ?? null, attempt: req.attempt ?? 0, reason: req.reason, source: deps.source.source.name },
    new Date(),
  );
  if (!begun) {
    logger.info({ queryId: req.queryId }, 'refresh skipped: the query no longer exists');
    return { queryId: req.queryId, runId: null, status: 'skipped', refusalReason: null, detail: 'query not found', counts: ZERO_COUNTS, durationMs: 0 };
  }
  const { query, run, interrupted } = begun;
  if (interrupted > 0) logger.warn({ queryId: query.id, interrupted }, 'an earlier refresh of this query was interrupted; running it again');

  const tally = { requests: 0 };
  let fetched: Fetched | null = null;
  let fetchedAt: Date | null = null;
  try {
    const cycle = req.cycle !== undefined && deps.cycleItems ? deps.cycleItems.scope(req.cycle) : null;
    fetched = await fetchAll(deps.source, query.content_filter, tally, req.signal, cycle);
    fetchedAt = new Date();
    const f = fetched;
    const at = fetchedAt;
    const result = await withTransientRetry(() => db.transaction((trx) => write(deps, trx, run, query.id, f, tally.requests, at), 'refresh: write'));
    const durationMs = performance.now() - t0;
    deps.metrics?.duration.observe({ status: result.status, source: deps.source.source.name }, durationMs / 1000);
    logger.info(
      { queryId: query.id, runId: run.id, status: result.status, refusalReason: result.refusalReason, ...result.counts, ms: Math.round(durationMs) },
      'refresh finished',
    );
    return { ...result, runId: run.id, durationMs };
  } catch (err) {
    const durationMs = performance.now() - t0;
    const status = isAbort(err, req.signal) ? 'interrupted' : 'failed';
    deps.metrics?.duration.observe({ status, source: deps.source.source.name }, durationMs / 1000);
    const final = status === 'failed' && (req.finalAttempt === true || (err instanceof DiscoveryFetchError && !err.retryable));
    const detail = err instanceof Error ? err.message : String(err);
    const counts: RunCounts = {
      ...ZERO_COUNTS,
      upstream_requests: tally.requests,
      ...(fetched ? { pages: fetched.pages, items_fetched: fetched.fetchedCount, items_rejected: fetched.rejected } : {}),
    };
    try {
      await endRun(db.kysely, {
        queryId: query.id,
        run,
        status,
        detail,
        fetchedAt,
        finishedAt: new Date(),
        counts,
        ...(final ? { tasks: { state: 'FAILURE' as const, result: taskResult({ queryId: query.id, runId: run.id, status, refusalReason: null, detail, counts }) } } : {}),
      });
    } catch (recordErr) {
      logger.warn({ err: recordErr, queryId: query.id, runId: run.id }, 'could not record the failed refresh');
    }
    logger.warn({ err, queryId: query.id, runId: run.id, status, final, ms: Math.round(durationMs) }, 'refresh failed; nothing was written');
    throw err;
  }
}
