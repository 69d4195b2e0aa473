/** The transmitter with a scripted adapter: order, chunking, caps, rate limits, outages, dry run. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ChannelAction,
  type ItemOutcome,
  type OutboundItem,
  PermanentChannelError,
  RateLimitedChannelError,
  UnavailableChannelError,
} from '../../src/channels/channel-adapter.js';
import type { AnyChannelAdapter } from '../../src/channels/registry.js';
import { type RecordedOutcome, type SendItem, type TransmitDeps, transmitItems } from '../../src/channels/transmitter.js';

type Script = (action: ChannelAction, items: readonly OutboundItem[], call: number) => ItemOutcome[] | Error;

function scriptedAdapter(script: Script, extra: Partial<AnyChannelAdapter> = {}): AnyChannelAdapter & { calls: Array<{ action: ChannelAction; ids: string[] }> } {
  const calls: Array<{ action: ChannelAction; ids: string[] }> = [];
  return {
    code: 'GENERIC',
    settingsSchema: {},
    secretFields: [],
    maxItemsPerCall: 100,
    defaultChunkSize: 10,
    mapItem: () => ({}),
    transmit: async (action, items) => {
      calls.push({ action, ids: items.map((i) => i.contentId) });
      const r = script(action, items, calls.length);
      if (r instanceof Error) throw r;
      return r;
    },
    calls,
    ...extra,
  };
}

const ok = (items: readonly OutboundItem[]): ItemOutcome[] => items.map((i) => ({ contentId: i.contentId, ok: true, status: 200, body: 'ok' }));

function items(action: ChannelAction, n: number, prefix = action): SendItem[] {
  return Array.from({ length: n }, (_, i) => ({ contentId: `${prefix}-${i + 1}`, action, metadata: { n: i } }));
}

function deps(adapter: AnyChannelAdapter, over: Partial<TransmitDeps> = {}): TransmitDeps & { recorded: RecordedOutcome[]; slept: number[]; clock: { t: number } } {
  const recorded: RecordedOutcome[] = [];
  const slept: number[] = [];
  const clock = { t: 1_000_000 };
  return {
    adapter,
    chunkSize: 2,
    dryRun: false,
    deadline: clock.t + 60_000,
    signal: new AbortController().signal,
    context: () => ({}) as never,
    now: () => clock.t,
    sleep: async (ms) => {
      slept.push(ms);
      clock.t += ms;
    },
    waitForCallSlot: async () => true,
    record: async (o) => {
      recorded.push(...o);
    },
    unavailableBackoffMs: 100,
    recorded,
    slept,
    clock,
    ...over,
  };
}

void describe('transmitter', () => {
  void it('sends deletes, then creates, then updates, in chunks of the configured size', async () => {
    const adapter = scriptedAdapter((_a, i) => ok(i));
    const d = deps(adapter, { chunkSize: 2 });
    const r = await transmitItems([...items('update', 3), ...items('create', 2), ...items('delete', 1)], d);
    assert.deepEqual(
      adapter.calls.map((c) => `${c.action}:${c.ids.join(',')}`),
      ['delete:delete-1', 'create:create-1,create-2', 'update:update-1,update-2', 'update:update-3'],
    );
    assert.equal(r.succeeded, 6);
    assert.equal(r.stopped, null);
    assert.equal(d.recorded.length, 6);
  });

  void it('never puts more in a call than the adapter takes', async () => {
    const adapter = scriptedAdapter((_a, i) => ok(i), { maxItemsPerCall: 1 });
    await transmitItems(items('create', 3), deps(adapter, { chunkSize: 500 }));
    assert.equal(adapter.calls.length, 3);
  });

  void it('25. honours the per-run chunk cap per action; the rest stays for the next run', async () => {
    const adapter = scriptedAdapter((_a, i) => ok(i), { maxChunksPerRun: 1 });
    const r = await transmitItems([...items('create', 3), ...items('update', 1)], deps(adapter, { chunkSize: 1 }));
    assert.deepEqual(
      adapter.calls.map((c) => c.ids[0]),
      ['create-1', 'update-1'],
    );
    assert.equal(r.deferred, 2);
  });

  void it('24. a dry run calls nothing and records nothing', async () => {
    const adapter = scriptedAdapter((_a, i) => ok(i));
    const seen: string[] = [];
    const d = deps(adapter, { dryRun: true, onDryRun: (i) => seen.push(i.contentId) });
    const r = await transmitItems(items('create', 3), d);
    assert.equal(adapter.calls.length, 0);
    assert.equal(d.recorded.length, 0);
    assert.equal(r.dryRun, 3);
    assert.equal(seen.length, 3);
  });

  void it('waits for Retry-After within the budget and resends', async () => {
    const adapter = scriptedAdapter((_a, i, call) => (call === 1 ? new RateLimitedChannelError('slow down', 2_000) : ok(i)));
    const d = deps(adapter);
    const r = await transmitItems(items('create', 2), d);
    assert.deepEqual(d.slept, [2_000]);
    assert.equal(r.succeeded, 2);
    assert.equal(adapter.calls.length, 2);
  });

  void it('stops when Retry-After is beyond the budget; the chunk is recorded as a transient failure', async () => {
    const adapter = scriptedAdapter(() => new RateLimitedChannelError('slow down', 120_000));
    const d = deps(adapter);
    const r = await transmitItems(items('create', 4), d);
    assert.match(r.stopped ?? '', /rate limited/);
    assert.equal(adapter.calls.length, 1);
    assert.equal(d.recorded.length, 2);
    assert.ok(d.recorded.every((o) => !o.ok && o.kind === 'transient' && o.retryAfterMs === 120_000));
    assert.equal(r.deferred, 2);
  });

  void it('retries an unavailable LMS with back-off, then stops the run', async () => {
    const adapter = scriptedAdapter(() => new UnavailableChannelError('HTTP 503', 503));
    const d = deps(adapter);
    const r = await transmitItems(items('create', 4), d);
    assert.deepEqual(d.slept, [100, 200]);
    assert.equal(adapter.calls.length, 3);
    assert.match(r.stopped ?? '', /unavailable/);
    assert.ok(d.recorded.every((o) => !o.ok && o.kind === 'transient' && o.status === 503));
  });

  void it('recovers when the LMS comes back during the back-off', async () => {
    const adapter = scriptedAdapter((_a, i, call) => (call === 1 ? new UnavailableChannelError('timed out') : ok(i)));
    const d = deps(adapter);
    const r = await transmitItems(items('update', 2), d);
    assert.equal(r.succeeded, 2);
    assert.equal(r.stopped, null);
  });

  void it('records a permanent refusal per item and goes on; timeouts without a status get 555', async () => {
    const adapter = scriptedAdapter((_a, i) =>
      i.map((x) =>
        x.contentId === 'create-1'
          ? { contentId: x.contentId, ok: false, error: new PermanentChannelError('bad', 422, '{"error":"bad"}') }
          : { contentId: x.contentId, ok: true, status: 201, body: '' },
      ),
    );
    const d = deps(adapter);
    const r = await transmitItems(items('create', 3), d);
    assert.equal(r.failed, 1);
    assert.equal(r.succeeded, 2);
    const failed = d.recorded.find((o) => !o.ok);
    assert.ok(failed && !failed.ok);
    assert.equal(failed.status, 422);
    assert.equal(failed.kind, 'permanent');

    const timeouts = scriptedAdapter(() => new UnavailableChannelError('timed out after 5 ms'));
    const d2 = deps(timeouts, { unavailableAttempts: 1 });
    await transmitItems(items('create', 1), d2);
    assert.equal(d2.recorded[0]?.status, 555);
  });

  void it('a chunk-wide refusal (credentials) stops the run', async () => {
    const adapter = scriptedAdapter(() => new PermanentChannelError('access refused', 401));
    const r = await transmitItems(items('create', 4), deps(adapter));
    assert.equal(adapter.calls.length, 1);
    assert.match(r.stopped ?? '', /refused/);
    assert.equal(r.deferred, 2);
  });

  void it('per-item retryable outcomes are resent after the wait', async () => {
    const adapter = scriptedAdapter((_a, i, call) =>
      call === 1
        ? [
            { contentId: i[0]?.contentId ?? '', ok: true, status: 200, body: '' },
            ...i.slice(1).map((x) => ({ contentId: x.contentId, ok: false as const, error: new RateLimitedChannelError('429', 1_000) })),
          ]
        : ok(i),
    );
    const d = deps(adapter, { chunkSize: 3 });
    const r = await transmitItems(items('create', 3), d);
    assert.equal(r.succeeded, 3);
    assert.deepEqual(adapter.calls[1]?.ids, ['create-2', 'create-3']);
    assert.deepEqual(d.slept, [1_000]);
  });

  void it('a call cut by shutdown records nothing: the rows stay marked for the next run', async () => {
    const abort = new AbortController();
    const adapter = scriptedAdapter(() => {
      abort.abort();
      return new UnavailableChannelError('run aborted');
    });
    const d = deps(adapter, { signal: abort.signal });
    const r = await transmitItems(items('create', 4), d);
    assert.equal(d.recorded.length, 0);
    assert.equal(r.deferred, 4);
    assert.match(r.stopped ?? '', /stopped/);
  });

  void it('stops when the call interval does not fit in the budget', async () => {
    const adapter = scriptedAdapter((_a, i) => ok(i));
    let slots = 1;
    const r = await transmitItems(items('create', 4), deps(adapter, { waitForCallSlot: async () => slots-- > 0 }));
    assert.equal(adapter.calls.length, 1);
    assert.match(r.stopped ?? '', /call interval/);
    assert.equal(r.deferred, 2);
  });
});
