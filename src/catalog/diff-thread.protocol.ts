/**
 * Between the catalog service and the `generate_diff` worker thread (`diff-thread.ts`).
 *
 * Requests go by `postMessage`. Answers come back through shared memory: each request names an output slot, a
 * `SharedArrayBuffer` the worker was given once, and the worker writes the answer there, then sets the slot's state
 * and wakes the waiting thread with `Atomics.notify` (it waits with `Atomics.waitAsync`).
 *
 * Why not a reply message: answering HTTP requests from a `MessagePort` message handler made V8 run far more full
 * collections. Measured on bench B4 (23-11, `--trace-gc --trace-incremental-marking`): 37–43 per run, nearly all
 * started by "external memory pressure", against 6 with `Atomics.waitAsync`. A standalone reproduction (an HTTP
 * server whose answers wait for a message round trip, even through a `MessageChannel` within one thread) showed the
 * request bodies' array buffers surviving young collections, 50–70 MB of them between full collections; answered
 * after `Atomics.waitAsync`, `setImmediate` or a timer, with no message involved, they stayed under 12 MB
 * (docs/PERFORMANCE.md).
 */

/** Slot header, as Int32 words at the start of the slot; the answer's bytes follow it. */
export const SLOT_STATE = 0;
export const SLOT_LENGTH = 1;
export const SLOT_HEADER_BYTES = 8;

/** Slot states. */
export const PENDING = 0;
/** The answer's `length` bytes follow the header. */
export const ANSWERED = 1;
/** The worker does not hold the query's members at that version: send them with the request. */
export const NEEDS_MEMBERS = 2;
/** The answer needs a slot of at least `length` bytes of data: give the slot a larger buffer and ask again. */
export const TOO_SMALL = 3;
/** Answer in-process: the keys could not be split back, or the worker failed (or is gone). */
export const INLINE = 4;

/** A query's members: ids ascending, with each one's key and `modified` (µs, NaN when unknown). */
export interface DiffThreadMembers {
  ids: Int32Array;
  keys: string[];
  modifiedUs: Float64Array;
}

export interface DiffThreadRequest {
  kind: 'diff';
  queryId: number;
  version: number;
  /** The query's members at `version`, sent when the worker lacks them. */
  members?: DiffThreadMembers;
  /** The caller's keys joined by '\n', `count` of them (none holds a '\n'; the worker checks the count). */
  requested: string;
  count: number;
  floorUs: number;
  slot: number;
}

/** Gives the worker slot `slot`'s buffer (on first use, and when the slot grows). */
export interface DiffThreadSlotMessage {
  kind: 'slot';
  slot: number;
  buffer: SharedArrayBuffer;
}

export type DiffThreadMessage = DiffThreadRequest | DiffThreadSlotMessage;
