/**
 * One conformance suite for every LMS adapter (house style 14). Each case runs against its fake LMS, a real HTTP
 * server on 127.0.0.1.
 *
 * Retry contract: adapters never sleep. A 429 is thrown as `RateLimitedChannelError` carrying the LMS's
 * `Retry-After` (the engine waits and resends the chunk); a 5xx or timeout is thrown as
 * `UnavailableChannelError`; a 4xx refusal is a permanent outcome for the item, recorded without a retry. An
 * adapter that sends one item per call keeps the outcomes it already has when a chunk-wide failure hits midway and
 * records that failure on the items it did not send.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Value } from 'typebox/value';
import {
  PermanentChannelError,
  RateLimitedChannelError,
  UnavailableChannelError,
  type ChannelAdapter,
  type ItemOutcome,
} from '../../src/channels/channel-adapter.js';
import { numberedCourse } from '../fakes/content-items.js';
import { ChannelHarness, dump, thrown } from './channel-harness.js';
import { CONFORMANCE_CASES, type FakeHandle, HANG_TIMEOUT_MS } from './conformance-cases.js';

function okIds(outcomes: readonly ItemOutcome[]): string[] {
  return outcomes.filter((o) => o.ok).map((o) => o.contentId);
}

for (const c of CONFORMANCE_CASES) {
  void describe(`${c.code} adapter conformance`, () => {
    let h: FakeHandle;
    let harness: ChannelHarness<Record<string, unknown>>;
    let n = 0;
    /** A content item no other test of this case used. */
    const fresh = (version = 1) => numberedCourse(++n, version);

    before(async () => {
      h = await c.start();
      harness = new ChannelHarness<Record<string, unknown>>(h.adapter as ChannelAdapter<Record<string, unknown>>, h.settings);
    });
    after(() => h.close());

    void it('accepts its own settings and declares sane limits', () => {
      assert.equal(h.adapter.code, c.code);
      assert.deepEqual(h.adapter.validateSettings?.(h.settings) ?? [], []);
      assert.ok(h.adapter.maxItemsPerCall >= 1);
      assert.ok(h.adapter.defaultChunkSize >= 1 && h.adapter.defaultChunkSize <= h.adapter.maxItemsPerCall);
      assert.ok(Value.Check(h.adapter.settingsSchema, h.settings), 'the fake settings match the schema');
      const properties = (h.adapter.settingsSchema as { properties?: Record<string, unknown> }).properties ?? {};
      for (const f of h.adapter.secretFields) assert.ok(f in properties, `secret field ${f} is a settings field`);
    });

    void it('create: every item of the chunk is present in the LMS, one outcome per item in order', async () => {
      const items = [fresh(), fresh()];
      const outcomes = await harness.send('create', items);
      assert.deepEqual(outcomes.map((o) => o.contentId), items.map((i) => i['key']));
      assert.deepEqual(okIds(outcomes), items.map((i) => i['key']));
      for (const item of items) {
        const remote = h.remote(String(item['key']));
        assert.ok(remote, 'present');
        assert.equal(remote.live, true);
        assert.equal(remote.title, item['title']);
      }
    });

    void it('update: the remote course changes', async () => {
      const item = fresh();
      await harness.send('create', [item]);
      const changed = numberedCourse(n, 2);
      const outcomes = await harness.send('update', [changed]);
      assert.deepEqual(okIds(outcomes), [changed['key']]);
      assert.equal(h.remote(String(changed['key']))?.title, changed['title']);
      assert.equal(h.copies(String(changed['key'])), 1);
    });

    void it('update of content the LMS does not have yet creates it', async () => {
      const item = fresh();
      const outcomes = await harness.send('update', [item]);
      assert.deepEqual(okIds(outcomes), [item['key']]);
      assert.equal(h.remote(String(item['key']))?.live, true);
    });

    void it('delete: the course is gone, inactive or hidden as the LMS models it', async () => {
      const item = fresh();
      await harness.send('create', [item]);
      // The engine sends the stored create payload for deletes (deletes never fetch metadata again).
      const stored = harness.map([item], 'create');
      const outcomes = await h.adapter.transmit('delete', stored, harness.context());
      assert.deepEqual(okIds(outcomes), [item['key']]);
      const remote = h.remote(String(item['key']));
      assert.ok(remote === undefined || remote.live === false);
    });

    void it('a resend of the same create is idempotent (no duplicate)', async () => {
      const item = fresh();
      const first = await harness.send('create', [item]);
      const second = await harness.send('create', [item]);
      assert.deepEqual(okIds(first), [item['key']]);
      assert.deepEqual(okIds(second), [item['key']]);
      assert.equal(h.copies(String(item['key'])), 1);
    });

    void it('429: throws RateLimitedChannelError with the Retry-After wait, then succeeds when resent', async () => {
      const item = fresh();
      h.server.inject({ status: 429, headers: { 'retry-after': '7' }, json: { error: 'slow down' } }, { routes: h.contentRoutes });
      const err = await thrown(() => harness.send('create', [item]));
      assert.ok(err instanceof RateLimitedChannelError, String(err));
      assert.equal(err.retryAfterMs, 7000);
      assert.equal(h.remote(String(item['key'])), undefined);
      const outcomes = await harness.send('create', [item]);
      assert.deepEqual(okIds(outcomes), [item['key']]);
      assert.equal(h.copies(String(item['key'])), 1);
    });

    void it('5xx and timeouts are thrown as UnavailableChannelError', async () => {
      const item = fresh();
      h.server.inject({ status: 503, text: 'maintenance' }, { routes: h.contentRoutes });
      assert.ok((await thrown(() => harness.send('create', [item]))) instanceof UnavailableChannelError);
      // A second adapter with a short timeout; it shares the durable settings (Blackboard rotates its token).
      const quick = new ChannelHarness<Record<string, unknown>>(h.withTimeout(HANG_TIMEOUT_MS) as ChannelAdapter<Record<string, unknown>>, harness.settings);
      h.server.inject({ hang: true }, { routes: h.contentRoutes });
      const started = Date.now();
      const err = await thrown(() => quick.send('create', [item]));
      harness.settings = quick.settings;
      harness.logs.push(...quick.logs);
      harness.results.push(...quick.results);
      assert.ok(err instanceof UnavailableChannelError, String(err));
      assert.match(err.message, /timed out after 800 ms/);
      assert.ok(Date.now() - started < 5_000);
    });

    void it('a permanent 4xx is recorded for the item without a retry', async () => {
      const item = fresh();
      const before = h.server.count(...h.contentRoutes);
      h.server.inject(h.permanentFault, { routes: h.contentRoutes });
      const outcomes = await harness.send('create', [item]);
      assert.equal(outcomes.length, 1);
      const [o] = outcomes;
      assert.ok(o && !o.ok && o.error instanceof PermanentChannelError, JSON.stringify(o));
      assert.equal(h.server.count(...h.contentRoutes) - before, 1, 'exactly one call, no retry');
    });

    void it('stored metadata that is not a valid payload is refused without a call', async () => {
      const before = h.server.count();
      const outcomes = await h.adapter.transmit('create', [{ contentId: 'broken', metadata: { nope: true } }], harness.context());
      assert.equal(outcomes.length, 1);
      assert.ok(outcomes[0] && !outcomes[0].ok && outcomes[0].error instanceof PermanentChannelError);
      assert.equal(h.server.count(), before);
    });

    void it('an aborted run stops with UnavailableChannelError', async () => {
      const ac = new AbortController();
      ac.abort();
      const err = await thrown(() => harness.send('create', [fresh()], ac.signal));
      assert.ok(err instanceof UnavailableChannelError, String(err));
    });

    void it('per-item channels: one refused item does not stop the others', async (t) => {
      if (!h.perItem) return t.skip('whole-chunk channel');
      const [a, b] = [fresh(), fresh()];
      h.server.inject(h.permanentFault, { routes: h.contentRoutes });
      const outcomes = await harness.send('create', [a, b]);
      assert.equal(outcomes.length, 2);
      assert.equal(outcomes[0]?.ok, false);
      assert.equal(outcomes[1]?.ok, true);
      assert.equal(h.remote(String(b['key']))?.live, true);
    });

    void it('per-item channels: a 429 midway keeps the finished outcomes and marks the rest rate limited', async (t) => {
      if (!h.perItem) return t.skip('whole-chunk channel');
      await harness.send('create', [fresh()]); // a token is cached: what follows are content calls only
      const before = h.server.count(...h.contentRoutes);
      await harness.send('create', [fresh()]);
      const callsPerCreate = h.server.count(...h.contentRoutes) - before;
      const [a, b] = [fresh(), fresh()];
      h.server.inject({ status: 429, headers: { 'retry-after': '3' } }, { routes: h.contentRoutes, after: callsPerCreate, times: 1_000 });
      const outcomes = await harness.send('create', [a, b]);
      h.server.clearFaults();
      assert.equal(outcomes[0]?.ok, true);
      const second = outcomes[1];
      assert.ok(second && !second.ok && second.error instanceof RateLimitedChannelError);
      assert.equal(second.error.retryAfterMs, 3000);
      assert.equal(h.remote(String(a['key']))?.live, true);
      assert.equal(h.remote(String(b['key'])), undefined);
    });

    void it('an expired token is refreshed once and the call repeated', async (t) => {
      if (!h.expireTokens) return t.skip('no tokens');
      const item = fresh();
      await harness.send('create', [item]);
      const tokensBefore = h.server.count(...h.tokenRoutes);
      h.expireTokens();
      const outcomes = await harness.send('update', [numberedCourse(n, 2)]);
      assert.deepEqual(okIds(outcomes), [item['key']]);
      assert.equal(h.server.count(...h.tokenRoutes) - tokensBefore, 1);
    });

    void it('a token refused again after the refresh is not refreshed a second time', async (t) => {
      if (!h.expireTokens || !h.authFault) return t.skip('no tokens');
      const item = fresh();
      await harness.send('create', [item]);
      const tokensBefore = h.server.count(...h.tokenRoutes);
      h.server.inject(h.authFault, { routes: h.contentRoutes, times: 2 });
      const err = await thrown(() => harness.send('update', [item]));
      assert.ok(err instanceof PermanentChannelError, String(err));
      assert.equal(h.server.count(...h.tokenRoutes) - tokensBefore, 1);
    });

    void it('every outbound call is logged, and no credential appears in any log entry, outcome or error', () => {
      assert.ok(harness.logs.length > 0);
      const answered = h.server.requests.length;
      // Calls the fake never answered (hangs) are logged too; everything the fake saw must have a log entry.
      assert.ok(harness.logs.length >= answered, `${harness.logs.length} log entries for ${answered} requests`);
      // Outcome bodies and error messages end up in audit rows: they must be as clean as the log.
      const text = JSON.stringify(harness.logs) + dump(harness.results);
      assert.ok(harness.results.length > 10);
      for (const secret of h.secrets()) {
        assert.ok(secret.length > 0);
        assert.equal(text.includes(secret), false, `a credential leaked into the request log: ${secret.slice(0, 4)}…`);
        assert.equal(text.includes(encodeURIComponent(secret)), false);
      }
      for (const entry of harness.logs) {
        assert.ok(entry.durationMs >= 0);
        assert.ok(entry.status !== null || entry.error !== undefined);
      }
    });
  });
}
