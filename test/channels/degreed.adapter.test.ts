import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDegreedAdapter } from '../../src/channels/degreed/degreed.adapter.js';
import type { DegreedSettings } from '../../src/channels/degreed/degreed.settings.js';
import { numberedCourse } from '../fakes/content-items.js';
import { DegreedFake } from '../fakes/lms/degreed.fake.js';
import { ChannelHarness } from './channel-harness.js';

void describe('Degreed adapter', () => {
  const fake = new DegreedFake();
  let harness: ChannelHarness<DegreedSettings>;
  before(async () => {
    await fake.start();
    harness = new ChannelHarness(createDegreedAdapter(), {
      degreed_base_url: fake.server.url,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });
  });
  after(() => fake.close());

  void it('creates with JSON:API attributes, answers Degreed\'s id, then sends the skills', async () => {
    const [o] = await harness.send('create', [numberedCourse(1)]);
    assert.ok(o?.ok);
    const [course] = fake.byExternalId('edX+Demo1X');
    assert.equal(o.externalId, course?.id);
    assert.equal(o.status, 201);
    assert.deepEqual(course?.skills, ['Python (Programming Language)', 'Algorithms']);
    const tokenReq = fake.server.requests.find((r) => r.route === 'token');
    assert.equal(tokenReq?.form.get('scope'), 'content:read,content:write,completions:write,completions:read');
  });

  void it('a create Degreed answers with 409 becomes an update of the existing course', async () => {
    await harness.send('create', [numberedCourse(2)]);
    const [o] = await harness.send('create', [numberedCourse(2, 3)]);
    assert.ok(o?.ok);
    assert.equal(fake.byExternalId('edX+Demo2X').length, 1);
    assert.equal(fake.byExternalId('edX+Demo2X')[0]?.attributes['title'], 'Demo course 2 (v3)');
    const last = fake.server.requests.filter((r) => r.route === 'update').at(-1);
    assert.equal((last?.json as { data: { attributes: { obsolete: boolean } } }).data.attributes.obsolete, false);
  });

  void it('looks a course up by external id once, then uses the remembered id', async () => {
    await harness.send('create', [numberedCourse(3)]);
    const lookups = fake.server.count('list');
    await harness.send('update', [numberedCourse(3, 2)]);
    await harness.send('update', [numberedCourse(3, 3)]);
    assert.equal(fake.server.count('list'), lookups, 'the id from the create response is reused');
    const q = new URLSearchParams({ 'filter[external_id]': 'edX+Demo3X' }).toString();
    assert.equal(q, 'filter%5Bexternal_id%5D=edX%2BDemo3X', '+ travels as %2B');
  });

  void it('an update whose remembered course was deleted in Degreed recreates it', async () => {
    await harness.send('create', [numberedCourse(4)]);
    const id = fake.byExternalId('edX+Demo4X')[0]?.id ?? '';
    fake.courses.delete(id);
    const [o] = await harness.send('update', [numberedCourse(4, 2)]);
    assert.ok(o?.ok);
    assert.equal(fake.byExternalId('edX+Demo4X').length, 1);
  });

  void it('a failing skills call does not fail the item', async () => {
    fake.server.inject({ status: 500 }, { routes: ['skills'] });
    const [o] = await harness.send('create', [numberedCourse(5)]);
    assert.ok(o?.ok);
  });

  void it('renews a token shortly before it expires, without waiting for a 401', async () => {
    const h = new ChannelHarness(createDegreedAdapter(), harness.settings);
    fake.tokens.ttlSec = 1;
    try {
      await h.send('create', [numberedCourse(7)]);
      const tokens = fake.server.count('token');
      const unauthorized = fake.server.requests.length;
      await new Promise((r) => setTimeout(r, 600));
      await h.send('update', [numberedCourse(7, 2)]);
      assert.equal(fake.server.count('token'), tokens + 1);
      const later = fake.server.requests.slice(unauthorized);
      assert.ok(later.every((r) => r.route === 'token' || r.headers['authorization'] !== undefined));
    } finally {
      fake.tokens.ttlSec = 3600;
    }
  });

  void it('deletes by id, and a course Degreed does not have counts as deleted', async () => {
    await harness.send('create', [numberedCourse(6)]);
    const [o] = await harness.send('delete', [numberedCourse(6)]);
    assert.ok(o?.ok);
    assert.equal(fake.byExternalId('edX+Demo6X').length, 0);
    const [again] = await harness.send('delete', [numberedCourse(6)]);
    assert.ok(again?.ok);
  });
});
