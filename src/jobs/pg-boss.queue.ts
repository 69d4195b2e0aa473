/**
 * `JobQueue` on pg-boss 10. In distributed mode pg-boss talks to PostgreSQL through its own small pool; in
 * embedded mode it runs on the same PGlite session as everything else, through `Db.executeSql`.
 *
 * Polling alone would make every job that arrives at an idle worker wait up to a polling interval. So each enqueue
 * also sends a NOTIFY (delivered when the enqueuing transaction commits, so never before the job is visible), and
 * each working process LISTENs and wakes an idle slot of that queue at once; the polling interval remains the
 * fallback for a lost notification (listener reconnecting, another kind of producer).
 *
 * What the queue runs by itself is background work ({@link runInBackground}): the jobs, pg-boss's polling, completing,
 * maintenance and cron, and the lease heartbeats (each starts inside it, and the timers and loops it starts inherit
 * it). On PGlite's one session an API request's statements go before them; an enqueue keeps its caller's class.
 *
 * Stopping. pg-boss's own stop waits for the jobs its workers hold, but not for a fetch in flight: such a fetch
 * still hands its jobs to the worker after the stop, and pg-boss then runs them, with no one waiting, on a process
 * that is closing its database; a handler stuck there keeps pg-boss's stop loop (and the process) alive. So every
 * statement pg-boss issues goes through this class (on PostgreSQL through a small pool of our own), a job handed
 * over once stopping began is put back in the queue unrun, and `stop` returns only when pg-boss's statements and
 * our handlers have all settled.
 *
 * Crash safety. A job becomes `active` in pg-boss's fetch, and in the same statement this class records the lease
 * (`job-leases.ts`) by which the reaper finds the jobs of a dead worker; a job is never active without one.
 */
import PgBoss from 'pg-boss';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { CompiledQuery, sql } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { runInBackground } from '../db/statement-priority.js';
import { JobLeases, putBackJob } from './job-leases.js';
import type { EnqueueOptions, JobContext, JobQueue, QueueDefinition, QueuedJob } from './job-queue.js';
import { orderedUuids } from './ordered-ids.js';
import type { JobName, JobPayloads } from './job-types.js';

export interface PgBossQueueOptions {
  db: Db;
  /** PostgreSQL URL for pg-boss's own pool (distributed mode); omit on PGlite. Usually `db.connectionString`. */
  connectionString?: string;
  /** Whether this process runs jobs (and cron, maintenance) or only enqueues them. */
  work: boolean;
  pollSeconds: number;
  workerId?: string | null;
  logger: { warn(obj: unknown, msg: string): void; error(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void };
  /** Lease timings; defaults resume a dead worker's jobs within about 30 s. */
  leases?: Partial<{ heartbeatMs: number; deadAfterMs: number; reapEveryMs: number }>;
  onJobEvent?(queue: string, outcome: 'completed' | 'failed', durationMs: number): void;
}

const SCHEMA = 'pgboss';
/** NOTIFY channel of job arrivals; the payload is the queue name (`*` after a listener reconnect: any queue). */
export const JOB_QUEUED_CHANNEL = 'ecat_job_queued';

type Handler = (job: JobContext<unknown>) => Promise<unknown>;

/** What `pg-boss/src/plans.js` (CommonJS, untyped) gives us: the text of its fetch statement. */
interface PgBossPlans {
  fetchNextJob(schema: string): (options: { includeMetadata?: boolean; priority?: boolean; ignoreStartAfter?: boolean }) => string;
}
/**
 * Every text pg-boss's workers fetch jobs with (`work` passes `includeMetadata` and `priority`), made by pg-boss's
 * own function, so the statement is recognised exactly; a test fails if a pg-boss upgrade changes how workers fetch.
 */
const FETCH_STATEMENTS: ReadonlySet<string> = (() => {
  const plans = createRequire(import.meta.url)('pg-boss/src/plans.js') as PgBossPlans;
  const fetchText = plans.fetchNextJob(SCHEMA);
  return new Set([true, false].flatMap((includeMetadata) => [true, false].map((priority) => fetchText({ includeMetadata, priority }))));
})();

/** Jobs per insert statement of `enqueueMany`. */
const ENQUEUE_BATCH = 1000;

/** pg-boss's database interface over the caller's executor: statements inside the caller's transaction. */
function bossDb(executor: Executor): PgBoss.Db {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const r = await executor.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values ?? []));
      return { rows: r.rows };
    },
  };
}

export class PgBossQueue implements JobQueue {
  readonly #boss: PgBoss;
  /** pg-boss's own connections in distributed mode (null on PGlite, where it shares the one session). */
  readonly #pool: pg.Pool | null;
  readonly #leases: JobLeases;
  readonly #defs = new Map<string, { def: QueueDefinition; handler: Handler }>();
  readonly #abort = new AbortController();
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #running = false;
  #workersStarted = false;
  /** pg-boss statements and job callbacks that have not settled yet; `stop` waits for them. */
  readonly #pending = new Set<Promise<unknown>>();
  /** The polling slots of each queue this process works, and whether each is inside a job now. */
  readonly #slots = new Map<string, { workerId: string; busy: boolean }[]>();
  readonly #nextSlot = new Map<string, number>();
  #unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly opts: PgBossQueueOptions) {
    const common = {
      schema: SCHEMA,
      migrate: true,
      // Only workers supervise (expire, archive) and fire cron; API-only processes just enqueue.
      supervise: opts.work,
      schedule: opts.work,
    };
    const pool = opts.db.kind === 'postgres' ? new pg.Pool({ connectionString: opts.connectionString, max: 4, application_name: 'ecat-jobs' }) : null;
    pool?.on('error', (err) => opts.logger.error({ err }, 'job queue connection error'));
    this.#pool = pool;
    const run = pool
      ? (text: string, values: unknown[]) => pool.query(text, values)
      : (text: string, values: unknown[]) => opts.db.executeSql(text, values);
    // pg-boss's fetch (jobs → `active`) goes out together with the leases on what it fetched, in one statement.
    // Recorded afterwards, a `kill -9` between two statements left an active job without a lease, which the reaper
    // never sees: it waited for pg-boss's expiry (30 minutes for a refresh) instead of resuming within a minute.
    const execute = (text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> => {
      if (!FETCH_STATEMENTS.has(text)) return run(text, values);
      const leased = this.#leases.leasedFetch(text, values);
      return run(leased.text, leased.values);
    };
    this.#boss = new PgBoss({ ...common, db: { executeSql: (text: string, values?: unknown[]) => this.#track(execute(text, values ?? [])) } });
    this.#boss.on('error', (err) => opts.logger.error({ err }, 'job queue error'));
    this.#leases = new JobLeases(opts.db, {
      workerId: opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      heartbeatMs: opts.leases?.heartbeatMs ?? 5_000,
      deadAfterMs: opts.leases?.deadAfterMs ?? 20_000,
      reapEveryMs: opts.leases?.reapEveryMs ?? 10_000,
      queueSchema: SCHEMA,
      soleProcess: opts.db.kind === 'pglite',
      onError: (msg, err) => opts.logger.warn({ err }, msg),
      onReaped: (ids) => opts.logger.warn({ jobIds: ids }, 'resumed jobs of a dead worker'),
    });
  }

  get workerId(): string {
    return this.#leases.workerId;
  }

  /** Starting a queue that was told to stop does nothing. */
  async start(): Promise<void> {
    if (this.#stopping !== null && this.#starting === null) return;
    this.#starting ??= runInBackground(() => this.#boss.start()).then(() => {
      this.#running = this.#stopping === null;
    });
    await this.#starting;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    work.then(
      () => this.#pending.delete(work),
      () => this.#pending.delete(work),
    );
    return work;
  }

  async define<N extends JobName>(
    name: N,
    def: QueueDefinition,
    handler: (job: JobContext<JobPayloads[N]>) => Promise<unknown>,
  ): Promise<void> {
    const retry = def.retry ?? { limit: 2, delayMs: 5_000, backoff: 'exponential' as const };
    const options: PgBoss.Queue = {
      name,
      policy: def.policy ?? 'standard',
      retryLimit: retry.limit,
      retryDelay: Math.max(1, Math.round(retry.delayMs / 1000)),
      retryBackoff: retry.backoff === 'exponential',
      expireInSeconds: Math.max(1, Math.round((def.timeoutMs ?? 15 * 60_000) / 1000)),
    };
    const existing = await this.#boss.getQueue(name);
    if (existing) await this.#boss.updateQueue(name, options);
    else await this.#boss.createQueue(name, options);
    this.#defs.set(name, { def, handler: handler as Handler });
  }

  async startWorkers(): Promise<void> {
    if (!this.opts.work || this.#workersStarted) return;
    this.#workersStarted = true;
    await runInBackground(() => this.#leases.start());
    for (const [name, { def, handler }] of this.#defs) {
      const slots: { workerId: string; busy: boolean }[] = [];
      this.#slots.set(name, slots);
      for (let i = 0; i < (def.concurrency ?? 1); i++) {
        const slot = { workerId: '', busy: false };
        slot.workerId = await runInBackground(() => this.#boss.work(
          name,
          { batchSize: 1, pollingIntervalSeconds: this.opts.pollSeconds, includeMetadata: true },
          (jobs: PgBoss.JobWithMetadata<unknown>[]) => this.#track((async () => {
            // A fetch that was in flight when stopping began: its jobs go back to the queue unrun.
            if (!this.#running) return this.#putBack(name, jobs);
            slot.busy = true;
            try {
              for (const job of jobs) await this.#run(name, job, handler);
            } finally {
              slot.busy = false;
            }
            // pg-boss waits out the rest of the polling interval after every fetch, even a fruitful one: one job
            // per slot per interval. After a job, look for the next one at once; idle polling keeps the interval.
            if (jobs.length > 0 && slot.workerId) this.#boss.notifyWorker(slot.workerId);
          })()),
        ));
        slots.push(slot);
      }
    }
    this.#unlisten = await this.opts.db.listen(JOB_QUEUED_CHANNEL, (queue) => this.#wake(queue));
  }

  /**
   * A job arrived in `queue`: wake one idle slot (the next in turn, so a burst spreads over the slots). Busy slots
   * look for their next job as soon as theirs ends, so waking them would only cost a useless fetch.
   */
  #wake(queue: string): void {
    if (!this.#running) return;
    for (const name of queue === '*' ? [...this.#slots.keys()] : [queue]) {
      const slots = this.#slots.get(name);
      if (!slots || slots.length === 0) continue;
      const start = this.#nextSlot.get(name) ?? 0;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[(start + i) % slots.length];
        if (slot === undefined || slot.busy) continue;
        this.#nextSlot.set(name, (start + i + 1) % slots.length);
        this.#boss.notifyWorker(slot.workerId);
        break;
      }
    }
  }

  async #putBack(name: string, jobs: PgBoss.JobWithMetadata<unknown>[]): Promise<void> {
    for (const job of jobs) {
      try {
        await putBackJob(this.opts.db.kysely, SCHEMA, name, job.id, 'unrun');
        await this.#leases.end(job.id);
      } catch (err) {
        // Still active and leased: once this process is gone, the reaper puts it back.
        this.opts.logger.error({ err, job: { id: job.id, queue: name } }, 'could not put back a job fetched while stopping');
      }
    }
  }

  async #run(name: string, job: PgBoss.JobWithMetadata<unknown>, handler: Handler): Promise<unknown> {
    // Its lease was recorded by the fetch that handed it over (`JobLeases.leasedFetch`).
    const started = Date.now();
    try {
      const result = await handler({ id: job.id, name, data: job.data, attempt: job.retryCount, signal: this.#abort.signal });
      this.opts.onJobEvent?.(name, 'completed', Date.now() - started);
      return result;
    } catch (err) {
      this.opts.onJobEvent?.(name, 'failed', Date.now() - started);
      this.opts.logger.warn({ err, job: { id: job.id, queue: name, attempt: job.retryCount } }, 'job failed');
      throw err;
    } finally {
      await this.#leases.end(job.id).catch((err: unknown) => this.opts.logger.warn({ err }, 'could not release job lease'));
    }
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts: EnqueueOptions<JobPayloads[N]> = {}): Promise<string | null> {
    const sendOptions: PgBoss.SendOptions = {};
    if (opts.dedupKey !== undefined) sendOptions.singletonKey = opts.dedupKey;
    if (opts.runAt) sendOptions.startAfter = opts.runAt;
    const executor = opts.executor;
    if (executor) sendOptions.db = bossDb(executor);
    const id = await this.#boss.send(name, data as object, sendOptions);
    // Inside a transaction the notification goes out at commit, once the job can be fetched.
    if (id !== null) await this.opts.db.notify(JOB_QUEUED_CHANNEL, name, executor);
    else if (opts.coalesceData !== undefined && opts.dedupKey !== undefined) {
      await this.#coalesce(name, [{ key: opts.dedupKey, extra: opts.coalesceData }], executor);
    }
    return id;
  }

  /**
   * `extra` fields added to the queued (not yet started) job of each key, where it lacks them: the queued job's own
   * fields win, a job that started meanwhile is left as it is, and one that already holds them is not rewritten.
   */
  async #coalesce(name: string, entries: readonly { key: string; extra: unknown }[], executor: Executor | undefined): Promise<void> {
    await sql`update ${sql.id(SCHEMA)}.job as j set data = c.extra || j.data
              from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb) as c (key text, extra jsonb)
              where j.name = ${name} and j.singleton_key = c.key and j.state < 'active' and not j.data @> c.extra`.execute(executor ?? this.opts.db.kysely);
  }

  /**
   * One insert of every job (pg-boss's `insert`: a job whose key is already queued is skipped by the queue's unique
   * index, as `send` does), one count of what was inserted, one update that adds `coalesceData` to queued jobs
   * lacking it, one notification. The jobs get ordered ids ({@link orderedUuids}), made for the whole list at once,
   * so they are fetched in the order given however many statements the list takes. Returns how many jobs were
   * queued; the others coalesced with a job already queued.
   */
  async enqueueMany<N extends JobName>(name: N, jobs: readonly QueuedJob<JobPayloads[N]>[], opts: { executor?: Executor } = {}): Promise<number> {
    const executor = opts.executor;
    const ids = orderedUuids(jobs.length);
    let queued = 0;
    for (let start = 0; start < jobs.length; start += ENQUEUE_BATCH) {
      const batch = jobs.slice(start, start + ENQUEUE_BATCH);
      const batchIds = ids.slice(start, start + ENQUEUE_BATCH);
      await this.#boss.insert(
        batch.map((job, i) => ({ id: batchIds[i], name, data: job.data, ...(job.dedupKey !== undefined ? { singletonKey: job.dedupKey } : {}) })),
        executor ? { db: bossDb(executor) } : {},
      );
      // pg-boss's insert reports nothing; the ids were made here, so those present are the ones it inserted.
      const inserted = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(SCHEMA)}.job
                                                where name = ${name} and id = any(${batchIds}::uuid[])`.execute(executor ?? this.opts.db.kysely);
      queued += inserted.rows[0]?.n ?? 0;
      const coalescing = batch.flatMap((job) => (job.coalesceData !== undefined && job.dedupKey !== undefined ? [{ key: job.dedupKey, extra: job.coalesceData }] : []));
      // The jobs just inserted already hold their fields and are left alone.
      if (coalescing.length > 0) await this.#coalesce(name, coalescing, executor);
    }
    if (jobs.length > 0) await this.opts.db.notify(JOB_QUEUED_CHANNEL, name, executor);
    return queued;
  }

  async schedule<N extends JobName>(name: N, cron: string, data: JobPayloads[N], tz = 'UTC'): Promise<void> {
    await this.#boss.schedule(name, cron, data, { tz });
  }

  async counts(): Promise<{ queue: string; state: string; count: number }[]> {
    const r = await this.opts.db.executeSql(`select name as queue, state::text as state, count(*)::int as count from ${SCHEMA}.job group by 1, 2`);
    return r.rows as { queue: string; state: string; count: number }[];
  }

  /**
   * Stop taking jobs, give running ones `timeoutMs`, then tell them to stop at a safe point (the abort signal, a
   * second before the end). Returns once pg-boss's statements and every job callback have settled; a handler that
   * still ignores the signal 5 s after the grace period is logged and left behind.
   */
  stop({ timeoutMs = 15_000 }: { timeoutMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(timeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<void> {
    this.#running = false;
    await this.#starting?.catch(() => undefined);
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    await unlisten?.().catch(() => undefined);
    const abortTimer = setTimeout(() => this.#abort.abort(), Math.max(0, timeoutMs - 1000));
    try {
      if (this.#starting) await this.#boss.stop({ graceful: true, timeout: timeoutMs, wait: true, close: true });
      // A fetch still in flight hands its jobs over when it returns (they are put back); wait for that too.
      if (!(await this.#settle(Date.now() + 5_000))) {
        this.opts.logger.error({ pending: this.#pending.size }, 'job queue stopped with job handlers still running');
      }
    } finally {
      clearTimeout(abortTimer);
    }
    if (this.#workersStarted) await this.#leases.stop().catch(() => undefined);
    await this.#pool?.end().catch(() => undefined);
  }

  /** Wait until nothing is pending, up to `deadline`. Each round ends after the callbacks a settled fetch starts. */
  async #settle(deadline: number): Promise<boolean> {
    while (this.#pending.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#pending]),
        new Promise((resolve) => (timer = setTimeout(resolve, left))),
      ]);
      clearTimeout(timer);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return true;
  }
}
