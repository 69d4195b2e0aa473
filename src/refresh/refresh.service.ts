/**
 * Asking for refreshes: on demand through the API (`refresh_metadata`, with a task record the caller can poll),
 * from the CLI, and by the schedules. Every path ends in `refresh_catalog_query` jobs deduplicated by query id,
 * so however many requests arrive while a refresh runs, exactly one more run follows it.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Executor } from '../db/database.js';
import type { JobQueue, QueuedJob } from '../jobs/job-queue.js';
import type { JobPayloads } from '../jobs/job-types.js';
import { hasAdminAccess, type AuthContext } from '../auth/roles.js';
import { AppError, forbidden, notFound } from '../shared/errors.js';
import { parseUuid } from '../catalog/membership-index.js';
import { REFRESH_TASK_KIND, findCatalog, findTask, insertTask, insertTasks, queriesInUse, type TaskState } from './refresh.repository.js';

export type RefreshReason = JobPayloads['refresh_catalog_query']['reason'];

const DAY_MS = 86_400_000;

/** The job refreshing `queryId`, deduplicated by query; in a cycle, a queued refresh it coalesces with joins it. */
function refreshJob(queryId: number, reason: RefreshReason, cycle?: string): QueuedJob<JobPayloads['refresh_catalog_query']> {
  return {
    data: { queryId, reason, ...(cycle !== undefined ? { cycle } : {}) },
    dedupKey: String(queryId),
    ...(cycle !== undefined ? { coalesceData: { cycle } } : {}),
  };
}

/**
 * Queue one refresh of a query; null when it coalesced with a refresh already queued for it. `cycle` marks it as
 * part of a fan-out whose refreshes share full items; a queued refresh it coalesces with joins the cycle (unless it
 * belongs to one already), so catalogs created in bulk and then refreshed with `refresh --all` share too.
 */
export function enqueueRefresh(jobs: JobQueue, queryId: number, reason: RefreshReason, executor?: Executor, cycle?: string): Promise<string | null> {
  const { data, ...opts } = refreshJob(queryId, reason, cycle);
  return jobs.enqueue('refresh_catalog_query', data, { ...opts, ...(executor ? { executor } : {}) });
}

/**
 * Queue a refresh of every query in use, the stalest first (never refreshed, then oldest success); those whose
 * last success is older than 24 h are marked `stale`. All in one transaction of a few statements
 * ({@link JobQueue.enqueueMany}), whose ordered job ids keep that ranking as the queue's order; a query whose
 * refresh is already queued is not queued twice (that refresh joins the cycle). `olderThan` keeps only queries
 * not refreshed since.
 */
export async function enqueueQueriesInUse(
  db: Db,
  jobs: JobQueue,
  reason: RefreshReason,
  opts: { olderThan?: Date; now?: Date } = {},
): Promise<{ queries: number; queued: number }> {
  const now = opts.now ?? new Date();
  const queries = await queriesInUse(db.kysely, opts.olderThan);
  if (queries.length === 0) return { queries: 0, queued: 0 };
  const cycle = randomUUID();
  const wanted = queries.map((q) => {
    const stale = q.last_refresh_success_at === null || now.getTime() - q.last_refresh_success_at.getTime() > DAY_MS;
    return refreshJob(q.id, stale ? 'stale' : reason, cycle);
  });
  const queued = await db.transaction((trx) => jobs.enqueueMany('refresh_catalog_query', wanted, { executor: trx }), 'refresh: queue queries in use');
  return { queries: queries.length, queued };
}

/**
 * Record a task per query and queue their refreshes (CLI), all in one transaction and a few statements, in the
 * order given. A task is closed by the first run of its query that starts after it was recorded. The tasks belong to
 * no API caller (only superusers can read them over HTTP).
 */
export async function requestQueryRefreshes(db: Db, jobs: JobQueue, queryIds: readonly number[]): Promise<{ queryId: number; taskId: string }[]> {
  // Several queries at once are one cycle: their refreshes share the full items they fetch.
  const cycle = queryIds.length > 1 ? randomUUID() : undefined;
  const requested = queryIds.map((queryId) => ({ queryId, taskId: randomUUID() }));
  await db.transaction(async (trx) => {
    await insertTasks(
      trx,
      requested.map((r) => ({ id: r.taskId, kind: REFRESH_TASK_KIND, requestedBy: null, enterpriseUuid: null, args: { queryId: r.queryId } })),
    );
    await jobs.enqueueMany(
      'refresh_catalog_query',
      requested.map((r) => refreshJob(r.queryId, 'on_demand', cycle)),
      { executor: trx },
    );
  }, 'refresh: request');
  return requested;
}

/**
 * `POST /api/v1/enterprise-catalogs/{uuid}/refresh_metadata/`: admin of the catalog's customer; unknown catalog
 * → 404. Records a task and queues the refresh of the catalog's query in one transaction.
 */
export async function requestCatalogRefresh(db: Db, jobs: JobQueue, auth: AuthContext, catalogUuid: string): Promise<{ async_task_id: string }> {
  const uuid = parseUuid(catalogUuid);
  const catalog = uuid === null ? undefined : await findCatalog(db.kysely, uuid);
  if (!catalog) throw notFound('catalog_not_found', 'No EnterpriseCatalog matches the given query.');
  if (!hasAdminAccess(auth, catalog.enterprise_uuid)) throw forbidden('permission_denied');
  const queryId = catalog.catalog_query_id;
  // Upstream answers 500 here (the task gets no query id); a catalog without a filter has nothing to refresh.
  if (queryId === null) throw new AppError('unprocessable', 'catalog_has_no_query', 'This catalog has no content filter to refresh.');
  const taskId = randomUUID();
  await db.transaction(async (trx) => {
    await insertTask(trx, {
      id: taskId,
      kind: REFRESH_TASK_KIND,
      requestedBy: auth.username,
      enterpriseUuid: catalog.enterprise_uuid,
      args: { queryId, catalogUuid: catalog.uuid },
    });
    await enqueueRefresh(jobs, queryId, 'on_demand', trx);
  }, 'refresh: request');
  return { async_task_id: taskId };
}

export interface TaskView {
  task_id: string;
  state: TaskState;
  result: unknown;
}

/**
 * `GET /api/v1/tasks/{id}/`: visible to the caller who started the task and to admins of its customer. Anyone
 * else gets the same 404 as for an unknown id, so task ids reveal nothing about other customers.
 */
export async function readTask(db: Db, auth: AuthContext, taskId: string): Promise<TaskView> {
  const task = await findTask(db.kysely, taskId);
  const visible = task !== undefined && ((task.requested_by !== null && task.requested_by === auth.username) || hasAdminAccess(auth, task.enterprise_uuid));
  if (!task || !visible) throw notFound('task_not_found', 'Not found.');
  return { task_id: task.id, state: task.state, result: task.result ?? null };
}
