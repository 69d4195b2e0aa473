/**
 * Transmission runs (one row per run, with its summary) and the API task records that runs close
 * (`GET /api/v1/tasks/{id}/`). A task is served by the first run of its configuration that starts after it was
 * recorded, so a request that coalesces with an already queued job is still answered.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { ChannelRunStatus } from '../db/schema.js';

export const TRANSMIT_TASK_KIND = 'transmit_content_metadata';

// Compared as text: a cast would fail on another kind's args, whatever order the planner evaluates conditions in.
const tasksOf = (configurationId: number) => sql<boolean>`args->>'configurationId' = ${String(configurationId)}`;

/**
 * Start a run of a configuration whose lease this process holds, in one statement: the run's row, runs a dead
 * process left `running` marked `interrupted`, and the configuration's PENDING tasks recorded up to `tasksUntil`
 * marked STARTED (this run serves them). Returns the run id.
 */
export async function beginRun(
  executor: Executor,
  v: { configurationId: number; jobId: string | null; reason: string; dryRun: boolean; tasksUntil: Date },
): Promise<number> {
  const { id } = await executor
    .with('stale', (db) =>
      db
        .updateTable('channel_transmission_run')
        .set({ status: 'interrupted', finished_at: sql`now()` })
        .where('configuration_id', '=', v.configurationId)
        .where('status', '=', 'running')
        .returning('id'),
    )
    .with('tasks', (db) =>
      db
        .updateTable('task')
        .set({ state: 'STARTED', modified: sql`now()` })
        .where('kind', '=', TRANSMIT_TASK_KIND)
        .where('state', '=', 'PENDING')
        .where(tasksOf(v.configurationId))
        .where('created', '<=', v.tasksUntil)
        .returning('id'),
    )
    .insertInto('channel_transmission_run')
    .values({ configuration_id: v.configurationId, job_id: v.jobId, reason: v.reason, dry_run: v.dryRun })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/**
 * Close a run in one statement: its row (when it got one), the configuration's open tasks recorded up to
 * `tasksUntil` get its outcome, and the run lease held by `owner` is released.
 */
export async function endRun(
  executor: Executor,
  v: {
    runId: number | null;
    configurationId: number;
    owner: string;
    status: ChannelRunStatus;
    summary: Record<string, unknown>;
    detail: string | null;
    tasksUntil: Date;
    taskState: 'SUCCESS' | 'FAILURE';
  },
): Promise<void> {
  const summary = JSON.stringify(v.summary);
  await executor
    .with('run', (db) =>
      db
        .updateTable('channel_transmission_run')
        .set({ status: v.status, summary, detail: v.detail, finished_at: sql`now()` })
        .where('id', '=', v.runId ?? -1)
        .returning('id'),
    )
    .with('tasks', (db) =>
      db
        .updateTable('task')
        .set({ state: v.taskState, result: summary, modified: sql`now()` })
        .where('kind', '=', TRANSMIT_TASK_KIND)
        .where('state', 'in', ['PENDING', 'STARTED'])
        .where(tasksOf(v.configurationId))
        .where('created', '<=', v.tasksUntil)
        .returning('id'),
    )
    .updateTable('channel_configuration')
    .set({ run_owner: null, run_lease_until: null })
    .where('id', '=', v.configurationId)
    .where('run_owner', '=', v.owner)
    .execute();
}

export interface RunRecord {
  id: number;
  configurationId: number;
  reason: string;
  status: ChannelRunStatus;
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  summary: Record<string, unknown>;
  detail: string | null;
}

export function recentRuns(executor: Executor, configurationId: number, limit: number): Promise<RunRecord[]> {
  return executor
    .selectFrom('channel_transmission_run')
    .select([
      'id',
      'configuration_id as configurationId',
      'reason',
      'status',
      'dry_run as dryRun',
      'started_at as startedAt',
      'finished_at as finishedAt',
      'summary',
      'detail',
    ])
    .where('configuration_id', '=', configurationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function insertTransmitTask(
  executor: Executor,
  t: { id: string; configurationId: number; requestedBy: string | null; enterpriseUuid: string },
): Promise<void> {
  await executor
    .insertInto('task')
    .values({
      id: t.id,
      kind: TRANSMIT_TASK_KIND,
      requested_by: t.requestedBy,
      enterprise_uuid: t.enterpriseUuid,
      args: JSON.stringify({ configurationId: t.configurationId }),
    })
    .execute();
}


/** Open tasks of the configuration recorded up to `until` get the run's outcome. */
export async function finishTransmitTasks(
  executor: Executor,
  configurationId: number,
  until: Date,
  state: 'SUCCESS' | 'FAILURE',
  result: unknown,
): Promise<void> {
  await executor
    .updateTable('task')
    .set({ state, result: JSON.stringify(result), modified: sql`now()` })
    .where('kind', '=', TRANSMIT_TASK_KIND)
    .where('state', 'in', ['PENDING', 'STARTED'])
    .where(tasksOf(configurationId))
    .where('created', '<=', until)
    .execute();
}

export async function taskStates(executor: Executor, ids: readonly string[]): Promise<Array<{ id: string; state: string; result: unknown }>> {
  if (ids.length === 0) return [];
  return executor.selectFrom('task').select(['id', 'state', 'result']).where('id', 'in', [...ids]).execute();
}
