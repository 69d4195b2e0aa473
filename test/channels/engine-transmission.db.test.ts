/**
 * Transmission runs on a real database, with an in-memory catalog and the fake GENERIC webhook receiver (which
 * checks the signature and replays Idempotency-Key): first and second runs, changes, dry run, receiver faults,
 * back-off, the one-run-per-configuration rule, and Blackboard's rotated refresh token saved encrypted.
 */
import assert from 'node:assert/strict';
import type { KyselyPlugin } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { channelServicesOf } from '../../src/channels/channels.module.js';
import { createBlackboardAdapter } from '../../src/channels/blackboard/blackboard.adapter.js';
import { getAdapter } from '../../src/channels/registry.js';
import { createGenericAdapter } from '../../src/channels/generic/generic.adapter.js';
import { TransmissionService } from '../../src/channels/transmission.service.js';
import { createSecretBox, ENCRYPTED_PREFIX, SecretBox } from '../../src/channels/secrets.js';
import type { Db } from '../../src/db/database.js';
import { numberedCourse } from '../fakes/content-items.js';
import { BlackboardFake } from '../fakes/lms/blackboard.fake.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { createConfiguration, startChannelApp, type ChannelTestApp } from '../helpers/channels-app.js';
import { FakeCatalog } from '../helpers/channels-fake-catalog.js';
import { openTestDb, uid } from '../helpers/db.js';

const courses = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => numberedCourse(from + i));
const key = (n: number) => `edX+Demo${n}X`;

void describe('transmission engine (database)', () => {
  let db: Db;
  let t: ChannelTestApp;
  const catalog = new FakeCatalog();
  const fake = new GenericFake();
  const bb = new BlackboardFake();
  const blackboard = createBlackboardAdapter({ timeoutMs: 2_000 });
  const generic = createGenericAdapter({ timeoutMs: 1_000, defaultRetryAfterMs: 200 });

  before(async () => {
    db = await openTestDb();
    await Promise.all([fake.start(), bb.server.start()]);
    t = await startChannelApp(db, {
      catalog,
      adapters: (code) => (code === 'GENERIC' ? generic : code === 'BLACKBOARD' ? blackboard : getAdapter(code)),
    });
  });
  after(async () => {
    await t.close();
    await Promise.all([fake.close(), bb.server.close()]);
    await db.close();
  });

  async function genericSetup(n: number, extra: Record<string, unknown> = {}) {
    const customer = uid();
    const cat = uid();
    catalog.addCatalog(cat, customer, courses(1, n).map((c) => ({ ...c, key: `${customer.slice(0, 8)}+${String(c['key'])}` })));
    const id = await createConfiguration(t.app, {
      enterprise_customer: customer,
      channel_code: 'GENERIC',
      transmission_chunk_size: 10,
      settings: { url: fake.hookUrl, signing_secret: fake.signingSecret },
      ...extra,
    });
    const k = (i: number) => `${customer.slice(0, 8)}+${key(i)}`;
    return { customer, cat, id, k };
  }

  const rows = (configurationId: number) =>
    db.kysely.selectFrom('content_metadata_transmission').selectAll().where('configuration_id', '=', configurationId).orderBy('content_id').execute();

  void it('first run sends every item once; an immediate second run sends nothing, with no diff and no metadata request', async () => {
    const { id, k } = await genericSetup(25);
    const hooksBefore = fake.server.count('hook');
    catalog.resetCalls();
    const first = await t.run(id);
    assert.equal(first.status, 'success', first.detail ?? '');
    assert.equal(first.transmitted?.succeeded, 25);
    assert.equal(fake.server.count('hook') - hooksBefore, 3, 'chunks of 10');
    for (let i = 1; i <= 25; i++) assert.equal(fake.items.get(k(i))?.writes, 1);
    const audit = await rows(id);
    assert.equal(audit.length, 25);
    assert.ok(audit.every((r) => r.is_live && r.marked_for === null && r.api_response_status_code === 200 && r.remote_created_at !== null));
    assert.equal(first.catalogRequests.byKind['get_content_metadata'], 1);

    catalog.resetCalls();
    const second = await t.run(id);
    assert.equal(second.transmitted?.attempted, 0);
    assert.equal(fake.server.count('hook') - hooksBefore, 3);
    assert.equal(catalog.count('diff'), 0);
    assert.equal(catalog.count('metadata'), 0);
    assert.equal(second.catalogs.skipped, 1);
    assert.deepEqual(second.catalogRequests.byKind, { list_catalogs: 1, content_version: 1, generate_diff: 0, get_content_metadata: 0, customer: 1 });
  });

  void it('after changes: updates the changed, creates the new, deletes the retired; metadata only for creates and updates', async () => {
    const { id, cat, k, customer } = await genericSetup(6);
    await t.run(id);
    catalog.put(cat, { ...numberedCourse(2, 2), key: k(2) });
    catalog.put(cat, { ...numberedCourse(7), key: k(7) });
    catalog.remove(cat, k(3));
    catalog.resetCalls();
    const r = await t.run(id);
    assert.equal(r.status, 'success');
    assert.deepEqual(r.transmitted?.byAction, { create: { succeeded: 1, failed: 0 }, update: { succeeded: 1, failed: 0 }, delete: { succeeded: 1, failed: 0 } });
    assert.deepEqual(catalog.calls.filter((c) => c.kind === 'metadata').flatMap((c) => c.keys).sort(), [k(2), k(7)].sort());
    assert.equal(fake.items.get(k(3))?.deleted, true);
    assert.equal(fake.items.get(k(2))?.item['title'], 'Demo course 2 (v2)');
    assert.equal(fake.items.get(k(7))?.writes, 1);
    const deleted = (await rows(id)).find((row) => row.content_id === k(3));
    assert.ok(deleted?.remote_deleted_at && !deleted.is_live, 'soft delete: the row stays with remote_deleted_at');
    assert.equal(customer.length, 36);
  });

  void it('24. a dry run sends nothing and changes no row', async () => {
    const { id, cat, k } = await genericSetup(3);
    await t.run(id);
    await db.kysely.updateTable('channel_configuration').set({ dry_run_mode_enabled: true }).where('id', '=', id).execute();
    catalog.put(cat, { ...numberedCourse(1, 5), key: k(1) });
    catalog.put(cat, { ...numberedCourse(9), key: k(9) });
    const before = JSON.stringify(await rows(id));
    const syncBefore = JSON.stringify(await db.kysely.selectFrom('channel_catalog_sync').selectAll().where('configuration_id', '=', id).execute());
    const hooks = fake.server.count('hook');
    const r = await t.run(id);
    assert.equal(r.dryRun, true);
    assert.deepEqual(r.wouldSend, { delete: 0, create: 1, update: 1 });
    assert.equal(fake.server.count('hook'), hooks);
    assert.equal(JSON.stringify(await rows(id)), before);
    assert.equal(JSON.stringify(await db.kysely.selectFrom('channel_catalog_sync').selectAll().where('configuration_id', '=', id).execute()), syncBefore);
    await db.kysely.updateTable('channel_configuration').set({ dry_run_mode_enabled: false }).where('id', '=', id).execute();
  });

  void it('500s: retried within the run; a longer outage stops the run and a later run delivers every item once', async () => {
    const { id, k } = await genericSetup(20);
    fake.server.inject({ status: 500, json: { error: 'boom' } }, { routes: ['hook'], times: 2 });
    const r = await t.run(id);
    assert.equal(r.status, 'success');
    assert.equal(r.transmitted?.succeeded, 20);

    const outage = await genericSetup(20);
    fake.server.inject({ status: 503, json: { error: 'down' } }, { routes: ['hook'], times: 3, after: 1 });
    const down = await t.run(outage.id);
    assert.equal(down.status, 'partial');
    assert.match(down.detail ?? '', /unavailable/);
    const audit = await rows(outage.id);
    assert.equal(audit.filter((row) => row.is_live).length, 10);
    assert.equal(audit.filter((row) => row.api_response_status_code === 503 && row.remote_errored_at !== null).length, 10);
    assert.equal(audit.filter((row) => row.marked_for === 'create').length, 10);
    // A scheduled run within the back-off leaves the failed chunk alone ...
    const scheduled = await t.run(outage.id, { reason: 'schedule' });
    assert.equal(scheduled.transmitted?.attempted, 0);
    // ... an on-demand run sends it.
    const recovered = await t.run(outage.id);
    assert.equal(recovered.transmitted?.succeeded, 10, 'the failed chunk');
    for (let i = 1; i <= 20; i++) {
      assert.equal(fake.items.get(outage.k(i))?.writes, 1, `${outage.k(i)} created exactly once`);
      assert.equal(fake.items.get(k(i))?.writes, 1);
    }
    assert.ok((await rows(outage.id)).every((row) => row.is_live && row.marked_for === null && row.remote_errored_at === null));
  });

  void it('429 with Retry-After: waited for within the budget', async () => {
    const { id } = await genericSetup(5);
    fake.server.inject({ status: 429, headers: { 'retry-after': '1' }, json: { error: 'slow down' } }, { routes: ['hook'] });
    const started = Date.now();
    const r = await t.run(id);
    assert.equal(r.status, 'success');
    assert.equal(r.transmitted?.succeeded, 5);
    assert.ok(Date.now() - started >= 1_000, 'waited for Retry-After');
  });

  void it('429 beyond the budget: the run stops, the rows wait for Retry-After', async () => {
    const { id } = await genericSetup(5);
    fake.server.inject({ status: 429, headers: { 'retry-after': '3600' }, json: { error: 'slow down' } }, { routes: ['hook'] });
    const r = await t.run(id);
    assert.equal(r.status, 'partial');
    assert.match(r.detail ?? '', /rate limited/);
    const audit = await rows(id);
    assert.ok(audit.every((row) => row.api_response_status_code === 429 && row.next_attempt_at !== null));
    const waitMs = (audit[0]?.next_attempt_at?.getTime() ?? 0) - Date.now();
    assert.ok(waitMs > 3_500_000 && waitMs <= 3_600_000, `retry after about an hour, got ${waitMs}`);
    assert.equal((await t.run(id)).transmitted?.succeeded, 5, 'an on-demand run sends them');
  });

  void it('timeouts: a hung receiver is retried and every item arrives once', async () => {
    const { id, k } = await genericSetup(4);
    fake.server.inject({ hang: true }, { routes: ['hook'] });
    const r = await t.run(id);
    assert.equal(r.status, 'success', r.detail ?? '');
    for (let i = 1; i <= 4; i++) assert.equal(fake.items.get(k(i))?.writes, 1);
  });

  void it('P13. a refused create retried later never inserts a second row; scheduled runs honour the back-off (P9)', async () => {
    const { id, k } = await genericSetup(1);
    fake.server.inject({ status: 422, json: { error: 'rejected' } }, { routes: ['hook'] });
    const r = await t.run(id);
    assert.equal(r.transmitted?.failed, 1);
    let audit = await rows(id);
    assert.equal(audit[0]?.api_response_status_code, 422);
    assert.equal(audit[0]?.marked_for, 'create');
    assert.ok((audit[0]?.next_attempt_at?.getTime() ?? 0) > Date.now() + 23 * 3_600_000, '24 h back-off');
    assert.equal((await t.run(id, { reason: 'schedule' })).transmitted?.attempted, 0);
    assert.equal((await t.run(id, { reason: 'schedule' })).transmitted?.attempted, 0);
    assert.equal((await t.run(id)).transmitted?.succeeded, 1);
    audit = await rows(id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.is_live, true);
    assert.equal(fake.items.get(k(1))?.writes, 1);
  });

  /** A transmission service whose database handle records every statement (as its operation tree) and transaction. */
  function countingService() {
    const statements: string[] = [];
    let transactions = 0;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        statements.push(JSON.stringify(args.node));
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted: Db = {
      ...db,
      kysely: db.kysely.withPlugin(plugin),
      transaction: (fn, label) => {
        transactions++;
        return db.transaction((trx) => fn(trx.withPlugin(plugin)), label);
      },
    };
    const service = new TransmissionService({
      db: counted,
      catalog: channelServicesOf(t.app.ctx).catalog,
      logger: t.app.ctx.logger,
      secrets: createSecretBox(t.app.ctx.config.secretKey),
      budgetMs: 60_000,
      permanentBackoffMs: 3_600_000,
      fullDiffAfterMs: 3_600_000,
      adapters: () => generic,
    });
    return {
      service,
      reset: () => {
        statements.length = 0;
        transactions = 0;
      },
      get transactions() {
        return transactions;
      },
      statements,
    };
  }
  const touches = (statement: string, table: string) => statement.includes(`"name":"${table}"`);

  void it('a run with nothing to do costs a few statements: no transaction, no audit row read one by one', async () => {
    const { id } = await genericSetup(40);
    const c = countingService();
    assert.equal((await c.service.run(id, { reason: 'on_demand' })).transmitted?.succeeded, 40);
    c.reset();
    const second = await c.service.run(id, { reason: 'schedule' });
    assert.equal(second.status, 'success');
    assert.equal(second.catalogs.skipped, 1);
    assert.equal(c.transactions, 0, 'nothing to save, so no transaction');
    // Lease with the configuration, run start, audit summary, sync states, run end.
    assert.ok(c.statements.length <= 5, `${c.statements.length} statements`);
    assert.equal(c.statements.filter((st) => touches(st, 'content_metadata_transmission')).length, 1, 'only the per-catalog summary of the audit');
  });

  void it('each call is recorded in one statement (outcomes, request log, sync attempt), not in a transaction of its own', async () => {
    const { id } = await genericSetup(40);
    const c = countingService();
    const r = await c.service.run(id, { reason: 'on_demand' });
    assert.equal(r.transmitted?.succeeded, 40);
    assert.equal(r.transmitted?.calls, 4, 'chunks of 10');
    assert.equal(c.transactions, 1, 'only the intent (the export plan) is saved in a transaction');
    const callRecords = c.statements.filter((st) => touches(st, 'content_metadata_transmission') && touches(st, 'channel_request_log') && touches(st, 'channel_configuration'));
    assert.equal(callRecords.length, 4, 'one statement per call');
    const audit = await rows(id);
    assert.ok(audit.every((row) => row.is_live && row.marked_for === null && row.api_response_status_code === 200));
    const logged = await db.kysely.selectFrom('channel_request_log').select((eb) => eb.fn.countAll<number>().as('n')).where('configuration_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(Number(logged.n), 4);
    const config = await db.kysely.selectFrom('channel_configuration').select('last_content_sync_attempted_at').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(config.last_content_sync_attempted_at !== null);
  });

  void it('a run with nothing to do still records what a catalog that left the configuration leaves behind', async () => {
    const customer = uid();
    const [catA, catB] = [uid(), uid()];
    catalog.addCatalog(catA, customer, courses(1, 3).map((c) => ({ ...c, key: `${customer.slice(0, 8)}+A${String(c['key'])}` })));
    catalog.addCatalog(catB, customer, courses(1, 2).map((c) => ({ ...c, key: `${customer.slice(0, 8)}+B${String(c['key'])}` })));
    const id = await createConfiguration(t.app, {
      enterprise_customer: customer,
      channel_code: 'GENERIC',
      catalogs_to_transmit: [catA, catB],
      settings: { url: fake.hookUrl, signing_secret: fake.signingSecret },
    });
    assert.equal((await t.run(id)).transmitted?.succeeded, 5);
    // Catalog B leaves the configuration; catalog A has not changed, so there is nothing to diff.
    await db.kysely.updateTable('channel_configuration').set({ catalogs_to_transmit: JSON.stringify([catA]) }).where('id', '=', id).execute();
    const r = await t.run(id, { reason: 'schedule' });
    assert.equal(r.catalogs.skipped, 1);
    assert.equal(r.planned.orphans, 2);
    const orphaned = (await rows(id)).filter((row) => row.orphaned_at !== null).map((row) => row.enterprise_customer_catalog_uuid);
    assert.deepEqual(orphaned, [catB, catB]);
    assert.equal((await t.run(id, { reason: 'schedule' })).planned.orphans, 2, 'recorded orphans are counted without reading the rows');
  });

  void it('28. a second transmission of a configuration does not start while one runs', async () => {
    const { id } = await genericSetup(2);
    const d = channelServicesOf(t.app.ctx);
    const other = new TransmissionService({
      db,
      catalog: d.catalog,
      logger: t.app.ctx.logger,
      secrets: new SecretBox('0'.repeat(64)),
      budgetMs: 60_000,
      permanentBackoffMs: 1,
      fullDiffAfterMs: 1,
      leaseWaitMs: 0,
      adapters: () => generic,
    });
    fake.server.inject({ hang: true }, { routes: ['hook'] });
    const running = t.run(id);
    await new Promise((r) => setTimeout(r, 300));
    const second = await other.run(id, { reason: 'schedule' });
    assert.equal(second.status, 'skipped');
    assert.match(second.detail ?? '', /running/);
    assert.equal((await running).status, 'success');
  });

  void it('Blackboard: the rotated refresh token is saved, encrypted, before it is used', async () => {
    const customer = uid();
    const cat = uid();
    catalog.addCatalog(cat, customer, courses(1, 2).map((c) => ({ ...c, key: `${customer.slice(0, 8)}+${String(c['key'])}` })));
    const id = await createConfiguration(t.app, {
      enterprise_customer: customer,
      channel_code: 'BLACKBOARD',
      settings: { blackboard_base_url: bb.server.url, client_id: bb.appKey, client_secret: bb.appSecret, refresh_token: bb.currentRefreshToken },
    });
    const r = await t.run(id);
    assert.equal(r.status, 'success', r.detail ?? '');
    assert.equal(bb.courses.size, 2);
    const stored = await db.kysely.selectFrom('channel_configuration').select('settings').where('id', '=', id).executeTakeFirstOrThrow();
    const token = stored.settings['refresh_token'];
    assert.ok(typeof token === 'string' && token.startsWith(ENCRYPTED_PREFIX));
    assert.equal(new SecretBox('0'.repeat(64)).decrypt(token, 'refresh_token'), bb.currentRefreshToken);
    assert.ok(!JSON.stringify(stored.settings).includes(bb.appSecret));
    assert.equal((await t.run(id)).status, 'success', 'the next run uses the saved token');
  });
});
