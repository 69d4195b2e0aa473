import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PermanentChannelError, UnavailableChannelError } from '../../src/channels/channel-adapter.js';
import { createBlackboardAdapter } from '../../src/channels/blackboard/blackboard.adapter.js';
import { blackboardCourseId } from '../../src/channels/blackboard/blackboard.mapping.js';
import type { BlackboardSettings } from '../../src/channels/blackboard/blackboard.settings.js';
import { numberedCourse } from '../fakes/content-items.js';
import { BlackboardFake } from '../fakes/lms/blackboard.fake.js';
import { ChannelHarness, thrown } from './channel-harness.js';

void describe('Blackboard adapter', () => {
  let fake: BlackboardFake;
  let harness: ChannelHarness<BlackboardSettings>;
  const settingsFor = (f: BlackboardFake): BlackboardSettings => ({
    blackboard_base_url: f.server.url,
    client_id: f.appKey,
    client_secret: f.appSecret,
    refresh_token: f.currentRefreshToken,
  });
  before(async () => {
    fake = new BlackboardFake();
    await fake.start();
    harness = new ChannelHarness(createBlackboardAdapter(), settingsFor(fake));
  });
  after(() => fake.close());

  void it('saves the rotated refresh token before the access token is used', async () => {
    const first = fake.currentRefreshToken;
    const [o] = await harness.send('create', [numberedCourse(1)]);
    assert.ok(o?.ok);
    assert.notEqual(fake.currentRefreshToken, first);
    assert.deepEqual(harness.saved, [{ refresh_token: fake.currentRefreshToken }]);
    assert.equal(harness.settings.refresh_token, fake.currentRefreshToken);
    const save = harness.events.findIndex((e) => e.startsWith('save'));
    const firstApiCall = harness.events.findIndex((e) => e.startsWith('request') && !e.includes('/oauth2/token'));
    assert.ok(save >= 0 && save < firstApiCall, harness.events.join('\n'));
    const tokenReq = fake.server.requests.find((r) => r.route === 'token');
    assert.equal(tokenReq?.form.get('refresh_token'), first);
  });

  void it('keeps working when the engine still hands it the retired refresh token', async () => {
    const adapter = createBlackboardAdapter();
    const f = new BlackboardFake();
    await f.start();
    try {
      const h = new ChannelHarness(adapter, settingsFor(f));
      const stale = h.context(); // snapshot with the original token, as a long run would hold it
      await adapter.transmit('create', h.map([numberedCourse(2)], 'create'), stale);
      f.tokens.expireAll(); // force a second exchange within the same stale context
      const outcomes = await adapter.transmit('update', h.map([numberedCourse(2, 2)], 'update'), stale);
      assert.ok(outcomes[0]?.ok, JSON.stringify(outcomes));
      assert.equal(h.saved.length, 2);
      assert.equal(h.settings.refresh_token, f.currentRefreshToken);
    } finally {
      await f.close();
    }
  });

  void it('fails the chunk as unavailable, without an API call, when the new refresh token cannot be saved', async () => {
    const f = new BlackboardFake();
    await f.start();
    try {
      const adapter = createBlackboardAdapter();
      const h = new ChannelHarness(adapter, settingsFor(f), { failSave: true });
      const err = await thrown(() => h.send('create', [numberedCourse(3)]));
      assert.ok(err instanceof UnavailableChannelError, String(err));
      assert.equal(f.server.count(...BlackboardFake.CONTENT_ROUTES), 0);
      // The process still knows the rotated token, so once saving works the retry succeeds.
      h.failSave = false;
      const [o] = await h.send('create', [numberedCourse(3)]);
      assert.ok(o?.ok);
      assert.equal(h.settings.refresh_token, f.currentRefreshToken);
    } finally {
      await f.close();
    }
  });

  void it('a refresh token Blackboard no longer accepts is a permanent error for the chunk', async () => {
    const f = new BlackboardFake();
    await f.start();
    try {
      const h = new ChannelHarness(createBlackboardAdapter(), { ...settingsFor(f), refresh_token: 'revoked-refresh-token' });
      const err = await thrown(() => h.send('create', [numberedCourse(4), numberedCourse(5)]));
      assert.ok(err instanceof PermanentChannelError && err.status === 400);
    } finally {
      await f.close();
    }
  });

  void it('creates the course with the stable courseId, the details folder and its document', async () => {
    await harness.send('create', [numberedCourse(6)]);
    const [c] = fake.byExternalId('edX+Demo6X');
    assert.equal(c?.courseId, blackboardCourseId('edX+Demo6X'));
    assert.deepEqual(c?.contents.map((x) => x.title), ['edX Course Details']);
    assert.equal(c?.contents[0]?.children.length, 1);
    assert.match(String(c?.contents[0]?.children[0]?.['body']), /<h1>Demo course 6<\/h1>/);
  });

  void it('an update replaces the details instead of adding a second folder', async () => {
    await harness.send('create', [numberedCourse(7)]);
    await harness.send('update', [numberedCourse(7, 2)]);
    const [c] = fake.byExternalId('edX+Demo7X');
    assert.equal(c?.name, 'Demo course 7 (v2)');
    assert.equal(c?.contents.length, 1);
    assert.match(String(c?.contents[0]?.children[0]?.['body']), /Demo course 7 \(v2\)/);
  });

  void it('a create that half failed (no details) is completed by the resend', async () => {
    fake.server.inject({ status: 500 }, { routes: ['create-content'] });
    await assert.rejects(harness.send('create', [numberedCourse(8)]), UnavailableChannelError);
    assert.equal(fake.byExternalId('edX+Demo8X')[0]?.contents.length, 0);
    const [o] = await harness.send('create', [numberedCourse(8)]);
    assert.ok(o?.ok);
    assert.equal(fake.byExternalId('edX+Demo8X').length, 1);
    assert.equal(fake.byExternalId('edX+Demo8X')[0]?.contents.length, 1);
  });

  void it('deletes the course; deleting it again is reported as already removed', async () => {
    await harness.send('create', [numberedCourse(9)]);
    const [o] = await harness.send('delete', [numberedCourse(9)]);
    assert.ok(o?.ok);
    assert.equal(fake.byExternalId('edX+Demo9X').length, 0);
    const [again] = await harness.send('delete', [numberedCourse(9)]);
    assert.ok(again?.ok && again.body === 'Course:edX+Demo9X already removed.');
  });
});
