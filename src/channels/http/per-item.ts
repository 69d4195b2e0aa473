/**
 * Transmission for LMS APIs that take one item per call (Degreed, Canvas, Blackboard, Moodle). Upstream sent only
 * the first item of a chunk and recorded its result on every row (P15); here each item gets its own call and its
 * own outcome.
 */
import {
  ChannelError,
  type ItemOutcome,
  type OutboundItem,
  PermanentChannelError,
} from '../channel-adapter.js';
import { type CheckedItem, inChunkOrder } from '../mapping/payload-check.js';

/** Errors that concern the whole chunk (bad credentials), not the item being sent. */
const chunkWideErrors = new WeakSet<ChannelError>();

/**
 * Mark an error as concerning every item (for example a refused credential), so the per-item loop stops instead
 * of recording it against one item and trying the next.
 */
export function chunkWide<E extends ChannelError>(error: E): E {
  chunkWideErrors.add(error);
  return error;
}

/**
 * Whether an error stops the remaining items of a chunk: rate limits, outages and anything marked `chunkWide`.
 * A permanent refusal of one item does not.
 */
export function isChunkWide(error: ChannelError): boolean {
  return error.retryable || chunkWideErrors.has(error);
}

/**
 * Any thrown value as a typed channel error. Transport failures are already typed by the HTTP helper, so what is
 * left is a defect in the adapter or a payload it cannot handle: retrying will not help, hence permanent.
 */
export function toChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PermanentChannelError(`adapter error: ${message}`);
}

/**
 * Send items one by one with `sendOne`, answering one outcome per item.
 *
 * A permanent error of one item is recorded and the loop goes on. A chunk-wide error (429, outage, timeout, refused
 * credentials) stops the loop: if no item has been sent yet it is thrown, so the engine retries the chunk as a
 * whole; otherwise the finished outcomes are kept and the error is recorded on every item not yet sent, which the
 * engine will retry because the error is retryable (or, for credentials, report).
 */
export async function transmitEach(
  items: readonly OutboundItem[],
  sendOne: (item: OutboundItem) => Promise<ItemOutcome>,
): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as OutboundItem;
    try {
      outcomes.push(await sendOne(item));
    } catch (err) {
      const error = toChannelError(err);
      if (!isChunkWide(error)) {
        outcomes.push({ contentId: item.contentId, ok: false, error });
        continue;
      }
      if (outcomes.length === 0) throw error;
      for (const rest of items.slice(i)) outcomes.push({ contentId: rest.contentId, ok: false, error });
      break;
    }
  }
  return outcomes;
}

/**
 * `transmitEach` over a chunk already split by `checkPayloads`: the valid items are sent one by one, in chunk
 * order, with their checked payloads; the refused ones keep their permanent outcomes. Answers in chunk order.
 */
export async function transmitChecked<T>(
  items: readonly OutboundItem[],
  checked: { valid: readonly CheckedItem<T>[]; rejected: readonly ItemOutcome[] },
  sendOne: (item: CheckedItem<T>) => Promise<ItemOutcome>,
): Promise<ItemOutcome[]> {
  const byId = new Map(checked.valid.map((v) => [v.contentId, v]));
  const outcomes = await transmitEach(
    items.filter((i) => byId.has(i.contentId)),
    (item) => sendOne(byId.get(item.contentId) as CheckedItem<T>),
  );
  return inChunkOrder(items, [...outcomes, ...checked.rejected]);
}
