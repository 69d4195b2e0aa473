/**
 * Crash recovery for jobs. A queue library only learns that a worker died when the job's expiry runs out (often
 * many minutes). Here every worker process heartbeats a `job_worker` row and records a `job_lease` per running
 * job; a reaper in every worker puts back the jobs of workers whose heartbeat stopped, so an interrupted refresh
 * or transmission resumes well within a minute of a `kill -9`.
 */
import { sql } from 'kysely';
import { hostname } from 'node:os';
import type { Db } from '../db/database.js';

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

  async begin(jobId: string, queue: string): Promise<void> {
    await this.db.kysely
      .insertInto('job_lease')
      .values({ job_id: jobId, queue, worker_id: this.opts.workerId })
      .onConflict((oc) => oc.column('job_id').doUpdateSet({ worker_id: this.opts.workerId, started_at: sql`now()` }))
      .execute();
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
    const schema = sql.id(this.opts.queueSchema);
    for (const lease of orphaned) {
      await this.db.transaction(async (trx) => {
        try {
          // Back to the queue at once. `retry` keeps the job's identity, payload and singleton key.
          await sql`savepoint put_back`.execute(trx);
          await sql`update ${schema}.job set state = 'retry', start_after = now()
                    where name = ${lease.queue} and id = ${lease.job_id}::uuid and state = 'active'`.execute(trx);
        } catch (err) {
          // A coalescing queue may already hold a queued run for the same key (unique per state): that run
          // supersedes the interrupted one, so the interrupted one is closed instead of duplicated.
          if ((err as { code?: string }).code !== '23505') throw err;
          await sql`rollback to savepoint put_back`.execute(trx);
          await sql`update ${schema}.job set state = 'failed', completed_on = now(),
                      output = '{"message": "worker died; superseded by a queued run"}'::jsonb
                    where name = ${lease.queue} and id = ${lease.job_id}::uuid and state = 'active'`.execute(trx);
        }
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
