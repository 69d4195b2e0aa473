import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateDataset } from './dataset.js';
import { runSimulatorCommand, startDiscoverySimulator, type DiscoverySimulator } from './simulator.js';

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  facets?: unknown;
  results: { content_type: string; aggregation_key: string; key?: string; uuid?: string }[];
}

const dataset = generateDataset({ size: 'S', seed: 8 });
let sim: DiscoverySimulator;
let token = '';

async function getToken(s: DiscoverySimulator, form = 'grant_type=client_credentials&client_id=svc&client_secret=shh&token_type=jwt'): Promise<Response> {
  return fetch(s.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
}

async function call(path: string, init: { method?: string; body?: unknown; auth?: string | null; base?: DiscoverySimulator } = {}): Promise<Response> {
  const s = init.base ?? sim;
  const headers: Record<string, string> = {};
  const auth = init.auth === undefined ? `JWT ${token}` : init.auth;
  if (auth !== null) headers.Authorization = auth;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  return fetch(new URL(path, s.url), { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
}

const SEARCH = 'search/all/?exclude_expired_course_run=True&include_learner_pathways=True&page_size=100';

async function searchAllPages(filter: unknown, query = SEARCH): Promise<{ pages: Page[]; requests: number }> {
  const pages: Page[] = [];
  let requests = 0;
  for (let page = 1; ; page++) {
    const res = await call(`${query}&page=${page}`, { body: filter });
    requests++;
    assert.equal(res.status, 200);
    const body = (await res.json()) as Page;
    pages.push(body);
    if (!body.next) return { pages, requests };
  }
}

before(async () => {
  sim = await startDiscoverySimulator({ dataset });
  const res = await getToken(sim);
  token = ((await res.json()) as { access_token: string }).access_token;
});
after(async () => {
  await sim.close();
});

void describe('OAuth2 token endpoint and JWT auth', () => {
  void test('client credentials with token_type=jwt gives a JWT token', async () => {
    const res = await getToken(sim);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'JWT');
    assert.equal(body.expires_in, 3600);
    assert.equal(typeof body.access_token, 'string');
    assert.equal(String(body.access_token).split('.').length, 3);
  });

  void test('bad grants and credentials are refused', async () => {
    assert.equal((await getToken(sim, 'grant_type=password&client_id=a&client_secret=b')).status, 400);
    assert.equal((await getToken(sim, 'grant_type=client_credentials&client_id=a')).status, 401);
    assert.equal((await fetch(sim.tokenUrl)).status, 405);
    const strict = await startDiscoverySimulator({ dataset, clients: { svc: 'right' } });
    try {
      assert.equal((await getToken(strict, 'grant_type=client_credentials&client_id=svc&client_secret=wrong')).status, 401);
      assert.equal((await getToken(strict, 'grant_type=client_credentials&client_id=svc&client_secret=right')).status, 200);
    } finally {
      await strict.close();
    }
  });

  void test('API calls need Authorization: JWT <issued token>', async () => {
    const missing = await call(SEARCH, { body: {}, auth: null });
    assert.equal(missing.status, 401);
    assert.deepEqual(await missing.json(), { detail: 'Authentication credentials were not provided.' });
    assert.equal(missing.headers.get('www-authenticate'), 'JWT realm="api"');
    assert.equal((await call(SEARCH, { body: {}, auth: `Bearer ${token}` })).status, 401);
    const bogus = await call('courses/?keys=x', { auth: 'JWT not-a-token' });
    assert.equal(bogus.status, 401);
    assert.deepEqual(await bogus.json(), { detail: 'Error decoding token.' });
    assert.equal((await call('programs/', {})).status, 200);
  });

  void test('revoked and expired tokens get a 401', async () => {
    const local = await startDiscoverySimulator({ dataset, tokenTtlSeconds: 0.2 });
    try {
      const res = await getToken(local);
      const short = ((await res.json()) as { access_token: string }).access_token;
      assert.equal((await call('programs/', { base: local, auth: `JWT ${short}` })).status, 200);
      local.revokeTokens();
      assert.equal((await call('programs/', { base: local, auth: `JWT ${short}` })).status, 401);
      const again = ((await (await getToken(local)).json()) as { access_token: string }).access_token;
      await new Promise((r) => setTimeout(r, 300));
      const expired = await call('programs/', { base: local, auth: `JWT ${again}` });
      assert.equal(expired.status, 401);
      assert.deepEqual(await expired.json(), { detail: 'Signature has expired.' });
    } finally {
      await local.close();
    }
  });
});

void describe('search/all', () => {
  void test('requests = ceil(results / 100); every hit once; absolute next and previous links', async () => {
    const filters = [{ content_type: 'course' }, { content_type: 'courserun' }, { content_type: ['program', 'learnerpathway'] }, { org: 'HarvardX' }, { content_type: 'course', org: 'NoSuchX' }];
    for (const filter of filters) {
      const { pages, requests } = await searchAllPages(filter);
      const count = pages[0]?.count ?? -1;
      assert.equal(requests, Math.max(1, Math.ceil(count / 100)), JSON.stringify(filter));
      const ids = pages.flatMap((p) => p.results.map((r) => `${r.content_type}:${r.key ?? r.uuid ?? ''}`));
      assert.equal(ids.length, count);
      assert.equal(new Set(ids).size, count, 'no duplicates across pages');
      for (const p of pages) assert.deepEqual(p.facets, {});
    }
    const { pages } = await searchAllPages({ content_type: 'courserun' });
    assert.ok(pages.length >= 3);
    assert.equal(pages[0]?.previous, null);
    const next = new URL(pages[0]?.next ?? '');
    assert.equal(next.origin, sim.origin);
    assert.equal(next.pathname, '/api/v1/search/all/');
    assert.equal(next.searchParams.get('page'), '2');
    assert.equal(next.searchParams.get('page_size'), '100');
    const previous = new URL(pages[1]?.previous ?? '');
    assert.equal(previous.searchParams.get('page'), null, 'the link back to page 1 drops page');
    assert.equal(new URL(pages[2]?.previous ?? '').searchParams.get('page'), '2');
  });

  void test('past the last page: 404 {"detail": "Invalid page."}; page 1 of nothing is fine', async () => {
    const count = ((await (await call(`${SEARCH}&page=1`, { body: { content_type: 'course' } })).json()) as Page).count;
    const last = Math.ceil(count / 100);
    const beyond = await call(`${SEARCH}&page=${last + 1}`, { body: { content_type: 'course' } });
    assert.equal(beyond.status, 404);
    assert.deepEqual(await beyond.json(), { detail: 'Invalid page.' });
    assert.equal((await call(`${SEARCH}&page=0`, { body: {} })).status, 404);
    assert.equal((await call(`${SEARCH}&page=two`, { body: {} })).status, 404);
    const lastPage = (await (await call(`${SEARCH}&page=last`, { body: { content_type: 'course' } })).json()) as Page;
    assert.equal(lastPage.next, null);
    const empty = await call(`${SEARCH}&page=1`, { body: { content_type: 'nothing' } });
    assert.equal(empty.status, 200);
    assert.deepEqual(await empty.json(), { count: 0, next: null, previous: null, facets: {}, results: [] });
  });

  void test('learner pathways only with include_learner_pathways=true (any case)', async () => {
    const count = async (query: string): Promise<number> =>
      ((await (await call(query, { body: { content_type: 'learnerpathway' } })).json()) as Page).count;
    assert.equal(await count('search/all/?page_size=100'), 0);
    assert.equal(await count('search/all/?include_learner_pathways=False'), 0);
    assert.equal(await count('search/all/?include_learner_pathways=True'), dataset.pathways.length);
    assert.equal(await count('search/all/?include_learner_pathways=true'), dataset.pathways.length);
    // The body is merged into the parameters too, last value wins.
    const fromBody = await call('search/all/', { body: { content_type: 'learnerpathway', include_learner_pathways: 'true' } });
    assert.equal(((await fromBody.json()) as Page).count, dataset.pathways.length);
  });

  void test('default page size 20, hits regrouped by type within a page, GET with the filter in the query', async () => {
    const page = (await (await call('search/all/', { body: { content_type: ['course', 'courserun'] } })).json()) as Page;
    assert.equal(page.results.length, 20);
    const types = page.results.map((r) => r.content_type);
    const groups = types.filter((t, i) => i === 0 || types[i - 1] !== t);
    assert.equal(new Set(groups).size, groups.length, `types not grouped: ${types.join(',')}`);
    const viaGet = (await (await call('search/all/?content_type=program&page_size=100')).json()) as Page;
    const edxPrograms = dataset.programs.filter((p) => p.partner === 'edx').length;
    assert.equal(viaGet.count, edxPrograms, 'a GET is scoped to the default partner');
    const viaPost = (await (await call('search/all/?page_size=100', { body: { content_type: 'program' } })).json()) as Page;
    assert.equal(viaPost.count, dataset.programs.length, 'a POST is not');
  });

  void test('malformed bodies are a 400', async () => {
    assert.equal((await call(SEARCH, { body: '{"content_type": ' })).status, 400);
    assert.equal((await call(SEARCH, { body: ['course'] })).status, 400);
  });

  void test('a page beyond the result window is a 500, as ES refuses it', async () => {
    const small = await startDiscoverySimulator({ dataset, maxResultWindow: 150 });
    try {
      const t = ((await (await getToken(small)).json()) as { access_token: string }).access_token;
      const page1 = await call(`${SEARCH}&page=1`, { base: small, auth: `JWT ${t}`, body: { content_type: 'courserun' } });
      assert.equal(page1.status, 200);
      const page2 = await call(`${SEARCH}&page=2`, { base: small, auth: `JWT ${t}`, body: { content_type: 'courserun' } });
      assert.equal(page2.status, 500);
    } finally {
      await small.close();
    }
  });
});

void describe('/courses/ and /programs/', () => {
  void test('courses by keys, ordered by key, limit/offset paging', async () => {
    const keys = dataset.courses.slice(0, 5).map((c) => c.key);
    const res = await call(`courses/?${new URLSearchParams({ keys: keys.join(','), ordering: 'key', limit: '200' }).toString()}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Page;
    assert.equal(body.count, 5);
    assert.equal(body.next, null);
    assert.deepEqual(
      body.results.map((r) => r.key),
      [...keys].sort(),
    );
    const paged = (await (await call(`courses/?${new URLSearchParams({ keys: keys.join(','), ordering: 'key', limit: '2', offset: '2' }).toString()}`)).json()) as Page;
    assert.equal(paged.results.length, 2);
    assert.equal(new URL(paged.next ?? '').searchParams.get('offset'), '4');
    assert.equal(new URL(paged.previous ?? '').searchParams.get('offset'), null);
    assert.equal(new URL(paged.next ?? '').searchParams.get('keys'), keys.join(','));
  });

  void test('integer flags must be integers (a 500 upstream otherwise)', async () => {
    assert.equal((await call('courses/?include_hidden_course_runs=True')).status, 500);
    assert.equal((await call('courses/?include_hidden_course_runs=1&limit=1')).status, 200);
  });

  void test('programs by uuids; extended adds pricing', async () => {
    const uuids = dataset.programs.slice(0, 3).map((p) => p.uuid);
    const extended = (await (await call(`programs/?uuids=${uuids.join(',')}&extended=True&limit=200`)).json()) as Page;
    assert.equal(extended.count, 3);
    assert.ok(extended.results.every((p) => 'price_ranges' in p && 'courses' in p));
    const plain = (await (await call(`programs/?uuids=${uuids.join(',')}&limit=200`)).json()) as Page;
    assert.ok(plain.results.every((p) => !('price_ranges' in p)));
  });

  void test('unknown paths are a 404', async () => {
    assert.equal((await call('course_runs/')).status, 404);
  });
});

void describe('fault injection', () => {
  void test('fail page N always, 429 with Retry-After, truncated JSON, 500s, latency; settable at run time', async () => {
    const s = await startDiscoverySimulator({ dataset, faults: { failPages: [2] } });
    try {
      const t = ((await (await getToken(s)).json()) as { access_token: string }).access_token;
      const page = (n: number): Promise<Response> => call(`${SEARCH}&page=${n}`, { base: s, auth: `JWT ${t}`, body: { content_type: 'courserun' } });
      assert.equal((await page(1)).status, 200);
      for (let i = 0; i < 3; i++) assert.equal((await page(2)).status, 500);
      assert.equal((await page(3)).status, 200);

      s.setFaults({ rateLimitRate: 1, retryAfterSeconds: 7 });
      const limited = await page(1);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '7');
      assert.deepEqual(await limited.json(), { detail: 'Request was throttled. Expected available in 7 seconds.' });

      s.setFaults({ truncateRate: 1 });
      const truncated = await page(1);
      assert.equal(truncated.status, 200);
      await assert.rejects(truncated.clone().json());
      assert.ok((await truncated.text()).length > 100);

      s.setFaults({ errorRate: 1 });
      assert.equal((await page(1)).status, 500);
      assert.equal((await getToken(s)).status, 200, 'the token endpoint is spared by default');

      s.setFaults({ latencyMs: 120 });
      const started = performance.now();
      assert.equal((await page(1)).status, 200);
      assert.ok(performance.now() - started >= 110);

      s.setFaults({});
      assert.equal((await page(2)).status, 200);
      const stats = s.stats;
      assert.equal(stats.faults.failedPages, 3);
      assert.equal(stats.faults.rateLimited, 1);
      assert.equal(stats.faults.truncated, 1);
      assert.equal(stats.faults.errors, 1);
      assert.equal(stats.searchAllPages[2], 4);
      assert.equal(stats.requests.token, 2);
    } finally {
      await s.close();
    }
  });

  void test('random faults are deterministic for a seed', async () => {
    const statuses = async (): Promise<number[]> => {
      const s = await startDiscoverySimulator({ dataset, faults: { errorRate: 0.4, rateLimitRate: 0.2, retryAfterSeconds: 0, seed: 'x' } });
      try {
        const t = ((await (await getToken(s)).json()) as { access_token: string }).access_token;
        const out: number[] = [];
        for (let i = 0; i < 25; i++) out.push((await call('programs/?limit=1', { base: s, auth: `JWT ${t}` })).status);
        return out;
      } finally {
        await s.close();
      }
    };
    const first = await statuses();
    assert.deepEqual(await statuses(), first);
    assert.ok(first.includes(500) && first.includes(429) && first.includes(200), first.join(','));
  });

  void test('stats count requests per endpoint; close() ends kept-alive connections', async () => {
    const s = await startDiscoverySimulator({ dataset });
    const t = ((await (await getToken(s)).json()) as { access_token: string }).access_token;
    await call('programs/?limit=1', { base: s, auth: `JWT ${t}` });
    await call('courses/?limit=1', { base: s, auth: `JWT ${t}` });
    await call(`${SEARCH}&page=1`, { base: s, auth: `JWT ${t}`, body: {} });
    assert.deepEqual(s.stats.requests, { token: 1, searchAll: 1, courses: 1, programs: 1, other: 0 });
    s.resetStats();
    assert.equal(s.stats.total, 0);
    await s.close();
    await assert.rejects(fetch(s.tokenUrl, { method: 'POST' }));
  });
});

void describe('runSimulatorCommand', () => {
  void test('bad usage is exit code 2', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    assert.equal(await runSimulatorCommand(['--size', 'XXL']), 2);
    assert.equal(await runSimulatorCommand(['--port', 'abc']), 2);
    assert.equal(await runSimulatorCommand(['--what']), 2);
  });

  void test('prints its URLs and runs until SIGTERM', async (t) => {
    const lines: string[] = [];
    t.mock.method(console, 'log', (line: string) => {
      lines.push(line);
    });
    const done = runSimulatorCommand(['--size', 'S', '--seed', '2']);
    while (!lines.some((l) => l.startsWith('token '))) await new Promise((r) => setTimeout(r, 10));
    const tokenUrl = lines.find((l) => l.startsWith('token '))?.slice(6).trim() ?? '';
    assert.match(tokenUrl, /^http:\/\/127\.0\.0\.1:\d+\/oauth2\/access_token$/);
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=a&client_secret=b',
    });
    assert.equal(res.status, 200);
    process.emit('SIGTERM');
    assert.equal(await done, 0);
  });
});
