import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDb, uid } from '../../test/helpers/db.js';
import type { Db } from '../db/database.js';
import { PgBossQueue } from './pg-boss.queue.js';
import { JobLeases, putBackJob } from './job-leases.js';
import { isBackground } from '../db/statement-priority.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

declare module './job-types.js' {
  interface JobPayloads {
    test_echo: { value: string };
    test_stately: { key: string };
    test_resume: { value: string };
    test_burst: { value: string };
    test_wake: { value: string };
    test_overrun: { value: string };
    test_putback: { value: string };
    test_putback_stately: { key: string };
    test_coalesce: { key: string; reason?: string; cycle?: string };
    test_many: { value: string; cycle?: string };
    test_many_order: { value: string };
    test_many_long: { value: string };
    test_lease_fail: { value: string };
    test_lease_held: { value: string };
  }
}

const silent = { warn() {}, error() {}, info() {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('PgBossQueue', () => {
  let db: Db;
  let queue: PgBossQueue;
  const seen: string[] = [];
  /** Values of test_echo jobs whose handler ran as background work. */
  const inBackground = new Set<string>();
  let release: (() => void) | null = null;

  before(async () => {
    db = await openTestDb();
    queue = new PgBossQueue({
      db,
      connectionString: db.connectionString ?? undefined,
      work: true,
      pollSeconds: 1,
      logger: silent,
    });
    await queue.start();
    await queue.define('test_echo', { concurrency: 2 }, async (job) => {
      if (isBackground()) inBackground.add(job.data.value);
      seen.push(job.data.value);
    });
    await queue.define('test_stately', { policy: 'stately' }, async () => {
      await new Promise<void>((r) => (release = r));
    });
    await queue.define('test_resume', {}, async (job) => {
      seen.push(`resumed:${job.data.value}`);
    });
  });
  after(async () => {
    release?.();
    await queue.stop({ timeoutMs: 3000 });
    await db.close();
  });

  test('an enqueued job runs with its payload', async () => {
    const value = uid();
    const id = await queue.enqueue('test_echo', { value });
    assert.ok(id);
    await queue.startWorkers();
    await waitFor(() => seen.includes(value), 'the job to run');
  });

  test('a job runs as background work (behind API statements on PGlite); its enqueuer does not become background', async () => {
    const value = uid();
    await queue.startWorkers();
    await queue.enqueue('test_echo', { value });
    assert.equal(isBackground(), false);
    await waitFor(() => seen.includes(value), 'the job to run');
    assert.ok(inBackground.has(value), 'the handler ran as background work');
  });

  test('a job enqueued in a rolled-back transaction never exists', async () => {
    const value = uid();
    await assert.rejects(
      db.transaction(async (trx) => {
        await queue.enqueue('test_echo', { value }, { executor: trx });
        throw new Error('rollback');
      }),
    );
    const committed = uid();
    await db.transaction(async (trx) => {
      await queue.enqueue('test_echo', { value: committed }, { executor: trx });
    });
    await waitFor(() => seen.includes(committed), 'the committed job');
    assert.equal(seen.includes(value), false);
  });

  test('stately queues keep one queued run per key while one runs', async () => {
    const key = uid();
    const first = await queue.enqueue('test_stately', { key }, { dedupKey: key });
    assert.ok(first);
    await waitFor(() => release, 'the first run to start');
    const second = await queue.enqueue('test_stately', { key }, { dedupKey: key });
    assert.ok(second, 'one more run is queued while one runs');
    for (let i = 0; i < 5; i++) assert.equal(await queue.enqueue('test_stately', { key }, { dedupKey: key }), null);
    const r = release;
    release = null;
    r?.();
  });

  test('jobs of a dead worker are put back and run again', async () => {
    const value = uid();
    // A job that a worker took and then died with: active, leased to a worker whose heartbeat stopped.
    const jobId = await queue.enqueue('test_resume', { value }, { runAt: new Date(Date.now() + 3_600_000) });
    assert.ok(jobId);
    await db.executeSql(`update pgboss.job set state = 'active', started_on = now() where id = $1::uuid`, [jobId]);
    const dead = `dead-${uid()}`;
    await db.kysely.insertInto('job_worker').values({ worker_id: dead, host: 'gone', pid: 1, last_seen_at: new Date(Date.now() - 3_600_000) }).execute();
    await db.kysely.insertInto('job_lease').values({ job_id: jobId, queue: 'test_resume', worker_id: dead }).execute();

    const leases = new JobLeases(db, {
      workerId: `reaper-${uid()}`,
      heartbeatMs: 1000,
      deadAfterMs: 20_000,
      reapEveryMs: 1000,
      queueSchema: 'pgboss',
      soleProcess: false,
      onError: () => {},
    });
    const reaped = await leases.reap();
    assert.ok(reaped.includes(jobId));
    const state = await db.executeSql(`select state::text as state from pgboss.job where id = $1::uuid`, [jobId]);
    assert.equal(state.rows[0]?.state, 'retry');
    await waitFor(() => seen.includes(`resumed:${value}`), 'the resumed job to run');
    const left = await db.kysely.selectFrom('job_lease').selectAll().where('job_id', '=', jobId).execute();
    assert.equal(left.length, 0);
  });

  test('a live worker keeps its leases', async () => {
    const jobId = uid();
    const live = `live-${uid()}`;
    await db.kysely.insertInto('job_worker').values({ worker_id: live, host: 'h', pid: 2 }).execute();
    await db.kysely.insertInto('job_lease').values({ job_id: jobId, queue: 'test_resume', worker_id: live }).execute();
    const leases = new JobLeases(db, {
      workerId: `reaper-${uid()}`,
      heartbeatMs: 1000,
      deadAfterMs: 20_000,
      reapEveryMs: 1000,
      queueSchema: 'pgboss',
      soleProcess: false,
      onError: () => {},
    });
    assert.equal((await leases.reap()).includes(jobId), false);
    await sql`delete from job_lease where job_id = ${jobId}`.execute(db.kysely);
  });

  test('a worker takes the next queued job at once instead of waiting out the polling interval', async () => {
    // A 30 s polling interval: before the fix, the second and third jobs each waited about 30 s.
    const slow = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 30, logger: silent });
    const done: string[] = [];
    await slow.start();
    try {
      await slow.define('test_burst', { concurrency: 1 }, async (job) => {
        done.push(job.data.value);
      });
      const values = [uid(), uid(), uid()];
      for (const value of values) await slow.enqueue('test_burst', { value });
      await slow.startWorkers();
      await waitFor(() => values.every((v) => done.includes(v)), 'three queued jobs', 20_000);
    } finally {
      await slow.stop({ timeoutMs: 3000 });
    }
  });

  test('an idle worker is woken by an enqueue (also one committed later in a transaction) instead of waiting out the polling interval', async () => {
    // A 60 s polling interval and workers already idle: without the wake-up, each job would wait up to 60 s.
    const idle = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 60, logger: silent });
    const done: string[] = [];
    await idle.start();
    try {
      await idle.define('test_wake', { concurrency: 2 }, async (job) => {
        done.push(job.data.value);
      });
      await idle.startWorkers();
      // Let both slots make their first (empty) fetch and go to sleep.
      await new Promise((r) => setTimeout(r, 1_000));
      const direct = uid();
      await idle.enqueue('test_wake', { value: direct });
      await waitFor(() => done.includes(direct), 'the job enqueued directly', 20_000);
      const inTransaction = uid();
      await db.transaction(async (trx) => {
        await idle.enqueue('test_wake', { value: inTransaction }, { executor: trx });
        // Still uncommitted: no worker can see it yet.
        await new Promise((r) => setTimeout(r, 300));
      });
      await waitFor(() => done.includes(inTransaction), 'the job enqueued in a transaction', 20_000);
    } finally {
      await idle.stop({ timeoutMs: 3000 });
    }
  });

  test('stop returns only after a handler that overruns the grace period has finished', async () => {
    const q = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
    await q.start();
    let started = false;
    let finished = false;
    await q.define('test_overrun', {}, async () => {
      started = true;
      // Ignores the abort signal and outlives the 1 s grace period.
      await sleep(2_500);
      finished = true;
    });
    await q.enqueue('test_overrun', { value: uid() });
    await q.startWorkers();
    await waitFor(() => started, 'the handler to start');
    await q.stop({ timeoutMs: 1_000 });
    assert.equal(finished, true, 'nothing of the queue runs on after stop() returned');
  });

  test('a job whose fetch was in flight when the queue stopped is put back unrun, and runs once later', async () => {
    const ran: string[] = [];
    const handler = async (job: { data: { value: string } }) => {
      ran.push(job.data.value);
    };
    const q = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
    await q.start();
    await q.define('test_putback', {}, handler);
    await q.startWorkers();
    await sleep(300);
    const value = uid();
    const pending: { jobId?: string | null; stopped?: Promise<void> } = {};
    await db.transaction(async (trx) => {
      // The worker's next poll (within 1 s) waits for this lock on PostgreSQL, or behind this transaction on
      // PGlite's one session; the queue is told to stop while it waits.
      await sql`lock table pgboss.job in exclusive mode`.execute(trx);
      pending.jobId = await q.enqueue('test_putback', { value }, { executor: trx });
      await sleep(2_500);
      pending.stopped = q.stop({ timeoutMs: 1_000 });
      await sleep(200);
    });
    await pending.stopped;
    const jobId = pending.jobId;
    assert.ok(jobId);
    assert.equal(ran.length, 0, 'the stopping queue did not run the job it fetched');
    const row = await db.executeSql(`select state::text as state, retry_count, started_on from pgboss.job where id = $1::uuid`, [jobId]);
    assert.deepEqual(row.rows[0], { state: 'created', retry_count: 0, started_on: null }, 'back in the queue as if never fetched');

    const next = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
    await next.start();
    try {
      await next.define('test_putback', {}, handler);
      await next.startWorkers();
      await waitFor(() => ran.includes(value), 'the put-back job to run');
      await sleep(300);
      assert.deepEqual(ran, [value]);
    } finally {
      await next.stop({ timeoutMs: 1_000 });
    }
  });

  test('putting back an unrun job undoes its fetch; a queued run of the same key supersedes it', async () => {
    const lookup = async (id: string) =>
      (await db.executeSql(`select state::text as state, retry_count, started_on is not null as started from pgboss.job where id = $1::uuid`, [id])).rows[0];
    const later = new Date(Date.now() + 3_600_000);
    // Fetched a second time (a retry): the fetch counted an attempt, which is given back.
    const retried = await queue.enqueue('test_resume', { value: uid() }, { runAt: later });
    assert.ok(retried);
    await db.executeSql(`update pgboss.job set state = 'active', retry_count = 1, started_on = now() where id = $1::uuid`, [retried]);
    await putBackJob(db.kysely, 'pgboss', 'test_resume', retried, 'unrun');
    assert.deepEqual(await lookup(retried), { state: 'retry', retry_count: 0, started: true });

    // A stately queue already holding a queued run for the key: the fetched one is closed, not duplicated.
    await queue.define('test_putback_stately', { policy: 'stately' }, async () => {});
    const key = uid();
    const fetched = await queue.enqueue('test_putback_stately', { key }, { dedupKey: key, runAt: later });
    assert.ok(fetched);
    await db.executeSql(`update pgboss.job set state = 'active', started_on = now() where id = $1::uuid`, [fetched]);
    const queued = await queue.enqueue('test_putback_stately', { key }, { dedupKey: key, runAt: later });
    assert.ok(queued);
    await putBackJob(db.kysely, 'pgboss', 'test_putback_stately', fetched, 'unrun');
    assert.equal((await lookup(fetched))?.state, 'failed');
    assert.equal((await lookup(queued))?.state, 'created');
  });

  test('an enqueue that coalesces adds its coalesceData fields to the queued job; the fields it has stay', async () => {
    // Defined after the workers started: no worker takes these jobs, they stay queued.
    await queue.define('test_coalesce', { policy: 'stately' }, async () => {});
    const key = uid();
    const dataOf = async (id: string) => (await db.executeSql(`select data from pgboss.job where id = $1::uuid`, [id])).rows[0]?.data;
    const queued = await queue.enqueue('test_coalesce', { key, reason: 'created' }, { dedupKey: key });
    assert.ok(queued);
    assert.equal(await queue.enqueue('test_coalesce', { key, cycle: 'c1' }, { dedupKey: key, coalesceData: { cycle: 'c1' } }), null);
    assert.deepEqual(await dataOf(queued), { key, reason: 'created', cycle: 'c1' });
    await db.transaction(async (trx) => {
      assert.equal(await queue.enqueue('test_coalesce', { key, cycle: 'c2' }, { dedupKey: key, coalesceData: { cycle: 'c2', reason: 'other' }, executor: trx }), null);
    });
    assert.deepEqual(await dataOf(queued), { key, reason: 'created', cycle: 'c1' }, 'the queued job keeps its own fields');
    // Another key's queued job is not touched.
    const other = await queue.enqueue('test_coalesce', { key: uid() }, { dedupKey: uid() });
    assert.ok(other);
    assert.equal((await dataOf(other) as { cycle?: string }).cycle, undefined);
  });

  test('enqueueMany: jobs coalesce per key as with enqueue, coalesceData joins queued jobs that lack it, a rollback leaves none', async () => {
    // Defined after the workers started: no worker takes these jobs, they stay queued.
    await queue.define('test_many', { policy: 'stately' }, async () => {});
    const dataOfKey = async (key: string) =>
      (await db.executeSql(`select data from pgboss.job where name = 'test_many' and singleton_key = $1 order by created_on`, [key])).rows.map((r) => r.data);
    const [a, b, c] = [uid(), uid(), uid()];
    await queue.enqueue('test_many', { value: 'queued-a' }, { dedupKey: a });
    await queue.enqueue('test_many', { value: 'queued-b', cycle: 'own' }, { dedupKey: b });

    const queued = await queue.enqueueMany('test_many', [a, b, c].map((key) => ({ data: { value: `many-${key}`, cycle: 'c1' }, dedupKey: key, coalesceData: { cycle: 'c1' } })));
    assert.equal(queued, 1, 'only the new key counts as queued');

    assert.deepEqual(await dataOfKey(a), [{ value: 'queued-a', cycle: 'c1' }], 'coalesced with the queued job, which joins the cycle');
    assert.deepEqual(await dataOfKey(b), [{ value: 'queued-b', cycle: 'own' }], 'the queued job keeps its own fields');
    assert.deepEqual(await dataOfKey(c), [{ value: `many-${c}`, cycle: 'c1' }], 'a new key is queued');

    const d = uid();
    await assert.rejects(
      db.transaction(async (trx) => {
        await queue.enqueueMany('test_many', [{ data: { value: 'rolled-back' }, dedupKey: d }], { executor: trx });
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(await dataOfKey(d), []);
  });

  test('enqueueMany: a list longer than one insert statement keeps its order in the queue, and every job is counted', async () => {
    await queue.define('test_many_long', { policy: 'standard' }, async () => {});
    // Reverse order of the values, and more than one statement's worth (1,000 per insert), all in one transaction:
    // one `created_on` for every job, so only the ids can keep the order.
    const values = Array.from({ length: 2_345 }, (_, i) => `${String(9_999 - i).padStart(4, '0')}-${uid()}`);
    const queued = await db.transaction((trx) => queue.enqueueMany('test_many_long', values.map((value) => ({ data: { value } })), { executor: trx }));
    assert.equal(queued, values.length);
    const rows = await db.executeSql(`select data->>'value' as value from pgboss.job where name = 'test_many_long' order by priority desc, created_on, id`);
    assert.deepEqual(rows.rows.map((r) => r.value), values);
  });

  test('enqueueMany: jobs made in one statement run in the order given, and an idle worker is woken for them', async () => {
    const q = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 60, logger: silent });
    const done: string[] = [];
    await q.start();
    try {
      await q.define('test_many_order', { concurrency: 1 }, async (job) => {
        done.push(job.data.value);
      });
      await q.startWorkers();
      // Let the slot make its first (empty) fetch and go to sleep for the 60 s polling interval.
      await sleep(1_000);
      // Reverse alphabetical, so neither random ids nor the values' own order could pass for the order given.
      const values = Array.from({ length: 40 }, (_, i) => `${String(99 - i).padStart(2, '0')}-${uid()}`);
      await db.transaction(async (trx) => {
        await q.enqueueMany('test_many_order', values.map((value) => ({ data: { value } })), { executor: trx });
      });
      await waitFor(() => done.length === values.length, 'the jobs to run', 20_000);
      assert.deepEqual(done, values);
    } finally {
      await q.stop({ timeoutMs: 3000 });
    }
  });

  test('a fetch and the leases on what it fetched commit together: when the lease cannot be written, the job stays queued', async () => {
    // A trigger makes recording a lease of this queue fail. Recorded after the fetch (as before), the job would be
    // left active with no lease: invisible to the reaper after a crash until pg-boss's expiry.
    await sql`create or replace function test_refuse_lease() returns trigger language plpgsql as $$
              begin raise exception 'lease refused by the test'; end $$`.execute(db.kysely);
    await sql`create trigger test_refuse_lease before insert on job_lease for each row
              when (new.queue = 'test_lease_fail') execute function test_refuse_lease()`.execute(db.kysely);
    const q = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
    const ran: string[] = [];
    await q.start();
    try {
      await q.define('test_lease_fail', {}, async (job) => {
        ran.push(job.data.value);
      });
      const value = uid();
      const id = await q.enqueue('test_lease_fail', { value });
      assert.ok(id);
      await q.startWorkers();
      // Several polls' worth of fetch attempts.
      await sleep(2_500);
      const row = (await db.executeSql(`select state::text as state, retry_count, started_on from pgboss.job where id = $1::uuid`, [id])).rows[0];
      assert.deepEqual({ state: row?.state, retries: row?.retry_count, started: row?.started_on }, { state: 'created', retries: 0, started: null });
      assert.equal(ran.length, 0, 'the job did not run');

      await sql`drop trigger test_refuse_lease on job_lease`.execute(db.kysely);
      await waitFor(() => ran.includes(value), 'the job to run once its lease can be written');
      await waitFor(async () => (await db.executeSql(`select state::text as state from pgboss.job where id = $1::uuid`, [id])).rows[0]?.state === 'completed', 'the job to complete');
      assert.deepEqual((await db.executeSql(`select job_id from job_lease where job_id = $1`, [id])).rows, [], 'its lease ended with it');
    } finally {
      await sql`drop trigger if exists test_refuse_lease on job_lease`.execute(db.kysely);
      await sql`drop function if exists test_refuse_lease()`.execute(db.kysely);
      await q.stop({ timeoutMs: 3000 });
    }
  });

  test('while a job runs, its lease is held by the worker that fetched it', async () => {
    const q = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
    let release!: () => void;
    const running = new Promise<void>((r) => (release = r));
    let started = false;
    await q.start();
    try {
      await q.define('test_lease_held', {}, async () => {
        started = true;
        await running;
      });
      const id = await q.enqueue('test_lease_held', { value: uid() });
      assert.ok(id);
      await q.startWorkers();
      await waitFor(() => started, 'the job to start');
      const leases = (await db.executeSql(`select queue, worker_id from job_lease where job_id = $1`, [id])).rows;
      assert.deepEqual(leases, [{ queue: 'test_lease_held', worker_id: q.workerId }]);
    } finally {
      release();
      await q.stop({ timeoutMs: 3000 });
    }
  });

  test('a queue stopped while it is still starting leaves nothing running: its process ends by itself', async () => {
    const script = fileURLToPath(new URL('../../test/helpers/queue-stop-while-starting.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Long enough for PGlite's start; a leftover polling loop or maintenance timer would keep it alive forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(timer);
    assert.match(out, /closed/);
    assert.equal(code, 0, `the process should end by itself once closed; output: ${out.slice(-1000)}`);
  });

  test('counts by queue and state', async () => {
    const counts = await queue.counts();
    assert.ok(counts.some((c) => c.queue === 'test_echo' && c.count > 0));
  });
});
