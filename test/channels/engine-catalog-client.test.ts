/**
 * The HTTP catalog client against a fake enterprise-catalog v1 (§9 item 27): the diff is one POST to
 * `…/generate_diff/` mapped from (`items_not_included`, `items_not_found`, `items_found`); metadata is asked for in
 * batches of 100 keys, by POST when the server has it and else by GET with repeated `content_keys`; pagination
 * follows `next` on the original URL; errors surface; requests are counted per run.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CatalogRequestCounter } from '../../src/channels/catalog-client.js';
import { CatalogUnavailableError, HttpCatalogClient } from '../../src/channels/catalog-client.http.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  auth: string | undefined;
}

const CATALOG = '7467c9d2-433c-4f7e-ba2e-c5c7798527b2';
const CUSTOMER = '6ae013d4-c5c4-474d-8da9-0e559b2448e2';

void describe('HTTP catalog client', () => {
  const seen: Seen[] = [];
  let postAllowed = true;
  let failNext: number | null = null;
  let server: Server;
  let base = '';

  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => resolve(b));
    });

  before(async () => {
    server = createServer((req, res) => {
      void read(req).then((raw) => {
        const url = new URL(req.url ?? '/', 'http://x');
        seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, body: raw ? (JSON.parse(raw) as unknown) : undefined, auth: req.headers.authorization });
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (failNext !== null) {
          const s = failNext;
          failNext = null;
          return send(s, { detail: 'nope' });
        }
        const page = Number(url.searchParams.get('page') ?? '1');
        if (url.pathname === '/api/v1/enterprise-catalogs/' && req.method === 'GET') {
          const results = page === 1 ? [{ uuid: CATALOG, title: 'A', enterprise_customer: CUSTOMER }] : [{ uuid: 'b', title: 'B', enterprise_customer: 'someone-else' }];
          return send(200, { count: 2, next: page === 1 ? `http://elsewhere.example.com/api/v1/enterprise-catalogs/?page=2&enterprise_customer=${CUSTOMER}` : null, previous: null, results });
        }
        if (url.pathname === `/api/v1/enterprise-catalogs/${CATALOG}/`) {
          return send(200, { uuid: CATALOG, content_last_modified: '2025-01-01T00:00:00Z', catalog_modified: '2025-01-02T00:00:00Z' });
        }
        if (url.pathname === '/api/v1/enterprise-catalogs/00000000-0000-4000-8000-000000000000/') return send(404, { detail: 'Not found.' });
        if (url.pathname === `/api/v1/enterprise-catalogs/${CATALOG}/generate_diff/` && req.method === 'POST') {
          return send(200, {
            items_not_found: [{ content_key: 'gone' }],
            items_not_included: [{ content_key: 'new' }],
            items_found: [{ content_key: 'kept', date_updated: '2025-01-03T00:00:00.123456Z' }],
          });
        }
        if (url.pathname === `/api/v1/enterprise-catalogs/${CATALOG}/get_content_metadata/`) {
          if (req.method === 'POST' && !postAllowed) return send(405, { detail: 'Method "POST" not allowed.' });
          const keys = req.method === 'POST' ? ((JSON.parse(raw) as { content_keys: string[] }).content_keys ?? []) : url.searchParams.getAll('content_keys');
          // Two pages per request, to exercise `next`.
          const half = Math.ceil(keys.length / 2);
          const slice = page === 1 ? keys.slice(0, half) : keys.slice(half);
          const next = page === 1 && keys.length > 1 ? `http://internal:8000/api/v1/enterprise-catalogs/${CATALOG}/get_content_metadata/?page=2&page_size=100` : null;
          return send(200, { count: keys.length, next, previous: null, results: slice.map((k) => ({ key: k, content_type: 'course', title: k })) });
        }
        return send(404, { detail: 'no route' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const client = (counter = new CatalogRequestCounter()) =>
    new HttpCatalogClient({ baseUrl: base, token: 'service-token', retryDelayMs: 1 }).forRun(counter);

  void it('lists the customer catalogs across pages, keeping only that customer', async () => {
    seen.length = 0;
    const list = await client().listCatalogs(CUSTOMER);
    assert.deepEqual(list, [{ uuid: CATALOG, title: 'A' }]);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.query.get('enterprise_customer'), CUSTOMER);
    assert.equal(seen[1]?.query.get('page'), '2', 'next is followed on the original URL');
    assert.equal(seen[0]?.auth, 'JWT service-token');
  });

  void it('reads a version from the catalog detail; null for an unknown catalog', async () => {
    assert.equal(await client().contentVersion(CATALOG), 'detail:2025-01-01T00:00:00Z|2025-01-02T00:00:00Z');
    assert.equal(await client().contentVersion('00000000-0000-4000-8000-000000000000'), null);
  });

  void it('27. generate_diff is one POST with every key, mapped to create / delete / found', async () => {
    seen.length = 0;
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
    const diff = await client().generateDiff(CATALOG, keys);
    assert.deepEqual(diff, { notIncluded: ['new'], notFound: ['gone'], found: [{ contentKey: 'kept', dateUpdated: '2025-01-03T00:00:00.123456Z' }] });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'POST');
    assert.equal(seen[0]?.path, `/api/v1/enterprise-catalogs/${CATALOG}/generate_diff/`);
    assert.deepEqual((seen[0]?.body as { content_keys: string[] }).content_keys, keys);
  });

  void it('27. metadata: POST batches of 100 keys, following next', async () => {
    seen.length = 0;
    postAllowed = true;
    const counter = new CatalogRequestCounter();
    const items = await client(counter).getMetadata(CATALOG, Array.from({ length: 150 }, (_, i) => `k${i}`));
    assert.equal(items.length, 150);
    assert.deepEqual(
      seen.map((s) => [s.method, s.query.get('page') ?? '1', (s.body as { content_keys: string[] }).content_keys.length]),
      [
        ['POST', '1', 100],
        ['POST', '2', 100],
        ['POST', '1', 50],
        ['POST', '2', 50],
      ],
    );
    assert.equal(counter.byKind.get_content_metadata, 4);
  });

  void it('27. metadata: a server without POST gets GETs with repeated content_keys, page_size 100', async () => {
    seen.length = 0;
    postAllowed = false;
    const c = new HttpCatalogClient({ baseUrl: base, token: 't', retryDelayMs: 1 });
    const items = await c.forRun(new CatalogRequestCounter()).getMetadata(CATALOG, ['a', 'b', 'c']);
    assert.deepEqual(items.map((i) => i['key']), ['a', 'b', 'c']);
    assert.deepEqual(seen.map((s) => s.method), ['POST', 'GET', 'GET']);
    assert.deepEqual(seen[1]?.query.getAll('content_keys'), ['a', 'b', 'c']);
    assert.equal(seen[1]?.query.get('page_size'), '100');
    seen.length = 0;
    await c.forRun(new CatalogRequestCounter()).getMetadata(CATALOG, ['d']);
    assert.deepEqual(seen.map((s) => s.method), ['GET'], 'the 405 is remembered');
    postAllowed = true;
  });

  void it('errors surface: 4xx at once, 5xx after retries; requests are counted', async () => {
    failNext = 403;
    await assert.rejects(() => client().generateDiff(CATALOG, []), (e: unknown) => e instanceof CatalogUnavailableError && e.status === 403);
    seen.length = 0;
    failNext = 502;
    const counter = new CatalogRequestCounter();
    const diff = await client(counter).generateDiff(CATALOG, ['x']);
    assert.deepEqual(diff.notFound, ['gone']);
    assert.equal(counter.byKind.generate_diff, 2, 'the 502 was retried');
    await assert.rejects(() => new HttpCatalogClient({ baseUrl: 'http://127.0.0.1:9', token: 't', retryDelayMs: 1, attempts: 2 }).forRun(new CatalogRequestCounter()).contentVersion(CATALOG), CatalogUnavailableError);
  });

  void it('mints a service token from the JWT secret when none is configured', async () => {
    seen.length = 0;
    await new HttpCatalogClient({ baseUrl: base, jwtSecret: 'x'.repeat(32) }).forRun(new CatalogRequestCounter()).contentVersion(CATALOG);
    assert.match(seen[0]?.auth ?? '', /^JWT ey/);
    assert.throws(() => new HttpCatalogClient({ baseUrl: base }));
  });
});
