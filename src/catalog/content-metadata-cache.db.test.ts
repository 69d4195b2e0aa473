/**
 * `get_content_metadata` and `/content-metadata/` answered from pre-serialised items (content-fragment.ts):
 * the HTTP answers equal the presenter path's, a second read is served from the cache, a changed row is never
 * served stale, and catalog-less listings stay catalog-less after catalog reads filled the cache.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { course, courseRun, createCatalogApp, program, putContent, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';
import { SYSTEM_ACTOR } from './catalog-access.js';
import { catalogServicesOf } from './catalog-services.js';
import type { MetadataRequest } from './catalog-content.service.js';

type Json = Record<string, unknown>;
type Headers = Record<string, string>;

const S = randomUUID().slice(0, 8);
const A = `edX+A${S}`;
const A1 = `course-v1:edX+A${S}+1T`;
const X = `ExecEd+X${S}`;
/** More than one streamed chunk of a traverse_pagination answer (250 items). */
const MANY = 260;

describe('get_content_metadata from pre-serialised items', () => {
  let db: Db;
  let app: App;
  const enterprise = uid();
  let small = '';
  let large = '';
  let superuser: Headers;
  let learner: Headers;
  // Ahead of the catalog's and customer's modified, so content_last_modified shows the content's.
  let firstWrite = new Date(Date.now() + 3_600_000);

  const get = (url: string, headers: Headers) => app.http.inject({ method: 'GET', url, headers });

  /** The same request answered by the in-process presenter path, as the wire would carry it. */
  async function presenterAnswer(catalog: string, query: string, req: Partial<MetadataRequest> = {}): Promise<unknown> {
    const params = new URLSearchParams(query);
    const page = await catalogServicesOf(app.ctx).content.contentMetadata(SYSTEM_ACTOR, catalog, {
      contentKeys: params.has('content_keys') ? params.getAll('content_keys') : null,
      via: 'query',
      page: params.get('page') ?? undefined,
      pageSize: params.get('page_size') ?? undefined,
      traversePagination: params.get('traverse_pagination') ?? undefined,
      url: { origin: 'http://localhost:80', path: `/api/v1/enterprise-catalogs/${catalog}/get_content_metadata/`, query },
      ...req,
    });
    return JSON.parse(JSON.stringify(page));
  }

  async function metadata(catalog: string, query: string): Promise<Json> {
    const r = await get(`/api/v1/enterprise-catalogs/${catalog}/get_content_metadata/?${query}`, learner);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    return r.json<Json>();
  }

  async function cacheCounter(name: 'hits' | 'misses'): Promise<number> {
    const text = (await get('/metrics', {})).body;
    const m = new RegExp(`^ecat_content_cache_${name}_total (\\d+)$`, 'm').exec(text);
    assert.ok(m, `ecat_content_cache_${name}_total in /metrics`);
    return Number(m[1]);
  }

  const itemOf = (page: Json, key: string) => (page.results as Json[]).find((i) => i.key === key) as Json;

  before(async () => {
    db = await openTestDb();
    app = await createCatalogApp(db);
    superuser = await authHeader({ administrator: true });
    learner = await authHeader({ roles: [`enterprise_learner:${enterprise}`] });
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-customers/',
      headers: superuser,
      payload: { uuid: enterprise, name: `Acme ${S}`, slug: `acme-${S}`, enable_learner_portal: true },
    });
    assert.equal(r.statusCode, 201, r.body);
    const catalog = async (marker: string) => {
      const c = await app.http.inject({
        method: 'POST',
        url: '/api/v1/enterprise-catalogs/',
        headers: superuser,
        payload: { title: `Catalog ${marker}`, enterprise_customer: enterprise, enterprise_customer_name: `Acme ${S}`, content_filter: { marker: `${S}${marker}` } },
      });
      assert.equal(c.statusCode, 201, c.body);
      return c.json<{ uuid: string }>().uuid;
    };
    small = await catalog('small');
    large = await catalog('large');
    await putContent(db, app, [courseRun(A1, A)], firstWrite);
    await setMembers(
      db,
      app,
      await queryIdOf(db, small),
      [
        course(A, [{ key: A1 }, { key: `${A}+norow` }], { marketing_url: 'https://www.example.com/course/a?x=1', title: 'First title' }),
        course(`${A}inactive`, [{ key: `${A}inactive+1`, active: false }]),
        course(X, [{ key: `${X}+run` }], {
          course_type: 'executive-education-2u',
          entitlements: [{ mode: 'paid-executive-education', sku: `SKU${S}` }],
        }),
        program(),
        courseRun(`course-v1:Other+R${S}+1T`, `Other+R${S}`),
      ],
      firstWrite,
    );
    await setMembers(
      db,
      app,
      await queryIdOf(db, large),
      Array.from({ length: MANY }, (_, i) => course(`Bulk+C${S}${String(i).padStart(3, '0')}`, [{ key: `course-v1:Bulk+C${S}${i}+1T` }])),
    );
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('pages, key lookups and traverse_pagination equal the presenter path', async () => {
    for (const query of ['page_size=2', 'page_size=2&page=2', 'page_size=2&page=last', 'page_size=100', `content_keys=${encodeURIComponent(A)}&content_keys=${encodeURIComponent(A1)}`]) {
      assert.deepStrictEqual(await metadata(small, query), await presenterAnswer(small, query), query);
    }
    const traversed = await metadata(large, 'traverse_pagination=1');
    assert.equal((traversed.results as Json[]).length, MANY);
    assert.deepStrictEqual(traversed, await presenterAnswer(large, 'traverse_pagination=1'));
    assert.deepStrictEqual(await metadata(large, 'page_size=100&page=3'), await presenterAnswer(large, 'page_size=100&page=3'));

    const post = await app.http.inject({
      method: 'POST',
      url: `/api/v1/enterprise-catalogs/${small}/get_content_metadata/?page_size=1`,
      headers: learner,
      payload: { content_keys: [A, X] },
    });
    assert.equal(post.statusCode, 200, post.body);
    const viaPost = await presenterAnswer(small, 'page_size=1', { contentKeys: [A, X], via: 'body' });
    assert.deepStrictEqual(post.json(), viaPost);
  });

  test('spliced fields are the catalog context ones: UTM, enrollment URLs, nested run of a row only', async () => {
    const item = itemOf(await metadata(small, 'page_size=100'), A);
    assert.match(item.marketing_url as string, /utm_medium=enterprise/);
    assert.equal(item.xapi_activity_id, `https://lms.example.com/xapi/activities/course/${A}`);
    assert.equal(typeof item.enrollment_url, 'string');
    const [withRow, withoutRow] = item.course_runs as Json[];
    assert.equal(withRow?.parent_content_key, A);
    assert.equal(typeof withRow?.enrollment_url, 'string');
    assert.equal(withoutRow?.parent_content_key, undefined);
  });

  test('a second read is served from the cache', async () => {
    await metadata(small, 'page_size=100');
    const hits = await cacheCounter('hits');
    const misses = await cacheCounter('misses');
    const page = await metadata(small, 'page_size=100');
    const served = (page.results as Json[]).length;
    assert.ok(served > 0);
    assert.equal(await cacheCounter('hits'), hits + served);
    assert.equal(await cacheCounter('misses'), misses);
  });

  test('a changed row is served changed, even when its modified did not move', async () => {
    await metadata(small, 'page_size=100'); // cached
    const before = itemOf(await metadata(small, 'page_size=100'), A);
    assert.equal(before.title, 'First title');
    const members = (title: string) => [
      course(A, [{ key: A1 }, { key: `${A}+norow` }], { marketing_url: 'https://www.example.com/course/a?x=1', title }),
    ];
    const queryId = await queryIdOf(db, small);

    // A later refresh: new JSON, new modified.
    const later = new Date(firstWrite.getTime() + 60_000);
    await setMembers(db, app, queryId, members('Second title'), later);
    const second = itemOf(await metadata(small, 'page_size=100'), A);
    assert.equal(second.title, 'Second title');
    assert.notEqual(second.content_last_modified, before.content_last_modified);

    // Two writes within one clock tick: same modified, new content hash.
    await setMembers(db, app, queryId, members('Third title'), later);
    const third = itemOf(await metadata(small, 'page_size=100'), A);
    assert.equal(third.title, 'Third title');
    assert.equal(third.content_last_modified, second.content_last_modified);
    assert.deepStrictEqual(await metadata(small, 'page_size=100'), await presenterAnswer(small, 'page_size=100'));
    firstWrite = later;
  });

  test('/content-metadata/ stays catalog-less after catalog reads filled the cache', async () => {
    await metadata(small, 'page_size=100');
    const query = `content_identifiers=${encodeURIComponent(A)}&content_identifiers=${encodeURIComponent(X)}&page_size=1`;
    for (const q of [query, `${query}&page=2`]) {
      const r = await get(`/api/v1/content-metadata/?${q}`, learner);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      const expected = await catalogServicesOf(app.ctx).content.contentMetadataList(
        SYSTEM_ACTOR,
        Object.fromEntries(
          [...new URLSearchParams(q).entries()].reduce((m, [k, v]) => m.set(k, [...(m.get(k) ?? []), v]), new Map<string, string[]>()),
        ),
        { origin: 'http://localhost:80', path: '/api/v1/content-metadata/', query: q },
      );
      assert.deepStrictEqual(r.json(), JSON.parse(JSON.stringify(expected)));
    }
    const all = (await get(`/api/v1/content-metadata/?${query}`, learner)).json<{ results: Json[] }>();
    const a = all.results.find((i) => i.key === A) ?? (await get(`/api/v1/content-metadata/?${query}&page=2`, learner)).json<{ results: Json[] }>().results[0];
    assert.equal(a?.marketing_url, 'https://www.example.com/course/a?x=1');
    assert.equal(Object.hasOwn(a ?? {}, 'enrollment_url'), false);
    assert.equal(Object.hasOwn(a ?? {}, 'xapi_activity_id'), false);
  });
});
