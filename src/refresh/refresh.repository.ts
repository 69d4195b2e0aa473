/**
 * The refresh pipeline's queries: refresh runs, the query row, stored content it merges over, API task records,
 * and the catalog lookups of the refresh routes. One query per function; the caller passes the executor (the db
 * or a transaction) and owns the transaction.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { RefreshRefusalReason, RefreshRunStatus } from '../db/schema.js';

/** `task.kind` of a refresh requested through the API or the CLI; `args` is `{queryId, catalogUuid?}`. */
export const REFRESH_TASK_KIND = 'refresh_catalog_query';

export type TaskState = 'PENDING' | 'STARTED' | 'SUCCESS' | 'FAILURE';

export interface QueryRow {
  id: number;
  content_filter: Record<string, unknown>;
  modified: Date;
}

export async function findQuery(ex: Executor, id: number): Promise<QueryRow | undefined> {
  return ex.selectFrom('catalog_query').select(['id', 'content_filter', 'modified']).where('id', '=', id).executeTakeFirst();
}

/** The query row, locked until the transaction ends: one membership write per query at a time. */
export async function lockQuery(ex: Executor, id: number): Promise<QueryRow | undefined> {
  return ex.selectFrom('catalog_query').select(['id', 'content_filter', 'modified']).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function setQueryRefreshTimes(ex: Executor, id: number, times: { attemptAt: Date; successAt?: Date }): Promise<void> {
  await ex
    .updateTable('catalog_query')
    .set({ last_refresh_attempt_at: times.attemptAt, ...(times.successAt ? { last_refresh_success_at: times.successAt } : {}) })
    .where('id', '=', id)
    .execute();
}

/**
 * What a refresh needs to know of the stored rows of the given keys to tell which may have changed: their id and
 * source hash. Neither the JSON nor a lock: most rows of a refresh turn out unchanged and are left alone.
 */
export async function storedSourceHashes(ex: Executor, keys: readonly string[]): Promise<{ id: number; content_key: string; source_hash: string | null }[]> {
  if (keys.length === 0) return [];
  return ex
    .selectFrom('content_metadata')
    .select(['id', 'content_key', 'source_hash'])
    .where(sql<boolean>`content_key = any(${sql.val([...keys])}::varchar[])`)
    .execute();
}

/**
 * Stored rows a refresh merges over, with their JSON, locked in key order until the transaction ends (a
 * consistent order keeps concurrent refreshes of queries that share content from deadlocking).
 */
export async function lockContentForMerge(
  ex: Executor,
  keys: readonly string[],
): Promise<{ id: number; content_key: string; content_hash: string; source_hash: string | null; json_metadata: Record<string, unknown> }[]> {
  if (keys.length === 0) return [];
  return ex
    .selectFrom('content_metadata')
    .select(['id', 'content_key', 'content_hash', 'source_hash', 'json_metadata'])
    .where(sql<boolean>`content_key = any(${sql.val([...keys])}::varchar[])`)
    .orderBy('content_key')
    .forUpdate()
    .execute();
}

// ---- refresh runs -----------------------------------------------------------------------------------------------

export interface RunCounts {
  pages: number;
  upstream_requests: number;
  items_fetched: number;
  items_rejected: number;
  items_created: number;
  items_updated: number;
  items_unchanged: number;
  members_before: number | null;
  members_after: number | null;
  members_added: number;
  members_removed: number;
}

export async function insertRun(
  ex: Executor,
  run: { queryId: number; jobId: string | null; attempt: number; reason: string; source: string },
): Promise<{ id: number; started_at: Date }> {
  return ex
    .insertInto('refresh_run')
    .values({ catalog_query_id: run.queryId, job_id: run.jobId, attempt: run.attempt, reason: run.reason, source: run.source })
    .returning(['id', 'started_at'])
    .executeTakeFirstOrThrow();
}

/** Runs of the query still marked running belong to a process that died (runs of one query never overlap). */
export async function markInterruptedRuns(ex: Executor, queryId: number, now: Date): Promise<number> {
  const r = await ex
    .updateTable('refresh_run')
    .set({ status: 'interrupted', finished_at: now, detail: 'the process running this refresh stopped before it finished' })
    .where('catalog_query_id', '=', queryId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function finishRun(
  ex: Executor,
  id: number,
  outcome: {
    status: Exclude<RefreshRunStatus, 'running'>;
    refusalReason?: RefreshRefusalReason | null;
    detail?: string | null;
    fetchedAt?: Date | null;
    finishedAt: Date;
    counts?: Partial<RunCounts>;
  },
): Promise<void> {
  await ex
    .updateTable('refresh_run')
    .set({
      status: outcome.status,
      refusal_reason: outcome.refusalReason ?? null,
      detail: outcome.detail ?? null,
      fetched_at: outcome.fetchedAt ?? null,
      finished_at: outcome.finishedAt,
      ...outcome.counts,
    })
    .where('id', '=', id)
    .execute();
}

export async function runsByIds(ex: Executor, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return ex.selectFrom('refresh_run').selectAll().where('id', 'in', [...ids]).execute();
}

// ---- queries to refresh ------------------------------------------------------------------------------------------

export interface QueryInUse {
  id: number;
  last_refresh_success_at: Date | null;
}

/**
 * Queries used by at least one catalog (others are not refreshed, as upstream), the stalest first: never
 * refreshed, then by the age of their last success. `olderThan` keeps only those not refreshed since then.
 */
export async function queriesInUse(ex: Executor, olderThan?: Date): Promise<QueryInUse[]> {
  let q = ex
    .selectFrom('catalog_query as q')
    .select(['q.id', 'q.last_refresh_success_at'])
    .where((eb) => eb.exists(eb.selectFrom('enterprise_catalog as c').select(sql`1`.as('one')).whereRef('c.catalog_query_id', '=', 'q.id')));
  if (olderThan) q = q.where((eb) => eb.or([eb('q.last_refresh_success_at', 'is', null), eb('q.last_refresh_success_at', '<', olderThan)]));
  return q.orderBy(sql`q.last_refresh_success_at asc nulls first`).orderBy('q.id').execute();
}

/** Seconds since the stalest query in use last refreshed successfully (never: since it was created); null when none. */
export async function stalestQueryAgeSeconds(ex: Executor): Promise<number | null> {
  const r = await ex
    .selectFrom('catalog_query as q')
    .select(sql<number | null>`extract(epoch from now() - min(coalesce(q.last_refresh_success_at, q.created)))::float8`.as('age'))
    .where((eb) => eb.exists(eb.selectFrom('enterprise_catalog as c').select(sql`1`.as('one')).whereRef('c.catalog_query_id', '=', 'q.id')))
    .executeTakeFirst();
  return r?.age === null || r?.age === undefined ? null : Number(r.age);
}

// ---- catalogs (for the refresh routes and the CLI) -----------------------------------------------------------------

export async function findCatalog(ex: Executor, uuid: string) {
  return ex
    .selectFrom('enterprise_catalog')
    .select(['uuid', 'title', 'enterprise_uuid', 'catalog_query_id'])
    .where('uuid', '=', uuid)
    .executeTakeFirst();
}

/** Titles of the catalogs using each query (CLI summary). */
export async function catalogTitlesByQuery(ex: Executor, queryIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (queryIds.length === 0) return out;
  const rows = await ex
    .selectFrom('enterprise_catalog')
    .select(['catalog_query_id', 'title'])
    .where('catalog_query_id', 'in', [...queryIds])
    .orderBy('title')
    .execute();
  for (const r of rows) {
    if (r.catalog_query_id === null) continue;
    out.set(r.catalog_query_id, [...(out.get(r.catalog_query_id) ?? []), r.title]);
  }
  return out;
}

// ---- tasks -----------------------------------------------------------------------------------------------------------

export interface TaskRow {
  id: string;
  kind: string;
  state: TaskState;
  requested_by: string | null;
  enterprise_uuid: string | null;
  args: unknown;
  result: unknown;
  created: Date;
  modified: Date;
}

export async function insertTask(
  ex: Executor,
  task: { id: string; kind: string; requestedBy: string | null; enterpriseUuid: string | null; args: Record<string, unknown> },
): Promise<void> {
  await ex
    .insertInto('task')
    .values({ id: task.id, kind: task.kind, requested_by: task.requestedBy, enterprise_uuid: task.enterpriseUuid, args: JSON.stringify(task.args) })
    .execute();
}

export async function findTask(ex: Executor, id: string): Promise<TaskRow | undefined> {
  return ex.selectFrom('task').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function tasksByIds(ex: Executor, ids: readonly string[]): Promise<TaskRow[]> {
  if (ids.length === 0) return [];
  return ex.selectFrom('task').selectAll().where('id', 'in', [...ids]).execute();
}

/** How many of the tasks have finished (SUCCESS or FAILURE) and how many are running. */
export async function taskProgress(ex: Executor, ids: readonly string[]): Promise<{ done: number; running: number }> {
  if (ids.length === 0) return { done: 0, running: 0 };
  const r = await ex
    .selectFrom('task')
    .select([
      sql<number>`count(*) filter (where state in ('SUCCESS', 'FAILURE'))::int`.as('done'),
      sql<number>`count(*) filter (where state = 'STARTED')::int`.as('running'),
    ])
    .where('id', 'in', [...ids])
    .executeTakeFirstOrThrow();
  return { done: Number(r.done), running: Number(r.running) };
}

// Compared as text: a cast would fail on another kind's args, whatever order the planner evaluates conditions in.
const refreshTasksOf = (queryId: number) => sql<boolean>`args->>'queryId' = ${String(queryId)}`;

/** PENDING refresh tasks of the query requested before `until` → STARTED: the run beginning now serves them. */
export async function startTasks(ex: Executor, queryId: number, until: Date): Promise<number> {
  const r = await ex
    .updateTable('task')
    .set({ state: 'STARTED', modified: sql`now()` })
    .where('kind', '=', REFRESH_TASK_KIND)
    .where('state', '=', 'PENDING')
    .where(refreshTasksOf(queryId))
    .where('created', '<=', until)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Open refresh tasks of the query requested before `until` (the start of a run that has now finished) get the
 * run's outcome. Tasks requested later stay open for the run queued after this one.
 */
export async function finishTasks(ex: Executor, queryId: number, until: Date, state: 'SUCCESS' | 'FAILURE', result: unknown): Promise<number> {
  const r = await ex
    .updateTable('task')
    .set({ state, result: JSON.stringify(result), modified: sql`now()` })
    .where('kind', '=', REFRESH_TASK_KIND)
    .where('state', 'in', ['PENDING', 'STARTED'])
    .where(refreshTasksOf(queryId))
    .where('created', '<=', until)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function setTaskState(ex: Executor, id: string, state: TaskState, result?: unknown): Promise<void> {
  await ex
    .updateTable('task')
    .set({ state, modified: sql`now()`, ...(result !== undefined ? { result: JSON.stringify(result) } : {}) })
    .where('id', '=', id)
    .execute();
}
