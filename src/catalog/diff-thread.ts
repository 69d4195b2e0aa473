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
  const bytes = writeDiffAnswer({ members, requested, floorUs: msg.floorUs, format: formatMicros });
  header[SLOT_LENGTH] = bytes.length;
  if (bytes.length > buffer.byteLength - SLOT_HEADER_BYTES) return TOO_SMALL;
  bytes.copy(Buffer.from(buffer, SLOT_HEADER_BYTES));
  return ANSWERED;
}

function decodeMembers(m: DiffThreadMembers): MemberEntries {
  const at = new Map<number, number>();
  for (let i = 0; i < m.ids.length; i++) at.set(m.ids[i] as number, i);
  return encodeMemberEntries(m.ids, {
    keyOf: (id) => m.keys[at.get(id) as number] as string,
    modifiedUsOf: (id) => {
      const us = m.modifiedUs[at.get(id) as number] as number;
      return Number.isNaN(us) ? undefined : us;
    },
  });
}
