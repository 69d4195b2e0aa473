/**
 * The job queue port. The core owns it; `PgBossQueue` implements it on PostgreSQL and on PGlite alike, so retries,
 * dedup and cron behave the same in both modes.
 */
import type { Executor } from '../db/database.js';
import type { JobName, JobPayloads } from './job-types.js';

export interface JobContext<P> {
  id: string;
  name: string;
  data: P;
  /** 0 on the first run, 1 on the first retry, … */
  attempt: number;
  /** Aborted when the process shuts down; long handlers should stop at a safe point. */
  signal: AbortSignal;
}

export interface QueueDefinition {
  /**
   * `standard`: every enqueued job runs. `stately`: at most one queued and one running job per dedup key — a
   * request while one runs queues exactly one more (coalescing). `singleton`: at most one running per key.
   */
  policy?: 'standard' | 'stately' | 'singleton';
  /** Jobs of this queue run at most this many at once in this process. */
  concurrency?: number;
  /** A job running longer than this is considered stuck and retried (even if its worker is alive). */
  timeoutMs?: number;
  retry?: { limit: number; delayMs: number; backoff: 'fixed' | 'exponential' };
}

export interface EnqueueOptions<P = unknown> {
  /** Jobs with the same key coalesce according to the queue's policy. */
  dedupKey?: string;
  /**
   * When this job coalesces with one of the same key that is queued and not running yet, these fields are added
   * to the queued job's payload, where it does not have them already.
   */
  coalesceData?: Partial<P>;
  runAt?: Date;
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  executor?: Executor;
}

/** One job of {@link JobQueue.enqueueMany}. */
export interface QueuedJob<P> {
  data: P;
  dedupKey?: string;
  coalesceData?: Partial<P>;
}

export interface JobQueue {
  /** Create the queue schema and start maintenance; workers start polling only after `startWorkers()`. */
  start(): Promise<void>;
  /** Declare a queue and (when this process works) its handler. Call before `startWorkers()`. */
  define<N extends JobName>(name: N, def: QueueDefinition, handler: (job: JobContext<JobPayloads[N]>) => Promise<unknown>): Promise<void>;
  /** Begin polling for jobs of every defined queue, and reap jobs of dead workers. */
  startWorkers(): Promise<void>;
  /** Returns the job id, or null when a job with the same dedup key made this one unnecessary. */
  enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts?: EnqueueOptions<JobPayloads[N]>): Promise<string | null>;
  /**
   * Enqueue many jobs of one queue at once, to be run in the order given; each coalesces as `enqueue` would. Cheaper
   * than one `enqueue` each: a few statements per thousand jobs. Returns how many were queued (the rest coalesced).
   */
  enqueueMany<N extends JobName>(name: N, jobs: readonly QueuedJob<JobPayloads[N]>[], opts?: { executor?: Executor }): Promise<number>;
  /** Run `name` on a cron schedule (5 fields, UTC unless `tz`). One schedule per name. */
  schedule<N extends JobName>(name: N, cron: string, data: JobPayloads[N], tz?: string): Promise<void>;
  /** Counts by state, per queue, for /metrics. */
  counts(): Promise<{ queue: string; state: string; count: number }[]>;
  /** Stop polling, let running jobs finish (up to `timeoutMs`), then stop maintenance. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
}
