/**
 * The byte-assembled `generate_diff` answer is exactly `JSON.stringify` of the answer object a plain evaluation of
 * the buckets gives: same buckets, same order, same escaping, same `date_updated` — for random members, keys
 * (quotes, backslashes, control characters, non-ASCII, lone surrogates), duplicates and timestamps.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeMemberEntries, entriesBytes, MemberEntriesCache, NO_MEMBERS, writeDiffAnswer, type DiffAnswer } from './diff-answer.js';

const format = (us: number): string => `T${us}Z`;
const otherFormat = (us: number): string => `U${us}`;

interface World {
  /** Every known content row: id → key and modified. Ids are 1..n, keys unique. */
  keys: string[];
  modified: Array<number | undefined>;
  /** Member ids, ascending. */
  members: number[];
  requested: string[];
  floorUs: number;
}

const keyArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', 'é', '😀', '\ud800', 'course-v1:edX+DemoX+Demo_Course', 'a+b'),
);

const worldArb: fc.Arbitrary<World> = fc
  .uniqueArray(keyArb, { minLength: 0, maxLength: 30 })
  .chain((keys) =>
    fc.record({
      keys: fc.constant(keys),
      modified: fc.array(fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }), { minLength: keys.length, maxLength: keys.length }),
      members: fc.subarray(keys.map((_, i) => i + 1)),
      requested: fc.array(fc.oneof(fc.constantFrom(...(keys.length > 0 ? keys : ['x'])), keyArb), { maxLength: 40 }),
      floorUs: fc.integer({ min: 0, max: 2_000 }),
    }),
  );

/** The buckets evaluated the obvious way. */
function expected(w: World, fmt: (us: number) => string = format): DiffAnswer {
  const idOf = new Map(w.keys.map((k, i) => [k, i + 1]));
  const memberSet = new Set(w.members);
  const named = new Set<number>();
  const notFound: string[] = [];
  for (const key of w.requested) {
    const id = idOf.get(key);
    if (id !== undefined && memberSet.has(id)) named.add(id);
    else if (!notFound.includes(key)) notFound.push(key);
  }
  const keyOf = (id: number) => w.keys[id - 1] as string;
  return {
    items_not_found: notFound.map((k) => ({ content_key: k })),
    items_not_included: w.members.filter((id) => !named.has(id)).map((id) => ({ content_key: keyOf(id) })),
    items_found: w.members
      .filter((id) => named.has(id))
      .map((id) => ({ content_key: keyOf(id), date_updated: fmt(Math.max(w.modified[id - 1] ?? w.floorUs, w.floorUs)) })),
  };
}

function assembled(w: World): Buffer {
  const members = encodeMemberEntries(Int32Array.from(w.members), {
    keyOf: (id) => w.keys[id - 1] as string,
    modifiedUsOf: (id) => w.modified[id - 1],
  });
  return writeDiffAnswer({ members, requested: w.requested, floorUs: w.floorUs, format });
}

describe('generate_diff answer bytes', () => {
  test('equal JSON.stringify of the plainly evaluated answer', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        assert.equal(assembled(w).toString('utf8'), JSON.stringify(expected(w)));
      }),
      { numRuns: 500 },
    );
  });

  test('answers from the same encoded members stay exact across requests, floors and formats', () => {
    // The endings of member times are kept with the encoded members: a later answer must not reuse a stale one.
    fc.assert(
      fc.property(worldArb, fc.array(fc.record({ floorUs: fc.integer({ min: 0, max: 2_000 }), other: fc.boolean() }), { minLength: 1, maxLength: 4 }), (w, asks) => {
        const members = encodeMemberEntries(Int32Array.from(w.members), {
          keyOf: (id) => w.keys[id - 1] as string,
          modifiedUsOf: (id) => w.modified[id - 1],
        });
        for (const ask of asks) {
          const fmt = ask.other ? otherFormat : format;
          const answer = writeDiffAnswer({ members, requested: w.requested, floorUs: ask.floorUs, format: fmt });
          assert.equal(answer.toString('utf8'), JSON.stringify(expected({ ...w, floorUs: ask.floorUs }, fmt)));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('empty buckets and no members', () => {
    const answer = writeDiffAnswer({ members: NO_MEMBERS, requested: [], floorUs: 0, format });
    assert.equal(answer.toString(), '{"items_not_found":[],"items_not_included":[],"items_found":[]}');
    const onlyMissing = writeDiffAnswer({ members: NO_MEMBERS, requested: ['a', 'a', 'b'], floorUs: 0, format });
    assert.equal(onlyMissing.toString(), '{"items_not_found":[{"content_key":"a"},{"content_key":"b"}],"items_not_included":[],"items_found":[]}');
  });

  test('a key of a content row outside the catalog is not found', () => {
    const w: World = { keys: ['in', 'out'], modified: [5, 7], members: [1], requested: ['out', 'in'], floorUs: 3 };
    assert.equal(
      assembled(w).toString(),
      '{"items_not_found":[{"content_key":"out"}],"items_not_included":[],"items_found":[{"content_key":"in","date_updated":"T5Z"}]}',
    );
  });
});

describe('MemberEntriesCache', () => {
  const entries = (n: number) => encodeMemberEntries(Int32Array.from({ length: n }, (_, i) => i + 1), { keyOf: (id) => `k${id}`, modifiedUsOf: () => 1 });

  test('serves an entry for its version and rebuilds it for another', () => {
    const cache = new MemberEntriesCache(1 << 20);
    let builds = 0;
    const build = () => (builds++, entries(3));
    const first = cache.get(1, 10, build);
    assert.equal(cache.get(1, 10, build), first);
    assert.equal(builds, 1);
    assert.notEqual(cache.get(1, 11, build), first);
    assert.equal(builds, 2);
  });

  test('drops the least recently used query beyond its byte bound', () => {
    const size = entriesBytes(entries(100));
    const cache = new MemberEntriesCache(size * 2);
    cache.get(1, 1, () => entries(100));
    cache.get(2, 1, () => entries(100));
    cache.get(1, 1, () => assert.fail('query 1 is cached'));
    cache.get(3, 1, () => entries(100));
    assert.ok(cache.bytes <= size * 2, `${cache.bytes} bytes held, bound ${size * 2}`);
    let rebuilt = false;
    cache.get(2, 1, () => ((rebuilt = true), entries(100)));
    assert.equal(rebuilt, true, 'query 2, the least recently used, was dropped');
    cache.get(3, 1, () => assert.fail('query 3 was added after query 1 and is still cached'));
  });

  test('an entry larger than the bound is built but not kept', () => {
    const cache = new MemberEntriesCache(10);
    let builds = 0;
    cache.get(1, 1, () => (builds++, entries(5)));
    cache.get(1, 1, () => (builds++, entries(5)));
    assert.equal(builds, 2);
    assert.equal(cache.bytes, 0);
  });
});
