/**
 * The `generate_diff` thread: it keeps each catalog query's encoded members (per index version, as the HTTP thread's
 * own cache does) and writes answers with {@link writeDiffAnswer} into the request's shared output slot
 * (`diff-thread.protocol.ts`), so the HTTP thread only reads the request and sends the bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatMicros } from './catalog-time.js';
import { encodeMemberEntries, MemberEntriesCache, writeDiffAnswer, type MemberEntries } from './diff-answer.js';
import {
  ANSWERED,
  INLINE,
  NEEDS_MEMBERS,
  SLOT_HEADER_BYTES,
  SLOT_LENGTH,
  SLOT_STATE,
  TOO_SMALL,
  type DiffThreadMembers,
  type DiffThreadMessage,
  type DiffThreadRequest,
} from './diff-thread.protocol.js';

if (parentPort === null) throw new Error('diff-thread.ts must run in a worker thread');
const cache = new MemberEntriesCache((workerData as { maxBytes: number }).maxBytes);
const slots: SharedArrayBuffer[] = [];

parentPort.on('message', (msg: DiffThreadMessage) => {
  if (msg.kind === 'slot') {
    slots[msg.slot] = msg.buffer;
    return;
  }
  const buffer = slots[msg.slot] as SharedArrayBuffer;
  const header = new Int32Array(buffer, 0, 2);
  let state: number;
  try {
    state = answer(msg, buffer, header);
  } catch {
    // Whatever went wrong here, the HTTP thread answers in-process and reports its own error, if any.
    state = INLINE;
  }
  Atomics.store(header, SLOT_STATE, state);
  Atomics.notify(header, SLOT_STATE);
});

/** Writes the answer (or what the client must do instead) into the slot; returns the slot's new state. */
function answer(msg: DiffThreadRequest, buffer: SharedArrayBuffer, header: Int32Array): number {
  let members: MemberEntries | undefined;
  if (msg.members !== undefined) {
    members = decodeMembers(msg.members);
    cache.put(msg.queryId, msg.version, members);
  } else {
    members = cache.find(msg.queryId, msg.version);
    if (members === undefined) return NEEDS_MEMBERS;
  }
  const requested = msg.requested.split('\n');
  if (requested.length !== msg.count) return INLINE;
  // Written straight into the slot when it fits; otherwise only its length is needed (the slot grows, then retries).
  const fits = (bytes: number) => bytes <= buffer.byteLength - SLOT_HEADER_BYTES;
  const allocate = (bytes: number) => (fits(bytes) ? Buffer.from(buffer, SLOT_HEADER_BYTES, bytes) : Buffer.allocUnsafe(bytes));
  const bytes = writeDiffAnswer({ members, requested, floorUs: msg.floorUs, format: formatMicros, allocate });
  header[SLOT_LENGTH] = bytes.length;
  return fits(bytes.length) ? ANSWERED : TOO_SMALL;
}

function decodeMembers(m: DiffThreadMembers): MemberEntries {
  // The arrays are aligned with the ids, which are encoded in order.
  return encodeMemberEntries(m.ids, {
    keyOf: (_id, at) => m.keys[at] as string,
    modifiedUsOf: (_id, at) => {
      const us = m.modifiedUs[at] as number;
      return Number.isNaN(us) ? undefined : us;
    },
  });
}
