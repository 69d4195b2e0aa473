/**
 * Refresh jobs and cycles: a refresh queued outside a cycle (a catalog was just created) that a cycle's refresh
 * of the same query coalesces with joins the cycle, so catalogs created in bulk and then refreshed together share
 * their full items.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '../../test/helpers/db.js';
import type { Db } from '../db/database.js';
import { PgBossQueue } from '../jobs/pg-boss.queue.js';
import { enqueueRefresh } from './refresh.service.js';

const silent = { warn() {}, error() {}, info() {} };

describe('enqueueRefresh', () => {
  let db: Db;
  let jobs: PgBossQueue;

  before(async () => {
    db = await openTestDb();
    // Enqueue only: nothing runs the jobs, so they stay queued.
    jobs = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: false, pollSeconds: 1, logger: silent });
    await jobs.start();
    await jobs.define('refresh_catalog_query', { policy: 'stately' }, async () => {});
  });
  after(async () => {
    await jobs.stop({ timeoutMs: 1_000 });
    await db.close();
  });

  const queued = async (queryId: number) =>
    (await db.executeSql(`select data from pgboss.job where name = 'refresh_catalog_query' and singleton_key = $1 and state < 'active'`, [String(queryId)]))
      .rows.map((r) => r.data);

  test('a queued refresh outside a cycle joins the cycle of a refresh that coalesces with it', async () => {
    const queryId = 900_001;
    assert.ok(await enqueueRefresh(jobs, queryId, 'created'));
    assert.equal(await enqueueRefresh(jobs, queryId, 'on_demand', undefined, 'cycle-a'), null);
    assert.deepEqual(await queued(queryId), [{ queryId, reason: 'created', cycle: 'cycle-a' }]);
    // A refresh already in a cycle stays in it.
    assert.equal(await enqueueRefresh(jobs, queryId, 'daily', undefined, 'cycle-b'), null);
    assert.deepEqual(await queued(queryId), [{ queryId, reason: 'created', cycle: 'cycle-a' }]);
    // Coalescing without a cycle changes nothing.
    const other = 900_002;
    assert.ok(await enqueueRefresh(jobs, other, 'created'));
    assert.equal(await enqueueRefresh(jobs, other, 'filter_changed'), null);
    assert.deepEqual(await queued(other), [{ queryId: other, reason: 'created' }]);
  });
});
