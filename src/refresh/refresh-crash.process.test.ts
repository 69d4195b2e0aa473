/**
 * A real `kill -9` of an `ecat serve` process in the middle of a refresh (a slow simulator keeps it fetching):
 * the previous membership is intact, and after a restart the job lease reaper puts the job back and the next run
 * completes the refresh, closing the task the API handed out.
 */
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../discovery/simulator.js';
import { generateDataset } from '../discovery/dataset.js';
import { SampleContentSource } from '../discovery/sample.source.js';
import { startEcat, type RunningProcess } from '../../test/helpers/process.js';
import { token } from '../../test/helpers/auth.js';
import { createCatalog, createCustomer, createQuery, members, refreshDeps, runsOf, simulatorHandle, waitFor } from '../../test/helpers/refresh-fixtures.js';
import { mapSearchHit } from './content-mapping.js';
import { refreshQuery } from './refresh.pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'ecat-crash-'));
const databaseUrl = `pglite://${join(dir, 'db')}`;
const secret = 'crash-test-secret';
let sim: DiscoverySimulator;

before(async () => {
  sim = await startDiscoverySimulator({ dataset: generateDataset({ size: 'S', seed: 61 }) });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseUrl); // takes over the lock of a killed process
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function serve(): RunningProcess {
  return startEcat(['serve'], {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'info',
    ECAT_JWT_SECRET: secret,
    ECAT_JOB_POLL_SECONDS: '1',
    ECAT_DISCOVERY_URL: sim.url,
    ECAT_DISCOVERY_TOKEN_URL: sim.tokenUrl,
    ECAT_DISCOVERY_CLIENT_ID: 'ecat-crash-test',
    ECAT_DISCOVERY_CLIENT_SECRET: 'secret',
    ECAT_DISCOVERY_SOURCE: '',
  });
}

describe('kill -9 during a refresh', () => {
  test('leaves the previous membership intact; after a restart the next run completes it', async () => {
    const filter = { content_type: ['course', 'program'] };
    const { catalog, queryId, enterprise, before } = await withDb(async (db) => {
      await migrateToLatest(db);
      const enterprise = await createCustomer(db);
      const queryId = await createQuery(db, filter, { tag: null });
      const catalog = await createCatalog(db, enterprise, queryId);
      const first = await refreshQuery(refreshDeps(db, simulatorHandle(sim)), { queryId, reason: 'created' });
      assert.equal(first.status, 'success');
      return { catalog, queryId, enterprise, before: await members(db, queryId) };
    });

    // Upstream changes (a few courses retired, a day of churn), and answers slowly.
    sim.dataset.update((state) => {
      for (const c of state.courses.filter((c) => !c.retired).slice(0, 8)) c.retired = true;
    });
    sim.dataset.advanceDay();
    const reference = new SampleContentSource({ dataset: sim.dataset });
    const expected = new Set(
      (await reference.searchAll(filter)).items.flatMap((h) => {
        const r = mapSearchHit(h);
        return r.ok ? [r.item.contentKey] : [];
      }),
    );
    assert.notDeepEqual([...expected].sort(), [...before.keys()].sort(), 'the next refresh has something to change');
    sim.setFaults({ latencyMs: 1000 });
    sim.resetStats();

    const auth = { authorization: `JWT ${await token({ secret, roles: [`enterprise_admin:${enterprise}`], username: 'crash-admin' })}` };
    const first = serve();
    let taskId: string;
    try {
      const url = (await first.waitFor(/"url":"(http:\/\/[^"]+)"/))[1];
      const r = await fetch(`${url}/api/v1/enterprise-catalogs/${catalog}/refresh_metadata/`, { method: 'POST', headers: auth });
      assert.equal(r.status, 200);
      taskId = ((await r.json()) as { async_task_id: string }).async_task_id;
      // The refresh is fetching: search/all has been asked, the course details not yet.
      await waitFor(() => sim.stats.requests.searchAll >= 1, 'the refresh to start fetching', 30_000);
      assert.equal(sim.stats.requests.courses, 0);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }

    await withDb(async (db) => {
      const now = await members(db, queryId);
      assert.deepEqual([...now.keys()].sort(), [...before.keys()].sort(), 'membership unchanged by the killed run');
      for (const [key, row] of now) assert.equal(row.modified.getTime(), before.get(key)?.modified.getTime(), `${key} untouched`);
      const runs = await runsOf(db, queryId);
      assert.deepEqual(
        runs.map((r) => r.status),
        ['success', 'running'],
      );
      const task = await db.kysely.selectFrom('task').select('state').where('id', '=', taskId).executeTakeFirstOrThrow();
      assert.equal(task.state, 'STARTED');
    });

    sim.setFaults({});
    const second = serve();
    try {
      const url = (await second.waitFor(/"url":"(http:\/\/[^"]+)"/))[1];
      const done = await waitFor(
        async () => {
          const body = (await (await fetch(`${url}/api/v1/tasks/${taskId}/`, { headers: auth })).json()) as { state: string; result: Record<string, unknown> };
          return body.state === 'SUCCESS' || body.state === 'FAILURE' ? body : null;
        },
        'the resumed refresh to finish',
        45_000,
      );
      assert.equal(done.state, 'SUCCESS');
      assert.equal(done.result.status, 'success');
      assert.match(second.stdout(), /resumed jobs of a dead worker/);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    await withDb(async (db) => {
      const now = await members(db, queryId);
      assert.deepEqual([...now.keys()].sort(), [...expected].sort(), 'the next run completed the refresh');
      const runs = await runsOf(db, queryId);
      assert.deepEqual(
        runs.map((r) => r.status),
        ['success', 'interrupted', 'success'],
      );
    });
  });
});
