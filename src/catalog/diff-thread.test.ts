/**
 * The diff thread answers exactly what the in-process path answers (the same `writeDiffAnswer` bytes), and every
 * way it cannot answer ends in the in-process path: keys holding a newline, members that changed meanwhile, a
 * closed client. Members are sent once per query and version; a slot grows for answers larger than it.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMicros } from './catalog-time.js';
import { encodeMemberEntries, writeDiffAnswer } from './diff-answer.js';
import { DiffThreadClient, type DiffMembersSource } from './diff-thread.client.js';

interface World {
  keys: string[];
  modifiedUs: Array<number | undefined>;
  /** Member ids (1-based positions in `keys`), ascending. */
  members: number[];
  floorUs: number;
}

const T0 = Date.UTC(2025, 0, 1) * 1000;

function source(w: World): DiffMembersSource {
  return {
    ids: Int32Array.from(w.members),
    keyOf: (id) => w.keys[id - 1] as string,
    modifiedUsOf: (id) => w.modifiedUs[id - 1],
  };
}

/** The in-process answer, as the catalog service computes it. */
function inProcess(w: World, requested: readonly string[]): Buffer {
  const members = encodeMemberEntries(Int32Array.from(w.members), source(w));
  return writeDiffAnswer({ members, requested, floorUs: w.floorUs, format: formatMicros });
}

/** A catalog of `n` courses, every member modified at its own time. */
function bigWorld(n: number, prefix: string): World {
  const keys = Array.from({ length: n }, (_, i) => `course-v1:${prefix}+C${i}+2025`);
  return { keys, modifiedUs: keys.map((_, i) => T0 + i * 1_000_000), members: keys.map((_, i) => i + 1), floorUs: T0 + 500_000 };
}

const keyArb = fc.oneof(
  fc.string({ maxLength: 12 }).filter((k) => !k.includes('\n')),
  fc.constantFrom('"', '\\', '\u0000', 'é', '😀', '\ud800', 'course-v1:edX+DemoX+Demo_Course', 'a+b', ''),
);

describe('diff thread', () => {
  const client = new DiffThreadClient(16 * 1024 * 1024);
  after(() => client.close());

  test('answers the bytes the in-process path writes, for random catalogs and keys', async () => {
    let queryId = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(keyArb, { minLength: 1, maxLength: 40 }).chain((keys) =>
          fc.record({
            keys: fc.constant(keys),
            modifiedUs: fc.array(fc.option(fc.integer({ min: T0, max: T0 + 5_000_000 }), { nil: undefined }), { minLength: keys.length, maxLength: keys.length }),
            members: fc.subarray(keys.map((_, i) => i + 1)),
            floorUs: fc.integer({ min: T0, max: T0 + 5_000_000 }),
            requested: fc.array(fc.oneof(fc.constantFrom(...keys), keyArb), { minLength: 1, maxLength: 60 }),
          }),
        ),
        async ({ requested, ...w }) => {
          queryId++;
          let usedInProcess = false;
          const bytes = await client.answer({ queryId, version: 1, members: () => source(w), requested, floorUs: w.floorUs }, (keys) => {
            usedInProcess = true;
            return inProcess(w, keys);
          });
          assert.equal(usedInProcess, false);
          assert.equal(bytes.toString('utf8'), inProcess(w, requested).toString('utf8'));
        },
      ),
      { numRuns: 60 },
    );
  });

  test('sends a query’s members once per version, and again after the version changes', async () => {
    const w = bigWorld(50, 'Once');
    let asked = 0;
    const members = () => {
      asked++;
      return source(w);
    };
    const requested = [w.keys[3] as string, 'unknown'];
    const job = (version: number) => ({ queryId: 1_000_001, version, members, requested, floorUs: w.floorUs });
    const fail = (): Buffer => assert.fail('in-process path used');
    for (let i = 0; i < 3; i++) assert.deepEqual(await client.answer(job(7), fail), inProcess(w, requested));
    assert.equal(asked, 1);
    w.modifiedUs[3] = T0 + 99_000_000;
    assert.deepEqual(await client.answer(job(8), fail), inProcess(w, requested));
    assert.equal(asked, 2);
  });

  test('answers in-process when a key holds a newline or the members changed since the request began', async () => {
    const w = bigWorld(20, 'Fallback');
    const seen: Array<readonly string[]> = [];
    const local = (keys: readonly string[]) => {
      seen.push(keys);
      return inProcess(w, keys);
    };
    const withNewline = [w.keys[0] as string, 'two\nlines', w.keys[1] as string];
    const a = await client.answer({ queryId: 1_000_002, version: 1, members: () => source(w), requested: withNewline, floorUs: w.floorUs }, local);
    assert.deepEqual(a, inProcess(w, withNewline));
    const b = await client.answer({ queryId: 1_000_003, version: 1, members: () => null, requested: ['x', w.keys[2] as string], floorUs: w.floorUs }, local);
    assert.deepEqual(b, inProcess(w, ['x', w.keys[2] as string]));
    assert.deepEqual(seen, [withNewline, ['x', w.keys[2] as string]]);
  });

  test('an answer larger than a slot grows the slot; concurrent requests each get their own answer', async () => {
    const w = bigWorld(12_000, 'Large');
    const requested = w.keys.filter((_, i) => i % 3 === 0).concat(['Missing+1', 'Missing+2']);
    const expected = inProcess(w, requested);
    assert.ok(expected.length > 512 * 1024, `answer of ${expected.length} bytes`);
    const fail = (): Buffer => assert.fail('in-process path used');
    const answers = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        client.answer({ queryId: 1_000_004, version: 1, members: () => source(w), requested: i % 2 === 0 ? requested : requested.slice(0, 10), floorUs: w.floorUs }, fail),
      ),
    );
    const small = inProcess(w, requested.slice(0, 10));
    answers.forEach((a, i) => assert.deepEqual(a, i % 2 === 0 ? expected : small, `request ${i}`));
  });

  test('a thread with no room to keep members still answers (they are sent with each request)', async () => {
    const tiny = new DiffThreadClient(1);
    try {
      const w = bigWorld(30, 'Tiny');
      let asked = 0;
      const requested = [w.keys[5] as string, w.keys[6] as string];
      for (let i = 0; i < 2; i++) {
        const bytes = await tiny.answer(
          {
            queryId: 1,
            version: 1,
            members: () => {
              asked++;
              return source(w);
            },
            requested,
            floorUs: w.floorUs,
          },
          () => assert.fail('in-process path used'),
        );
        assert.deepEqual(bytes, inProcess(w, requested));
      }
      assert.equal(asked, 2);
    } finally {
      await tiny.close();
    }
  });

  test('closing the client while requests wait answers them in-process, and later ones too', async () => {
    const own = new DiffThreadClient(16 * 1024 * 1024);
    const w = bigWorld(3_000, 'Close');
    const requested = w.keys.slice(0, 1_500);
    let local = 0;
    const inProc = (floorUs: number) => (keys: readonly string[]) => {
      local++;
      return inProcess({ ...w, floorUs }, keys);
    };
    const job = (floorUs: number) => ({ queryId: 1, version: 1, members: () => source(w), requested, floorUs });
    const waiting = [0, 1, 2, 3].map((i) => own.answer(job(w.floorUs + i * 1_000_000), inProc(w.floorUs + i * 1_000_000)));
    await own.close();
    const answers = await Promise.all(waiting);
    answers.forEach((a, i) => assert.deepEqual(a, inProcess({ ...w, floorUs: w.floorUs + i * 1_000_000 }, requested), `request ${i}`));
    assert.equal(local, 4, 'the requests waiting when the client closed were answered in-process');
    assert.equal(own.active, false);
    const later = await own.answer(job(w.floorUs), inProc(w.floorUs));
    assert.deepEqual(later, inProcess(w, requested));
    assert.equal(local, 5);
  });
});
