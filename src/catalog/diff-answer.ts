/**
 * `generate_diff` answers written straight into one Buffer.
 *
 * The answer of a large diff is mostly the catalog's own keys: every member lands in `items_not_included` or
 * `items_found`. Each member's JSON entry (`{"content_key":"…"},`) is therefore encoded once per catalog query and
 * index version ({@link MemberEntries}), and an answer is assembled by copying byte ranges: runs of members the
 * caller did not send are one copy each. Only the caller's unknown keys and the `date_updated` texts are encoded
 * per request. The bytes are exactly `JSON.stringify` of the {@link DiffAnswer} object the same inputs give (key
 * order included), which the property test checks. This is the one implementation of the buckets: in-process
 * callers get the object by parsing these bytes ({@link parseDiffAnswer}), not from a second evaluation.
 *
 * Bench B4 profile (5,000 keys, 376 KiB answer): building 8,500 answer objects, `JSON.stringify` and the UTF-8
 * length and encoding of the result took about 2 ms of the 4.2 ms a request cost.
 *
 * A found member's `date_updated` ending is encoded once per encoded members and distinct time, not once per
 * request: with every member's `modified` distinct (content that changed upstream over months), formatting them on
 * every request made a 5,000-key answer about 7 times slower (11.5 ms against 1.5 ms in a loop on one machine).
 */
import type { IndexContentRow, MembershipIndex } from './membership-index.js';
import { VersionedLru } from './versioned-lru.js';

export interface DiffAnswer {
  items_not_found: Array<{ content_key: string }>;
  items_not_included: Array<{ content_key: string }>;
  items_found: Array<{ content_key: string; date_updated: string }>;
}

/** A catalog query's members with their answer entries encoded, in ascending id order. */
export interface MemberEntries {
  readonly ids: Int32Array;
  /** `{"content_key":<JSON of the key>},` for every member, end to end (UTF-8). */
  readonly bytes: Buffer;
  /** Member i's entry is `bytes[offsets[i], offsets[i + 1])`. */
  readonly offsets: Int32Array;
  /** Member i's content `modified` in µs, NaN when unknown (the catalog/customer floor then applies). */
  readonly modifiedUs: Float64Array;
  /** Member i's `modified` as an index into the distinct times (`-1` when unknown): members share their endings. */
  readonly timeSlot: Int32Array;
  /** Per time slot, the found entry's ending for that time, encoded on first use with {@link endingsFormat}. */
  readonly endings: Array<Buffer | undefined>;
  /** The `format` the cached endings were made with; another format starts them afresh. */
  endingsFormat: ((us: number) => string) | null;
  /** Content key → member position. Keys are unique per content row, so a key names a member exactly when it is here. */
  readonly positionOfKey: Map<string, number>;
}

/** Member `id`'s key and `modified`; `at` is its position in the ids being encoded. */
export interface MemberSource {
  keyOf(id: number, at: number): string;
  modifiedUsOf(id: number, at: number): number | undefined;
}

export function encodeMemberEntries(ids: Int32Array, source: MemberSource): MemberEntries {
  const n = ids.length;
  const parts = new Array<string>(n);
  const offsets = new Int32Array(n + 1);
  const modifiedUs = new Float64Array(n);
  const timeSlot = new Int32Array(n);
  const slotOfTime = new Map<number, number>();
  const positionOfKey = new Map<string, number>();
  let at = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    const key = source.keyOf(id, i);
    positionOfKey.set(key, i);
    const entry = `{"content_key":${JSON.stringify(key)}},`;
    parts[i] = entry;
    offsets[i] = at;
    at += Buffer.byteLength(entry);
    const us = source.modifiedUsOf(id, i) ?? Number.NaN;
    modifiedUs[i] = us;
    let slot = Number.isNaN(us) ? -1 : slotOfTime.get(us);
    if (slot === undefined) slotOfTime.set(us, (slot = slotOfTime.size));
    timeSlot[i] = slot;
  }
  offsets[n] = at;
  const endings = new Array<Buffer | undefined>(slotOfTime.size);
  return { ids, bytes: Buffer.from(parts.join(''), 'utf8'), offsets, modifiedUs, timeSlot, endings, endingsFormat: null, positionOfKey };
}

export const NO_MEMBERS: MemberEntries = encodeMemberEntries(new Int32Array(0), { keyOf: () => '', modifiedUsOf: () => undefined });

/**
 * The members a catalog's `generate_diff` compares the caller's keys with: its query's members, keys as the index
 * holds them, encoded once per query and `version` (`cache`).
 *
 * Deliberate deviation: a catalog without a query (or one the index does not know) has no members, so every
 * requested key is not found and the other buckets are empty; upstream answers the malformed
 * `{"items_not_found": [[]], …}`.
 */
export function catalogMemberEntries(
  index: MembershipIndex,
  catalogUuid: string,
  entries: { cache: MemberEntriesCache; version: number; modifiedUsOf: (id: number) => number | undefined },
): MemberEntries {
  const membership = index.catalogMembership(catalogUuid);
  if (membership === null) return NO_MEMBERS;
  return entries.cache.get(membership.queryId, entries.version, () =>
    encodeMemberEntries(membership.members, {
      // Every member id is known to the index (MembershipIndex asserts it on every membership write).
      keyOf: (id) => (index.getContent(id) as IndexContentRow).contentKey,
      modifiedUsOf: entries.modifiedUsOf,
    }),
  );
}

/**
 * Bytes an entry holds, roughly: its buffers, about 64 bytes a member for the key map and 160 bytes a distinct time
 * for its ending once encoded.
 */
export const entriesBytes = (e: MemberEntries): number =>
  e.bytes.length + e.offsets.byteLength + e.modifiedUs.byteLength + e.timeSlot.byteLength + 64 * e.ids.length + 160 * e.endings.length + 200;

/**
 * Encoded members per catalog query, valid for one index version, least recently used dropped first beyond
 * `maxBytes`. A version change makes every entry stale; entries are rebuilt on their next use.
 */
export class MemberEntriesCache {
  readonly #byQuery: VersionedLru<MemberEntries>;

  constructor(maxBytes: number) {
    this.#byQuery = new VersionedLru(maxBytes);
  }

  get(queryId: number, version: number, build: () => MemberEntries): MemberEntries {
    const hit = this.#byQuery.get(queryId, version);
    if (hit !== undefined) return hit;
    const entries = build();
    this.put(queryId, version, entries);
    return entries;
  }

  /** The query's entries at `version` if held (now the most recently used). */
  find(queryId: number, version: number): MemberEntries | undefined {
    return this.#byQuery.get(queryId, version);
  }

  put(queryId: number, version: number, entries: MemberEntries): void {
    this.#byQuery.set(queryId, version, entries, entriesBytes(entries));
  }

  /** Bytes held (tests). */
  get bytes(): number {
    return this.#byQuery.size;
  }
}

export interface DiffInputs {
  members: MemberEntries;
  /** The caller's keys, in request order (duplicates allowed). */
  requested: readonly string[];
  /** `date_updated` is the later of this and the member's `modified`. */
  floorUs: number;
  /** µs → upstream's wire text. */
  format: (us: number) => string;
  /** Where the answer is written: a buffer of exactly `bytes` (default a new one; the diff thread gives its slot). */
  allocate?: (bytes: number) => Buffer;
}

/** Printable ASCII without `"` and `\`: JSON text as it is (a regex test is cheaper than `JSON.stringify`). */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const HEAD = Buffer.from('{"items_not_found":[');
const MIDDLE = Buffer.from('],"items_not_included":[');
const FOUND = Buffer.from('],"items_found":[');
const TAIL = Buffer.from(']}');

/**
 * The answer's bytes (reference §2.5, exact content-key matching, no parent/run inference): `items_not_found` (the
 * caller's keys no member has, each once, first occurrence order), then `items_not_included` (members the caller did
 * not name) and `items_found` (members it did, `date_updated` the later of the member's `modified` and the floor),
 * both in member order (ascending content id).
 */
export function writeDiffAnswer(d: DiffInputs): Buffer {
  const m = d.members;
  const n = m.ids.length;
  const hit = new Uint8Array(n);
  // The caller's unknown keys, each once, in first-occurrence order.
  let missing: Set<string> | null = null;
  for (const key of d.requested) {
    const at = m.positionOfKey.get(key);
    if (at !== undefined) hit[at] = 1;
    else (missing ??= new Set()).add(key);
  }
  const notFound = missing === null ? '' : notFoundEntries([...missing]);

  // Sizes first: one allocation, no resizing. A found member's entry is its own without the closing `},`, then
  // `,"date_updated":"<text>"},`: the member's own time's ending (encoded once per entries and time), or the floor's.
  if (m.endingsFormat !== d.format) {
    m.endings.fill(undefined);
    m.endingsFormat = d.format;
  }
  const { endings, timeSlot, modifiedUs } = m;
  let floorEnding: Buffer | undefined;
  const endingOf = new Array<Buffer | undefined>(n);
  let found = 0;
  let foundBytes = 0;
  let notIncludedBytes = 0;
  for (let i = 0; i < n; i++) {
    const entry = (m.offsets[i + 1] as number) - (m.offsets[i] as number);
    if (hit[i] === 0) {
      notIncludedBytes += entry;
      continue;
    }
    const modified = modifiedUs[i] as number;
    let ending: Buffer;
    if (modified > d.floorUs) {
      const slot = timeSlot[i] as number;
      ending = endings[slot] ??= encodeEnding(d.format(modified));
    } else {
      ending = floorEnding ??= encodeEnding(d.format(d.floorUs));
    }
    endingOf[i] = ending;
    found++;
    foundBytes += entry - 2 + ending.length;
  }
  const notFoundBytes = Buffer.byteLength(notFound);
  // Each non-empty list loses its last element's comma (see closeList).
  const lists = (notFound.length > 0 ? 1 : 0) + (notIncludedBytes > 0 ? 1 : 0) + (found > 0 ? 1 : 0);
  const total = HEAD.length + notFoundBytes + MIDDLE.length + notIncludedBytes + FOUND.length + foundBytes + TAIL.length - lists;
  const out = (d.allocate ?? Buffer.allocUnsafe)(total);

  let pos = put(out, 0, HEAD, 0, HEAD.length);
  if (notFoundBytes > 0) pos += out.write(notFound, pos, 'utf8');
  pos = closeList(out, pos, notFoundBytes > 0, MIDDLE);
  // Runs of members the caller did not name, one copy per run.
  const { bytes, offsets } = m;
  let runStart = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && hit[i] === 0) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0) {
      pos = put(out, pos, bytes, offsets[runStart] as number, offsets[i] as number);
      runStart = -1;
    }
  }
  pos = closeList(out, pos, notIncludedBytes > 0, FOUND);
  for (let i = 0; i < n; i++) {
    if (hit[i] === 0) continue;
    pos = put(out, pos, bytes, offsets[i] as number, (offsets[i + 1] as number) - 2);
    const ending = endingOf[i] as Buffer;
    pos = put(out, pos, ending, 0, ending.length);
  }
  pos = closeList(out, pos, found > 0, TAIL);
  if (pos !== total) throw new Error(`generate_diff answer: wrote ${pos} bytes of ${total}`);
  return out;
}

const encodeEnding = (time: string): Buffer => Buffer.from(`,"date_updated":${JSON.stringify(time)}},`, 'utf8');

/** `{"content_key":<key>},` for each key, end to end. Keys are almost always plain JSON text: one join then. */
function notFoundEntries(keys: string[]): string {
  for (const key of keys) {
    if (PLAIN_JSON_TEXT.test(key)) continue;
    let text = '';
    for (const k of keys) text += `{"content_key":${JSON.stringify(k)}},`;
    return text;
  }
  return `{"content_key":"${keys.join('"},{"content_key":"')}"},`;
}

/**
 * Copies `src[from, to)` to `out` at `pos` and returns the position after it. Short ranges (most entries are
 * 30–80 bytes) are copied byte by byte: cheaper than `Buffer#copy`'s per-call work.
 */
function put(out: Buffer, pos: number, src: Buffer, from: number, to: number): number {
  const length = to - from;
  if (length > 96) return pos + src.copy(out, pos, from, to);
  for (let i = 0; i < length; i++) out[pos + i] = src[from + i] as number;
  return pos + length;
}

/**
 * Every list element was written with a trailing comma: the last one's comma becomes the text that closes the
 * list (`]…`), which is one byte longer than the comma it replaces when the list is not empty.
 */
function closeList(out: Buffer, pos: number, nonEmpty: boolean, closing: Buffer): number {
  return put(out, nonEmpty ? pos - 1 : pos, closing, 0, closing.length);
}

/** The object form of an answer {@link writeDiffAnswer} wrote: in-process callers read the HTTP answer's buckets. */
export function parseDiffAnswer(bytes: Buffer): DiffAnswer {
  return JSON.parse(bytes.toString('utf8')) as DiffAnswer;
}
