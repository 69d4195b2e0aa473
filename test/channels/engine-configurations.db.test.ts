/**
 * The configurations API (validation per channel, tenant isolation, soft delete, on-demand transmission), the sync
 * status report, and the secrets rule: configured secrets appear in no API response, log line, audit row or
 * request log entry.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ENCRYPTED_PREFIX } from '../../src/channels/secrets.js';
import type { Db } from '../../src/db/database.js';
import { numberedCourse } from '../fakes/content-items.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { authHeader } from '../helpers/auth.js';
import { adminOf, createConfiguration, startChannelApp, SUPERUSER, type ChannelTestApp } from '../helpers/channels-app.js';
import { FakeCatalog } from '../helpers/channels-fake-catalog.js';
import { openTestDb, uid } from '../helpers/db.js';

const BASE = '/api/v1/integrated-channels/configurations/';

void describe('channel configurations API (database)', () => {
  let db: Db;
  let t: ChannelTestApp;
  const catalog = new FakeCatalog();
  const fake = new GenericFake();
  const logLines: string[] = [];

  before(async () => {
    db = await openTestDb();
    await fake.start();
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    });
    // No redaction configured on purpose: the code itself must never hand a secret to the logger.
    t = await startChannelApp(db, { catalog, logger: pino({ level: 'trace' }, sink) });
  });
  after(async () => {
    await t.close();
    await fake.close();
    await db.close();
  });

  const inject = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.http.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  function customerWithCatalog(n = 3) {
    const customer = uid();
    const cat = uid();
    catalog.addCatalog(cat, customer, Array.from({ length: n }, (_, i) => ({ ...numberedCourse(i + 1), key: `${customer.slice(0, 6)}+${i + 1}` })));
    return { customer, cat };
  }

  void it('creates a configuration; secrets are encrypted at rest and never returned', async () => {
    const { customer, cat } = customerWithCatalog();
    const res = await inject('POST', BASE, await adminOf(customer), {
      enterprise_customer: customer,
      channel_code: 'GENERIC',
      catalogs_to_transmit: [cat],
      settings: { url: fake.hookUrl, signing_secret: 'a-very-secret-signing-key-0001' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(body).sort(), [
      'active', 'catalogs_to_transmit', 'channel_code', 'configured_secrets', 'created', 'display_name', 'dry_run_mode_enabled', 'enterprise_customer', 'id',
      'last_content_sync_attempted_at', 'last_content_sync_errored_at', 'modified', 'remove_orphaned_content', 'settings', 'show_course_price', 'transmission_chunk_size',
    ]);
    assert.equal(body['display_name'], `GENERIC ${String(body['id'])}`);
    assert.equal(body['transmission_chunk_size'], 100);
    assert.deepEqual(body['settings'], { url: fake.hookUrl });
    assert.deepEqual(body['configured_secrets'], ['signing_secret']);
    assert.ok(!res.body.includes('a-very-secret-signing-key-0001'));
    const stored = await db.kysely.selectFrom('channel_configuration').select('settings').where('id', '=', Number(body['id'])).executeTakeFirstOrThrow();
    assert.ok(String(stored.settings['signing_secret']).startsWith(ENCRYPTED_PREFIX));
  });

  void it('400 lists every bad field, per channel', async () => {
    const { customer } = customerWithCatalog();
    const su = await authHeader(SUPERUSER);
    let res = await inject('POST', BASE, su, {
      enterprise_customer: customer,
      channel_code: 'GENERIC',
      transmission_chunk_size: 5000,
      catalogs_to_transmit: [uid()],
      settings: { url: 'ftp://example.com/hook', extra: 1 },
      colour: 'blue',
    });
    assert.equal(res.statusCode, 400);
    let errors = res.json<Record<string, string[]>>();
    assert.deepEqual(Object.keys(errors).sort(), ['catalogs_to_transmit', 'colour', 'settings', 'transmission_chunk_size']);
    assert.ok(errors['settings']?.some((m) => m.startsWith('signing_secret:')));
    assert.ok(errors['settings']?.some((m) => m.startsWith('extra:')));

    res = await inject('POST', BASE, su, { enterprise_customer: customer, channel_code: 'GENERIC', settings: { url: 'ftp://example.com/hook', signing_secret: 'x'.repeat(20) } });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { settings: ['url: must be an http(s) URL'] });

    res = await inject('POST', BASE, su, { enterprise_customer: customer, channel_code: 'SAP', settings: { sapsf_base_url: 'https://sap.example.com' } });
    errors = res.json<Record<string, string[]>>();
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      errors['settings']?.map((m) => m.split(':')[0]).sort(),
      ['client_id', 'client_secret', 'sapsf_company_id', 'sapsf_user_id'],
    );

    res = await inject('POST', BASE, su, { enterprise_customer: customer, channel_code: 'MOODLE', settings: { moodle_base_url: 'https://moodle.example.com', service_short_name: 's' } });
    assert.equal(res.statusCode, 400, res.body);
    assert.ok(res.json<Record<string, string[]>>()['settings']?.some((m) => m.startsWith('token:')));

    res = await inject('POST', BASE, su, { enterprise_customer: 'not-a-uuid', channel_code: 'FOO' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(Object.keys(res.json<object>()).sort(), ['channel_code', 'enterprise_customer']);

    res = await inject('POST', BASE, su, { enterprise_customer: customer, channel_code: 'CSOD', settings: { colour: 'blue' } });
    assert.equal(res.statusCode, 400);
    res = await inject('POST', BASE, su, { enterprise_customer: customer, channel_code: 'CSOD', settings: { subject_mapping: { Technology: ['Computer Science'] } } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json<{ transmission_chunk_size: number }>().transmission_chunk_size, 500);
  });

  void it('tenant isolation: admins see and change only their customers; provisioning admins and superusers see all', async () => {
    const a = customerWithCatalog();
    const b = customerWithCatalog();
    const settings = { url: fake.hookUrl, signing_secret: 'isolation-secret-000000' };
    const adminA = await adminOf(a.customer);
    const adminB = await adminOf(b.customer);
    assert.equal((await inject('POST', BASE, adminA, { enterprise_customer: b.customer, channel_code: 'GENERIC', settings })).statusCode, 403);
    const created = await inject('POST', BASE, adminA, { enterprise_customer: a.customer, channel_code: 'GENERIC', settings });
    const id = created.json<{ id: number }>().id;
    await createConfiguration(t.app, { enterprise_customer: b.customer, channel_code: 'GENERIC', settings });

    assert.equal((await inject('GET', `${BASE}${id}/`, adminB)).statusCode, 404);
    assert.equal((await inject('PATCH', `${BASE}${id}/`, adminB, { active: false })).statusCode, 404);
    assert.equal((await inject('DELETE', `${BASE}${id}/`, adminB)).statusCode, 404);
    assert.equal((await inject('POST', `${BASE}${id}/transmit/`, adminB)).statusCode, 404);
    // The catalog of another customer cannot be listed for transmission.
    const foreign = await inject('PATCH', `${BASE}${id}/`, adminA, { catalogs_to_transmit: [b.cat] });
    assert.equal(foreign.statusCode, 400);
    assert.deepEqual(Object.keys(foreign.json<object>()), ['catalogs_to_transmit']);

    const listA = (await inject('GET', BASE, adminA)).json<{ results: Array<{ enterprise_customer: string }> }>();
    assert.ok(listA.results.length >= 1 && listA.results.every((r) => r.enterprise_customer === a.customer));
    const prov = await authHeader({ roles: ['enterprise_provisioning_admin:*'], username: 'prov' });
    const all = (await inject('GET', `${BASE}?page_size=100`, prov)).json<{ count: number; results: Array<{ enterprise_customer: string }> }>();
    const customers = new Set(all.results.map((r) => r.enterprise_customer));
    assert.ok(customers.has(a.customer) && customers.has(b.customer));
    assert.equal((await inject('GET', BASE, await authHeader({ roles: [`enterprise_learner:${a.customer}`] }))).statusCode, 403);
    assert.equal((await t.app.http.inject({ method: 'GET', url: BASE })).statusCode, 401);
    const filtered = (await inject('GET', `${BASE}?enterprise_customer=${b.customer}`, prov)).json<{ results: Array<{ enterprise_customer: string }> }>();
    assert.ok(filtered.results.every((r) => r.enterprise_customer === b.customer));
  });

  void it('PATCH merges settings and keeps secrets; DELETE is a soft delete', async () => {
    const { customer } = customerWithCatalog();
    const admin = await adminOf(customer);
    const id = await createConfiguration(t.app, { enterprise_customer: customer, channel_code: 'GENERIC', settings: { url: fake.hookUrl, signing_secret: fake.signingSecret } });
    const patched = await inject('PATCH', `${BASE}${id}/`, admin, { settings: { url: `${fake.hookUrl}?v=2` }, display_name: 'Acme hook', transmission_chunk_size: 7 });
    assert.equal(patched.statusCode, 200, patched.body);
    const view = patched.json<{ settings: { url: string }; configured_secrets: string[]; display_name: string; transmission_chunk_size: number }>();
    assert.equal(view.settings.url, `${fake.hookUrl}?v=2`);
    assert.deepEqual(view.configured_secrets, ['signing_secret']);
    assert.equal(view.display_name, 'Acme hook');
    assert.equal(view.transmission_chunk_size, 7);
    const removeSecret = await inject('PATCH', `${BASE}${id}/`, admin, { settings: { signing_secret: null } });
    assert.equal(removeSecret.statusCode, 400);
    assert.equal((await inject('PATCH', `${BASE}${id}/`, admin, { transmission_chunk_size: 0 })).statusCode, 400);

    assert.equal((await inject('DELETE', `${BASE}${id}/`, admin)).statusCode, 204);
    assert.equal((await inject('GET', `${BASE}${id}/`, admin)).statusCode, 404);
    const row = await db.kysely.selectFrom('channel_configuration').select(['deleted_at', 'active']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(row.deleted_at !== null);
    assert.equal(row.active, false);
  });

  void it('POST transmit records a task and queues a job; the run closes the task', async () => {
    const { customer } = customerWithCatalog(2);
    const admin = await adminOf(customer);
    const id = await createConfiguration(t.app, { enterprise_customer: customer, channel_code: 'GENERIC', settings: { url: fake.hookUrl, signing_secret: fake.signingSecret } });
    const res = await inject('POST', `${BASE}${id}/transmit/`, admin);
    assert.equal(res.statusCode, 200, res.body);
    const taskId = res.json<{ async_task_id: string }>().async_task_id;
    const task = await db.kysely.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirstOrThrow();
    assert.equal(task.state, 'PENDING');
    assert.equal(task.enterprise_uuid, customer);
    const jobs = await db.executeSql(`select count(*)::int as n from pgboss.job where name = 'transmit_content_metadata' and singleton_key = $1`, [String(id)]);
    assert.equal(jobs.rows[0]?.['n'], 1);
    await t.run(id);
    const done = await db.kysely.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirstOrThrow();
    assert.equal(done.state, 'SUCCESS');
    assert.equal((done.result as { transmitted: { succeeded: number } }).transmitted.succeeded, 2);

    await inject('PATCH', `${BASE}${id}/`, admin, { active: false });
    assert.equal((await inject('POST', `${BASE}${id}/transmit/`, admin)).statusCode, 409);
  });

  void it('content sync status: paginated, filtered, sorted, for admins of the customer', async () => {
    const { customer } = customerWithCatalog(5);
    const admin = await adminOf(customer);
    const id = await createConfiguration(t.app, {
      enterprise_customer: customer,
      channel_code: 'GENERIC',
      transmission_chunk_size: 1,
      settings: { url: fake.hookUrl, signing_secret: fake.signingSecret },
    });
    fake.server.inject({ status: 400, json: { error: 'bad item' } }, { routes: ['hook'], after: 2 });
    await t.run(id);
    const url = `/api/v1/integrated-channels/logs/content_sync_status/${customer}/GENERIC/${id}/`;
    const page = (await inject('GET', `${url}?page_size=2&sort_by=-content_id`, admin)).json<{
      count: number;
      num_pages: number;
      next: string | null;
      results: Array<{ content_id: string; sync_status: string; friendly_status_message: string | null; sync_last_attempted_at: string | null }>;
    }>();
    assert.equal(page.count, 5);
    assert.equal(page.num_pages, 3);
    assert.ok(page.next?.includes('page=2'));
    assert.deepEqual(page.results.map((r) => r.content_id), [`${customer.slice(0, 6)}+5`, `${customer.slice(0, 6)}+4`]);
    const errors = (await inject('GET', `${url}?sync_status=error`, admin)).json<{ count: number; results: Array<{ friendly_status_message: string; content_id: string }> }>();
    assert.equal(errors.count, 1);
    assert.equal(errors.results[0]?.content_id, `${customer.slice(0, 6)}+3`);
    assert.match(errors.results[0]?.friendly_status_message ?? '', /invalid/);
    const okay = (await inject('GET', `${url}?sync_status=okay`, admin)).json<{ count: number }>();
    assert.equal(okay.count, 4);
    assert.equal((await inject('GET', `${url}?content_title=course 2`, admin)).json<{ count: number }>().count, 1);
    assert.equal((await inject('GET', url, await adminOf(uid()))).statusCode, 403);
    assert.equal((await inject('GET', url.replace('/GENERIC/', '/SAP/'), admin)).statusCode, 404);
    assert.equal((await inject('GET', `${url}?sort_by=colour`, admin)).statusCode, 400);
  });

  void it('secrets appear in no API response, log line, audit row or request log entry', async () => {
    const secret = `whsec-${uid()}`;
    const receiver = new GenericFake(secret);
    await receiver.start();
    try {
      const { customer } = customerWithCatalog(3);
      const admin = await adminOf(customer);
      const bodies: string[] = [];
      const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
        const res = await inject(method, url, admin, payload);
        bodies.push(res.body, JSON.stringify(res.headers));
        return res;
      };
      const created = await call('POST', BASE, { enterprise_customer: customer, channel_code: 'GENERIC', transmission_chunk_size: 1, settings: { url: receiver.hookUrl, signing_secret: secret } });
      const id = created.json<{ id: number }>().id;
      await call('GET', `${BASE}${id}/`);
      await call('GET', BASE);
      await call('PATCH', `${BASE}${id}/`, { settings: { url: receiver.hookUrl } });
      await call('POST', BASE, { enterprise_customer: customer, channel_code: 'GENERIC', settings: { url: 'nope', signing_secret: secret } });
      // The receiver echoes the secret in an error: it must be scrubbed before it is stored.
      receiver.server.inject({ status: 422, json: { error: `signature mismatch; key was ${secret}` } }, { routes: ['hook'] });
      await t.run(id);
      const failed = await db.kysely.selectFrom('content_metadata_transmission').selectAll().where('configuration_id', '=', id).execute();
      assert.ok(failed.some((r) => r.api_response_status_code === 422 && (r.api_response_body ?? '').includes('[REDACTED]')), 'the echoed secret was stored redacted');
      await t.run(id);
      await call('GET', `/api/v1/integrated-channels/logs/content_sync_status/${customer}/GENERIC/${id}/`);
      assert.equal(receiver.items.size, 3, 'transmission worked');

      const audit = await db.kysely.selectFrom('content_metadata_transmission').selectAll().where('configuration_id', '=', id).execute();
      const requests = await db.kysely.selectFrom('channel_request_log').selectAll().where('configuration_id', '=', id).execute();
      const runs = await db.kysely.selectFrom('channel_transmission_run').selectAll().where('configuration_id', '=', id).execute();
      const settings = await db.kysely.selectFrom('channel_configuration').select('settings').where('id', '=', id).execute();
      assert.ok(requests.length >= 4);
      assert.ok(requests.some((r) => (r.response_body ?? '').includes('[REDACTED]')), 'and logged redacted');
      for (const [what, text] of [
        ['API responses', bodies.join('\n')],
        ['log lines', logLines.join('')],
        ['audit rows', JSON.stringify(audit)],
        ['request log', JSON.stringify(requests)],
        ['run summaries', JSON.stringify(runs)],
        ['stored settings', JSON.stringify(settings)],
      ] as const) {
        assert.ok(!text.includes(secret), `the secret leaked into ${what}`);
      }
    } finally {
      await receiver.close();
    }
  });
});
