/**
 * Table types for Kysely, written by hand next to the migrations that create them. Each module's tables are
 * declared in a block of its own; keep the block in step with its migration.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted by the database. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

// ---- jobs (src/jobs) -------------------------------------------------------------------------------------------

/** A process that runs jobs; its heartbeat tells the others it is alive. */
export interface JobWorkerTable {
  worker_id: string;
  host: string;
  pid: number;
  started_at: DefaultedTimestamp;
  last_seen_at: DefaultedTimestamp;
}

/** A job a worker has started and not finished; reaped when the worker's heartbeat stops. */
export interface JobLeaseTable {
  job_id: string;
  queue: string;
  worker_id: string;
  started_at: DefaultedTimestamp;
}

/** State of an asynchronous task started through the API (`GET /api/v1/tasks/{id}/`). */
export interface TaskTable {
  id: string;
  kind: string;
  state: ColumnType<'PENDING' | 'STARTED' | 'SUCCESS' | 'FAILURE', string | undefined, string>;
  /** Who started it: JWT subject or username, checked when the task is read. */
  requested_by: string | null;
  enterprise_uuid: string | null;
  args: ColumnType<unknown, string, string>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
}

export interface DB {
  job_worker: JobWorkerTable;
  job_lease: JobLeaseTable;
  task: TaskTable;
  _generated_placeholder?: { id: Generated<number> };
}
