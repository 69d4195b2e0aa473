import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { CycleItems, ownItem } from './cycle-items.js';

interface Course {
  key: string;
  title: string;
}

/** A fake upstream: answers with one course per key and records which keys it was asked for. */
function upstream(title = 'T') {
  const asked: string[][] = [];
  return {
    asked,
    fetch: async (keys: string[]): Promise<Course[]> => {
      asked.push(keys);
      return keys.map((key) => ({ key, title }));
    },
  };
}
const keyOf = (c: Course) => c.key;

describe('cycle items', () => {
  const made: CycleItems[] = [];
  const items = (opts: ConstructorParameters<typeof CycleItems>[0] = {}) => {
    const c = new CycleItems(opts);
    made.push(c);
    return c;
  };
  after(() => {
    for (const c of made) c.clear();
  });

  test('the refreshes of one cycle fetch each item once; another cycle fetches its own', async () => {
    const cache = items();
    const up = upstream();
    const first = await cache.scope('c1').get('course', ['a', 'b'], up.fetch, keyOf);
    const second = await cache.scope('c1').get('course', ['b', 'c'], up.fetch, keyOf);
    assert.deepEqual(up.asked, [['a', 'b'], ['c']]);
    assert.deepEqual(second.get('b')?.value(), { key: 'b', title: 'T' });
    assert.equal(second.get('b')?.hash, first.get('b')?.hash);
    await cache.scope('c2').get('course', ['a'], up.fetch, keyOf);
    assert.deepEqual(up.asked.at(-1), ['a']);
  });

  test('a shared item has the hash of its JSON, as an item fetched for one query alone', async () => {
    const cache = items();
    const shared = await cache.scope('c').get('course', ['a'], upstream().fetch, keyOf);
    assert.equal(shared.get('a')?.hash, ownItem({ key: 'a', title: 'T' }).hash);
    assert.notEqual(shared.get('a')?.value(), shared.get('a')?.value(), 'each use gets its own copy to merge');
  });

  test('refreshes of one cycle running at once share a request in flight instead of repeating it', async () => {
    const cache = items();
    const asked: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async (keys: string[]): Promise<Course[]> => {
      asked.push(keys);
      await gate;
      return keys.filter((k) => k !== 'gone').map((key) => ({ key, title: 'T' }));
    };
    const first = cache.scope('c').get('course', ['a', 'b', 'gone'], slow, keyOf);
    const second = cache.scope('c').get('course', ['b', 'c', 'gone'], slow, keyOf);
    release();
    const [one, two] = await Promise.all([first, second]);
    assert.deepEqual(asked, [['a', 'b', 'gone'], ['c']], "b and the unknown key come from the first refresh's request");
    assert.deepEqual([...two.keys()].sort(), ['b', 'c']);
    assert.equal(two.get('b')?.hash, one.get('b')?.hash);
  });

  test("when the request a refresh waited for fails, it fetches those items itself; the failure stays the other's", async () => {
    const cache = items();
    const asked: string[][] = [];
    let fail!: () => void;
    const failing = new Promise<void>((_, reject) => (fail = () => reject(new Error('upstream 503'))));
    const first = cache.scope('c').get('course', ['a', 'b'], async (keys: string[]) => {
      asked.push(keys);
      await failing;
      return [];
    }, keyOf);
    const second = cache.scope('c').get('course', ['b'], upstream().fetch, keyOf);
    fail();
    await assert.rejects(first, /upstream 503/);
    const got = await second;
    assert.deepEqual(got.get('b')?.value(), { key: 'b', title: 'T' });
    assert.deepEqual(asked, [['a', 'b']]);
  });

  test('course keys and program uuids are kept apart', async () => {
    const cache = items();
    const scope = cache.scope('c');
    await scope.get('course', ['x'], upstream('course').fetch, keyOf);
    const programs = await scope.get('program', ['x'], upstream('program').fetch, keyOf);
    assert.equal(programs.get('x')?.value().title, 'program');
  });

  test('a failed fetch shares nothing', async () => {
    const cache = items();
    const failing = async (): Promise<Course[]> => {
      throw new Error('page 2 failed');
    };
    await assert.rejects(cache.scope('c').get('course', ['a'], failing, keyOf), /page 2/);
    const up = upstream();
    await cache.scope('c').get('course', ['a'], up.fetch, keyOf);
    assert.deepEqual(up.asked, [['a']]);
  });

  test('an item older than maxAgeMs is fetched again', async () => {
    let now = 1_000_000;
    const cache = items({ maxAgeMs: 60_000, now: () => now });
    const up = upstream();
    await cache.scope('c').get('course', ['a'], up.fetch, keyOf);
    now += 59_000;
    await cache.scope('c').get('course', ['a'], up.fetch, keyOf);
    now += 2_000;
    await cache.scope('c').get('course', ['a'], up.fetch, keyOf);
    assert.deepEqual(up.asked, [['a'], ['a']]);
  });

  test('beyond maxChars, items are still answered but no longer shared', async () => {
    const size = JSON.stringify({ key: 'a', title: 'T' }).length;
    const cache = items({ maxChars: 2 * size });
    const up = upstream();
    const first = await cache.scope('c').get('course', ['a', 'b', 'c'], up.fetch, keyOf);
    assert.deepEqual([...first.keys()], ['a', 'b', 'c']);
    await cache.scope('c').get('course', ['a', 'b', 'c'], up.fetch, keyOf);
    assert.deepEqual(up.asked, [['a', 'b', 'c'], ['c']]);
  });

  test('at most maxCycles cycles are remembered, the least recently used forgotten first', async () => {
    const cache = items({ maxCycles: 2 });
    const up = upstream();
    await cache.scope('c1').get('course', ['a'], up.fetch, keyOf);
    await cache.scope('c2').get('course', ['a'], up.fetch, keyOf);
    await cache.scope('c1').get('course', ['a'], up.fetch, keyOf);
    await cache.scope('c3').get('course', ['a'], up.fetch, keyOf);
    assert.equal(cache.size, 2);
    await cache.scope('c1').get('course', ['a'], up.fetch, keyOf);
    await cache.scope('c2').get('course', ['a'], up.fetch, keyOf);
    // c1 (used last before c3) was kept, c2 was forgotten and fetched again.
    assert.equal(up.asked.length, 4);
  });
});
