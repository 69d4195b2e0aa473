/**
 * The content metadata transmitter (reference §3): sends the marked rows of one configuration through its channel
 * adapter, deletes first, then creates, then updates, in chunks of `transmission_chunk_size` (never more than the
 * adapter takes per call), at most `maxChunksPerRun` chunks per action, and at least `minCallIntervalMs` apart.
 *
 * The intent (`marked_for` and the payload) is already saved when this runs; each call's outcome is recorded right
 * after it, so a crash in between leaves the rows marked and the next run sends them again (adapters are idempotent
 * by external id). Success means the adapter acknowledged the item (a 2xx, P10).
 *
 * Failures decide what happens next (house style 10):
 * - rate limited: wait `Retry-After` and resend, if that fits in the run's time budget; else stop the run;
 * - unavailable (5xx, timeouts): resend with back-off a few times within the budget, then stop the run — the LMS
 *   is down, sending the other chunks would only fail the same way;
 * - permanent: recorded on the item (it waits for its back-off); a chunk-wide permanent refusal (credentials) stops
 *   the run.
 * A dry run sends nothing and records nothing.
 */
import {
  type ChannelAction,
  type ChannelContext,
  ChannelError,
  type ItemOutcome,
  type OutboundItem,
  PermanentChannelError,
  RateLimitedChannelError,
} from './channel-adapter.js';
import type { AnyChannelAdapter } from './registry.js';

/** One marked row, ready to send. */
export interface SendItem {
  contentId: string;
  action: ChannelAction;
  metadata: unknown;
}

export type RecordedOutcome =
  | { item: SendItem; ok: true; status: number; body: string }
  | { item: SendItem; ok: false; status: number; body: string; kind: 'permanent' | 'transient'; retryAfterMs: number | null };

export interface TransmitDeps {
  adapter: AnyChannelAdapter;
  chunkSize: number;
  dryRun: boolean;
  /** Epoch ms after which no call starts (and no wait ends later). */
  deadline: number;
  signal: AbortSignal;
  /** A context for the next call (with the latest saved settings). */
  context(): ChannelContext<Record<string, unknown>>;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Wait for the channel's minimum call interval; false when that would end after the deadline. */
  waitForCallSlot(): Promise<boolean>;
  /** Persist the outcomes of one call. */
  record(outcomes: RecordedOutcome[]): Promise<void>;
  /** Attempts of a chunk while the LMS is unavailable. */
  unavailableAttempts?: number;
  /** First back-off between those attempts; doubles each time. */
  unavailableBackoffMs?: number;
  onDryRun?(item: SendItem): void;
  onProgress?(done: number, total: number): void;
}

export interface TransmitResult {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Left marked for a later run: chunk cap, budget, or a stop. */
  deferred: number;
  /** Would have been sent (dry run). */
  dryRun: number;
  calls: number;
  byAction: Record<ChannelAction, { succeeded: number; failed: number }>;
  /** Why the run stopped before sending everything, if it did. */
  stopped: string | null;
}

/** What a LMS answers when the cause is unknown (upstream's `UNKNOWN_ERROR_HTTP_STATUS_CODE`). */
export const UNKNOWN_ERROR_STATUS = 555;
export const ACTIONS_IN_ORDER: readonly ChannelAction[] = ['delete', 'create', 'update'];

function toChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  return new PermanentChannelError(`adapter error: ${err instanceof Error ? err.message : String(err)}`);
}

function failure(item: SendItem, error: ChannelError, kind: 'permanent' | 'transient'): RecordedOutcome {
  return {
    item,
    ok: false,
    status: error.status ?? UNKNOWN_ERROR_STATUS,
    body: error.body !== '' ? error.body : error.message,
    kind,
    retryAfterMs: error instanceof RateLimitedChannelError ? error.retryAfterMs : null,
  };
}

export async function transmitItems(items: readonly SendItem[], deps: TransmitDeps): Promise<TransmitResult> {
  const { adapter } = deps;
  const result: TransmitResult = {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    deferred: 0,
    dryRun: 0,
    calls: 0,
    byAction: { create: { succeeded: 0, failed: 0 }, update: { succeeded: 0, failed: 0 }, delete: { succeeded: 0, failed: 0 } },
    stopped: null,
  };
  const total = items.length;
  let done = 0;
  const chunkSize = Math.max(1, Math.min(deps.chunkSize, adapter.maxItemsPerCall));
  const maxChunks = adapter.maxChunksPerRun ?? Number.POSITIVE_INFINITY;
  const attempts = deps.unavailableAttempts ?? 3;
  const backoffMs = deps.unavailableBackoffMs ?? 1_000;

  const record = async (outcomes: RecordedOutcome[]) => {
    if (outcomes.length === 0) return;
    await deps.record(outcomes);
    for (const o of outcomes) {
      if (o.ok) {
        result.succeeded++;
        result.byAction[o.item.action].succeeded++;
      } else {
        result.failed++;
        result.byAction[o.item.action].failed++;
      }
    }
    done += outcomes.length;
    deps.onProgress?.(done, total);
  };
  const fitsBudget = (waitMs: number) => deps.now() + waitMs < deps.deadline && !deps.signal.aborted;

  /** Send one chunk until every item has an outcome or the run must stop; returns the stop reason. */
  const sendChunk = async (action: ChannelAction, chunk: SendItem[]): Promise<string | null> => {
    let remaining = chunk;
    let unavailable = 0;
    while (remaining.length > 0) {
      if (!fitsBudget(0)) {
        result.deferred += remaining.length;
        return 'time budget spent';
      }
      if (!(await deps.waitForCallSlot())) {
        result.deferred += remaining.length;
        return "the channel's call interval does not fit in the time budget";
      }
      const byId = new Map(remaining.map((i) => [i.contentId, i]));
      const outbound: OutboundItem[] = remaining.map((i) => ({ contentId: i.contentId, metadata: i.metadata }));
      result.calls++;
      result.attempted += remaining.length;
      let outcomes: ItemOutcome[];
      try {
        outcomes = await adapter.transmit(action, outbound, deps.context());
      } catch (err) {
        if (deps.signal.aborted) {
          // Shutdown or budget spent mid-call: the outcome is unknown, so the intent stays and the next run resends.
          result.deferred += remaining.length;
          return 'the run was stopped (shutdown or time budget) during a call';
        }
        const error = toChannelError(err);
        if (error instanceof RateLimitedChannelError) {
          if (fitsBudget(error.retryAfterMs)) {
            await deps.sleep(error.retryAfterMs, deps.signal);
            continue;
          }
          await record(remaining.map((i) => failure(i, error, 'transient')));
          return `rate limited for ${Math.round(error.retryAfterMs / 1000)} s, beyond the time budget`;
        }
        if (error.retryable) {
          unavailable++;
          const wait = backoffMs * 2 ** (unavailable - 1);
          if (unavailable < attempts && fitsBudget(wait)) {
            await deps.sleep(wait, deps.signal);
            continue;
          }
          await record(remaining.map((i) => failure(i, error, 'transient')));
          return `the LMS is unavailable: ${error.message}`;
        }
        // Refused for the whole chunk (credentials, rights): every other call would be refused too.
        await record(remaining.map((i) => failure(i, error, 'permanent')));
        return `the LMS refused the call: ${error.message}`;
      }

      const settled: RecordedOutcome[] = [];
      const retry: SendItem[] = [];
      let retryWait = 0;
      let rateLimited = false;
      for (const o of outcomes) {
        const item = byId.get(o.contentId);
        if (item === undefined) continue;
        byId.delete(o.contentId);
        if (o.ok) settled.push({ item, ok: true, status: o.status, body: o.body });
        else if (o.error.retryable) {
          retry.push(item);
          if (o.error instanceof RateLimitedChannelError) {
            rateLimited = true;
            retryWait = Math.max(retryWait, o.error.retryAfterMs);
          }
        } else settled.push(failure(item, o.error, 'permanent'));
      }
      // An item the adapter did not answer for: a defect, not worth resending blindly.
      for (const item of byId.values()) settled.push(failure(item, new PermanentChannelError('the channel returned no outcome for this item'), 'permanent'));
      await record(settled);
      if (retry.length === 0) return null;

      const error = outcomes.find((o) => !o.ok && o.error.retryable && retry.some((r) => r.contentId === o.contentId));
      const cause = error && !error.ok ? error.error : new PermanentChannelError('retry');
      if (!rateLimited) {
        unavailable++;
        retryWait = backoffMs * 2 ** (unavailable - 1);
      }
      if ((rateLimited || unavailable < attempts) && fitsBudget(retryWait)) {
        await deps.sleep(retryWait, deps.signal);
        remaining = retry;
        continue;
      }
      await record(retry.map((i) => failure(i, cause, 'transient')));
      return rateLimited ? 'rate limited beyond the time budget' : `the LMS is unavailable: ${cause.message}`;
    }
    return null;
  };

  for (const action of ACTIONS_IN_ORDER) {
    const ofAction = items.filter((i) => i.action === action);
    for (let start = 0, n = 0; start < ofAction.length; start += chunkSize, n++) {
      const chunk = ofAction.slice(start, start + chunkSize);
      if (deps.dryRun) {
        for (const item of chunk) deps.onDryRun?.(item);
        result.dryRun += chunk.length;
        continue;
      }
      if (result.stopped !== null || n >= maxChunks) {
        result.deferred += chunk.length;
        continue;
      }
      result.stopped = await sendChunk(action, chunk);
    }
  }
  return result;
}
