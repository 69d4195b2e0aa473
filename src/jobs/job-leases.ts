/**
 * Crash recovery for jobs. A queue library only learns that a worker died when the job's expiry runs out (often
 * many minutes). Here every worker process heartbeats a `job_worker` row and records a `job_lease` per running
 * job (written by the statement that made the job active); a reaper in every worker puts back the
 * jobs of workers whose heartbeat stopped, so an interrupted refresh or transmission resumes well within a minute of
 * a `kill -9`.
 */
import { sql } from 'kysely';
import { hostname } from 'node:os';
import type { Db, Executor } from '../db/database.js';

export interface JobLeaseOptions {
  workerId: string;
  /** Heartbeat period. */
  heartbeatMs: number;
  /** A worker silent for longer than this is dead. */
  deadAfterMs: number;
  /** Reaper period. */
  reapEveryMs: number;
  /** Schema of the queue tables (pg-boss). */
  queueSchema: string;
  /**
   * True when this process is known to be the only one on the database (embedded mode holds an exclusive lock
   * on the data dir), so every lease of another worker id belongs to a dead process.
   */
  soleProcess: boolean;
  onError(msg: string, err: unknown): void;
  onReaped?(jobIds: string[]): void;
}

export class JobLeases {
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(
    private readonly db: Db,
    private readonly opts: JobLeaseOptions,
  ) {}

  get workerId(): string {
    return this.opts.workerId;
  }

  async start(): Promise<void> {
    await this.db.kysely
      .insertInto('job_worker')
      .values({ worker_id: this.opts.workerId, host: hostname(), pid: process.pid })
      .onConflict((oc) => oc.column('worker_id').doUpdateSet({ last_seen_at: sql`now()` }))
      .execute();
    await this.reap();
    this.#every(this.opts.heartbeatMs, () => this.heartbeat());
    this.#every(this.opts.reapEveryMs, () => this.reap().then(() => undefined));
  }

  #every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => {
      if (this.#stopped) return;
      fn().catch((err: unknown) => this.opts.onError('job lease maintenance failed', err));
    }, ms);
    t.unref();
    this.#timers.push(t);
  }

  async heartbeat(): Promise<void> {
    await this.db.kysely
      .updateTable('job_worker')
      .set({ last_seen_at: sql`now()` })
      .where('worker_id', '=', this.opts.workerId)
      .execute();
  }

  /**
   * A fetch statement of the queue (`text`, whose `$1` is the queue name and whose rows carry the job `id`) turned
   * into one that also records this worker's leases on the jobs it makes active: the fetch runs as a common table
   * expression whose rows the lease insert reads. {@link PgBossQueue} sends pg-boss's fetch through it, so no job is
   * ever active without a lease, whatever the moment its process dies. A job put back and fetched again changes
   * hands.
   */
  leasedFetch(text: string, values: readonly unknown[]): { text: string; values: unknown[] } {
    return {
      text: `with fetched as (${text}),
                  leased as (insert into job_lease (job_id, queue, worker_id) select id::text, $1, $${values.length + 1} from fetched
                             on conflict (job_id) do update set worker_id = excluded.worker_id, queue = excluded.queue, started_at = now())
             select * from fetched`,
      values: [...values, this.opts.workerId],
    };
  }

  async end(jobId: string): Promise<void> {
    await this.db.kysely.deleteFrom('job_lease').where('job_id', '=', jobId).execute();
  }

  /** Put back the jobs of dead workers. Returns the ids of the jobs that were put back or closed. */
  async reap(): Promise<string[]> {
    const deadAfter = `${Math.ceil(this.opts.deadAfterMs / 1000)} seconds`;
    const me = this.opts.workerId;
    const orphaned = await this.db.kysely
      .selectFrom('job_lease as l')
      .leftJoin('job_worker as w', 'w.worker_id', 'l.worker_id')
      .select(['l.job_id', 'l.queue', 'l.worker_id'])
      .where('l.worker_id', '<>', me)
      .where((eb) =>
        this.opts.soleProcess
          ? eb.val(true)
          : eb.or([eb('w.worker_id', 'is', null), eb('w.last_seen_at', '<', sql<Date>`now() - ${deadAfter}::interval`)]),
      )
      .execute();
    for (const lease of orphaned) {
      await this.db.transaction(async (trx) => {
        await putBackJob(trx, this.opts.queueSchema, lease.queue, lease.job_id, 'interrupted');
        await trx.deleteFrom('job_lease').where('job_id', '=', lease.job_id).execute();
      }, 'reap job lease');
    }
    await this.db.kysely
      .deleteFrom('job_worker')
      .where('worker_id', '<>', me)
      .where((eb) => (this.opts.soleProcess ? eb.val(true) : eb('last_seen_at', '<', sql<Date>`now() - ${deadAfter}::interval`)))
      .execute();
    const ids = orphaned.map((l) => l.job_id);
    if (ids.length > 0) this.opts.onReaped?.(ids);
    return ids;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.db.kysely.deleteFrom('job_worker').where('worker_id', '=', this.opts.workerId).execute();
  }
}

/**
 * Put an active job back in its queue at once. `retry` keeps the job's identity, payload and singleton key.
 * - `interrupted`: its worker died while running it; the run counts as an attempt.
 * - `unrun`: it was fetched while its worker was stopping and never started; the fetch is undone (a first fetch
 *   leaves the job `created` with no start time, a later one gives back the attempt it counted).
 * A coalescing queue may already hold a queued run for the same key (unique per state): that run supersedes this
 * one, which is closed instead of duplicated. Runs in a transaction when given one (a savepoint guards the try).
 */
export async function putBackJob(executor: Executor, schema: string, queue: string, jobId: string, how: 'interrupted' | 'unrun'): Promise<void> {
  const s = sql.id(schema);
  const putBack =
    how === 'interrupted'
      ? sql`update ${s}.job set state = 'retry', start_after = now()
            where name = ${queue} and id = ${jobId}::uuid and state = 'active'`
      : sql`update ${s}.job set
              state = case when retry_count = 0 then 'created' else 'retry' end::${s}.job_state,
              started_on = case when retry_count = 0 then null else started_on end,
              retry_count = greatest(retry_count - 1, 0),
              start_after = now()
            where name = ${queue} and id = ${jobId}::uuid and state = 'active'`;
  const inTransaction = executor.isTransaction;
  try {
    if (inTransaction) await sql`savepoint put_back`.execute(executor);
    await putBack.execute(executor);
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    if (inTransaction) await sql`rollback to savepoint put_back`.execute(executor);
    await sql`update ${s}.job set state = 'failed', completed_on = now(),
                output = ${JSON.stringify({ message: how === 'interrupted' ? 'worker died; superseded by a queued run' : 'fetched while stopping; superseded by a queued run' })}::jsonb
              where name = ${queue} and id = ${jobId}::uuid and state = 'active'`.execute(executor);
  }
}
