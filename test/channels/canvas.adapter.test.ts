import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnavailableChannelError } from '../../src/channels/channel-adapter.js';
import { CANVAS_DELETED_SKIP_MESSAGE, createCanvasAdapter } from '../../src/channels/canvas/canvas.adapter.js';
import type { CanvasSettings } from '../../src/channels/canvas/canvas.settings.js';
import { numberedCourse } from '../fakes/content-items.js';
import { CANVAS_ROOT_ACCOUNT, CANVAS_SUB_ACCOUNT, CanvasFake } from '../fakes/lms/canvas.fake.js';
import { ChannelHarness, thrown } from './channel-harness.js';

void describe('Canvas adapter', () => {
  const fake = new CanvasFake();
  let harness: ChannelHarness<CanvasSettings>;
  before(async () => {
    await fake.start();
    harness = new ChannelHarness(createCanvasAdapter(), {
      canvas_base_url: fake.server.url,
      canvas_account_id: CANVAS_SUB_ACCOUNT,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      refresh_token: fake.refreshToken,
    });
  });
  after(() => fake.close());

  void it('creates the course in the configured account, then publishes it', async () => {
    const [o] = await harness.send('create', [numberedCourse(1)]);
    assert.ok(o?.ok);
    const [c] = fake.byIntegrationId('edX+Demo1X');
    assert.equal(c?.account_id, CANVAS_SUB_ACCOUNT);
    assert.equal(c?.workflow_state, 'available');
    assert.equal(o.externalId, String(c?.id));
    const token = fake.server.requests.find((r) => r.route === 'token');
    assert.equal(token?.form.get('grant_type'), 'refresh_token');
  });

  void it('finds a course that lives in the root account instead of creating a second one', async () => {
    await harness.send('create', [numberedCourse(2)]);
    const [c] = fake.byIntegrationId('edX+Demo2X');
    if (c) c.account_id = CANVAS_ROOT_ACCOUNT;
    const [o] = await harness.send('update', [numberedCourse(2, 2)]);
    assert.ok(o?.ok);
    assert.equal(fake.byIntegrationId('edX+Demo2X').length, 1);
    assert.equal(fake.byIntegrationId('edX+Demo2X')[0]?.['name'], 'Demo course 2 (v2)');
  });

  void it('skips a course the customer deleted in Canvas, as upstream', async () => {
    await harness.send('create', [numberedCourse(3)]);
    const [c] = fake.byIntegrationId('edX+Demo3X');
    if (c) c.workflow_state = 'deleted';
    for (const action of ['create', 'update'] as const) {
      const [o] = await harness.send(action, [numberedCourse(3, 2)]);
      assert.ok(o?.ok);
      assert.equal(o.body, CANVAS_DELETED_SKIP_MESSAGE);
    }
    assert.equal(fake.byIntegrationId('edX+Demo3X')[0]?.workflow_state, 'deleted');
    assert.equal(fake.byIntegrationId('edX+Demo3X')[0]?.['name'], 'Demo course 3');
  });

  void it('deletes by concluding; a second delete and a delete of an unknown course succeed', async () => {
    await harness.send('create', [numberedCourse(4)]);
    const [o] = await harness.send('delete', [numberedCourse(4)]);
    assert.ok(o?.ok);
    assert.equal(fake.byIntegrationId('edX+Demo4X')[0]?.workflow_state, 'completed');
    const deletes = fake.server.count('delete');
    const [again] = await harness.send('delete', [numberedCourse(4)]);
    assert.ok(again?.ok);
    assert.equal(fake.server.count('delete'), deletes, 'an already concluded course is not concluded again');
    const [unknown] = await harness.send('delete', [numberedCourse(99)]);
    assert.ok(unknown?.ok);
  });

  void it('a concluded course offered again by a new create is published again', async () => {
    await harness.send('create', [numberedCourse(5)]);
    await harness.send('delete', [numberedCourse(5)]);
    const [o] = await harness.send('create', [numberedCourse(5)]);
    assert.ok(o?.ok);
    assert.equal(fake.byIntegrationId('edX+Demo5X')[0]?.workflow_state, 'available');
  });

  void it('a failed publish fails the item, and the resend publishes the existing course', async () => {
    fake.server.inject({ status: 503 }, { routes: ['update'] });
    const err = await thrown(() => harness.send('create', [numberedCourse(6)]));
    assert.ok(err instanceof UnavailableChannelError);
    assert.equal(fake.byIntegrationId('edX+Demo6X')[0]?.workflow_state, 'unpublished');
    const [again] = await harness.send('create', [numberedCourse(6)]);
    assert.ok(again?.ok);
    assert.equal(fake.byIntegrationId('edX+Demo6X').length, 1);
    assert.equal(fake.byIntegrationId('edX+Demo6X')[0]?.workflow_state, 'available');
  });
});
