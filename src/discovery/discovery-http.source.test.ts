import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryFetchError } from './content-source.js';
import { generateDataset } from './dataset.js';
import { DiscoveryHttpSource, parseRetryAfter, type DiscoveryHttpSourceOptions } from './discovery-http.source.js';
import { SampleContentSource } from './sample.source.js';
import { startDiscoverySimulator, type DiscoveryFaults, type DiscoverySimulator } from './simulator.js';

const dataset = generateDataset({ size: 'S', seed: 13 });
let sim: DiscoverySimulator;

before(async () => {
  sim = await startDiscoverySimulator({ dataset });
});
after(async () => {
  await sim.close();
});

interface Harness {
  source: DiscoveryHttpSource;
  sleeps: number[];
  urls: string[];
}

/** A source with instant, recorded back-off sleeps and a log of every URL it fetched. */
function harness(target: DiscoverySimulator, options: Partial<DiscoveryHttpSourceOptions> = {}): Harness {
  const sleeps: number[] = [];
  const urls: string[] = [];
  const source = new DiscoveryHttpSource({
    baseUrl: target.url,
    tokenUrl: target.tokenUrl,
    clientId: 'enterprise-catalog',
    clientSecret: 'secret',
    timeoutMs: 2_000,
    maxAttempts: 5,
    backoffBaseMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    fetch: (input, init) => {
      urls.push(input instanceof Request ? input.url : input.toString());
      return fetch(input, init);
    },
    ...options,
  });
  return { source, sleeps, urls };
}

async function withSimulator<T>(faults: DiscoveryFaults, run: (s: DiscoverySimulator) => Promise<T>): Promise<T> {
  const s = await startDiscoverySimulator({ dataset, faults });
  try {
    return await run(s);
  } finally {
    await s.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<DiscoveryFetchError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DiscoveryFetchError, `expected a DiscoveryFetchError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

const COURSES = { content_type: 'course' };
const RUNS = { content_type: 'courserun' };

void describe('search/all paging', () => {
  void test('reads every page until next is null: requests = pages = ceil(count / 100)', async () => {
    sim.resetStats();
    const { source, urls } = harness(sim);
    const result = await source.searchAll(RUNS);
    const expected = dataset.courses.flatMap((c) => c.runs).filter((r) => r.restrictionType === null).length;
    assert.equal(result.items.length, expected);
    assert.equal(result.pages, Math.ceil(expected / 100));
    assert.equal(result.requests, result.pages);
    assert.equal(sim.stats.requests.searchAll, result.pages);
    const first = new URL(urls.find((u) => u.includes('search/all')) ?? '');
    assert.equal(first.searchParams.get('exclude_expired_course_run'), 'True');
    assert.equal(first.searchParams.get('include_learner_pathways'), 'True');
    assert.equal(first.searchParams.get('page_size'), '100');
    assert.equal(first.searchParams.get('page'), '1');
  });

  void test('an empty result is one page', async () => {
    const { source } = harness(sim);
    const result = await source.searchAll({ content_type: 'course', org: 'NoSuchX' });
    assert.deepEqual(result, { items: [], pages: 1, requests: 1 });
  });

  void test('the same answer as the in-process sample source', async () => {
    const { source } = harness(sim);
    const sample = new SampleContentSource({ dataset });
    const filters = [
      COURSES,
      { content_type: 'course', partner: 'edx', level_type: ['Introductory', 'Intermediate', 'Advanced'], availability: ['Current', 'Starting Soon', 'Upcoming'], status: 'published' },
      { content_type: ['program', 'learnerpathway'] },
      { org__exclude: ['HarvardX', 'MITx'], content_type: 'courserun', first_enrollable_paid_seat_price__lte: '149' },
      {},
    ];
    for (const filter of filters) {
      const [http, local] = await Promise.all([source.searchAll(filter), sample.searchAll(filter)]);
      assert.deepEqual(http.items, local.items, JSON.stringify(filter));
      assert.equal(http.pages, local.pages);
      assert.equal(http.requests, local.requests);
    }
    const keys = dataset.courses.slice(0, 60).map((c) => c.key);
    assert.deepEqual(await source.fetchCourses(keys), await sample.fetchCourses(keys));
    const uuids = dataset.programs.map((p) => p.uuid);
    assert.deepEqual(await source.fetchPrograms(uuids), await sample.fetchPrograms(uuids));
  });
});

void describe('OAuth2 token handling', () => {
  void test('one token request serves many calls, concurrent ones included', async () => {
    const s = await startDiscoverySimulator({ dataset });
    try {
      const { source } = harness(s);
      const [courses, runs] = await Promise.all([source.searchAll(COURSES), source.searchAll(RUNS), source.fetchPrograms(dataset.programs.map((p) => p.uuid))]);
      assert.equal(courses.requests, courses.pages, 'concurrent calls count their own requests');
      assert.equal(runs.requests, runs.pages);
      await source.fetchCourses(dataset.courses.slice(0, 120).map((c) => c.key));
      assert.equal(s.stats.requests.token, 1);
      assert.equal(source.stats().tokenRequests, 1);
      assert.ok(source.stats().requests > 10);
    } finally {
      await s.close();
    }
  });

  void test('the token is refreshed shortly before it expires', async () => {
    const s = await startDiscoverySimulator({ dataset, tokenTtlSeconds: 60 });
    try {
      let clock = 1_000_000;
      const { source } = harness(s, { now: () => clock });
      await source.fetchPrograms([dataset.programs[0]?.uuid ?? '']);
      clock += 50_000;
      await source.fetchPrograms([dataset.programs[0]?.uuid ?? '']);
      assert.equal(s.stats.requests.token, 1);
      clock += 6_000; // 56 s: within the 5 s safety margin of a 60 s token
      await source.fetchPrograms([dataset.programs[0]?.uuid ?? '']);
      assert.equal(s.stats.requests.token, 2);
    } finally {
      await s.close();
    }
  });

  void test('a 401 fetches a fresh token once and retries', async () => {
    const s = await startDiscoverySimulator({ dataset });
    try {
      const { source } = harness(s);
      await source.fetchPrograms([dataset.programs[0]?.uuid ?? '']);
      s.revokeTokens();
      const programs = await source.fetchPrograms([dataset.programs[0]?.uuid ?? '']);
      assert.equal(programs.length, 1);
      assert.equal(s.stats.requests.token, 2);
      assert.equal(s.stats.unauthorized, 1);
    } finally {
      await s.close();
    }
  });

  void test('refused client credentials fail with code auth, not retried', async () => {
    const s = await startDiscoverySimulator({ dataset, clients: { 'enterprise-catalog': 'other-secret' } });
    try {
      const { source } = harness(s);
      const error = await rejection(source.searchAll(COURSES));
      assert.equal(error.code, 'auth');
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.equal(s.stats.requests.token, 1);
      assert.equal(s.stats.requests.searchAll, 0);
    } finally {
      await s.close();
    }
  });
});

void describe('retries', () => {
  void test('5xx and truncated pages are retried with exponential back-off and the fetch succeeds', async () => {
    const expected = (await harness(sim).source.searchAll(RUNS)).items;
    await withSimulator({ errorRate: 0.3, truncateRate: 0.2, seed: 'retry' }, async (s) => {
      const { source, sleeps } = harness(s);
      const result = await source.searchAll(RUNS);
      assert.deepEqual(result.items, expected);
      assert.ok(s.stats.faults.errors > 0 && s.stats.faults.truncated > 0, JSON.stringify(s.stats.faults));
      assert.equal(source.stats().retries, s.stats.faults.errors + s.stats.faults.truncated);
      assert.equal(result.requests, result.pages + source.stats().retries);
      for (const ms of sleeps) assert.ok(ms >= 50 && ms <= 800, `back-off ${ms}`);
    });
  });

  void test('429 is retried after Retry-After', async () => {
    const expected = (await harness(sim).source.searchAll(RUNS)).items;
    await withSimulator({ rateLimitRate: 0.4, retryAfterSeconds: 3, seed: 'throttle' }, async (s) => {
      const { source, sleeps } = harness(s);
      const result = await source.searchAll(RUNS);
      assert.deepEqual(result.items, expected);
      assert.ok(s.stats.faults.rateLimited > 0);
      assert.equal(sleeps.length, s.stats.faults.rateLimited);
      assert.ok(sleeps.every((ms) => ms === 3_000));
    });
  });

  void test('back-off doubles per attempt with jitter inside [ceiling/2, ceiling]', async () => {
    await withSimulator({ errorRate: 1 }, async (s) => {
      const low = harness(s, { random: () => 0 });
      await rejection(low.source.fetchPrograms(['x']));
      assert.deepEqual(low.sleeps, [50, 100, 200, 400]);
      const high = harness(s, { random: () => 0.999_999, maxBackoffMs: 300 });
      await rejection(high.source.fetchPrograms(['x']));
      assert.deepEqual(high.sleeps, [100, 200, 300, 300]);
    });
  });

  void test('a page that keeps failing fails the whole fetch: no partial result', async () => {
    await withSimulator({ failPages: [2] }, async (s) => {
      const { source } = harness(s);
      const error = await rejection(source.searchAll(RUNS));
      assert.equal(error.code, 'http_status');
      assert.equal(error.status, 500);
      assert.equal(error.page, 2);
      assert.equal(error.attempts, 5);
      assert.equal(error.retryable, true);
      assert.equal(s.stats.searchAllPages[2], 5);
      assert.equal(s.stats.searchAllPages[3], undefined, 'paging stopped at the failing page');
    });
  });

  void test('other 4xx answers are not retried', async () => {
    await withSimulator({ failPages: [1], failPageStatus: 403 }, async (s) => {
      const { source } = harness(s);
      const error = await rejection(source.searchAll(COURSES));
      assert.equal(error.status, 403);
      assert.equal(error.attempts, 1);
      assert.equal(error.retryable, false);
    });
  });

  void test('timeouts are retried, then reported as timeout', async () => {
    await withSimulator({ latencyMs: 300 }, async (s) => {
      const { source } = harness(s, { timeoutMs: 60, maxAttempts: 2 });
      const error = await rejection(source.fetchPrograms(['x']));
      assert.equal(error.code, 'timeout');
      assert.equal(error.attempts, 2);
    });
  });

  void test('connection errors are retried, then reported as network', async () => {
    const s = await startDiscoverySimulator({ dataset });
    await s.close();
    const { source, sleeps } = harness(s, { maxAttempts: 3 });
    const error = await rejection(source.searchAll(COURSES));
    assert.equal(error.code, 'network');
    assert.equal(error.attempts, 3);
    assert.equal(sleeps.length, 2);
  });

  void test('an aborted signal stops the fetch', async () => {
    const { source } = harness(sim);
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(source.searchAll(COURSES, { signal: controller.signal }));
    assert.equal(error.code, 'aborted');
  });

  void test('Retry-After: delta-seconds or HTTP-date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('5', now), 5_000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter(null, now), null);
  });
});

void describe('/courses/ and /programs/ batching', () => {
  void test('course keys go 50 per request, duplicates and unknown keys dropped', async () => {
    sim.resetStats();
    const { source, urls } = harness(sim);
    const known = dataset.courses.slice(0, 118).map((c) => c.key);
    const keys = [...known, 'NoSuchX+1', 'NoSuchX+2', known[0] ?? '', known[1] ?? ''];
    const courses = await source.fetchCourses(keys);
    assert.equal(courses.length, 118);
    assert.deepEqual(new Set(courses.map((c) => c.key)), new Set(known));
    const calls = urls.filter((u) => u.includes('/courses/')).map((u) => new URL(u));
    assert.equal(calls.length, 3);
    assert.equal(sim.stats.requests.courses, 3);
    assert.deepEqual(
      calls.map((u) => (u.searchParams.get('keys') ?? '').split(',').length),
      [50, 50, 20],
    );
    for (const u of calls) {
      assert.equal(u.searchParams.get('limit'), '200');
      assert.equal(u.searchParams.get('offset'), '0');
      assert.equal(u.searchParams.get('ordering'), 'key');
      assert.ok(u.search.includes('%2B'), 'the + in course keys is percent-encoded');
    }
  });

  void test('program uuids go 50 per request with extended=True', async () => {
    const big = generateDataset({ size: 'M', seed: 2 });
    const s = await startDiscoverySimulator({ dataset: big });
    try {
      const { source, urls } = harness(s);
      const uuids = big.programs.slice(0, 70).map((p) => p.uuid);
      const programs = await source.fetchPrograms(uuids);
      assert.equal(programs.length, 70);
      const calls = urls.filter((u) => u.includes('/programs/')).map((u) => new URL(u));
      assert.equal(calls.length, 2);
      assert.ok(calls.every((u) => u.searchParams.get('extended') === 'True' && u.searchParams.get('limit') === '200'));
    } finally {
      await s.close();
    }
  });

  void test('list pages are followed by offset while next is set; bad items are rejected', async () => {
    const seen: string[] = [];
    const page = (results: unknown[], next: string | null): Response =>
      new Response(JSON.stringify({ count: 3, next, previous: null, results }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    const source = new DiscoveryHttpSource({
      baseUrl: 'http://discovery.invalid/api/v1',
      tokenUrl: 'http://lms.invalid/oauth2/access_token',
      clientId: 'a',
      clientSecret: 'b',
      sleep: async () => undefined,
      fetch: async (input) => {
        const url = input instanceof Request ? input.url : input.toString();
        seen.push(url);
        if (url.includes('access_token')) return new Response(JSON.stringify({ access_token: 't', token_type: 'JWT', expires_in: 3600 }));
        const offset = new URL(url).searchParams.get('offset');
        if (url.includes('/programs/')) return page([{ title: 'no uuid' }], null);
        return offset === '0' ? page([{ key: 'A+1' }, { key: 'A+2' }], 'next') : page([{ key: 'A+3' }], null);
      },
    });
    const courses = await source.fetchCourses(['A+1', 'A+2', 'A+3']);
    assert.deepEqual(
      courses.map((c) => c.key),
      ['A+1', 'A+2', 'A+3'],
    );
    assert.deepEqual(
      seen.filter((u) => u.includes('/courses/')).map((u) => new URL(u).searchParams.get('offset')),
      ['0', '200'],
    );
    assert.ok(seen.some((u) => u.startsWith('http://discovery.invalid/api/v1/courses/')), 'a missing trailing slash is added');
    const error = await rejection(source.fetchPrograms(['p']));
    assert.equal(error.code, 'invalid_body');
  });
});
