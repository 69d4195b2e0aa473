/**
 * Refresh through the app: `refresh_metadata` and task routes (auth, 404/405), the stately queue coalescing
 * requests made during a run, and the refresh metrics. Jobs run in-process against the simulator over HTTP.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { createApp, type App } from '../app.js';
import { systemModule } from '../http/system.module.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../discovery/simulator.js';
import { generateDataset } from '../discovery/dataset.js';
import { openTestDb, testConfig } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { createCatalog, createCustomer, createQuery, members, runsOf, simulatorHandle, waitFor } from '../../test/helpers/refresh-fixtures.js';
import { createRefreshModule } from './refresh.module.js';
import type { SourceHandle } from './refresh-source.js';
import type { AppContext } from '../app-context.js';

let db: Db;
let app: App;
/** While set, refreshes wait before fetching: a test holds a run in progress as long as it needs. */
let gate: Promise<void> | null = null;
let sim: DiscoverySimulator;
let enterprise: string;
let otherEnterprise: string;

before(async () => {
  db = await openTestDb();
  sim = await startDiscoverySimulator({ dataset: generateDataset({ size: 'S', seed: 51 }) });
  const config = testConfig();
  const source = (ctx: AppContext): SourceHandle => {
    const inner = simulatorHandle(sim, ctx.metrics);
    return {
      get source() {
        return inner.source;
      },
      async measure(tally, fn) {
        if (gate) await gate;
        return inner.measure(tally, fn);
      },
    };
  };
  app = await createApp(config, { db, work: true, modules: [systemModule, createRefreshModule({ source })] });
  await app.start();
  enterprise = await createCustomer(db);
  otherEnterprise = await createCustomer(db);
});
after(async () => {
  await app.close();
  await sim.close();
  await db.close();
});

const admin = (ent: string, username = 'admin') => authHeader({ roles: [`enterprise_admin:${ent}`], username });
const post = async (uuid: string, headers: Record<string, string> = {}) =>
  app.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${uuid}/refresh_metadata/`, headers });
const task = async (id: string, headers: Record<string, string> = {}) => app.http.inject({ method: 'GET', url: `/api/v1/tasks/${id}/`, headers });

async function finished(id: string, headers: Record<string, string>) {
  return waitFor(async () => {
    const body = (await task(id, headers)).json<{ state: string; result: Record<string, unknown> | null }>();
    return body.state === 'SUCCESS' || body.state === 'FAILURE' ? body : null;
  }, `task ${id} to finish`);
}

describe('POST /api/v1/enterprise-catalogs/{uuid}/refresh_metadata/', () => {
  let catalog: string;
  let queryId: number;

  before(async () => {
    queryId = await createQuery(db, { content_type: 'learnerpathway' });
    catalog = await createCatalog(db, enterprise, queryId);
  });

  test('401 without credentials, 404 for an unknown or malformed uuid', async () => {
    assert.equal((await post(catalog)).statusCode, 401);
    const headers = await admin(enterprise);
    const unknown = await post(randomUUID(), headers);
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), { detail: 'No EnterpriseCatalog matches the given query.' });
    assert.equal((await post('not-a-uuid', headers)).statusCode, 404);
  });

  test("403 for a learner of the customer and for another customer's admin", async () => {
    assert.equal((await post(catalog, await authHeader({ roles: [`enterprise_learner:${enterprise}`] }))).statusCode, 403);
    assert.equal((await post(catalog, await admin(otherEnterprise))).statusCode, 403);
  });

  test('GET (and other methods) → 405 after authentication', async () => {
    const headers = await admin(enterprise);
    const get = await app.http.inject({ method: 'GET', url: `/api/v1/enterprise-catalogs/${catalog}/refresh_metadata/`, headers });
    assert.equal(get.statusCode, 405);
    assert.deepEqual(get.json(), { detail: 'Method "GET" not allowed.' });
    assert.equal(get.headers.allow, 'POST, OPTIONS');
    assert.equal((await app.http.inject({ method: 'PUT', url: `/api/v1/enterprise-catalogs/${catalog}/refresh_metadata/`, headers })).statusCode, 405);
    assert.equal((await app.http.inject({ method: 'GET', url: `/api/v1/enterprise-catalogs/${catalog}/refresh_metadata/` })).statusCode, 401);
  });

  test('a catalog without a query → 422, not a 500', async () => {
    const bare = await createCatalog(db, enterprise, null);
    const r = await post(bare, await admin(enterprise));
    assert.equal(r.statusCode, 422);
  });

  test('200 {async_task_id}; the task ends SUCCESS with the run outcome; only its requester and admins can read it', async () => {
    const headers = await admin(enterprise, 'alice');
    const r = await post(catalog, headers);
    assert.equal(r.statusCode, 200);
    const { async_task_id: id } = r.json<{ async_task_id: string }>();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const early = (await task(id, headers)).json<{ task_id: string; state: string }>();
    assert.equal(early.task_id, id);
    assert.ok(['PENDING', 'STARTED', 'SUCCESS'].includes(early.state));

    const done = await finished(id, headers);
    assert.equal(done.state, 'SUCCESS');
    assert.equal(done.result?.status, 'success');
    assert.equal(done.result?.catalog_query_id, queryId);
    assert.equal(done.result?.members_added, (await members(db, queryId)).size);
    assert.ok((done.result?.members_added) > 0);

    // Another admin of the customer may read it; a learner of the customer and strangers get 404.
    assert.equal((await task(id, await admin(enterprise, 'bob'))).statusCode, 200);
    assert.equal((await task(id, await authHeader({ roles: [`enterprise_learner:${enterprise}`], username: 'carol' }))).statusCode, 404);
    assert.equal((await task(id, await admin(otherEnterprise, 'dave'))).statusCode, 404);
    assert.equal((await task(id)).statusCode, 401);
    assert.equal((await task(randomUUID(), headers)).statusCode, 404);
  });
});

describe('coalescing', () => {
  test('10 refresh requests while a refresh runs lead to exactly one more run, which serves them all', async () => {
    const queryId = await createQuery(db, { content_type: 'program' });
    // Three catalogs share the query: requests through any of them refresh the one query.
    const catalogs = [await createCatalog(db, enterprise, queryId, 'A'), await createCatalog(db, enterprise, queryId, 'B'), await createCatalog(db, enterprise, queryId, 'C')];
    const headers = await admin(enterprise);
    let release = () => {};
    gate = new Promise<void>((resolve) => (release = resolve));
    sim.resetStats();
    try {
      const first = (await post(catalogs[0] ?? '', headers)).json<{ async_task_id: string }>().async_task_id;
      await waitFor(async () => (await runsOf(db, queryId)).some((r) => r.status === 'running'), 'the first run to start');
      const during: string[] = [];
      for (let i = 0; i < 10; i++) during.push((await post(catalogs[i % 3] ?? '', headers)).json<{ async_task_id: string }>().async_task_id);
      assert.equal((await runsOf(db, queryId)).length, 1, 'the requests did not start a second run while one runs');
      gate = null;
      release();

      for (const id of [first, ...during]) assert.equal((await finished(id, headers)).state, 'SUCCESS');
      const runs = await runsOf(db, queryId);
      assert.equal(runs.length, 2, 'exactly one more run');
      assert.deepEqual(
        runs.map((r) => r.status),
        ['success', 'success'],
      );
      assert.equal((await task(first, headers)).json<{ result: { refresh_run_id: number } }>().result.refresh_run_id, runs[0]?.id);
      const served = new Set<unknown>();
      for (const id of during) served.add((await task(id, headers)).json<{ result: { refresh_run_id: number } }>().result.refresh_run_id);
      assert.deepEqual([...served], [runs[1]?.id], 'the requests made during the first run were served by the second');
      // One search/all fetch per run, whichever catalog asked.
      assert.equal(sim.stats.requests.searchAll, 2);
    } finally {
      gate = null;
      release();
    }
  });
});

describe('metrics', () => {
  test('refresh duration, upstream requests and the age of the stalest query are exposed', async () => {
    const text = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
    for (const line of [
      /^ecat_refresh_duration_seconds_count\{status="success",source="discovery"\} [1-9]/m,
      /^ecat_upstream_requests_total\{source="discovery",endpoint="search_all",status="200"\} [1-9]/m,
      /^ecat_upstream_requests_total\{source="discovery",endpoint="token",status="200"\} 1$/m,
      /^ecat_refresh_stalest_query_age_seconds \d/m,
    ]) {
      assert.ok(line.test(text), `/metrics has ${line.source}`);
    }
  });
});

describe('schedules', () => {
  test('the daily refresh and the stale sweep are scheduled (cron from config)', async () => {
    const { rows } = await db.executeSql(`select name, cron from pgboss.schedule where name like 'refresh_%' order by name`);
    assert.deepEqual(rows, [
      { name: 'refresh_all_queries', cron: app.ctx.config.refreshCron },
      { name: 'refresh_stale_queries', cron: app.ctx.config.refreshStaleCron },
    ]);
  });

  test('the daily fan-out and the stale sweep refresh the queries in use', async () => {
    const daily = await createQuery(db, { org: 'MITx', content_type: 'course' });
    await createCatalog(db, enterprise, daily);
    assert.ok(await app.ctx.jobs.enqueue('refresh_all_queries', { reason: 'daily' }));
    const run = await waitFor(async () => (await runsOf(db, daily)).find((r) => r.status === 'success'), 'the fanned-out refresh');
    assert.equal(run.reason, 'stale', 'a never-refreshed query is refreshed as stale');

    const stale = await createQuery(db, { org: 'HarvardX', content_type: 'course' });
    await createCatalog(db, enterprise, stale);
    assert.ok(await app.ctx.jobs.enqueue('refresh_stale_queries', {}));
    await waitFor(async () => (await runsOf(db, stale)).some((r) => r.status === 'success'), 'the stale sweep’s refresh');
    assert.equal((await runsOf(db, daily)).length, 1, 'a query refreshed within the stale window is left alone');
  });
});
