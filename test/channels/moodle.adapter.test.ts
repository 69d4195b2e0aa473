import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PermanentChannelError, UnavailableChannelError } from '../../src/channels/channel-adapter.js';
import { moodleError } from '../../src/channels/moodle/moodle.client.js';
import { createMoodleAdapter } from '../../src/channels/moodle/moodle.adapter.js';
import type { MoodleSettings } from '../../src/channels/moodle/moodle.settings.js';
import { numberedCourse } from '../fakes/content-items.js';
import { MoodleFake } from '../fakes/lms/moodle.fake.js';
import { ChannelHarness, thrown } from './channel-harness.js';

void describe('Moodle adapter', () => {
  const fake = new MoodleFake();
  let harness: ChannelHarness<MoodleSettings>;
  let base: MoodleSettings;
  before(async () => {
    await fake.start();
    base = { moodle_base_url: fake.server.url, service_short_name: fake.serviceShortName, token: fake.staticToken };
    harness = new ChannelHarness(createMoodleAdapter(), base);
  });
  after(() => fake.close());

  void it('uses the configured token, form-encoded, never in the URL', async () => {
    const [o] = await harness.send('create', [numberedCourse(1)]);
    assert.ok(o?.ok);
    assert.equal(fake.server.count('token'), 0);
    const create = fake.server.requests.find((r) => r.form.get('wsfunction') === 'core_course_create_courses');
    assert.equal(create?.form.get('courses[0][idnumber]'), 'edX+Demo1X');
    assert.equal(create?.form.get('courses[0][visible]'), '1');
    assert.ok(fake.server.requests.every((r) => !r.query.has('wstoken')));
  });

  void it('adopts a course on shortnametaken or courseidnumbertaken instead of failing (P2)', async () => {
    // A course with our shortname but no idnumber, as a crashed earlier attempt or an admin could leave it.
    const mapped = harness.map([numberedCourse(2)], 'create')[0]?.metadata as { shortname: string };
    fake.courses.set(500, { id: 500, fullname: 'x', shortname: mapped.shortname, idnumber: '', categoryid: 1, visible: 0, summary: '' });
    const [o] = await harness.send('create', [numberedCourse(2)]);
    assert.ok(o?.ok, JSON.stringify(o));
    assert.equal(o.externalId, '500');
    assert.equal(fake.courses.get(500)?.idnumber, 'edX+Demo2X');
    assert.equal(fake.courses.get(500)?.visible, 1);
  });

  void it('a create of a course Moodle already has (found by idnumber) makes it visible and updates it', async () => {
    await harness.send('create', [numberedCourse(3)]);
    await harness.send('delete', [numberedCourse(3)]);
    assert.equal(fake.byIdnumber('edX+Demo3X')[0]?.visible, 0);
    await harness.send('create', [numberedCourse(3, 2)]);
    assert.equal(fake.byIdnumber('edX+Demo3X').length, 1);
    assert.equal(fake.byIdnumber('edX+Demo3X')[0]?.visible, 1);
  });

  void it('an update of a course Moodle does not have creates it; a delete of one hides nothing and succeeds', async () => {
    const [u] = await harness.send('update', [numberedCourse(4)]);
    assert.ok(u?.ok);
    assert.equal(fake.byIdnumber('edX+Demo4X').length, 1);
    const [d] = await harness.send('delete', [numberedCourse(40)]);
    assert.ok(d?.ok);
  });

  void it('maps Moodle error codes to typed errors', () => {
    const e = (code: string) => moodleError({ errorcode: code, message: 'm' }, 'x');
    assert.ok(e('dmlwriteexception') instanceof UnavailableChannelError);
    assert.ok(e('sitemaintenance') instanceof UnavailableChannelError);
    assert.equal(e('invalidrecord').status, 404);
    assert.equal(e('shortnametaken').status, 409);
    assert.equal(e('invalidparameter').status, 400);
    assert.equal(e('accessexception').status, 403);
    assert.ok(e('nosuchthing') instanceof PermanentChannelError);
  });

  void it('a warning on update fails the item', async () => {
    await harness.send('create', [numberedCourse(5)]);
    fake.server.inject({ json: { warnings: [{ item: 'course', itemid: 1, warningcode: 'invalidrecord', message: 'Course not found' }] } }, { routes: ['server'], after: 1 });
    const [o] = await harness.send('update', [numberedCourse(5, 2)]);
    assert.ok(o && !o.ok && o.error instanceof PermanentChannelError);
  });

  void it('a refused static token without username/password is a permanent error for the chunk', async () => {
    const f = new MoodleFake();
    await f.start();
    try {
      f.expireTokens();
      const h = new ChannelHarness(createMoodleAdapter(), { ...base, moodle_base_url: f.server.url });
      const err = await thrown(() => h.send('create', [numberedCourse(6), numberedCourse(7)]));
      assert.ok(err instanceof PermanentChannelError, String(err));
      assert.equal(f.server.count('server'), 1, 'no second call without a way to get a new token');
    } finally {
      await f.close();
    }
  });

  void it('a refused static token falls back to username/password, once', async () => {
    const f = new MoodleFake();
    await f.start();
    try {
      f.expireTokens();
      const h = new ChannelHarness(createMoodleAdapter(), { ...base, moodle_base_url: f.server.url, username: f.username, password: f.password });
      const [o] = await h.send('create', [numberedCourse(8)]);
      assert.ok(o?.ok);
      assert.equal(f.server.count('token'), 1);
      await h.send('update', [numberedCourse(8, 2)]);
      assert.equal(f.server.count('token'), 1, 'the fetched token is cached');
      const logs = JSON.stringify(h.logs);
      for (const s of [f.password, f.staticToken, ...f.issued]) assert.ok(!logs.includes(s));
    } finally {
      await f.close();
    }
  });

  void it('wrong username/password is a permanent error for the chunk', async () => {
    const h = new ChannelHarness(createMoodleAdapter(), { moodle_base_url: fake.server.url, service_short_name: fake.serviceShortName, username: fake.username, password: 'wrong-password' });
    const err = await thrown(() => h.send('create', [numberedCourse(9)]));
    assert.ok(err instanceof PermanentChannelError && /invalidlogin/.test(err.message));
  });

  void it('requires a token or a username and password', () => {
    const a = createMoodleAdapter();
    const s = { moodle_base_url: 'https://moodle.example.com', service_short_name: 'edx' };
    assert.deepEqual(a.validateSettings?.({ ...s, token: 't' }), []);
    assert.deepEqual(a.validateSettings?.({ ...s, username: 'u', password: 'p' }), []);
    assert.deepEqual(a.validateSettings?.(s), ['token: a token, or a username and a password, is required']);
    assert.deepEqual(a.validateSettings?.({ ...s, token: 't', username: 'u' }), ['password: username and password go together']);
  });
});
