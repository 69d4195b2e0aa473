import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PermanentChannelError } from '../../src/channels/channel-adapter.js';
import { createGenericAdapter, genericIdempotencyKey } from '../../src/channels/generic/generic.adapter.js';
import type { GenericItem } from '../../src/channels/generic/generic.mapping.js';
import type { GenericSettings } from '../../src/channels/generic/generic.settings.js';
import { numberedCourse } from '../fakes/content-items.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { ChannelHarness } from './channel-harness.js';

void describe('GENERIC adapter', () => {
  const fake = new GenericFake();
  let harness: ChannelHarness<GenericSettings>;
  before(async () => {
    await fake.start();
    harness = new ChannelHarness(createGenericAdapter(), { url: fake.hookUrl, signing_secret: fake.signingSecret });
  });
  after(() => fake.close());

  void it('sends one signed POST per chunk with action and items', async () => {
    const before = fake.server.count('hook');
    const outcomes = await harness.send('update', [numberedCourse(1), numberedCourse(2), numberedCourse(3)]);
    assert.equal(outcomes.length, 3);
    assert.ok(outcomes.every((o) => o.ok && o.status === 200));
    assert.equal(fake.server.count('hook') - before, 1);
    const req = fake.server.requests.at(-1);
    assert.ok(req);
    assert.equal(req.headers['content-type'], 'application/json');
    const ts = String(req.headers['x-ecat-timestamp']);
    const expected = `sha256=${createHmac('sha256', fake.signingSecret).update(`${ts}.${req.rawBody}`).digest('hex')}`;
    assert.equal(req.headers['x-ecat-signature'], expected);
    const body = JSON.parse(req.rawBody) as { action: string; items: GenericItem[] };
    assert.equal(body.action, 'update');
    assert.deepEqual(body.items.map((i) => i.content_id), ['edX+Demo1X', 'edX+Demo2X', 'edX+Demo3X']);
    assert.deepEqual(Object.keys(body.items[0] ?? {}).sort(), [
      'content_id', 'content_last_modified', 'content_type', 'description', 'end', 'image_url', 'language', 'organizations', 'price', 'start', 'title', 'url',
    ]);
  });

  void it('keys idempotency on action, items and content versions, not on order', () => {
    const [a, b] = harness.map([numberedCourse(1), numberedCourse(2)], 'create').map((o) => o.metadata as GenericItem) as [GenericItem, GenericItem];
    assert.equal(genericIdempotencyKey('create', [a, b]), genericIdempotencyKey('create', [b, a]));
    assert.notEqual(genericIdempotencyKey('create', [a, b]), genericIdempotencyKey('update', [a, b]));
    assert.notEqual(genericIdempotencyKey('create', [a]), genericIdempotencyKey('create', [{ ...a, content_last_modified: '2030-01-01T00:00:00Z' }]));
  });

  void it('a replayed chunk is answered by the receiver without being applied twice', async () => {
    const item = numberedCourse(10);
    await harness.send('create', [item]);
    const replays = fake.replays;
    await harness.send('create', [item]);
    assert.equal(fake.replays, replays + 1);
    assert.equal(fake.items.get('edX+Demo10X')?.writes, 1);
  });

  void it('a receiver that rejects the signature refuses every item permanently', async () => {
    const wrong = new ChannelHarness(createGenericAdapter(), { url: fake.hookUrl, signing_secret: 'not-the-right-secret-at-all' });
    const outcomes = await wrong.send('create', [numberedCourse(20), numberedCourse(21)]);
    assert.equal(outcomes.length, 2);
    for (const o of outcomes) assert.ok(!o.ok && o.error instanceof PermanentChannelError && o.error.status === 401);
  });

  void it('validates the URL', () => {
    const adapter = createGenericAdapter();
    assert.deepEqual(adapter.validateSettings?.({ url: 'https://hooks.example.com/x', signing_secret: 'x'.repeat(16) }), []);
    assert.deepEqual(adapter.validateSettings?.({ url: 'http://hooks.example.com/x', signing_secret: 'x'.repeat(16) }), ['url: must use https']);
    assert.deepEqual(adapter.validateSettings?.({ url: 'nope', signing_secret: 'x'.repeat(16) }), ['url: must be an absolute URL']);
  });
});
