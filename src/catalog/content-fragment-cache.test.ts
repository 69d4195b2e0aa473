import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';

import { ActiveRefsCache } from './active-refs-cache.js';
import { buildContentFragment, type ContentFragment } from './content-fragment.js';
import { ContentFragmentCache, registerContentCacheMetrics } from './content-fragment-cache.js';
import type { ContentRef } from './content-read.repository.js';

const v = (modifiedUs: number, contentHash = 'h') => ({ modifiedUs, contentHash });

function fragment(key: string, size = 0): ContentFragment {
  return buildContentFragment({ contentKey: key, contentType: 'course', parentContentKey: null, jsonMetadata: { key, pad: 'x'.repeat(size) } });
}

describe('ContentFragmentCache', () => {
  it('answers a hit for the version it was given, and a miss for any other version', () => {
    const cache = new ContentFragmentCache(1 << 20);
    const f = fragment('A+B');
    assert.equal(cache.get(1, v(10)), undefined);
    cache.set(1, v(10), f);
    assert.equal(cache.get(1, v(10)), f);
    assert.equal(cache.get(1, v(10)), f);
    assert.equal(cache.get(2, v(10)), undefined);
    assert.deepEqual(cache.stats(), { hits: 2, misses: 2, evictions: 0, entries: 1, bytes: f.bytes });
  });

  it('drops an entry whose row changed (new modified, or new hash at the same modified)', () => {
    const cache = new ContentFragmentCache(1 << 20);
    cache.set(1, v(10, 'old'), fragment('A'));
    assert.equal(cache.get(1, v(11, 'old')), undefined);
    assert.equal(cache.stats().entries, 0);
    cache.set(1, v(10, 'old'), fragment('A'));
    assert.equal(cache.get(1, v(10, 'new')), undefined);
    assert.deepEqual({ entries: cache.stats().entries, bytes: cache.stats().bytes }, { entries: 0, bytes: 0 });
    const fresh = fragment('A2');
    cache.set(1, v(12, 'new'), fresh);
    assert.equal(cache.get(1, v(12, 'new')), fresh);
  });

  it('stays within its byte bound, evicting the least recently used first', () => {
    const one = fragment('x', 1000).bytes;
    const cache = new ContentFragmentCache(one * 3 + 10);
    for (let id = 1; id <= 3; id++) cache.set(id, v(1), fragment('x', 1000));
    assert.ok(cache.get(1, v(1)) !== undefined); // 1 is now the most recently used; 2 the least
    cache.set(4, v(1), fragment('x', 1000));
    assert.equal(cache.stats().entries, 3);
    assert.ok(cache.stats().bytes <= one * 3 + 10);
    assert.equal(cache.stats().evictions, 1);
    assert.equal(cache.get(2, v(1)), undefined);
    for (const id of [1, 3, 4]) assert.ok(cache.get(id, v(1)) !== undefined, `entry ${id} kept`);
  });

  it('keeps nothing bigger than the bound, and nothing at all with a bound of 0', () => {
    const small = new ContentFragmentCache(100);
    small.set(1, v(1), fragment('x', 1000));
    assert.equal(small.stats().entries, 0);
    const off = new ContentFragmentCache(0);
    off.set(1, v(1), fragment('A'));
    assert.equal(off.get(1, v(1)), undefined);
    assert.deepEqual(off.stats(), { hits: 0, misses: 1, evictions: 0, entries: 0, bytes: 0 });
  });

  it('reports its counters in /metrics', async () => {
    const cache = new ContentFragmentCache(1 << 20);
    const registry = new Registry();
    registerContentCacheMetrics(registry, cache);
    cache.get(1, v(1));
    cache.set(1, v(1), fragment('A'));
    cache.get(1, v(1));
    cache.get(1, v(1));
    const text = await registry.metrics();
    assert.match(text, /^ecat_content_cache_hits_total 2$/m);
    assert.match(text, /^ecat_content_cache_misses_total 1$/m);
    assert.match(text, /^ecat_content_cache_evictions_total 0$/m);
    assert.match(text, /^ecat_content_cache_entries 1$/m);
    assert.match(text, new RegExp(`^ecat_content_cache_bytes ${cache.stats().bytes}$`, 'm'));
  });
});

describe('ActiveRefsCache', () => {
  const refs = (n: number): ContentRef[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, modifiedUs: 1, contentHash: 'h' }));

  it('loads a query once per index version, sharing the load between concurrent callers', async () => {
    const cache = new ActiveRefsCache(1000);
    let loads = 0;
    const load = async () => {
      loads++;
      return refs(3);
    };
    const [a, b] = await Promise.all([cache.get(7, 1, load), cache.get(7, 1, load)]);
    assert.equal(loads, 1);
    assert.equal(a, b);
    await cache.get(7, 1, load);
    assert.equal(loads, 1);
    await cache.get(7, 2, load);
    assert.equal(loads, 2);
  });

  it('forgets a failed load and evicts the least recently used lists beyond its bound', async () => {
    const cache = new ActiveRefsCache(5);
    await assert.rejects(cache.get(1, 1, () => Promise.reject(new Error('db down'))));
    let loads = 0;
    const load = (n: number) => async () => {
      loads++;
      return refs(n);
    };
    assert.equal((await cache.get(1, 1, load(2))).length, 2); // the failure was not kept
    await cache.get(2, 1, load(2));
    await cache.get(1, 1, load(2)); // 1 used last: 2 is the least recently used
    await cache.get(3, 1, load(2)); // 6 refs > 5: 2 goes
    assert.equal(loads, 3);
    await cache.get(1, 1, load(2));
    await cache.get(3, 1, load(2));
    assert.equal(loads, 3);
    await cache.get(2, 1, load(2));
    assert.equal(loads, 4);
  });
});
