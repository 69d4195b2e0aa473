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

// Compared as text: a cast would fail on another kind's args, whatever order the planner evaluates conditions in.
const refreshTasksOf = (queryId: number) => sql<boolean>`args->>'queryId' = ${String(queryId)}`;

const INTERRUPTED_DETAIL = 'the process running this refresh stopped before it finished';

export interface QueryRow {
  id: number;
  content_filter: Record<string, unknown>;
  modified: Date;
}

/** The query row, locked until the transaction ends: one membership write per query at a time. */
export async function lockQuery(ex: Executor, id: number): Promise<QueryRow | undefined> {
  return ex.selectFrom('catalog_query').select(['id', 'content_filter', 'modified']).where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * The query's members with what a refresh needs to tell which may have changed: their id, key and source hash. One
 * read answers both "what are the members now" and, for a refresh that finds the same items again, "what was each
 * merged from". Neither the JSON nor a lock: most rows of a refresh turn out unchanged and are left alone.
 */
export async function memberSourceHashes(ex: Executor, queryId: number): Promise<{ id: number; content_key: string; source_hash: string | null }[]> {
  // The member ids first, then their rows by primary key: a join let the embedded database (no autovacuum, so
  // statistics as old as its last ANALYZE) scan the whole content table for a hash join, 2.6 ms a query on L.
  return ex
    .selectFrom('content_metadata')
    .select(['id', 'content_key', 'source_hash'])
    .where(sql<boolean>`id = any(array(select content_metadata_id from catalog_query_membership where catalog_query_id = ${queryId}))`)
    .execute();
}

/** The id and source hash of stored rows of the given keys (items a refresh found that are not members yet). */
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

export interface BegunRun {
  query: QueryRow;
  run: { id: number; started_at: Date };
  /** Runs of the query that were still marked running: their process died (runs of one query never overlap). */
  interrupted: number;
}

/**
 * A refresh begins, in one statement (so atomically, and in one round trip): runs of the query still marked
 * running become `interrupted`, a `running` run is inserted, the query's last attempt is set, and its PENDING
 * refresh tasks requested until now become STARTED — the run beginning now serves them. Undefined, with nothing
 * written, when the query does not exist.
 */
export async function beginRun(
  ex: Executor,
  run: { queryId: number; jobId: string | null; attempt: number; reason: string; source: string },
  now: Date,
): Promise<BegunRun | undefined> {
  const { rows } = await sql<QueryRow & { run_id: number; started_at: Date; interrupted: number }>`
    with q as (
      select id, content_filter, modified from catalog_query where id = ${run.queryId}
    ), interrupted as (
      update refresh_run set status = 'interrupted', finished_at = ${now}, detail = ${INTERRUPTED_DETAIL}
      where catalog_query_id = (select id from q) and status = 'running'
      returning 1
    ), run as (
      insert into refresh_run (catalog_query_id, job_id, attempt, reason, source)
      select id, ${run.jobId}::text, ${run.attempt}::int, ${run.reason}::text, ${run.source}::text from q
      returning id, started_at
    ), attempted as (
      update catalog_query set last_refresh_attempt_at = ${now} where id = (select id from q)
    ), started as (
      update task set state = 'STARTED', modified = now()
      where kind = ${REFRESH_TASK_KIND} and state = 'PENDING' and ${refreshTasksOf(run.queryId)}
        and created <= (select started_at from run)
    )
    select q.id, q.content_filter, q.modified, run.id as run_id, run.started_at, (select count(*) from interrupted)::int as interrupted
    from q cross join run
  `.execute(ex);
  const row = rows[0];
  if (!row) return undefined;
  return {
    query: { id: row.id, content_filter: row.content_filter, modified: row.modified },
    run: { id: row.run_id, started_at: row.started_at },
    interrupted: Number(row.interrupted),
  };
}

export interface RunEnding {
  queryId: number;
  run: { id: number; started_at: Date };
  status: Exclude<RefreshRunStatus, 'running'>;
  refusalReason?: RefreshRefusalReason | null;
  detail?: string | null;
  fetchedAt?: Date | null;
  finishedAt: Date;
  counts: RunCounts;
  /** The query's last attempt (and, when given, last success) time; left as it is when absent. */
  queryTimes?: { attemptAt: Date; successAt?: Date };
  /**
   * The outcome for the open refresh tasks of the query requested until the run started (tasks requested later stay
   * open for the run queued after this one); they are left open when absent.
   */
  tasks?: { state: 'SUCCESS' | 'FAILURE'; result: unknown };
}

/** A refresh ends, in one statement: its run row, and, when given, the query's refresh times and its tasks. */
export async function endRun(ex: Executor, end: RunEnding): Promise<void> {
  const c = end.counts;
  const { queryTimes, tasks } = end;
  const times = queryTimes
    ? sql`, times as (
        update catalog_query
        set last_refresh_attempt_at = ${queryTimes.attemptAt},
            last_refresh_success_at = ${queryTimes.successAt ? sql`${queryTimes.successAt}` : sql`last_refresh_success_at`}
        where id = ${end.queryId}
      )`
    : sql``;
  const closeTasks = tasks
    ? sql`, closed as (
        update task set state = ${tasks.state}, result = ${JSON.stringify(tasks.result)}::jsonb, modified = now()
        where kind = ${REFRESH_TASK_KIND} and state in ('PENDING', 'STARTED') and ${refreshTasksOf(end.queryId)}
          and created <= ${end.run.started_at}
      )`
    : sql``;
  await sql`
    with ended as (
      update refresh_run
      set status = ${end.status}, refusal_reason = ${end.refusalReason ?? null}, detail = ${end.detail ?? null},
          fetched_at = ${end.fetchedAt ?? null}, finished_at = ${end.finishedAt},
          pages = ${c.pages}, upstream_requests = ${c.upstream_requests}, items_fetched = ${c.items_fetched},
          items_rejected = ${c.items_rejected}, items_created = ${c.items_created}, items_updated = ${c.items_updated},
          items_unchanged = ${c.items_unchanged}, members_before = ${c.members_before}, members_after = ${c.members_after},
          members_added = ${c.members_added}, members_removed = ${c.members_removed}
      where id = ${end.run.id}
    )${times}${closeTasks}
    select 1
  `.execute(ex);
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

export interface NewTask {
  id: string;
  kind: string;
  requestedBy: string | null;
  enterpriseUuid: string | null;
  args: Record<string, unknown>;
}

export async function insertTask(ex: Executor, task: NewTask): Promise<void> {
  await insertTasks(ex, [task]);
}

/** Tasks per insert statement. */
const TASK_BATCH = 1000;

export async function insertTasks(ex: Executor, tasks: readonly NewTask[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += TASK_BATCH) {
    await ex
      .insertInto('task')
      .values(
        tasks.slice(i, i + TASK_BATCH).map((task) => ({
          id: task.id,
          kind: task.kind,
          requested_by: task.requestedBy,
          enterprise_uuid: task.enterpriseUuid,
          args: JSON.stringify(task.args),
        })),
      )
      .execute();
  }
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

export async function setTaskState(ex: Executor, id: string, state: TaskState, result?: unknown): Promise<void> {
  await ex
    .updateTable('task')
    .set({ state, modified: sql`now()`, ...(result !== undefined ? { result: JSON.stringify(result) } : {}) })
    .where('id', '=', id)
    .execute();
}
