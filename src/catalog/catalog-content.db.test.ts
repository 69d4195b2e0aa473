/**
 * The read endpoints through HTTP (`app.inject`): contains (catalog and customer), filter_content_items,
 * generate_diff, get_content_metadata, customer content-metadata, /content-metadata/, catalog-queries and
 * distinct-catalog-queries. Reference §2.2–2.5, §2.7, §2.8, §2.10; acceptance behaviours 8–13 and 15–18.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { catalogServicesOf } from './catalog.module.js';
import { SYSTEM_ACTOR } from './catalog-access.js';
import { authContextFromClaims, type AuthContext } from '../auth/roles.js';
import { AppError } from '../shared/errors.js';
import { course, courseRun, createCatalogApp, indexOf, program, putContent, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';

type Json = Record<string, unknown>;
type Headers = Record<string, string>;

/** Unique per run: on PostgreSQL every test file shares one database. */
const S = randomUUID().slice(0, 8);
const K = {
  A: `edX+A${S}`,
  A1: `course-v1:edX+A${S}+1T2025`,
  A2: `course-v1:edX+A${S}+2T2025`,
  B: `edX+B${S}`,
  K: `MITx+K${S}`,
  K1: `course-v1:MITx+K${S}+1T`,
  K2: `course-v1:MITx+K${S}+2T`,
  D: `HarvardX+D${S}`,
  X: `ExecEd+X${S}`,
  Z: `Other+Z${S}`,
  DOT: `edX+dotted.key${S}`,
};

/** Microseconds since the epoch of an upstream-format datetime (`YYYY-MM-DDTHH:MM:SS[.ffffff]Z`). */
function upstreamMicros(text: string): number {
  const m = /^(.{19})(?:\.(\d{6}))?Z$/.exec(text);
  if (!m) throw new Error(`not an upstream datetime: ${text}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(m[2] ?? 0);
}

describe('catalog read endpoints', () => {
  let db: Db;
  let app: App;
  const e1 = uid();
  const e2 = uid();
  const slug1 = `acme-${S}`;
  let c1 = '';
  let c2 = '';
  let c3 = '';
  let c0 = '';
  let ids = new Map<string, number>();
  const programUuid = uid();
  let adminE1: Headers;
  let learnerE1: Headers;
  let adminE2: Headers;
  let superuser: Headers;

  const get = (url: string, headers: Headers) => app.http.inject({ method: 'GET', url, headers });
  const post = (url: string, headers: Headers, payload?: unknown) =>
    app.http.inject({ method: 'POST', url, headers, ...(payload !== undefined ? { payload: payload as Json } : {}) });

  async function createCatalog(ent: string, name: string): Promise<string> {
    const r = await post('/api/v1/enterprise-catalogs/', await authHeader({ administrator: true }), {
      title: `Catalog of ${name}`,
      enterprise_customer: ent,
      enterprise_customer_name: name,
      content_filter: { content_type: 'course', marker: uid() },
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ uuid: string }>().uuid;
  }

  before(async () => {
    db = await openTestDb();
    app = await createCatalogApp(db);
    adminE1 = await authHeader({ roles: [`enterprise_admin:${e1}`] });
    learnerE1 = await authHeader({ roles: [`enterprise_learner:${e1}`] });
    adminE2 = await authHeader({ roles: [`enterprise_admin:${e2}`] });
    superuser = await authHeader({ administrator: true });

    // The customer first, so its slug is predictable.
    const r = await post('/api/v1/enterprise-customers/', superuser, { uuid: e1, name: `Acme ${S}`, slug: slug1, enable_learner_portal: true });
    assert.equal(r.statusCode, 201, r.body);
    c1 = await createCatalog(e1, `Acme ${S}`);
    c2 = await createCatalog(e1, `Acme ${S}`);
    c3 = await createCatalog(e2, `Globex ${S}`);
    c0 = await createCatalog(e1, `Acme ${S}`);
    // A catalog whose query was deleted (SET NULL), as upstream allows.
    await sql`update enterprise_catalog set catalog_query_id = null where uuid = ${c0}`.execute(db.kysely);
    await indexOf(app).apply({ type: 'catalog', uuid: c0 });

    const execEd = course(K.X, [{ key: `${K.X}+run` }], {
      course_type: 'executive-education-2u',
      entitlements: [{ mode: 'paid-executive-education', sku: `SKU${S}`, price: '2000.00' }],
    });
    // Rows that belong to no query: A's runs and course K.
    ids = await putContent(db, app, [courseRun(K.A1, K.A), courseRun(K.A2, K.A), course(K.K, [{ key: K.K1 }, { key: K.K2 }])]);
    const m1 = await setMembers(db, app, await queryIdOf(db, c1), [
      course(K.A, [{ key: K.A1 }, { key: `${K.A}+norow` }]),
      course(K.B, [{ key: `${K.B}+1`, active: false }]),
      program(programUuid),
      courseRun(K.K1, K.K),
      execEd,
      course(K.DOT, [{ key: `${K.DOT}+run` }]),
    ]);
    const m2 = await setMembers(db, app, await queryIdOf(db, c2), [course(K.D), courseRun(K.K2, K.K), course(K.A, [{ key: K.A1 }, { key: `${K.A}+norow` }])]);
    const m3 = await setMembers(db, app, await queryIdOf(db, c3), [course(K.Z), course(K.A, [{ key: K.A1 }, { key: `${K.A}+norow` }])]);
    ids = new Map([...ids, ...m1, ...m2, ...m3]);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  // ---- contains_content_items (8) -----------------------------------------------------------------------------

  test('catalog contains_content_items follows the §2.2 rule (8)', async () => {
    const url = (qs: string) => `/api/v1/enterprise-catalogs/${c1}/contains_content_items/?${qs}`;
    const contains = async (qs: string, headers = learnerE1) => {
      const r = await get(url(qs), headers);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ contains_content_items: boolean }>().contains_content_items;
    };
    const noParams = await get(`/api/v1/enterprise-catalogs/${c1}/contains_content_items/`, adminE1);
    assert.equal(noParams.statusCode, 400);
    assert.deepEqual(noParams.json(), ['You must provide at least one of the following query parameters: course_run_ids, program_uuids.']);
    assert.equal((await get(url('course_run_ids='), adminE1)).statusCode, 400, 'empty values count as missing');

    const other = await get(url(`course_run_ids=${encodeURIComponent(K.A)}`), adminE2);
    assert.equal(other.statusCode, 403);
    assert.deepEqual(other.json(), { detail: 'MISSING: catalog.has_learner_access' });

    assert.equal(await contains('course_run_ids=unknown-key'), false, 'JWT-only learner: 200 false');
    assert.equal(await contains(`course_run_ids=${encodeURIComponent(K.A)}`), true, 'exact key');
    assert.equal(await contains(`program_uuids=${programUuid}`), true, 'program uuid');
    assert.equal(await contains(`course_run_ids=${encodeURIComponent(`${K.A},${K.B}`)}`), false, 'a comma list is one literal key');
    assert.equal(await contains(`course_run_ids=${encodeURIComponent(K.K)}`), true, 'parent key of a catalog run');
    assert.equal(await contains(`course_run_ids=${encodeURIComponent(K.A1)}`), true, 'run row whose course is in the catalog');
    assert.equal(await contains(`course_run_ids=${encodeURIComponent(`${K.A}+norow`)}`), false, 'a run without a row does not match');
    assert.equal(await contains(`course_run_ids=${encodeURIComponent(K.Z)}`), false, 'unrelated key (in another customer’s catalog)');
    assert.equal(await contains(`course_run_ids=nope&course_run_ids=${encodeURIComponent(K.A)}`), true, 'ANY of repeated params');
    // An unencoded `+` arrives as a space; upstream turns it back.
    assert.equal(await contains(`course_run_ids=${K.A1}`), true, 'space → +');

    const noQuery = await get(`/api/v1/enterprise-catalogs/${c0}/contains_content_items/?course_run_ids=${encodeURIComponent(K.A)}`, learnerE1);
    assert.deepEqual(noQuery.json(), { contains_content_items: false }, 'catalog without query');
    assert.equal((await get(`/api/v1/enterprise-catalogs/${uid()}/contains_content_items/?course_run_ids=x`, superuser)).statusCode, 404);
  });

  test('hot endpoints answer from memory: no database query once warm (8: "served from cache")', async () => {
    const counter = new QueryCounter();
    const countingDb: Db = { ...db, kysely: db.kysely.withPlugin(counter) };
    const app2 = await createCatalogApp(countingDb);
    try {
      counter.count = 0;
      const calls: Array<[string, string, unknown?]> = [
        ['GET', `/api/v1/enterprise-catalogs/${c1}/contains_content_items/?course_run_ids=${encodeURIComponent(K.A)}`],
        ['GET', `/api/v1/enterprise-customer/${e1}/contains_content_items/?course_run_ids=${encodeURIComponent(K.K)}&get_catalog_list=true`],
        ['POST', `/api/v1/enterprise-customer/${e1}/filter_content_items/`, { content_keys: [K.A, K.D, 'x'] }],
        ['POST', `/api/v1/enterprise-catalogs/${c1}/generate_diff/`, { content_keys: [K.A, 'bogus'] }],
        ['GET', `/api/v1/enterprise-catalogs/${c1}/generate_diff/?content_keys=${encodeURIComponent(K.B)}`],
      ];
      for (const [method, url, payload] of calls) {
        const r = await app2.http.inject({ method: method as 'GET', url, headers: adminE1, ...(payload ? { payload: payload as Json } : {}) });
        assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      }
      assert.equal(counter.count, 0, 'no SQL on the hot paths');
    } finally {
      await app2.close();
    }
  });

  // ---- customer contains (9) ------------------------------------------------------------------------------------

  test('customer contains_content_items, with and without catalog_list (9)', async () => {
    const url = (ent: string, qs: string) => `/api/v1/enterprise-customer/${ent}/contains_content_items/?${qs}`;
    const noParams = await get(`/api/v1/enterprise-customer/${e1}/contains_content_items/`, learnerE1);
    assert.equal(noParams.statusCode, 400);
    assert.deepEqual(noParams.json(), ['You must provide at least one of the following query parameters: course_run_ids, program_uuids.']);
    assert.equal((await get(url(e1, 'course_run_ids=x'), await authHeader({ roles: [`some_role:${e1}`] }))).statusCode, 403);
    assert.equal((await get(url(e2, 'course_run_ids=x'), learnerE1)).statusCode, 403, 'wrong enterprise in the URL');

    assert.deepEqual((await get(url(e1, 'course_run_ids=unknown'), learnerE1)).json(), { contains_content_items: false });
    assert.deepEqual((await get(url(e1, `course_run_ids=${encodeURIComponent(K.D)}`), learnerE1)).json(), { contains_content_items: true }, 'key in the second catalog');
    const withList = await get(url(e1, `course_run_ids=${encodeURIComponent(K.D)}&get_catalog_list=True`), learnerE1);
    assert.deepEqual(withList.json(), { contains_content_items: true, catalog_list: [c2] });
    const both = await get(url(e1, `course_run_ids=${encodeURIComponent(K.K)}&get_catalogs_containing_specified_content_ids=true`), learnerE1);
    assert.deepEqual(both.json<{ catalog_list: string[] }>().catalog_list.sort(), [c1, c2].sort(), 'parent key matching runs in two catalogs');
    assert.deepEqual((await get(url(e1, 'course_run_ids=unknown&get_catalog_list=1'), learnerE1)).json(), {
      contains_content_items: false,
      catalog_list: [],
    });
    const off = await get(url(e1, `course_run_ids=${encodeURIComponent(K.D)}&get_catalog_list=false`), learnerE1);
    assert.deepEqual(off.json(), { contains_content_items: true }, 'false means false (deviation: upstream reads any value as true)');
    assert.equal((await get(url(e1, 'course_run_ids=x&get_catalog_list=maybe'), learnerE1)).statusCode, 400);

    const invalid = await get(url('not-a-uuid', 'course_run_ids=x'), superuser);
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json(), 'Error: invalid enterprice customer uuid: "not-a-uuid" provided.');
  });

  // ---- filter_content_items (10) --------------------------------------------------------------------------------

  test('filter_content_items (10), limited to the customer’s own catalogs', async () => {
    const url = `/api/v1/enterprise-customer/${e1}/filter_content_items/`;
    const denied = await post(url, await authHeader({ roles: [`enterprise_learner:${e2}`] }), { content_keys: [K.A] });
    assert.equal(denied.statusCode, 403);
    assert.deepEqual(denied.json(), { detail: 'MISSING: catalog.has_learner_access' });

    const filter = async (body: Json) => {
      const r = await post(url, learnerE1, body);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ filtered_content_keys: string[] }>().filtered_content_keys;
    };
    assert.deepEqual(await filter({ content_keys: ['nope', 'also-nope'] }), []);
    assert.deepEqual(await filter({ content_keys: [K.D] }), [K.D], 'key in another of the customer’s catalogs');
    assert.deepEqual(await filter({ content_keys: [K.K, K.K] }), [K.K], 'parent key present in two catalogs appears once');
    assert.deepEqual(await filter({ content_keys: [K.A1] }), [], 'no run → course inference here');
    assert.deepEqual(await filter({ content_keys: [K.D, K.B], catalog_uuids: [c1] }), [K.B], 'catalog_uuids limits the search');
    assert.deepEqual(await filter({ content_keys: [K.Z], catalog_uuids: [c3] }), [], 'another customer’s catalog is never searched');
    assert.deepEqual(await filter({}), []);
  });

  // ---- generate_diff (11, 12) -----------------------------------------------------------------------------------

  test('generate_diff answers are valid JSON whatever the keys hold (quotes, backslashes, non-ASCII, U+2028)', async () => {
    const ent = uid();
    const cat = await createCatalog(ent, 'Diff Escapes Co');
    const odd = [`diff+${S}+"quoted"`, `diff+${S}+back\\slash`, `diff+${S}+é中`, `diff+${S}+line\u2028sep`];
    await setMembers(db, app, await queryIdOf(db, cat), odd.map((k) => course(k)));
    const headers = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    const r = await post(`/api/v1/enterprise-catalogs/${cat}/generate_diff/`, headers, { content_keys: [odd[0], odd[2], 'x"y'] });
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const body = r.json<{ items_not_found: Json[]; items_not_included: Json[]; items_found: Json[] }>();
    assert.deepEqual(body.items_not_found, [{ content_key: 'x"y' }]);
    assert.deepEqual(body.items_not_included, [{ content_key: odd[1] }, { content_key: odd[3] }]);
    assert.deepEqual(body.items_found.map((i) => i.content_key), [odd[0], odd[2]]);
    // The HTTP answer's bytes are exactly JSON.stringify of the object in-process callers get.
    const keys = [odd[0] as string, odd[2] as string, 'x"y', odd[0] as string];
    const http = await post(`/api/v1/enterprise-catalogs/${cat}/generate_diff/`, headers, { content_keys: keys });
    const object = await catalogServicesOf(app.ctx).content.generateDiff(SYSTEM_ACTOR, cat, keys, 'body');
    assert.equal(http.body, JSON.stringify(object));
  });

  test('generate_diff with many keys is computed on the diff thread, with the bytes of the in-process path', async () => {
    const ent = uid();
    const cat = await createCatalog(ent, 'Diff Thread Co');
    const members = Array.from({ length: 40 }, (_, i) => `thread+${S}+${i}`);
    await setMembers(db, app, await queryIdOf(db, cat), members.map((k) => course(k)));
    const headers = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    // 1,200 keys (the default threshold is 1,000): every other member, and unknown keys, with a space (→ '+').
    const keys = [...members.filter((_, i) => i % 2 === 0), 'not a key', ...Array.from({ length: 1_179 }, (_, i) => `unknown+${S}+${i}`)];
    const url = `/api/v1/enterprise-catalogs/${cat}/generate_diff/`;
    const content = catalogServicesOf(app.ctx).content;
    const before = content.diffThreadStats;
    const r = await post(url, headers, { content_keys: keys });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(content.diffThreadStats.thread, before.thread + 1, 'answered by the diff thread');
    const body = r.json<{ items_not_found: Json[]; items_not_included: Json[]; items_found: Json[] }>();
    assert.equal(body.items_found.length, 20);
    assert.deepEqual(body.items_not_included, members.filter((_, i) => i % 2 === 1).map((k) => ({ content_key: k })));
    assert.deepEqual(body.items_not_found[0], { content_key: 'not+a+key' });
    assert.equal(body.items_not_found.length, 1_180);
    // The same request to an app that never uses the thread: the same bytes.
    const inProcessApp = await createCatalogApp(db, { diffThreadMinKeys: 0 });
    try {
      const local = await inProcessApp.http.inject({ method: 'POST', url, headers, payload: { content_keys: keys } });
      assert.equal(local.statusCode, 200, local.body);
      assert.equal(local.body, r.body);
      assert.deepEqual(catalogServicesOf(inProcessApp.ctx).content.diffThreadStats, { thread: 0, inProcess: 0 });
    } finally {
      await inProcessApp.close();
    }
  });

  test('generate_diff for in-process callers is the HTTP answer parsed, and fails as it does (11)', async () => {
    const content = catalogServicesOf(app.ctx).content;
    const learnerE2 = authContextFromClaims({ roles: [`enterprise_learner:${e2}`] });
    type Outcome = { answer: string } | { error: { kind: string; code: string; message: string; body: unknown } };
    const outcome = (p: Promise<unknown>): Promise<Outcome> =>
      p.then(
        (v) => ({ answer: Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v) }),
        (e: unknown) => {
          assert.ok(e instanceof AppError, String(e));
          return { error: { kind: e.kind, code: e.code, message: e.message, body: e.body } };
        },
      );
    const tooMany = Array.from({ length: 101 }, (_, i) => `k${i}`);
    const cases: Array<[string, AuthContext, string, readonly string[] | undefined, 'query' | 'body', string | null]> = [
      ['found, not found, not included, duplicates', SYSTEM_ACTOR, c1, [K.A, 'bogus', K.A, 'bogus'], 'body', null],
      ['no keys', SYSTEM_ACTOR, c1, undefined, 'body', null],
      ['GET keys, space → +', SYSTEM_ACTOR, c1, [K.A1.replaceAll('+', ' ')], 'query', null],
      ['catalog without a query', SYSTEM_ACTOR, c0, ['a', 'b', 'a'], 'body', null],
      ['unknown catalog', SYSTEM_ACTOR, uid(), ['x'], 'body', 'not_found'],
      ['not a uuid', SYSTEM_ACTOR, 'not-a-uuid', ['x'], 'body', 'not_found'],
      ['another customer’s learner', learnerE2, c1, ['x'], 'body', 'forbidden'],
      ['GET without keys', SYSTEM_ACTOR, c1, [], 'query', 'bad_request'],
      ['GET with empty keys only', SYSTEM_ACTOR, c1, ['', ''], 'query', 'bad_request'],
      ['GET with 101 keys', SYSTEM_ACTOR, c1, tooMany, 'query', 'bad_request'],
    ];
    for (const [name, auth, cat, keys, via, errorKind] of cases) {
      const bytes = await outcome(content.generateDiffJson(auth, cat, keys, via));
      const object = await outcome(content.generateDiff(auth, cat, keys, via));
      assert.deepEqual(object, bytes, name);
      if (errorKind === null) assert.ok('answer' in bytes, `${name}: ${JSON.stringify(bytes)}`);
      else assert.equal('error' in bytes ? bytes.error.kind : 'answered', errorKind, name);
    }
    // The HTTP statuses of the same failures (the error handler maps the kinds).
    const learnerE2Http = await authHeader({ roles: [`enterprise_learner:${e2}`] });
    assert.equal((await post(`/api/v1/enterprise-catalogs/${uid()}/generate_diff/`, superuser, { content_keys: ['x'] })).statusCode, 404);
    assert.equal((await post(`/api/v1/enterprise-catalogs/${c1}/generate_diff/`, learnerE2Http, { content_keys: ['x'] })).statusCode, 403);
    assert.equal((await get(`/api/v1/enterprise-catalogs/${c1}/generate_diff/`, superuser)).statusCode, 400);
  });

  test('generate_diff buckets (11)', async () => {
    const ent = uid();
    const cat = await createCatalog(ent, 'Diff Co');
    const keys = [0, 1, 2, 3].map((i) => `diff+${S}+${i}`);
    await setMembers(db, app, await queryIdOf(db, cat), keys.map((k) => course(k)));
    const headers = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    const url = `/api/v1/enterprise-catalogs/${cat}/generate_diff/`;
    const diff = async (payload?: unknown) => {
      const r = await post(url, headers, payload);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ items_not_found: Json[]; items_not_included: Json[]; items_found: Json[] }>();
    };
    assert.equal((await post(url, adminE1, { content_keys: keys })).statusCode, 403);

    const many = Array.from({ length: 151 }, (_, i) => `content_keys=k${i}`).join('&');
    const tooMany = await get(`${url}?${many}`, headers);
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json(), 'catalog_diff GET requests supports up to 100. If more content keys required, please use a POST body.');
    const none = await get(url, headers);
    assert.equal(none.statusCode, 400);
    assert.deepEqual(none.json(), ['You must provide at least one of the following query parameters: content_keys.']);

    const mixed = await diff({ content_keys: [keys[0], keys[1], 'bogus-1', 'bogus-2'] });
    assert.deepEqual(Object.keys(mixed), ['items_not_found', 'items_not_included', 'items_found']);
    assert.deepEqual(mixed.items_found.map((i) => i.content_key), [keys[0], keys[1]]);
    assert.ok(mixed.items_found.every((i) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/.test(String(i.date_updated))));
    assert.deepEqual(mixed.items_not_found, [{ content_key: 'bogus-1' }, { content_key: 'bogus-2' }]);
    assert.deepEqual(mixed.items_not_included, [{ content_key: keys[2] }, { content_key: keys[3] }]);

    const empty = await diff();
    assert.deepEqual(empty, { items_not_found: [], items_not_included: keys.map((k) => ({ content_key: k })), items_found: [] });
    assert.deepEqual(await diff({}), empty);
    const all = await diff({ content_keys: keys });
    assert.equal(all.items_found.length, 4);
    assert.deepEqual([all.items_not_found, all.items_not_included], [[], []]);
    const bogus = await diff({ content_keys: ['x', 'y'] });
    assert.deepEqual(bogus, { items_not_found: [{ content_key: 'x' }, { content_key: 'y' }], items_not_included: empty.items_not_included, items_found: [] });
    // A catalog whose query holds nothing yet: only bogus keys → only items_not_found.
    const emptyCat = await createCatalog(ent, 'Diff Co');
    const onlyBogus = await post(`/api/v1/enterprise-catalogs/${emptyCat}/generate_diff/`, headers, { content_keys: ['x'] });
    assert.deepEqual(onlyBogus.json(), { items_not_found: [{ content_key: 'x' }], items_not_included: [], items_found: [] });
    const viaGet = await get(`${url}?content_keys=${encodeURIComponent(keys[0] as string)}&content_keys=zzz`, headers);
    assert.deepEqual(viaGet.json<{ items_found: Json[] }>().items_found.map((i) => i.content_key), [keys[0]]);

    const noQuery = await post(`/api/v1/enterprise-catalogs/${c0}/generate_diff/`, learnerE1, { content_keys: ['a', 'b'] });
    assert.deepEqual(noQuery.json(), { items_not_found: [{ content_key: 'a' }, { content_key: 'b' }], items_not_included: [], items_found: [] });
  });

  test('date_updated = max(content, catalog, customer modified); each can win, and get_content_metadata agrees (12)', async () => {
    const ent = uid();
    const cat = await createCatalog(ent, 'Clock Co');
    const key = `clock+${S}`;
    const members = await setMembers(db, app, await queryIdOf(db, cat), [course(key, [{ key: `${key}+r` }])]);
    const contentId = members.get(key) as number;
    const headers = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    const dateUpdated = async () => {
      const r = await post(`/api/v1/enterprise-catalogs/${cat}/generate_diff/`, headers, { content_keys: [key] });
      return r.json<{ items_found: Array<{ date_updated: string }> }>().items_found[0]?.date_updated;
    };
    const contentLastModified = async () => {
      const r = await get(`/api/v1/enterprise-catalogs/${cat}/get_content_metadata/?content_keys=${encodeURIComponent(key)}`, headers);
      return r.json<{ results: Array<{ content_last_modified: string }> }>().results[0]?.content_last_modified;
    };
    const setAll = async (content: string, catalog: string, customer: string) => {
      await sql`update content_metadata set modified = ${content}::timestamptz where id = ${contentId}`.execute(db.kysely);
      await sql`update enterprise_catalog set modified = ${catalog}::timestamptz where uuid = ${cat}`.execute(db.kysely);
      await sql`update enterprise_customer set modified = ${customer}::timestamptz where uuid = ${ent}`.execute(db.kysely);
      const index = indexOf(app);
      await index.apply({ type: 'content', ids: [contentId] });
      await index.apply({ type: 'catalog', uuid: cat });
      await index.apply({ type: 'customer', uuid: ent });
    };
    await setAll('2031-01-01T00:00:00.123456Z', '2030-01-01T00:00:00Z', '2029-01-01T00:00:00Z');
    assert.equal(await dateUpdated(), '2031-01-01T00:00:00.123456Z', 'content wins');
    assert.equal(await contentLastModified(), '2031-01-01T00:00:00.123456Z');
    await setAll('2030-01-01T00:00:00Z', '2031-06-01T00:00:00.5Z', '2029-01-01T00:00:00Z');
    assert.equal(await dateUpdated(), '2031-06-01T00:00:00.500000Z', 'catalog wins');
    assert.equal(await contentLastModified(), '2031-06-01T00:00:00.500000Z');
    await setAll('2030-01-01T00:00:00Z', '2029-01-01T00:00:00Z', '2032-02-02T02:02:02Z');
    assert.equal(await dateUpdated(), '2032-02-02T02:02:02Z', 'customer wins');
    assert.equal(await contentLastModified(), '2032-02-02T02:02:02Z');
  });

  // ---- get_content_metadata (13) --------------------------------------------------------------------------------

  test('get_content_metadata: access, no query, key filters (13)', async () => {
    const url = (cat: string, qs = '') => `/api/v1/enterprise-catalogs/${cat}/get_content_metadata/${qs ? `?${qs}` : ''}`;
    assert.equal((await get(url(c1), await authHeader({ roles: [] }))).statusCode, 403);
    assert.equal((await get(url(c1), adminE2)).statusCode, 403);
    assert.equal((await get(url(c1), learnerE1)).statusCode, 200, 'JWT-only learner');
    assert.equal((await get(url(uid()), superuser)).statusCode, 404);

    const noQuery = await get(url(c0), learnerE1);
    assert.equal(noQuery.statusCode, 200);
    assert.deepEqual(noQuery.json<Json>().results, []);
    assert.equal(noQuery.json<Json>().count, 0);

    const byRun = await get(url(c1, `content_keys=${encodeURIComponent(K.A1)}`), learnerE1);
    const byRunBody = byRun.json<{ count: number; results: Json[] }>();
    assert.equal(byRunBody.count, 1);
    assert.equal(byRunBody.results[0]?.key, K.A, 'a run key returns the course the catalog holds');

    const half = await get(url(c1, [K.A, K.B, programUuid].map((k) => `content_keys=${encodeURIComponent(k)}`).join('&')), learnerE1);
    const halfBody = half.json<{ count: number; results: Json[] }>();
    assert.equal(halfBody.count, 3);
    assert.ok(halfBody.results.some((r) => r.key === K.B), 'an inactive course is listed when asked for by key');

    const tooMany = await get(url(c1, Array.from({ length: 101 }, (_, i) => `content_keys=k${i}`).join('&')), learnerE1);
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json(), 'get_content_metadata GET requests supports up to 100. If more contentkeys required, please use a POST body.');

    const viaPost = await post(url(c1, 'page_size=2'), learnerE1, { content_keys: [...Array.from({ length: 150 }, (_, i) => `k${i}`), K.A, K.B, K.DOT] });
    assert.equal(viaPost.statusCode, 200, viaPost.body);
    const postBody = viaPost.json<{ count: number; next: string; results: Json[] }>();
    assert.equal(postBody.count, 3);
    assert.equal(postBody.results.length, 2);
    assert.equal(postBody.next, `http://localhost:80/api/v1/enterprise-catalogs/${c1}/get_content_metadata/?page=2&page_size=2`);
  });

  test('get_content_metadata: active filter, pagination envelope and traversal (13)', async () => {
    const url = (qs = '') => `/api/v1/enterprise-catalogs/${c1}/get_content_metadata/${qs ? `?${qs}` : ''}`;
    const full = await get(url('page_size=100'), learnerE1);
    const fullBody = full.json<{ count: number; results: Json[] }>();
    const expected = [K.A, programUuid, K.K1, K.X, K.DOT];
    assert.equal(fullBody.count, expected.length, 'the inactive course is excluded from count and results');
    assert.deepEqual(fullBody.results.map((r) => r.key ?? r.uuid).sort(), [...expected].sort());

    const page1 = await get(url('page_size=2&content_keys_ignored=x'), learnerE1);
    const p1 = page1.json<Json>();
    assert.deepEqual(Object.keys(p1).sort(), ['count', 'current_page', 'enterprise_customer', 'next', 'num_pages', 'previous', 'results', 'start', 'title', 'uuid']);
    assert.equal(p1.uuid, c1);
    assert.equal(p1.title, `Catalog of Acme ${S}`);
    assert.equal(p1.enterprise_customer, e1);
    assert.equal(p1.count, 5);
    assert.equal(p1.num_pages, 3);
    assert.equal(p1.current_page, 1);
    assert.equal(p1.start, 0);
    assert.equal(p1.previous, null);
    assert.equal(p1.next, `http://localhost:80/api/v1/enterprise-catalogs/${c1}/get_content_metadata/?content_keys_ignored=x&page=2&page_size=2`);
    const p3 = (await get(url('page_size=2&page=3'), learnerE1)).json<Json>();
    assert.equal(p3.next, null);
    assert.equal(p3.start, 4);
    assert.equal(p3.previous, `http://localhost:80/api/v1/enterprise-catalogs/${c1}/get_content_metadata/?page=2&page_size=2`);
    const p2 = (await get(url('page_size=2&page=2'), learnerE1)).json<Json>();
    assert.equal(p2.previous, `http://localhost:80/api/v1/enterprise-catalogs/${c1}/get_content_metadata/?page_size=2`);

    const invalid = await get(url('page=99'), learnerE1);
    assert.equal(invalid.statusCode, 404);
    assert.deepEqual(invalid.json(), { detail: 'Invalid page.' });
    const capped = (await get(url('page_size=1000'), learnerE1)).json<Json>();
    assert.equal(capped.num_pages, 1);
    const defaulted = (await get(url('page_size=0'), learnerE1)).json<{ results: Json[] }>();
    assert.equal(defaulted.results.length, 5, 'an invalid page_size falls back to 10');

    const traversed = (await get(url('traverse_pagination=1&page_size=1'), learnerE1)).json<Json>();
    assert.deepEqual(Object.keys(traversed).sort(), ['count', 'enterprise_customer', 'next', 'previous', 'results', 'title', 'uuid']);
    assert.equal((traversed.results as Json[]).length, 5);
    assert.equal(traversed.next, null);
    const notTraversed = (await get(url('traverse_pagination=false&page_size=1'), learnerE1)).json<Json>();
    assert.equal((notTraversed.results as Json[]).length, 1, 'false means false (deviation: upstream reads any value as true)');
  });

  test('get_content_metadata items: UTM, xAPI, enrollment URLs in learner-portal and LMS forms (13)', async () => {
    const itemsByKey = async () => {
      const r = await get(`/api/v1/enterprise-catalogs/${c1}/get_content_metadata/?page_size=100`, learnerE1);
      return new Map(r.json<{ results: Json[] }>().results.map((i) => [String(i.key ?? i.uuid), i]));
    };
    const utm = `utm_medium=enterprise&utm_source=acme-${S.toLowerCase()}`;
    let items = await itemsByKey();
    const a = items.get(K.A) as Json;
    assert.equal(a.parent_content_key, null);
    assert.match(String(a.content_last_modified), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    assert.equal(a.marketing_url, `https://www.example.com/course/edx-a${S.toLowerCase()}?${utm}`);
    assert.equal(a.xapi_activity_id, `https://lms.example.com/xapi/activities/course/${K.A}`);
    assert.equal(a.active, true);
    assert.equal(a.enrollment_url, `https://portal.example.com/${slug1}/course/${K.A}?${utm}`);
    const runs = a.course_runs as Json[];
    assert.equal(runs[0]?.enrollment_url, `https://portal.example.com/${slug1}/course/${K.A}?course_run_key=${encodeURIComponent(K.A1)}&${utm}`);
    assert.equal(runs[0]?.parent_content_key, K.A);
    assert.equal(runs[1]?.enrollment_url, undefined, 'a nested run without a row gets no URL');
    const run = items.get(K.K1) as Json;
    assert.equal(run.parent_content_key, K.K);
    assert.equal(run.enrollment_url, `https://portal.example.com/${slug1}/course/${K.K}?course_run_key=${encodeURIComponent(K.K1)}&${utm}`);
    assert.equal(run.xapi_activity_id, `https://lms.example.com/xapi/activities/courserun/${K.K1}`);
    assert.equal((items.get(programUuid) as Json).enrollment_url, null);
    const exec = items.get(K.X) as Json;
    assert.equal(exec.enrollment_url, `https://portal.example.com/${slug1}/executive-education-2u/course/${K.X}?${utm}`);
    assert.equal((exec.course_runs as Json[])[0]?.enrollment_url, undefined, 'exec-ed runs get no URLs');

    // Learner portal off: LMS enrollment URLs; the customer's modified moves, so does content_last_modified.
    const off = await app.http.inject({ method: 'PATCH', url: `/api/v1/enterprise-customers/${e1}/`, headers: adminE1, payload: { enable_learner_portal: false } });
    assert.equal(off.statusCode, 200);
    try {
      items = await itemsByKey();
      const a2 = items.get(K.A) as Json;
      assert.equal(a2.enrollment_url, `https://lms.example.com/enterprise/${e1}/course/${K.A}/enroll/?catalog=${c1}&${utm}`);
      assert.equal((a2.course_runs as Json[])[0]?.enrollment_url, `https://lms.example.com/enterprise/${e1}/course/${K.A1}/enroll/?catalog=${c1}&${utm}`);
      // Compared as instants: upstream's format drops a zero fraction ("…:05Z"), which sorts after "…:05.1Z" as text.
      assert.ok(
        upstreamMicros(String(a2.content_last_modified)) >= upstreamMicros(String(a.content_last_modified)),
        `content_last_modified went back: ${String(a.content_last_modified)} → ${String(a2.content_last_modified)}`,
      );
      const exec2 = items.get(K.X) as Json;
      assert.equal(
        exec2.enrollment_url,
        `https://lms.example.com/enterprise/proxy-login/?enterprise_slug=${slug1}&next=https://ecommerce.example.com/executive-education-2u/checkout?sku=SKU${S}&${utm}`,
      );
    } finally {
      await app.http.inject({ method: 'PATCH', url: `/api/v1/enterprise-customers/${e1}/`, headers: adminE1, payload: { enable_learner_portal: true } });
    }
  });

  // ---- customer content-metadata (16) ---------------------------------------------------------------------------

  test('customer content-metadata by key or uuid (16)', async () => {
    const url = (id: string, qs = '') => `/api/v1/enterprise-customer/${e1}/content-metadata/${id}/${qs ? `?${qs}` : ''}`;
    const byKey = await get(url(K.D), learnerE1);
    assert.equal(byKey.statusCode, 200, byKey.body);
    assert.equal(byKey.json<Json>().key, K.D);
    assert.match(String(byKey.json<Json>().enrollment_url), /^https:\/\/portal\.example\.com\//);
    const skipped = await get(url(K.D, 'skip_customer_fetch=1'), learnerE1);
    assert.equal(skipped.json<Json>().enrollment_url, null);
    assert.equal((await get(url(K.A), learnerE1)).statusCode, 200, 'key in several catalogs');
    const fromRun = await get(url(K.A1), learnerE1);
    assert.equal(fromRun.json<Json>().key, K.A, 'a run key returns the course');
    const uuidOfD = (byKey.json<Json>().uuid as string).toUpperCase();
    const byUuid = await get(url(uuidOfD), learnerE1);
    assert.equal(byUuid.statusCode, 200);
    assert.equal(byUuid.json<Json>().key, K.D);

    const outside = await get(url(K.Z), learnerE1);
    assert.equal(outside.statusCode, 404);
    assert.deepEqual(outside.json(), { detail: 'No matching content in any catalog for this customer' });
    assert.equal((await get(url('random+key'), learnerE1)).statusCode, 404);
    // Associating the content makes it visible.
    const ent = uid();
    const cat = await createCatalog(ent, 'Late Co');
    const lateKey = `late+${S}`;
    const lateUrl = `/api/v1/enterprise-customer/${ent}/content-metadata/${lateKey}/`;
    const lateHeaders = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    assert.equal((await get(lateUrl, lateHeaders)).statusCode, 404);
    await setMembers(db, app, await queryIdOf(db, cat), [course(lateKey)]);
    assert.equal((await get(lateUrl, lateHeaders)).statusCode, 200);

    assert.equal((await get(url(K.D), adminE2)).statusCode, 403);
    for (const method of ['POST', 'DELETE'] as const) {
      const r = await app.http.inject({ method, url: url(K.D), headers: learnerE1 });
      assert.equal(r.statusCode, 405, method);
    }
  });

  // ---- /content-metadata/ (17) ----------------------------------------------------------------------------------

  test('/content-metadata/ list and detail (17)', async () => {
    const all = await get('/api/v1/content-metadata/?page_size=1', learnerE1);
    assert.equal(all.statusCode, 200);
    const total = await db.kysely.selectFrom('content_metadata').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(all.json<Json>().count, Number(total.n), 'every row');

    const dUuid = (await get(`/api/v1/content-metadata/${K.D}/`, learnerE1)).json<Json>().uuid as string;
    const list = async (qs: string) =>
      (await get(`/api/v1/content-metadata/?${qs}`, learnerE1)).json<{ count: number; results: Json[] }>().results.map((r) => r.key);
    assert.deepEqual(
      (await list(`content_identifiers=${encodeURIComponent(K.A)}&content_identifiers=${dUuid}&content_identifiers=junk`)).sort(),
      [K.A, K.D].sort(),
      'by key or uuid, junk ignored',
    );
    assert.deepEqual(await list(`content_identifiers=${encodeURIComponent(K.A1)}`), [K.A1]);
    assert.deepEqual(
      (await list(`content_identifiers=${encodeURIComponent(K.A1)}&content_identifiers=${encodeURIComponent(K.K2)}&coerce_to_parent_course=True`)).sort(),
      [K.A, K.K].sort(),
      'courses for requested runs',
    );
    const item = (await get(`/api/v1/content-metadata/${K.A}/`, learnerE1)).json<Json>();
    assert.equal(item.enrollment_url, undefined, 'no catalog context, no enrollment URL');
    assert.equal((await get(`/api/v1/content-metadata/${ids.get(K.A1) ?? 0}`, learnerE1)).json<Json>().key, K.A1, 'by id, no trailing slash');
    assert.equal((await get(`/api/v1/content-metadata/${ids.get(K.A1) ?? 0}/?coerce_to_parent_course=true`, learnerE1)).json<Json>().key, K.A);
    assert.equal((await get(`/api/v1/content-metadata/${dUuid}/`, learnerE1)).json<Json>().key, K.D);
    assert.equal((await get(`/api/v1/content-metadata/${K.DOT}/`, learnerE1)).json<Json>().key, K.DOT, 'a key with a dot');
    assert.equal((await get('/api/v1/content-metadata/no-such-thing/', learnerE1)).statusCode, 404);
    assert.equal((await app.http.inject({ method: 'GET', url: '/api/v1/content-metadata/' })).statusCode, 401);
  });

  // ---- catalog-queries (18), distinct-catalog-queries (15) ------------------------------------------------------

  test('catalog-queries: by hash, by id, list, and get_content_filter_hash (18)', async () => {
    const ent = uid();
    const filter = { content_type: 'course', q18: uid() };
    const r = await post('/api/v1/enterprise-catalogs/', superuser, { title: 'Q', enterprise_customer: ent, content_filter: filter });
    const queryUuid = r.json<Json>().catalog_query_uuid;
    const queryId = await queryIdOf(db, r.json<{ uuid: string }>().uuid);
    const hash = (await db.kysely.selectFrom('catalog_query').select('content_filter_hash').where('id', '=', queryId).executeTakeFirstOrThrow()).content_filter_hash;
    const own = await authHeader({ roles: [`enterprise_admin:${ent}`] });
    const other = await authHeader({ roles: [`enterprise_admin:${uid()}`] });

    const found = await get(`/api/v1/catalog-queries/get_query_by_hash?hash=${hash}`, own);
    assert.equal(found.statusCode, 200, found.body);
    assert.deepEqual(found.json(), { uuid: queryUuid, content_filter: filter, content_filter_hash: hash, title: null });
    const elsewhere = await get(`/api/v1/catalog-queries/get_query_by_hash?hash=${hash}`, other);
    assert.equal(elsewhere.statusCode, 404);
    assert.deepEqual(elsewhere.json(), { detail: 'Catalog query not found.' });
    assert.equal((await get(`/api/v1/catalog-queries/get_query_by_hash?hash=${hash}`, superuser)).statusCode, 200);
    assert.equal((await app.http.inject({ method: 'GET', url: `/api/v1/catalog-queries/get_query_by_hash?hash=${hash}` })).statusCode, 401);
    const bad = await get('/api/v1/catalog-queries/get_query_by_hash?hash=foobar', own);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { hash: ['Invalid filter hash.'] });
    const missing = await get('/api/v1/catalog-queries/get_query_by_hash', own);
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(missing.json(), ['You must provide at least one of the following query parameters: hash.']);

    const hashOf = (payload: string) =>
      app.http.inject({ method: 'GET', url: '/api/v1/catalog-queries/get_content_filter_hash', headers: { ...own, 'content-type': 'application/json' }, payload });
    const h = await hashOf('{"content_type": ["political", "unit", "market"]}');
    assert.equal(h.statusCode, 200);
    assert.equal(h.json(), '35584b583415a5bd4e51cc70d898a0eb');
    assert.equal((await hashOf('{"content_type":"course"}')).json(), '030f6213522a24bfdc11eb0988adee2c');
    const unparseable = await hashOf('bad query');
    assert.equal(unparseable.statusCode, 400);
    assert.deepEqual(unparseable.json(), { detail: 'Failed to parse catalog query: JSON parse error - Expecting value: line 1 column 1 (char 0)' });

    assert.equal((await get(`/api/v1/catalog-queries/${queryId}/`, own)).json<Json>().uuid, queryUuid);
    assert.equal((await get(`/api/v1/catalog-queries/${queryId}/`, other)).statusCode, 404);
    assert.equal((await get('/api/v1/catalog-queries/abc/', own)).statusCode, 404);
    const ownList = (await get('/api/v1/catalog-queries/', own)).json<Json>();
    assert.equal(ownList.count, 1);
    assert.deepEqual(Object.keys(ownList), ['next', 'previous', 'count', 'num_pages', 'current_page', 'start', 'results']);
    assert.ok(Number((await get('/api/v1/catalog-queries/', superuser)).json<Json>().count) >= 2);
    assert.equal((await get('/api/v1/catalog-queries/', learnerE1)).statusCode, 403);
  });

  test('distinct-catalog-queries groups catalogs by query, staff only (15)', async () => {
    const ent = uid();
    const shared = { content_type: 'course', distinct: uid() };
    const mk = async (filter: Json) =>
      (await post('/api/v1/enterprise-catalogs/', superuser, { title: 'D', enterprise_customer: ent, content_filter: filter })).json<{ uuid: string }>().uuid;
    const a = await mk(shared);
    const b = await mk({ content_type: 'program', distinct: uid() });
    const c = await mk(shared);
    const url = '/api/v1/distinct-catalog-queries/';
    const two = await post(url, superuser, { enterprise_catalog_uuids: [a, b] });
    assert.equal(two.statusCode, 200);
    assert.equal(two.json<Json>().num_distinct_query_ids, 2);
    const one = await post(url, superuser, { enterprise_catalog_uuids: [a, c] });
    const qa = await queryIdOf(db, a);
    assert.deepEqual(one.json(), { num_distinct_query_ids: 1, catalog_uuids_by_catalog_query_id: { [String(qa)]: [a, c].sort() } });
    assert.equal((await post(url, adminE1, { enterprise_catalog_uuids: [a] })).statusCode, 403);
    assert.equal((await get(url, superuser)).statusCode, 405);
  });

  // ---- isolation and documentation ------------------------------------------------------------------------------

  test("tenant isolation: another customer's learner or admin learns nothing about these catalogs", async () => {
    const outsider = await authHeader({ roles: [`enterprise_admin:${e2}`, `enterprise_learner:${e2}`] });
    const denied = [
      ['GET', `/api/v1/enterprise-catalogs/${c1}/`],
      ['GET', `/api/v1/enterprise-catalogs/${c1}/contains_content_items/?course_run_ids=x`],
      ['GET', `/api/v1/enterprise-catalogs/${c1}/get_content_metadata/`],
      ['GET', `/api/v1/enterprise-catalogs/${c1}/generate_diff/?content_keys=x`],
      ['POST', `/api/v1/enterprise-catalogs/${c1}/generate_diff/`],
      ['GET', `/api/v1/enterprise-customer/${e1}/contains_content_items/?course_run_ids=x`],
      ['POST', `/api/v1/enterprise-customer/${e1}/filter_content_items/`],
      ['GET', `/api/v1/enterprise-customer/${e1}/content-metadata/${K.A}/`],
      ['GET', `/api/v1/enterprise-customers/${e1}/`],
      ['PATCH', `/api/v1/enterprise-customers/${e1}/`],
      ['POST', '/api/v1/distinct-catalog-queries/'],
    ] as const;
    for (const [method, url] of denied) {
      const payload = url.includes('distinct') ? { enterprise_catalog_uuids: [c1] } : {};
      const r = await app.http.inject({ method, url, headers: outsider, ...(method !== 'GET' ? { payload } : {}) });
      assert.equal(r.statusCode, 403, `${method} ${url}: ${r.statusCode} ${r.body}`);
    }
    const list = (await get('/api/v1/enterprise-catalogs/?page_size=1000', outsider)).json<{ results: Json[] }>();
    assert.ok(list.results.every((c) => c.enterprise_customer === e2));
    // Filtering with another customer's catalog uuid finds nothing of it.
    const filtered = await post(`/api/v1/enterprise-customer/${e2}/filter_content_items/`, outsider, { content_keys: [K.D, K.B], catalog_uuids: [c1, c2] });
    assert.deepEqual(filtered.json(), { filtered_content_keys: [] });
    const queries = (await get('/api/v1/catalog-queries/?page_size=100', outsider)).json<{ results: Json[] }>();
    const c1Query = (await db.kysely.selectFrom('catalog_query').select('uuid').where('id', '=', await queryIdOf(db, c1)).executeTakeFirstOrThrow()).uuid;
    assert.ok(queries.results.every((q) => q.uuid !== c1Query));
  });

  test('/api/schema/ documents every endpoint with tags, summary, parameters and responses', async () => {
    const r = await app.http.inject({ method: 'GET', url: '/api/schema/' });
    const doc = r.json<{ paths: Record<string, Record<string, { tags?: string[]; summary?: string; responses?: Record<string, unknown>; parameters?: unknown[] }>> }>();
    const expected: Array<[string, string]> = [
      ['/api/v1/enterprise-catalogs/', 'get'],
      ['/api/v1/enterprise-catalogs/', 'post'],
      ['/api/v1/enterprise-catalogs/{uuid}/', 'get'],
      ['/api/v1/enterprise-catalogs/{uuid}/', 'put'],
      ['/api/v1/enterprise-catalogs/{uuid}/', 'patch'],
      ['/api/v1/enterprise-catalogs/{uuid}/', 'delete'],
      ['/api/v1/enterprise-catalogs/{uuid}/contains_content_items/', 'get'],
      ['/api/v1/enterprise-catalogs/{uuid}/get_content_metadata/', 'get'],
      ['/api/v1/enterprise-catalogs/{uuid}/get_content_metadata/', 'post'],
      ['/api/v1/enterprise-catalogs/{uuid}/generate_diff/', 'get'],
      ['/api/v1/enterprise-catalogs/{uuid}/generate_diff/', 'post'],
      ['/api/v1/enterprise-customer/{enterprise_uuid}/contains_content_items/', 'get'],
      ['/api/v1/enterprise-customer/{enterprise_uuid}/filter_content_items/', 'post'],
      ['/api/v1/enterprise-customer/{enterprise_uuid}/content-metadata/{content_identifier}/', 'get'],
      ['/api/v1/enterprise-customers/', 'get'],
      ['/api/v1/enterprise-customers/', 'post'],
      ['/api/v1/enterprise-customers/{uuid}/', 'get'],
      ['/api/v1/enterprise-customers/{uuid}/', 'patch'],
      ['/api/v1/catalog-queries/', 'get'],
      ['/api/v1/catalog-queries/{id}/', 'get'],
      ['/api/v1/catalog-queries/get_query_by_hash/', 'get'],
      ['/api/v1/catalog-queries/get_content_filter_hash/', 'get'],
      ['/api/v1/distinct-catalog-queries/', 'post'],
      ['/api/v1/content-metadata/', 'get'],
      ['/api/v1/content-metadata/{identifier}/', 'get'],
    ];
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
      assert.ok(op.tags && op.tags.length > 0 && op.summary, `${method} ${path} has tags and a summary`);
      assert.ok(op.responses && Object.keys(op.responses).some((s) => s.startsWith('2')), `${method} ${path} has a success response`);
    }
    const contains = doc.paths['/api/v1/enterprise-catalogs/{uuid}/contains_content_items/']?.get;
    const names = (contains?.parameters as Array<{ name: string }>).map((p) => p.name);
    assert.ok(names.includes('course_run_ids') && names.includes('program_uuids') && names.includes('uuid'));
  });
});

/** Counts the SQL statements a Kysely instance runs. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
