/**
 * Row life cycle on a real database: SAP's one chunk per action per run and call interval (§9 items 13, 25), update
 * and delete timestamps and a failed delete (21, 22), orphans deleted only when the configuration says so (15, 16,
 * 23), and the scheduled fan-out that queues only active configurations of active customers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGenericAdapter } from '../../src/channels/generic/generic.adapter.js';
import { enqueueTransmissions } from '../../src/channels/channels.module.js';
import { getAdapter } from '../../src/channels/registry.js';
import { createSapAdapter } from '../../src/channels/sap/sap.adapter.js';
import type { Db } from '../../src/db/database.js';
import { numberedCourse } from '../fakes/content-items.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { SapFake } from '../fakes/lms/sap.fake.js';
import { createConfiguration, startChannelApp, type ChannelTestApp } from '../helpers/channels-app.js';
import { FakeCatalog } from '../helpers/channels-fake-catalog.js';
import { openTestDb, uid } from '../helpers/db.js';

void describe('row life cycle (database)', () => {
  let db: Db;
  let t: ChannelTestApp;
  const catalog = new FakeCatalog();
  const fake = new GenericFake();
  const sap = new SapFake();
  const generic = createGenericAdapter({ timeoutMs: 1_000, defaultRetryAfterMs: 200 });
  // SAP's call interval is five minutes; a second here keeps the test short and still shows the engine waits.
  const sapAdapter = createSapAdapter({ timeoutMs: 2_000, minCallIntervalMs: 1_000 });

  before(async () => {
    db = await openTestDb();
    await Promise.all([fake.start(), sap.start()]);
    t = await startChannelApp(db, { catalog, adapters: (code) => (code === 'GENERIC' ? generic : code === 'SAP' ? sapAdapter : getAdapter(code)) });
  });
  after(async () => {
    await t.close();
    await Promise.all([fake.close(), sap.close()]);
    await db.close();
  });

  const rows = (id: number) =>
    db.kysely.selectFrom('content_metadata_transmission').selectAll().where('configuration_id', '=', id).orderBy('content_id').execute();

  function customer(n: number) {
    const c = uid();
    const cat = uid();
    const k = (i: number) => `${c.slice(0, 6)}+${i}`;
    catalog.addCatalog(cat, c, Array.from({ length: n }, (_, i) => ({ ...numberedCourse(i + 1), key: k(i + 1) })));
    return { customer: c, cat, k };
  }

  void it('13/25. SAP: one OCN call per action per run, spaced by the call interval; deletes go out as INACTIVE', async () => {
    const { customer: c, cat, k } = customer(3);
    const id = await createConfiguration(t.app, {
      enterprise_customer: c,
      channel_code: 'SAP',
      transmission_chunk_size: 2,
      settings: { sapsf_base_url: sap.server.url, sapsf_company_id: sap.companyId, sapsf_user_id: sap.userId, client_id: sap.clientId, client_secret: sap.clientSecret },
    });
    const first = await t.run(id);
    assert.equal(first.status, 'partial');
    assert.equal(first.transmitted?.succeeded, 2, 'one chunk of two');
    assert.equal(first.transmitted?.deferred, 1);
    assert.deepEqual(sap.callSizes, [2]);
    const second = await t.run(id);
    assert.equal(second.transmitted?.succeeded, 1);
    assert.equal(sap.courses.size, 3);

    catalog.remove(cat, k(1));
    catalog.put(cat, { ...numberedCourse(2, 2), key: k(2) });
    const started = Date.now();
    const third = await t.run(id);
    assert.equal(third.status, 'success', third.detail ?? '');
    assert.ok(Date.now() - started >= 1_000, 'the second call waited for the interval');
    assert.equal(sap.courses.get(k(1))?.course['status'], 'INACTIVE');
    assert.equal(sap.courses.get(k(2))?.course['status'], 'ACTIVE');
    const deleted = (await rows(id)).find((r) => r.content_id === k(1));
    assert.ok(deleted?.remote_deleted_at && !deleted.is_live);
    const narrowed = (await rows(id)).find((r) => r.content_id === k(2))?.api_response_body ?? '';
    assert.ok(narrowed.includes(k(2)) && !narrowed.includes(k(1)), 'the response is narrowed to the row');
  });

  void it('21/22. updates set remote_updated_at; a refused delete keeps the row live and marked, with its status', async () => {
    const { customer: c, cat, k } = customer(2);
    const id = await createConfiguration(t.app, { enterprise_customer: c, channel_code: 'GENERIC', settings: { url: fake.hookUrl, signing_secret: fake.signingSecret } });
    await t.run(id);
    catalog.put(cat, { ...numberedCourse(1, 2), key: k(1) });
    await t.run(id);
    const updated = (await rows(id)).find((r) => r.content_id === k(1));
    assert.ok(updated?.remote_updated_at && updated.remote_created_at && updated.api_response_body?.includes('accepted'));

    catalog.remove(cat, k(2));
    fake.server.inject({ status: 410, json: { error: 'gone already?' } }, { routes: ['hook'] });
    const r = await t.run(id);
    assert.equal(r.transmitted?.failed, 1);
    const failed = (await rows(id)).find((row) => row.content_id === k(2));
    assert.ok(failed?.remote_deleted_at, 'the attempt time is recorded');
    assert.equal(failed?.api_response_status_code, 410);
    assert.equal(failed?.is_live, true);
    assert.equal(failed?.marked_for, 'delete');
    assert.equal((await t.run(id)).transmitted?.succeeded, 1, 'an on-demand run sends the delete again');
    assert.equal(fake.items.get(k(2))?.deleted, true);
  });

  void it('15/16/23. a catalog leaving the configuration orphans its rows; they are deleted only with remove_orphaned_content', async () => {
    const c = uid();
    const keep = uid();
    const drop = uid();
    const k = (i: number) => `${c.slice(0, 6)}+${i}`;
    catalog.addCatalog(keep, c, [{ ...numberedCourse(1), key: k(1) }]);
    catalog.addCatalog(drop, c, [{ ...numberedCourse(2), key: k(2) }, { ...numberedCourse(3), key: k(3) }]);
    const id = await createConfiguration(t.app, { enterprise_customer: c, channel_code: 'GENERIC', settings: { url: fake.hookUrl, signing_secret: fake.signingSecret } });
    await t.run(id);
    await db.kysely.updateTable('channel_configuration').set({ catalogs_to_transmit: JSON.stringify([keep]) }).where('id', '=', id).execute();
    const r = await t.run(id);
    assert.equal(r.planned.orphans, 2);
    let audit = await rows(id);
    assert.ok(audit.filter((row) => row.orphaned_at !== null).length === 2);
    assert.ok(audit.every((row) => row.is_live), 'tracked, not deleted');
    // Key 3 shows up in the kept catalog: re-adopted, not created again.
    catalog.put(keep, { ...numberedCourse(3), key: k(3) });
    const from = fake.server.requests.length;
    const readopt = await t.run(id);
    assert.equal(readopt.planned.readopted, 1);
    const creates = fake.server.requests
      .slice(from)
      .map((req) => req.json as { action: string; items: Array<{ content_id: string }> })
      .filter((b) => b.action === 'create' && b.items.some((i) => i.content_id === k(3)));
    assert.equal(creates.length, 0, 'no create for a re-adopted orphan');
    await db.kysely.updateTable('channel_configuration').set({ remove_orphaned_content: true }).where('id', '=', id).execute();
    const removal = await t.run(id);
    assert.equal(removal.transmitted?.byAction.delete.succeeded, 1);
    audit = await rows(id);
    assert.equal(audit.find((row) => row.content_id === k(2))?.is_live, false);
    assert.equal(audit.find((row) => row.content_id === k(3))?.enterprise_customer_catalog_uuid, keep);
    assert.equal(fake.items.get(k(2))?.deleted, true);
  });

  void it('the scheduled fan-out queues active configurations of active customers only', async () => {
    const a = customer(1);
    const b = customer(1);
    const active = await createConfiguration(t.app, { enterprise_customer: a.customer, channel_code: 'GENERIC', settings: { url: fake.hookUrl, signing_secret: fake.signingSecret } });
    const inactive = await createConfiguration(t.app, { enterprise_customer: a.customer, channel_code: 'GENERIC', active: false, settings: { url: fake.hookUrl, signing_secret: fake.signingSecret } });
    const ofInactiveCustomer = await createConfiguration(t.app, { enterprise_customer: b.customer, channel_code: 'CSOD' });
    const deleted = await createConfiguration(t.app, { enterprise_customer: a.customer, channel_code: 'CSOD' });
    await db.kysely.updateTable('channel_configuration').set({ deleted_at: new Date() }).where('id', '=', deleted).execute();
    const c = catalog.customers.get(b.customer);
    assert.ok(c);
    c.active = false;
    const queued = await enqueueTransmissions(t.app.ctx, 'schedule');
    assert.ok(queued.includes(active));
    for (const id of [inactive, ofInactiveCustomer, deleted]) assert.ok(!queued.includes(id), `configuration ${id} is not queued`);
    // Queued twice: coalesced per configuration.
    await enqueueTransmissions(t.app.ctx, 'schedule', { customer: a.customer });
    const jobs = await db.executeSql(`select count(*)::int as n from pgboss.job where name = 'transmit_content_metadata' and singleton_key = $1 and state = 'created'`, [String(active)]);
    assert.equal(jobs.rows[0]?.['n'], 1);
    const summary = await t.run(ofInactiveCustomer, { reason: 'schedule' });
    assert.equal(summary.status, 'skipped');
  });
});
