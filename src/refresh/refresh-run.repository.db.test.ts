/**
 * A refresh's bookkeeping: `beginRun` and `endRun` each do in one statement what used to take several (interrupted
 * runs, the new run, the query's refresh times, the open tasks of the query), so each effect is checked here,
 * including what they must leave alone.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { openTestDb } from '../../test/helpers/db.js';
import { createCatalog, createCustomer, createQuery, queryRow, refreshDeps, runsOf } from '../../test/helpers/refresh-fixtures.js';
import { SampleContentSource } from '../discovery/sample.source.js';
import { generateDataset } from '../discovery/dataset.js';
import { REFRESH_TASK_KIND, beginRun, endRun, findTask, insertTask, type RunCounts } from './refresh.repository.js';
import { refreshQuery } from './refresh.pipeline.js';
import { handleFor } from './refresh-source.js';

let db: Db;
let customer: string;

before(async () => {
  db = await openTestDb();
  customer = await createCustomer(db);
});
after(async () => {
  await db.close();
});

async function task(queryId: number, created?: Date): Promise<string> {
  const id = randomUUID();
  await insertTask(db.kysely, { id, kind: REFRESH_TASK_KIND, requestedBy: null, enterpriseUuid: null, args: { queryId } });
  if (created) await db.kysely.updateTable('task').set({ created }).where('id', '=', id).execute();
  return id;
}

const stateOf = async (id: string) => (await findTask(db.kysely, id))?.state;

const COUNTS: RunCounts = {
  pages: 2,
  upstream_requests: 3,
  items_fetched: 150,
  items_rejected: 1,
  items_created: 4,
  items_updated: 5,
  items_unchanged: 140,
  members_before: 145,
  members_after: 149,
  members_added: 4,
  members_removed: 0,
};

describe('beginRun', () => {
  test('marks the query’s running runs interrupted, inserts a running run, sets the attempt time and starts the query’s pending tasks', async () => {
    const queryId = await createQuery(db, { org: `begin-${randomUUID()}` });
    const otherId = await createQuery(db, { org: `other-${randomUUID()}` });
    const source = { queryId, jobId: 'job-1', attempt: 0, reason: 'daily', source: 'sample' };
    const dead = await beginRun(db.kysely, source, new Date());
    const otherRun = await beginRun(db.kysely, { ...source, queryId: otherId }, new Date());
    assert.ok(dead && otherRun);
    const pending = await task(queryId);
    const otherPending = await task(otherId);
    const done = await task(queryId);
    await db.kysely.updateTable('task').set({ state: 'SUCCESS' }).where('id', '=', done).execute();

    const now = new Date(Date.now() - 1000);
    const begun = await beginRun(db.kysely, { ...source, jobId: 'job-2', attempt: 1 }, now);

    assert.ok(begun);
    assert.equal(begun.query.id, queryId);
    assert.deepEqual(begun.query.content_filter, (await queryRow(db, queryId)).content_filter);
    assert.equal(begun.interrupted, 1);
    const runs = await runsOf(db, queryId);
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [
        [dead.run.id, 'interrupted'],
        [begun.run.id, 'running'],
      ],
    );
    assert.equal(runs[0]?.finished_at?.getTime(), now.getTime());
    assert.match(runs[0]?.detail ?? '', /stopped before it finished/);
    assert.deepEqual([runs[1]?.job_id, runs[1]?.attempt, runs[1]?.reason, runs[1]?.source], ['job-2', 1, 'daily', 'sample']);
    assert.equal(runs[1]?.started_at.getTime(), begun.run.started_at.getTime());
    assert.equal((await runsOf(db, otherId))[0]?.status, 'running', 'another query’s run is not touched');
    assert.equal((await queryRow(db, queryId)).last_refresh_attempt_at?.getTime(), now.getTime());
    assert.equal(await stateOf(pending), 'STARTED');
    assert.equal(await stateOf(otherPending), 'PENDING', 'another query’s task stays pending');
    assert.equal(await stateOf(done), 'SUCCESS', 'a finished task stays finished');
  });

  test('a task requested after the run started is left pending for the next run', async () => {
    const queryId = await createQuery(db, { org: `later-${randomUUID()}` });
    const later = await task(queryId, new Date(Date.now() + 60_000));
    const begun = await beginRun(db.kysely, { queryId, jobId: null, attempt: 0, reason: 'daily', source: 'sample' }, new Date());
    assert.ok(begun);
    assert.equal(await stateOf(later), 'PENDING');
  });

  test('writes nothing and answers undefined when the query does not exist', async () => {
    const missing = 2_000_000_000;
    const begun = await beginRun(db.kysely, { queryId: missing, jobId: null, attempt: 0, reason: 'daily', source: 'sample' }, new Date());
    assert.equal(begun, undefined);
    assert.deepEqual(await runsOf(db, missing), []);
  });
});

describe('endRun', () => {
  test('closes the run with its counts, sets the query’s times and closes the tasks requested until the run started', async () => {
    const queryId = await createQuery(db, { org: `end-${randomUUID()}` });
    const early = await task(queryId, new Date(Date.now() - 60_000));
    const begun = await beginRun(db.kysely, { queryId, jobId: null, attempt: 0, reason: 'daily', source: 'sample' }, new Date());
    assert.ok(begun);
    const pendingEarly = await task(queryId, new Date(begun.run.started_at.getTime() - 1));
    const later = await task(queryId, new Date(begun.run.started_at.getTime() + 60_000));
    const at = new Date(Date.now() + 5_000);
    const fetchedAt = new Date(Date.now() + 3_000);

    await endRun(db.kysely, {
      queryId,
      run: begun.run,
      status: 'refused',
      refusalReason: 'guardrail',
      detail: 'too many removals',
      fetchedAt,
      finishedAt: at,
      counts: COUNTS,
      queryTimes: { attemptAt: at },
      tasks: { state: 'SUCCESS', result: { refresh_run_id: begun.run.id } },
    });

    const run = (await runsOf(db, queryId)).at(-1);
    assert.equal(run?.status, 'refused');
    assert.equal(run?.refusal_reason, 'guardrail');
    assert.equal(run?.detail, 'too many removals');
    assert.equal(run?.fetched_at?.getTime(), fetchedAt.getTime());
    assert.equal(run?.finished_at?.getTime(), at.getTime());
    for (const [k, v] of Object.entries(COUNTS)) assert.equal(run?.[k as keyof RunCounts], v, k);
    const q = await queryRow(db, queryId);
    assert.equal(q.last_refresh_attempt_at?.getTime(), at.getTime());
    assert.equal(q.last_refresh_success_at, null, 'no success time was given');
    for (const id of [early, pendingEarly]) {
      const t = await findTask(db.kysely, id);
      assert.equal(t?.state, 'SUCCESS');
      assert.deepEqual(t?.result, { refresh_run_id: begun.run.id });
    }
    assert.equal(await stateOf(later), 'PENDING');

    const success = new Date(at.getTime() + 1000);
    await endRun(db.kysely, { queryId, run: begun.run, status: 'success', finishedAt: success, counts: COUNTS, queryTimes: { attemptAt: success, successAt: success } });
    assert.equal((await queryRow(db, queryId)).last_refresh_success_at?.getTime(), success.getTime());
  });

  test('without tasks or times it closes the run only', async () => {
    const queryId = await createQuery(db, { org: `fail-${randomUUID()}` });
    const begun = await beginRun(db.kysely, { queryId, jobId: null, attempt: 0, reason: 'daily', source: 'sample' }, new Date());
    assert.ok(begun);
    const open = await task(queryId, new Date(begun.run.started_at.getTime() - 1));
    const before = await queryRow(db, queryId);

    await endRun(db.kysely, { queryId, run: begun.run, status: 'failed', detail: 'boom', finishedAt: new Date(), counts: { ...COUNTS, items_created: 0 } });

    const run = (await runsOf(db, queryId)).at(-1);
    assert.equal(run?.status, 'failed');
    assert.equal(run?.detail, 'boom');
    assert.equal(run?.refusal_reason, null);
    assert.equal(run?.fetched_at, null);
    assert.equal(await stateOf(open), 'PENDING', 'a retry will serve it');
    assert.equal((await queryRow(db, queryId)).last_refresh_attempt_at?.getTime(), before.last_refresh_attempt_at?.getTime());
  });
});

test('a refresh of a query that no longer exists is skipped and records no run', async () => {
  const queryId = await createQuery(db, { org: `gone-${randomUUID()}` });
  await createCatalog(db, customer, queryId);
  await db.kysely.deleteFrom('enterprise_catalog').where('catalog_query_id', '=', queryId).execute();
  await db.kysely.deleteFrom('catalog_query').where('id', '=', queryId).execute();
  const deps = refreshDeps(db, handleFor(new SampleContentSource({ dataset: generateDataset({ size: 'S', seed: 3 }) })));

  const outcome = await refreshQuery(deps, { queryId, reason: 'daily' });

  assert.equal(outcome.status, 'skipped');
  assert.equal(outcome.runId, null);
  assert.deepEqual(await runsOf(db, queryId), []);
});
