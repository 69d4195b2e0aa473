/**
 * Refresh triggers across modules, through the catalog API: creating a catalog and changing its filter refresh
 * its query (the catalog module enqueues, this module runs), so `get_content_metadata` serves the new content;
 * catalogs sharing a filter share one query and one upstream fetch.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { createApp, type App } from '../app.js';
import { systemModule } from '../http/system.module.js';
import { catalogModule } from '../catalog/catalog.module.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../discovery/simulator.js';
import { generateDataset } from '../discovery/dataset.js';
import { SampleContentSource } from '../discovery/sample.source.js';
import { SEARCH_PAGE_SIZE } from '../discovery/content-source.js';
import { openTestDb, testConfig } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { members, runsOf, simulatorHandle, waitFor } from '../../test/helpers/refresh-fixtures.js';
import { queryIdOf as catalogQueryId } from '../../test/helpers/catalog-fixtures.js';
import { createRefreshModule } from './refresh.module.js';

let db: Db;
let app: App;
let sim: DiscoverySimulator;
const enterprise = randomUUID();

before(async () => {
  db = await openTestDb();
  sim = await startDiscoverySimulator({ dataset: generateDataset({ size: 'S', seed: 81 }) });
  app = await createApp(testConfig(), {
    db,
    work: true,
    modules: [systemModule, catalogModule, createRefreshModule({ source: (ctx) => simulatorHandle(sim, ctx.metrics) })],
  });
  await app.start();
});
after(async () => {
  await app.close();
  await sim.close();
  await db.close();
});

const provisioning = () => authHeader({ roles: [`enterprise_provisioning_admin:*`, `enterprise_admin:${enterprise}`], username: 'provisioner' });

/** Keys of the catalog's content once its refresh finished (all pages of get_content_metadata). */
async function contentKeys(catalog: string): Promise<Set<string>> {
  const headers = await provisioning();
  const keys = new Set<string>();
  let url: string | null = `/api/v1/enterprise-catalogs/${catalog}/get_content_metadata/?page_size=100`;
  while (url) {
    const r: { statusCode: number; body: string; json<T>(): T } = await app.http.inject({ method: 'GET', url, headers });
    assert.equal(r.statusCode, 200, r.body);
    const page = r.json<{ next: string | null; results: { key?: string; uuid?: string }[] }>();
    for (const item of page.results) keys.add(String(item.key ?? item.uuid));
    url = page.next === null ? null : page.next.slice(page.next.indexOf('/api/'));
  }
  return keys;
}

async function createCatalog(title: string, contentFilter: Record<string, unknown>): Promise<string> {
  const r = await app.http.inject({
    method: 'POST',
    url: '/api/v1/enterprise-catalogs/',
    headers: await provisioning(),
    payload: { title, enterprise_customer: enterprise, enterprise_customer_name: 'Triggers Inc', content_filter: contentFilter },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ uuid: string }>().uuid;
}

const refreshed = (queryId: number, count: number) =>
  waitFor(async () => {
    const runs = (await runsOf(db, queryId)).filter((r) => r.status !== 'running');
    return runs.length >= count ? runs : null;
  }, `refresh #${count} of query ${queryId}`);

describe('refresh triggers', () => {
  test('creating a catalog refreshes its query; changing the filter refreshes again and the content follows', async () => {
    const catalog = await createCatalog('Programs', { content_type: 'program' });
    const first = await catalogQueryId(db, catalog);
    const [run] = await refreshed(first, 1);
    assert.equal(run?.status, 'success');
    assert.equal(run?.reason, 'created');
    // The API reads a membership index that follows the refresh's change events (bounded staleness).
    const programs = await waitFor(async () => {
      const keys = await contentKeys(catalog);
      return keys.size === run?.members_after ? keys : null;
    }, 'the catalog to serve the refreshed content');
    assert.ok(programs.size > 0);

    const r = await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/enterprise-catalogs/${catalog}/`,
      headers: await provisioning(),
      payload: { content_filter: { content_type: 'learnerpathway' } },
    });
    assert.equal(r.statusCode, 200, r.body);
    // The catalog's own query is rewritten with the new filter (or it moves to another query): either way refreshed.
    const second = await catalogQueryId(db, catalog);
    const runs = await refreshed(second, second === first ? 2 : 1);
    assert.equal(runs.at(-1)?.status, 'success');
    assert.equal(runs.at(-1)?.reason, second === first ? 'filter_changed' : 'created');
    const pathways = await waitFor(async () => {
      const keys = await contentKeys(catalog);
      return keys.size === runs.at(-1)?.members_after && ![...keys].some((k) => programs.has(k)) ? keys : null;
    }, 'the catalog to serve the new filter’s content');
    assert.ok(pathways.size > 0);
  });

  test('three catalogs with one filter share one query; the daily refresh fetches it once', async () => {
    const filter = { content_type: 'course', level_type: 'Advanced' };
    const catalogs = [await createCatalog('A', filter), await createCatalog('B', filter), await createCatalog('C', filter)];
    const ids = new Set(await Promise.all(catalogs.map((c) => catalogQueryId(db, c))));
    assert.equal(ids.size, 1, 'one query for the three catalogs');
    const queryId = [...ids][0] ?? 0;
    await refreshed(queryId, 1);
    // Let any refresh the three creates queued finish before counting.
    await new Promise((r) => setTimeout(r, 2500));
    const runsBefore = (await runsOf(db, queryId)).length;

    assert.ok(await app.ctx.jobs.enqueue('refresh_all_queries', { reason: 'daily' }));
    const runs = await refreshed(queryId, runsBefore + 1);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await runsOf(db, queryId)).length, runsBefore + 1, 'one run for the shared query');
    const reference = new SampleContentSource({ dataset: sim.dataset });
    const pages = Math.ceil((await reference.searchAll(filter)).items.length / SEARCH_PAGE_SIZE);
    assert.equal(runs.at(-1)?.pages, pages);
    assert.equal(runs.at(-1)?.status, 'success');
    for (const uuid of catalogs) assert.ok((await contentKeys(uuid)).size > 0);
  });

  test('a re-fetch of unchanged data leaves every generate_diff date_updated as it was; after a day of churn exactly the changed items move', async () => {
    const catalog = await createCatalog('Diff', { content_type: ['course', 'courserun'], org: ['MITx', 'HarvardX', 'BerkeleyX'] });
    const queryId = await catalogQueryId(db, catalog);
    await refreshed(queryId, 1);
    const headers = await provisioning();
    const refresh = async () => {
      const r = await app.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${catalog}/refresh_metadata/`, headers });
      const id = r.json<{ async_task_id: string }>().async_task_id;
      await waitFor(async () => {
        const t = await app.http.inject({ method: 'GET', url: `/api/v1/tasks/${id}/`, headers });
        return t.json<{ state: string }>().state === 'SUCCESS';
      }, 'the refresh task');
    };
    const diff = async (keys: readonly string[]) => {
      const r = await app.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${catalog}/generate_diff/`, headers, payload: { content_keys: keys } });
      assert.equal(r.statusCode, 200, r.body);
      return new Map(r.json<{ items_found: { content_key: string; date_updated: string }[] }>().items_found.map((i) => [i.content_key, i.date_updated]));
    };
    const modifiedOf = async () => new Map([...(await members(db, queryId))].map(([k, r]) => [k, r.modified.getTime()]));

    const modified0 = await modifiedOf();
    const keys = [...modified0.keys()];
    const d0 = await waitFor(async () => {
      const d = await diff(keys);
      return d.size === keys.length ? d : null;
    }, 'the diff to see every member');

    await refresh();
    assert.deepEqual(await modifiedOf(), modified0);
    assert.deepEqual(await diff(keys), d0, 'a re-fetch of unchanged data moves no date_updated');

    sim.dataset.advanceDay();
    await refresh();
    const modified1 = await modifiedOf();
    const moved = keys.filter((k) => modified1.has(k) && modified1.get(k) !== modified0.get(k));
    assert.ok(moved.length > 0, 'a day of churn changed some of these items');
    const stayed = keys.filter((k) => modified1.has(k) && !moved.includes(k));
    const d1 = await waitFor(async () => {
      const d = await diff(keys);
      return moved.every((k) => d.get(k) !== d0.get(k)) ? d : null;
    }, 'the diff to show the changed items');
    for (const k of stayed) assert.equal(d1.get(k), d0.get(k), `${k} did not change`);
    for (const k of moved) assert.ok((d1.get(k) ?? '') > (d0.get(k) ?? ''), `${k} changed`);
  });
});
