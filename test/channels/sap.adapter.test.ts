import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RateLimitedChannelError } from '../../src/channels/channel-adapter.js';
import { SAP_DEFAULT_MIN_CALL_INTERVAL_MS, createSapAdapter, narrowSapResponse } from '../../src/channels/sap/sap.adapter.js';
import type { SapOcnCourse } from '../../src/channels/sap/sap.mapping.js';
import type { SapSettings } from '../../src/channels/sap/sap.settings.js';
import { numberedCourse } from '../fakes/content-items.js';
import { SapFake } from '../fakes/lms/sap.fake.js';
import { ChannelHarness, thrown } from './channel-harness.js';

void describe('SAP adapter', () => {
  const fake = new SapFake();
  let harness: ChannelHarness<SapSettings>;
  before(async () => {
    await fake.start();
    harness = new ChannelHarness(createSapAdapter(), {
      sapsf_base_url: fake.server.url,
      sapsf_company_id: fake.companyId,
      sapsf_user_id: fake.userId,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });
  });
  after(() => fake.close());

  void it('declares one chunk per run, a five-minute call interval by default, and up to 1000 courses per call', () => {
    const a = createSapAdapter();
    assert.equal(a.maxChunksPerRun, 1);
    assert.equal(a.minCallIntervalMs, SAP_DEFAULT_MIN_CALL_INTERVAL_MS);
    assert.equal(a.maxItemsPerCall, 1000);
    assert.equal(createSapAdapter({ minCallIntervalMs: 60_000 }).minCallIntervalMs, 60_000);
  });

  void it('sends a whole chunk in one OCN call and answers each item with its own part of the response', async () => {
    const calls = fake.callSizes.length;
    const outcomes = await harness.send('create', [numberedCourse(1), numberedCourse(2), numberedCourse(3)]);
    assert.deepEqual(fake.callSizes.slice(calls), [3]);
    for (const o of outcomes) {
      assert.ok(o.ok);
      const body = JSON.parse(o.body) as { ocnCourses: { courseID: string }[] };
      assert.deepEqual(body.ocnCourses.map((c) => c.courseID), [o.contentId]);
    }
  });

  void it('gets a token with the SAP scope and reuses it across chunks', async () => {
    const tokenReq = fake.server.requests.find((r) => r.route === 'token');
    assert.deepEqual(tokenReq?.json, {
      grant_type: 'client_credentials',
      scope: { userId: fake.userId, companyId: fake.companyId, userType: 'user', resourceType: 'learning_public_api' },
    });
    const tokens = fake.server.count('token');
    await harness.send('update', [numberedCourse(1, 2)]);
    assert.equal(fake.server.count('token'), tokens);
  });

  void it('deletes by deactivating, from the stored create payload', async () => {
    const stored = harness.map([numberedCourse(4)], 'create');
    await harness.adapter.transmit('create', stored, harness.context());
    const broken = stored.map((s) => ({ ...s, metadata: { ...(s.metadata as SapOcnCourse), schedule: [{ active: true }] } }));
    const outcomes = await harness.adapter.transmit('delete', broken, harness.context());
    assert.ok(outcomes[0]?.ok);
    const sent = fake.courses.get('edX+Demo4X')?.course;
    assert.equal(sent?.['status'], 'INACTIVE');
    assert.deepEqual(sent?.['schedule'], []);
  });

  void it('a 429 without Retry-After asks the engine to wait the call interval', async () => {
    const adapter = createSapAdapter({ minCallIntervalMs: 123_000 });
    const h = new ChannelHarness(adapter, harness.settings);
    fake.server.inject({ status: 429 }, { routes: ['ocn'] });
    const err = await thrown(() => h.send('create', [numberedCourse(5)]));
    assert.ok(err instanceof RateLimitedChannelError && err.retryAfterMs === 123_000);
    fake.server.inject({ status: 429, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } }, { routes: ['ocn'] });
    const dated = await thrown(() => h.send('create', [numberedCourse(5)]));
    assert.ok(dated instanceof RateLimitedChannelError && dated.retryAfterMs > 55_000 && dated.retryAfterMs <= 60_000);
  });

  void it('narrows a response to one course, leaving non-JSON alone', () => {
    const text = JSON.stringify({ '@odata.context': 'x', ocnCourses: [{ courseID: 'a' }, { courseID: 'b' }] });
    assert.deepEqual(JSON.parse(narrowSapResponse(text, 'b')), { '@odata.context': 'x', ocnCourses: [{ courseID: 'b' }] });
    assert.equal(narrowSapResponse('OK', 'b'), 'OK');
  });
});
