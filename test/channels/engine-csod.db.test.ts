/**
 * Cornerstone pulls: the scheduled run exports CSOD configurations without sending anything; `course-list` answers
 * the full current state, `course-updates` what changed since the last poll (deletions with `IsActive: false`) and
 * marks it transmitted (§9 item 26).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/database.js';
import { numberedCourse, sampleCourse } from '../fakes/content-items.js';
import { authHeader } from '../helpers/auth.js';
import { adminOf, createConfiguration, startChannelApp, type ChannelTestApp } from '../helpers/channels-app.js';
import { FakeCatalog } from '../helpers/channels-fake-catalog.js';
import { openTestDb, uid } from '../helpers/db.js';

const REQUIRED_KEYS = ['Description', 'ID', 'IsActive', 'IsMobile', 'Languages', 'LastModifiedUTC', 'Partners', 'Subjects', 'Thumbnail', 'Title', 'URL'];

void describe('Cornerstone pull (database)', () => {
  let db: Db;
  let t: ChannelTestApp;
  const catalog = new FakeCatalog();

  before(async () => {
    db = await openTestDb();
    t = await startChannelApp(db, { catalog });
  });
  after(async () => {
    await t.close();
    await db.close();
  });

  async function csodCustomer(n: number) {
    const customer = uid();
    const cat = uid();
    const k = (i: number) => `${customer.slice(0, 6)}+${i}`;
    catalog.addCatalog(cat, customer, Array.from({ length: n }, (_, i) => ({ ...numberedCourse(i + 1), key: k(i + 1) })));
    const id = await createConfiguration(t.app, {
      enterprise_customer: customer,
      channel_code: 'CSOD',
      settings: { subject_mapping: { Technology: ['computer science'] }, languages: ['en-US', 'es-ES'] },
    });
    return { customer, cat, id, k, headers: await adminOf(customer) };
  }

  const poll = async (path: 'course-list' | 'course-updates', headers: Record<string, string>, query = '', extra: Record<string, string> = {}) =>
    t.app.http.inject({ method: 'GET', url: `/cornerstone/${path}${query}`, headers: { ...headers, ...extra } });

  void it('400 without ciid, 401 without a token, 404 for an unknown customer or no active CSOD configuration', async () => {
    const { customer, id, headers } = await csodCustomer(1);
    const missing = await poll('course-list', headers);
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(missing.json(), { message: 'Cornerstone course list API expects ciid parameter.' });
    assert.equal((await t.app.http.inject({ method: 'GET', url: `/cornerstone/course-list?ciid=${customer}` })).statusCode, 401);
    const su = await authHeader({ administrator: true });
    assert.equal((await poll('course-list', su, `?ciid=${uid()}`)).statusCode, 404);
    assert.equal((await poll('course-updates', su, '?ciid=not-a-uuid')).statusCode, 404);
    assert.equal((await poll('course-list', await adminOf(uid()), `?ciid=${customer}`)).statusCode, 403);
    await db.kysely.updateTable('channel_configuration').set({ active: false }).where('id', '=', id).execute();
    assert.equal((await poll('course-list', headers, `?ciid=${customer}`)).statusCode, 404);
  });

  void it('26. the run marks items without sending; course-updates returns them once and clears every mark', async () => {
    const { customer, id, headers } = await csodCustomer(4);
    const run = await t.run(id);
    assert.equal(run.status, 'success');
    assert.equal(run.transmitted, null, 'nothing is pushed to Cornerstone');
    assert.equal(run.planned.create, 4);

    const list = await poll('course-list', headers, `?ciid=${customer}`);
    assert.equal(list.statusCode, 200);
    assert.equal(list.json<unknown[]>().length, 4, 'the full state includes items not yet polled');

    const updates = await poll('course-updates', headers, `?ciid=${customer}`);
    const items = updates.json<Array<Record<string, unknown>>>();
    assert.equal(items.length, 4);
    for (const item of items) {
      for (const k of REQUIRED_KEYS) assert.ok(k in item, `${k} present`);
      for (const k of ['Partners', 'Languages', 'Subjects']) assert.ok((item[k] as unknown[]).length > 0, `${k} not empty`);
      assert.ok(String(item['ID']).length <= 50);
      assert.deepEqual(item['Subjects'], ['Technology']);
      assert.deepEqual(item['Languages'], ['en-US']);
    }
    assert.deepEqual((await poll('course-updates', headers, `?ciid=${customer}`)).json<unknown[]>(), [], 'a second poll returns nothing');
    const marked = await db.kysely.selectFrom('content_metadata_transmission').select('marked_for').where('configuration_id', '=', id).where('marked_for', 'is not', null).execute();
    assert.equal(marked.length, 0);
    const requests = await db.kysely.selectFrom('channel_request_log').select(['url', 'request_body']).where('configuration_id', '=', id).execute();
    assert.equal(requests.length, 3, 'each poll is logged');
    assert.ok(requests.every((r) => !(r.request_body ?? '').toLowerCase().includes('authorization')));
  });

  void it('changes: updates and deletions (IsActive false) come once; course-list drops deleted items; polled catalogs are skipped next run', async () => {
    const { customer, cat, id, k, headers } = await csodCustomer(3);
    await t.run(id);
    await poll('course-updates', headers, `?ciid=${customer}`);
    catalog.remove(cat, k(1));
    catalog.put(cat, { ...numberedCourse(2, 2), key: k(2) });
    await t.run(id);
    const items = (await poll('course-updates', headers, `?ciid=${customer}`)).json<Array<Record<string, unknown>>>();
    assert.equal(items.length, 2);
    const deleted = items.find((i) => i['IsActive'] === false);
    assert.ok(deleted, 'the deletion is the stored item with IsActive false');
    assert.equal(items.find((i) => i !== deleted)?.['Title'], 'Demo course 2 (v2)');
    const list = (await poll('course-list', headers, `?ciid=${customer}`)).json<unknown[]>();
    assert.equal(list.length, 2);
    catalog.resetCalls();
    const next = await t.run(id);
    assert.equal(next.catalogs.skipped, 1);
    assert.equal(catalog.count('diff'), 0);
  });

  void it('If-Modified-Since: every LastModifiedUTC is at least the header time; count limits a poll', async () => {
    const { customer, id, headers } = await csodCustomer(5);
    await t.run(id);
    const since = new Date('2030-01-01T00:00:00Z');
    const items = (await poll('course-list', headers, `?ciid=${customer}`, { 'if-modified-since': since.toUTCString() })).json<Array<{ LastModifiedUTC: string }>>();
    assert.equal(items.length, 5);
    assert.ok(items.every((i) => Date.parse(i.LastModifiedUTC) >= since.getTime()));
    assert.match(items[0]?.LastModifiedUTC ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const first = (await poll('course-updates', headers, `?ciid=${customer}&count=2`)).json<unknown[]>();
    assert.equal(first.length, 2);
    assert.equal((await poll('course-updates', headers, `?ciid=${customer}`)).json<unknown[]>().length, 3);
  });

  void it('maps an Executive Education course and a plain course to Cornerstone items', async () => {
    const customer = uid();
    const cat = uid();
    catalog.addCatalog(cat, customer, [sampleCourse({ key: `${customer.slice(0, 6)}+cs50` })]);
    const id = await createConfiguration(t.app, { enterprise_customer: customer, channel_code: 'CSOD', settings: { disable_subject_metadata_transmission: true } });
    await t.run(id);
    const [item] = (await poll('course-list', await adminOf(customer), `?ciid=${customer}`)).json<Array<Record<string, unknown>>>();
    assert.ok(item);
    assert.equal(item['IsActive'], true);
    assert.equal('Subjects' in item, false);
    assert.deepEqual(item['Partners'], [{ Name: 'HarvardX: Harvard University' }]);
    assert.match(String(item['ID']), /^[0-9a-f-]{36}$/);
  });
});
