/**
 * End to end over real HTTP: the discovery simulator upstream, the catalog API and refresh pipeline of a running app,
 * and GENERIC webhook receivers. The same scenario runs through the in-process catalog client (queued jobs, an
 * on-demand task) and through the HTTP client (`ECAT_CATALOG_API_URL` pointing at the running app):
 * 1. the first run sends every item once;
 * 2. an immediate second run sends nothing, makes no diff and no metadata request;
 * 3. after `advanceDay()` and a refresh, the next run sends exactly the changed items as updates, the new ones as
 *    creates and the retired ones as deletes, and fetches metadata only for creates and updates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from '../../src/app.js';
import { catalogModule } from '../../src/catalog/catalog.module.js';
import { channelServicesOf, createChannelsModule } from '../../src/channels/channels.module.js';
import { createGenericAdapter } from '../../src/channels/generic/generic.adapter.js';
import { getAdapter } from '../../src/channels/registry.js';
import type { RunSummary } from '../../src/channels/transmission.service.js';
import type { Db } from '../../src/db/database.js';
import { generateDataset } from '../../src/discovery/dataset.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../../src/discovery/simulator.js';
import { systemModule } from '../../src/http/system.module.js';
import { createRefreshModule } from '../../src/refresh/refresh.module.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { authHeader } from '../helpers/auth.js';
import { openTestDb, testConfig, uid } from '../helpers/db.js';
import { simulatorHandle, queryMembersModified, waitFor, waitForQueryRefresh } from '../helpers/refresh-fixtures.js';

const NEVER = '0 0 1 1 *';
const quiet = { transmitCron: NEVER, refreshCron: NEVER, refreshStaleCron: NEVER } as const;

interface Receiver {
  fake: GenericFake;
  configurationId: number;
}

void describe('channels end to end (simulator → catalog → webhook)', () => {
  let db: Db;
  let sim: DiscoverySimulator;
  let server: App;
  let remote: App;
  let serverUrl: string;
  const customer = uid();
  let catalogUuid: string;
  let queryId: number;
  const viaProcess: Receiver = { fake: new GenericFake(), configurationId: 0 };
  const viaHttp: Receiver = { fake: new GenericFake(), configurationId: 0 };
  const generic = createGenericAdapter({ timeoutMs: 5_000 });
  const adapters = (code: string) => (code === 'GENERIC' ? generic : getAdapter(code));
  const su = () => authHeader({ administrator: true, username: 'root' });

  before(async () => {
    db = await openTestDb();
    sim = await startDiscoverySimulator({ dataset: generateDataset({ size: 'S', seed: 7 }) });
    await Promise.all([viaProcess.fake.start(), viaHttp.fake.start()]);
    server = await createApp(testConfig(quiet), {
      db,
      work: true,
      modules: [systemModule, catalogModule, createRefreshModule({ source: (ctx) => simulatorHandle(sim, ctx.metrics) }), createChannelsModule({ adapters })],
    });
    serverUrl = await server.listen();
    // The same engine, reading the catalog only through its HTTP API.
    remote = await createApp(testConfig({ ...quiet, catalogApiUrl: serverUrl }), { db, work: false, modules: [createChannelsModule({ adapters })] });
    await remote.start();

    const created = await server.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-catalogs/',
      headers: await su(),
      payload: { title: 'All courses', enterprise_customer: customer, enterprise_customer_name: 'Acme Learning', content_filter: { content_type: 'course', e2e: customer } },
    });
    assert.equal(created.statusCode, 201, created.body);
    catalogUuid = created.json<{ uuid: string }>().uuid;
    const row = await db.kysely.selectFrom('enterprise_catalog').select('catalog_query_id').where('uuid', '=', catalogUuid).executeTakeFirstOrThrow();
    queryId = row.catalog_query_id as number;
    await refreshed(null);

    for (const [app, r] of [
      [server, viaProcess],
      [remote, viaHttp],
    ] as const) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/integrated-channels/configurations/',
        headers: await su(),
        payload: {
          enterprise_customer: customer,
          channel_code: 'GENERIC',
          catalogs_to_transmit: [catalogUuid],
          transmission_chunk_size: 50,
          settings: { url: r.fake.hookUrl, signing_secret: r.fake.signingSecret },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      r.configurationId = res.json<{ id: number }>().id;
    }
  });

  after(async () => {
    await remote.close();
    await server.close();
    await Promise.all([viaProcess.fake.close(), viaHttp.fake.close(), sim.close()]);
    await db.close();
  });

  const refreshed = (since: Date | null) => waitForQueryRefresh(db, server, { queryId, catalogUuid, headers: su }, since);
  const members = () => queryMembersModified(db, queryId);

  /** A run through the queue, as an admin's POST transmit does it; its task carries the summary. */
  async function runQueued(r: Receiver): Promise<RunSummary> {
    const res = await server.http.inject({ method: 'POST', url: `/api/v1/integrated-channels/configurations/${r.configurationId}/transmit/`, headers: await su() });
    assert.equal(res.statusCode, 200, res.body);
    const taskId = res.json<{ async_task_id: string }>().async_task_id;
    const task = await waitFor(
      async () => {
        const t = await db.kysely.selectFrom('task').select(['state', 'result']).where('id', '=', taskId).executeTakeFirst();
        return t && (t.state === 'SUCCESS' || t.state === 'FAILURE') ? t : null;
      },
      'the transmission task',
      60_000,
    );
    assert.equal(task.state, 'SUCCESS');
    return task.result as RunSummary;
  }

  const runRemote = (r: Receiver) => channelServicesOf(remote.ctx).transmission.run(r.configurationId, { reason: 'on_demand' });

  /** Deliveries since `from`: content ids by action. */
  function deliveries(fake: GenericFake, from: number): Record<'create' | 'update' | 'delete', string[]> {
    const out = { create: [] as string[], update: [] as string[], delete: [] as string[] };
    for (const req of fake.server.requests.slice(from)) {
      const body = req.json as { action: 'create' | 'update' | 'delete'; items: Array<{ content_id: string }> };
      out[body.action].push(...body.items.map((i) => i.content_id));
    }
    for (const k of Object.keys(out) as Array<keyof typeof out>) out[k].sort();
    return out;
  }

  let initial: Map<string, number>;

  void it('1. the first run sends every item once (in-process and HTTP catalog clients)', async (t) => {
    initial = await members();
    assert.ok(initial.size > 20, `the catalog holds content (${initial.size})`);
    const a = await runQueued(viaProcess);
    const b = await runRemote(viaHttp);
    for (const [summary, r] of [
      [a, viaProcess],
      [b, viaHttp],
    ] as const) {
      assert.equal(summary.status, 'success', summary.detail ?? '');
      assert.equal(summary.transmitted?.succeeded, initial.size);
      assert.deepEqual(deliveries(r.fake, 0).create, [...initial.keys()].sort());
      assert.ok([...r.fake.items.values()].every((i) => i.writes === 1));
    }
    assert.equal(b.catalogRequests.byKind['get_content_metadata'], Math.ceil(initial.size / 100), 'pages of 100 keys');
    t.diagnostic(`first run: ${initial.size} items; in-process ${a.durationMs} ms, ${a.catalogRequests.total} catalog requests; HTTP ${b.durationMs} ms, ${b.catalogRequests.total} catalog requests`);
  });

  void it('2. an immediate second run sends nothing, makes no diff and no metadata request', async (t) => {
    const before = [viaProcess.fake.server.count('hook'), viaHttp.fake.server.count('hook')];
    const a = await runQueued(viaProcess);
    const b = await runRemote(viaHttp);
    for (const s of [a, b]) {
      assert.equal(s.transmitted?.attempted, 0);
      assert.equal(s.catalogs.skipped, 1);
      assert.equal(s.catalogRequests.byKind['generate_diff'], 0);
      assert.equal(s.catalogRequests.byKind['get_content_metadata'], 0);
    }
    assert.equal(b.catalogRequests.total, 2, 'HTTP: the catalog list and one detail read');
    assert.deepEqual([viaProcess.fake.server.count('hook'), viaHttp.fake.server.count('hook')], before);
    t.diagnostic(`second run: in-process ${a.durationMs} ms, ${a.catalogRequests.total} catalog requests; HTTP ${b.durationMs} ms, ${b.catalogRequests.total} catalog requests`);
  });

  void it('3. after advanceDay() and a refresh: exactly the changed, new and retired items', async (t) => {
    const hookFrom = [viaProcess.fake.server.requests.length, viaHttp.fake.server.requests.length];
    const beforeDay = await members();
    const started = new Date();
    // Advance until the churn touched courses of each kind (a day's churn is small and may hit other content).
    const churn = { changed: 0, added: 0, retired: 0 };
    for (let day = 0; day < 40 && (churn.changed === 0 || churn.added === 0 || churn.retired === 0); day++) {
      const c = sim.dataset.advanceDay();
      churn.changed += c.changed.filter((k) => k.startsWith('course:')).length;
      churn.added += c.added.filter((k) => k.startsWith('course:')).length;
      churn.retired += c.retired.filter((k) => k.startsWith('course:')).length;
    }
    const refresh = await server.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${catalogUuid}/refresh_metadata/`, headers: await su() });
    assert.equal(refresh.statusCode, 200, refresh.body);
    await refreshed(started);
    const afterDay = await members();
    const expected = {
      create: [...afterDay.keys()].filter((k) => !beforeDay.has(k)).sort(),
      update: [...afterDay.keys()].filter((k) => beforeDay.has(k) && beforeDay.get(k) !== afterDay.get(k)).sort(),
      delete: [...beforeDay.keys()].filter((k) => !afterDay.has(k)).sort(),
    };
    assert.ok(expected.create.length > 0 && expected.update.length > 0 && expected.delete.length > 0, JSON.stringify({ churn, n: [expected.create.length, expected.update.length, expected.delete.length] }));

    const a = await runQueued(viaProcess);
    const b = await runRemote(viaHttp);
    for (const [summary, r, from] of [
      [a, viaProcess, hookFrom[0]],
      [b, viaHttp, hookFrom[1]],
    ] as const) {
      assert.equal(summary.status, 'success', summary.detail ?? '');
      assert.deepEqual(deliveries(r.fake, from ?? 0), expected);
      assert.equal(summary.catalogRequests.byKind['generate_diff'], 1);
      assert.equal(summary.catalogRequests.byKind['get_content_metadata'], Math.ceil((expected.create.length + expected.update.length) / 100));
      for (const k of expected.delete) assert.equal(r.fake.items.get(k)?.deleted, true);
      const audit = await db.kysely
        .selectFrom('content_metadata_transmission')
        .select(['content_id', 'is_live', 'marked_for'])
        .where('configuration_id', '=', r.configurationId)
        .execute();
      assert.ok(audit.every((row) => row.marked_for === null));
      const live = audit.filter((row) => row.is_live).map((row) => row.content_id).sort();
      assert.deepEqual(live, [...afterDay.keys()].sort(), 'audit rows agree with the catalog');
      const held = [...r.fake.items.entries()].filter(([, v]) => !v.deleted).map(([k]) => k).sort();
      assert.deepEqual(held, live, 'audit rows agree with what the receiver holds');
    }
    t.diagnostic(
      `after the churn: ${expected.create.length} creates, ${expected.update.length} updates, ${expected.delete.length} deletes; ` +
        `catalog requests in-process ${a.catalogRequests.total}, HTTP ${b.catalogRequests.total}`,
    );
  });
});
