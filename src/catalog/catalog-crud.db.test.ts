/**
 * Enterprise catalog CRUD, catalog query resolution, the refresh trigger and the customers extension, through
 * HTTP (`app.inject`). Reference §2.1 and acceptance behaviours 1–7 (adapted: duplicate uuid → 409, real
 * `catalog_query_uuid`/`query_title`).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { course, createCatalogApp, indexOf, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';
import { contentFilterHash } from './filter-hash.js';

type Json = Record<string, unknown>;

// One database and one app for the whole file (PGlite costs seconds to create).
let db: Db;
let app: App;
before(async () => {
  db = await openTestDb();
  app = await createCatalogApp(db);
});
after(async () => {
  await app.close();
  await db.close();
});

describe('enterprise-catalogs CRUD', () => {
  const superuser = () => authHeader({ administrator: true });
  const admin = (ent: string) => authHeader({ roles: [`enterprise_admin:${ent}`] });
  const catalogAdmin = (ent: string) => authHeader({ roles: [`enterprise_catalog_admin:${ent}`] });
  const learner = (ent: string) => authHeader({ roles: [`enterprise_learner:${ent}`] });
  const provisioning = () => authHeader({ roles: ['enterprise_provisioning_admin:*'] });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Json, payload?: unknown) =>
    app.http.inject({ method, url, headers: headers as Record<string, string>, ...(payload !== undefined ? { payload: payload as Json } : {}) });

  const newCatalog = (ent: string, extra: Json = {}): Json => ({
    title: `Catalog ${uid().slice(0, 8)}`,
    enterprise_customer: ent,
    enterprise_customer_name: `Customer ${ent.slice(0, 8)}`,
    enabled_course_modes: ['verified'],
    publish_audit_enrollment_urls: false,
    content_filter: { content_type: 'course', marker: uid() },
    ...extra,
  });

  async function create(ent: string, extra: Json = {}): Promise<Json> {
    const r = await call('POST', '/api/v1/enterprise-catalogs/', await admin(ent), newCatalog(ent, extra));
    assert.equal(r.statusCode, 201, r.body);
    return r.json<Json>();
  }

  async function refreshJobs(queryId: number): Promise<Array<{ data: Json; singleton_key: string | null }>> {
    const r = await db.executeSql(`select data, singleton_key from pgboss.job where name = 'refresh_catalog_query' and data->>'queryId' = $1`, [
      String(queryId),
    ]);
    return r.rows as Array<{ data: Json; singleton_key: string | null }>;
  }

  test('POST creates the catalog, its query and customer, and enqueues a refresh in the same transaction (5)', async () => {
    const ent = uid();
    const catalogUuid = uid();
    const filter = { content_type: 'course', partner: 'edx', marker: uid() };
    const r = await call(
      'POST',
      '/api/v1/enterprise-catalogs/',
      await admin(ent),
      newCatalog(ent, { uuid: catalogUuid, content_filter: filter, enterprise_customer_name: 'Acme Learning, Inc.', publish_audit_enrollment_urls: 'true' }),
    );
    assert.equal(r.statusCode, 201, r.body);
    const body = r.json<Json>();
    assert.deepEqual(Object.keys(body), [
      'uuid',
      'title',
      'enterprise_customer',
      'catalog_query_uuid',
      'content_last_modified',
      'catalog_modified',
      'query_title',
    ]);
    assert.equal(body.uuid, catalogUuid);
    assert.equal(body.enterprise_customer, ent);
    assert.equal(body.content_last_modified, null);
    assert.match(String(body.catalog_modified), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);

    const query = await db.kysely.selectFrom('catalog_query').selectAll().where('uuid', '=', String(body.catalog_query_uuid)).executeTakeFirstOrThrow();
    assert.deepEqual(query.content_filter, filter);
    assert.equal(query.content_filter_hash, contentFilterHash(filter));
    const catalog = await db.kysely.selectFrom('enterprise_catalog').selectAll().where('uuid', '=', catalogUuid).executeTakeFirstOrThrow();
    assert.equal(catalog.publish_audit_enrollment_urls, true);
    assert.deepEqual(catalog.enabled_course_modes, ['verified']);
    assert.equal(catalog.enterprise_name, 'Acme Learning, Inc.');

    const customer = await db.kysely.selectFrom('enterprise_customer').selectAll().where('uuid', '=', ent).executeTakeFirstOrThrow();
    assert.equal(customer.name, 'Acme Learning, Inc.');
    assert.equal(customer.slug, 'acme-learning-inc');

    const jobs = await refreshJobs(query.id);
    assert.equal(jobs.length, 1);
    assert.deepEqual(jobs[0]?.data, { queryId: query.id, reason: 'created' });
    assert.equal(jobs[0]?.singleton_key, String(query.id));
  });

  test('posting the same catalog uuid again is 409 and writes nothing (5, deviation: upstream 500)', async () => {
    const ent = uid();
    const first = await create(ent);
    const queriesBefore = await db.kysely.selectFrom('catalog_query').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const r = await call('POST', '/api/v1/enterprise-catalogs/', await admin(ent), newCatalog(ent, { uuid: first.uuid }));
    assert.equal(r.statusCode, 409);
    assert.equal(r.headers['x-error-code'], 'catalog_exists');
    const queriesAfter = await db.kysely.selectFrom('catalog_query').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(queriesAfter.n), Number(queriesBefore.n), 'the new query of the failed create was rolled back');
  });

  test('catalogs with equal filters share one query (dedup by hash); a customer name is not overwritten', async () => {
    const e1 = uid();
    const e2 = uid();
    const filter = { content_type: ['course', 'program'], org: 'MITx', marker: uid() };
    const a = await create(e1, { content_filter: filter });
    // Same filter, keys in another order: same hash.
    const b = await call('POST', '/api/v1/enterprise-catalogs/', await provisioning(), newCatalog(e2, { content_filter: { marker: filter.marker, org: 'MITx', content_type: ['course', 'program'] } }));
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(b.json<Json>().catalog_query_uuid, a.catalog_query_uuid);
    const c = await create(e1, { enterprise_customer_name: 'Another name' });
    assert.notEqual(c.catalog_query_uuid, a.catalog_query_uuid);
    const customer = await db.kysely.selectFrom('enterprise_customer').select('name').where('uuid', '=', e1).executeTakeFirstOrThrow();
    assert.equal(customer.name, `Customer ${e1.slice(0, 8)}`);
  });

  test('detail GET by a catalog admin (JWT) → 200 (1); unknown or malformed uuid → 404', async () => {
    const ent = uid();
    const c = await create(ent);
    for (const headers of [await admin(ent), await catalogAdmin(ent), await superuser()]) {
      const r = await call('GET', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, headers);
      assert.equal(r.statusCode, 200);
      const body = r.json<Json>();
      assert.equal(body.uuid, c.uuid);
      assert.equal(body.title, c.title);
      assert.equal(body.enterprise_customer, ent);
    }
    assert.equal((await call('GET', `/api/v1/enterprise-catalogs/${uid()}/`, await superuser())).statusCode, 404);
    assert.equal((await call('GET', '/api/v1/enterprise-catalogs/not-a-uuid/', await superuser())).statusCode, 404);
    // Trailing slash optional, as clients built with and without APPEND_SLASH call it.
    assert.equal((await call('GET', `/api/v1/enterprise-catalogs/${String(c.uuid)}`, await admin(ent))).statusCode, 200);
  });

  test('detail carries content_version (extension), which moves when content merely leaves the catalog', async () => {
    const ent = uid();
    const cat = await create(ent);
    const url = `/api/v1/enterprise-catalogs/${String(cat.uuid)}/`;
    const read = async () => (await call('GET', url, await admin(ent))).json<Json>().content_version;
    const queryId = await queryIdOf(db, String(cat.uuid));
    const a = course(`edX+${uid()}`);
    const b = course(`edX+${uid()}`);
    await setMembers(db, app, queryId, [a, b]);
    const both = await read();
    assert.equal(typeof both, 'string');
    assert.equal(await read(), both, 'stable while nothing changes');
    await setMembers(db, app, queryId, [a]);
    const onlyA = await read();
    assert.notEqual(onlyA, both, 'a member leaving changes it, though no content row changed');
  });

  test('learners, admins of another enterprise and unrelated roles get 403; no token 401 (2)', async () => {
    const ent = uid();
    const c = await create(ent);
    const url = `/api/v1/enterprise-catalogs/${String(c.uuid)}/`;
    const denied = [
      await learner(ent),
      await admin(uid()),
      await authHeader({ roles: [`enterprise_openedx_operator_typo:${ent}`] }),
      await authHeader({ roles: [] }),
    ];
    for (const headers of denied) {
      for (const [method, payload] of [
        ['GET', undefined],
        ['PATCH', { title: 'x' }],
        ['PUT', newCatalog(ent)],
        ['DELETE', undefined],
      ] as const) {
        const r = await call(method, url, headers, payload);
        assert.equal(r.statusCode, 403, `${method} ${r.body}`);
        assert.deepEqual(r.json(), { detail: 'MISSING: catalog.has_admin_access' });
      }
      const post = await call('POST', '/api/v1/enterprise-catalogs/', headers, newCatalog(ent));
      assert.equal(post.statusCode, 403);
    }
    const anonymous = await app.http.inject({ method: 'GET', url });
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual(anonymous.json(), { detail: 'Authentication credentials were not provided.' });
  });

  test('a provisioning admin may read, patch, put, create and list everything, but not delete (3)', async () => {
    const ent = uid();
    const other = uid();
    const c = await create(ent);
    await create(other);
    const headers = await provisioning();
    const url = `/api/v1/enterprise-catalogs/${String(c.uuid)}/`;
    assert.equal((await call('GET', url, headers)).statusCode, 200);
    assert.equal((await call('PATCH', url, headers, { title: 'Patched' })).statusCode, 200);
    assert.equal((await call('PUT', url, headers, newCatalog(ent, { title: 'Put' }))).statusCode, 200);
    assert.equal((await call('POST', '/api/v1/enterprise-catalogs/', headers, newCatalog(uid()))).statusCode, 201);
    const list = await call('GET', '/api/v1/enterprise-catalogs/?page_size=1000', headers);
    const total = await db.kysely.selectFrom('enterprise_catalog').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(list.json<Json>().count, Number(total.n));
    assert.equal((await call('DELETE', url, headers)).statusCode, 403);
  });

  test('PATCH {title} changes only the title (4) and moves catalog_modified', async () => {
    const ent = uid();
    const c = await create(ent, { publish_audit_enrollment_urls: true });
    const before = await db.kysely.selectFrom('enterprise_catalog').selectAll().where('uuid', '=', String(c.uuid)).executeTakeFirstOrThrow();
    const r = await call('PATCH', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent), { title: 'New title' });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json<Json>();
    assert.equal(body.title, 'New title');
    assert.equal(body.catalog_query_uuid, c.catalog_query_uuid);
    assert.ok(String(body.catalog_modified) >= String(c.catalog_modified));
    const afterRow = await db.kysely.selectFrom('enterprise_catalog').selectAll().where('uuid', '=', String(c.uuid)).executeTakeFirstOrThrow();
    assert.equal(afterRow.catalog_query_id, before.catalog_query_id);
    assert.equal(afterRow.enterprise_uuid, before.enterprise_uuid);
    assert.deepEqual(afterRow.enabled_course_modes, before.enabled_course_modes);
    assert.equal(afterRow.publish_audit_enrollment_urls, true);
    assert.equal(afterRow.enterprise_name, before.enterprise_name);
    assert.equal((await refreshJobs(before.catalog_query_id as number)).length, 1, 'no second refresh for a title change');
  });

  test('PUT with a filter another query already has → 400 and nothing changes (6)', async () => {
    const ent = uid();
    const taken = { content_type: 'course', marker: uid() };
    await create(uid(), { content_filter: taken });
    const c = await create(ent);
    const r = await call('PUT', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent), newCatalog(ent, { content_filter: taken }));
    assert.equal(r.statusCode, 400, r.body);
    const body = r.json<{ catalog_query: string[] }>();
    assert.ok(Array.isArray(body.catalog_query) && /is not unique$/.test(body.catalog_query[0] ?? ''), r.body);
    const detail = await call('GET', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent));
    assert.equal(detail.json<Json>().catalog_query_uuid, c.catalog_query_uuid);
    assert.equal(detail.json<Json>().title, c.title);
  });

  test("PUT with a new filter rewrites the catalog's query in place and enqueues filter_changed", async () => {
    const ent = uid();
    const c = await create(ent);
    const queryId = await queryIdOf(db, String(c.uuid));
    const filter = { content_type: 'program', marker: uid() };
    const r = await call('PUT', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent), newCatalog(ent, { title: 'Programs', content_filter: filter, query_title: `Programs ${uid()}` }));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json<Json>().catalog_query_uuid, c.catalog_query_uuid);
    assert.match(String(r.json<Json>().query_title), /^Programs /);
    const query = await db.kysely.selectFrom('catalog_query').selectAll().where('id', '=', queryId).executeTakeFirstOrThrow();
    assert.equal(query.content_filter_hash, contentFilterHash(filter));
    // The stately queue keeps one queued job per query: the created job absorbs the filter change until it runs.
    const jobs = await refreshJobs(queryId);
    assert.ok(jobs.length >= 1);
  });

  test('catalog_query_uuid: an unknown uuid creates the query under it; naming it again rewrites that query', async () => {
    const ent = uid();
    const queryUuid = uid();
    const title = `Query ${uid()}`;
    const a = await call('POST', '/api/v1/enterprise-catalogs/', await provisioning(), newCatalog(ent, { catalog_query_uuid: queryUuid, query_title: title }));
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(a.json<Json>().catalog_query_uuid, queryUuid);
    assert.equal(a.json<Json>().query_title, title);
    const filter = { content_type: 'course', rewritten: uid() };
    const b = await call('POST', '/api/v1/enterprise-catalogs/', await provisioning(), newCatalog(ent, { catalog_query_uuid: queryUuid, query_title: title, content_filter: filter }));
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(b.json<Json>().catalog_query_uuid, queryUuid);
    const query = await db.kysely.selectFrom('catalog_query').selectAll().where('uuid', '=', queryUuid).executeTakeFirstOrThrow();
    assert.deepEqual(query.content_filter, filter);
    // A title another query holds → 400.
    const c = await call('POST', '/api/v1/enterprise-catalogs/', await provisioning(), newCatalog(ent, { query_title: title }));
    assert.equal(c.statusCode, 400, c.body);
    assert.ok(Array.isArray(c.json<{ catalog_query: string[] }>().catalog_query));
  });

  test("tenant isolation: an admin cannot rewrite a query other enterprises' catalogs use", async () => {
    const e1 = uid();
    const e2 = uid();
    const shared = { content_type: 'course', shared: uid() };
    const mine = await create(e1, { content_filter: shared });
    const theirs = await create(e2, { content_filter: shared });
    assert.equal(mine.catalog_query_uuid, theirs.catalog_query_uuid);

    // Implicit (no catalog_query_uuid): my catalog gets a query of its own.
    const newFilter = { content_type: 'course', mine: uid() };
    const r = await call('PATCH', `/api/v1/enterprise-catalogs/${String(mine.uuid)}/`, await admin(e1), { content_filter: newFilter });
    assert.equal(r.statusCode, 200, r.body);
    assert.notEqual(r.json<Json>().catalog_query_uuid, theirs.catalog_query_uuid);
    const theirQuery = await db.kysely.selectFrom('catalog_query').selectAll().where('uuid', '=', String(theirs.catalog_query_uuid)).executeTakeFirstOrThrow();
    assert.deepEqual(theirQuery.content_filter, shared, "the other enterprise's filter is untouched");

    // Explicit: naming their query is refused.
    const explicit = await call('PATCH', `/api/v1/enterprise-catalogs/${String(mine.uuid)}/`, await admin(e1), {
      content_filter: { content_type: 'course', hijack: uid() },
      catalog_query_uuid: theirs.catalog_query_uuid,
    });
    assert.equal(explicit.statusCode, 403);

    // Moving my catalog to an enterprise I do not administer is refused.
    const move = await call('PATCH', `/api/v1/enterprise-catalogs/${String(mine.uuid)}/`, await admin(e1), { enterprise_customer: e2 });
    assert.equal(move.statusCode, 403);
  });

  test('list: superuser all by created; admin only own; wildcard all; ?enterprise_customer narrows; learner 403 (7)', async () => {
    const e1 = uid();
    const e2 = uid();
    const a1 = await create(e1);
    const a2 = await create(e1);
    const b1 = await create(e2);

    const own = await call('GET', '/api/v1/enterprise-catalogs/', await admin(e1));
    assert.equal(own.statusCode, 200);
    const ownBody = own.json<{ count: number; next: unknown; previous: unknown; results: Json[] }>();
    assert.deepEqual(Object.keys(ownBody), ['count', 'next', 'previous', 'results']);
    assert.equal(ownBody.count, 2);
    assert.deepEqual(
      ownBody.results.map((c) => c.uuid),
      [a1.uuid, a2.uuid],
    );

    const all = await call('GET', '/api/v1/enterprise-catalogs/?page_size=10000', await superuser());
    const total = await db.kysely.selectFrom('enterprise_catalog').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(all.json<Json>().count, Number(total.n));
    const wildcard = await call('GET', '/api/v1/enterprise-catalogs/?page_size=10000', await authHeader({ roles: ['enterprise_catalog_admin:*'] }));
    assert.equal(wildcard.json<Json>().count, Number(total.n));

    const narrowed = await call('GET', `/api/v1/enterprise-catalogs/?enterprise_customer=${e2}`, await superuser());
    assert.deepEqual(
      narrowed.json<{ results: Json[] }>().results.map((c) => c.uuid),
      [b1.uuid],
    );
    const notMine = await call('GET', `/api/v1/enterprise-catalogs/?enterprise_customer=${e2}`, await admin(e1));
    assert.equal(notMine.json<Json>().count, 0);

    const paged = await call('GET', '/api/v1/enterprise-catalogs/?page_size=1', await admin(e1));
    const pagedBody = paged.json<Json>();
    assert.equal(pagedBody.next, 'http://localhost:80/api/v1/enterprise-catalogs/?page=2&page_size=1');
    const page2 = await call('GET', '/api/v1/enterprise-catalogs/?page_size=1&page=2', await admin(e1));
    assert.equal(page2.json<Json>().next, null);
    assert.equal(page2.json<Json>().previous, 'http://localhost:80/api/v1/enterprise-catalogs/?page_size=1');

    assert.equal((await call('GET', '/api/v1/enterprise-catalogs/', await learner(e1))).statusCode, 403);
    assert.equal((await call('GET', '/api/v1/enterprise-catalogs/?page=9', await admin(e1))).statusCode, 404);
  });

  test('DELETE → 204; the catalog is gone from the database and the index', async () => {
    const ent = uid();
    const c = await create(ent);
    assert.ok(indexOf(app).catalog(String(c.uuid)));
    const r = await call('DELETE', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent));
    assert.equal(r.statusCode, 204);
    assert.equal(r.body, '');
    assert.equal((await call('GET', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent))).statusCode, 404);
    assert.equal(indexOf(app).catalog(String(c.uuid)), undefined);
    const contains = await call('GET', `/api/v1/enterprise-catalogs/${String(c.uuid)}/contains_content_items/?course_run_ids=x`, await admin(ent));
    assert.equal(contains.statusCode, 404);
  });

  test('bad input is a 400 with a field body, never a 500 or a partial write', async () => {
    const ent = uid();
    const headers = await admin(ent);
    const noTitle = await call('POST', '/api/v1/enterprise-catalogs/', headers, { ...newCatalog(ent), title: undefined });
    assert.equal(noTitle.statusCode, 400);
    assert.ok('title' in noTitle.json<Json>(), noTitle.body);
    const badFilter = await call('POST', '/api/v1/enterprise-catalogs/', headers, newCatalog(ent, { content_filter: 'nope' }));
    assert.equal(badFilter.statusCode, 400);
    const badFlag = await call('POST', '/api/v1/enterprise-catalogs/', headers, newCatalog(ent, { publish_audit_enrollment_urls: 'maybe' }));
    assert.equal(badFlag.statusCode, 400);
    assert.deepEqual(badFlag.json(), { publish_audit_enrollment_urls: ['Must be a valid boolean.'] });
    const badCustomer = await call('GET', '/api/v1/enterprise-catalogs/?enterprise_customer=nope', await superuser());
    assert.equal(badCustomer.statusCode, 400);
    const customer = await db.kysely.selectFrom('enterprise_customer').select('uuid').where('uuid', '=', ent).executeTakeFirst();
    assert.equal(customer, undefined, 'nothing was written');
  });

  test('unsupported methods answer 405 as upstream', async () => {
    const ent = uid();
    const c = await create(ent);
    const r = await call('POST', `/api/v1/enterprise-catalogs/${String(c.uuid)}/`, await admin(ent), {});
    assert.equal(r.statusCode, 405);
    assert.deepEqual(r.json(), { detail: 'Method "POST" not allowed.' });
    assert.equal((await call('DELETE', '/api/v1/enterprise-catalogs/', await admin(ent))).statusCode, 405);
  });
});

describe('enterprise-customers (extension)', () => {

  test('create, read, patch; slug or learner-portal changes move modified, a name change does not', async () => {
    const ent = uid();
    const headers = await authHeader({ roles: [`enterprise_admin:${ent}`] });
    const slug = `acme-${uid().slice(0, 8)}`;
    const created = await app.http.inject({ method: 'POST', url: '/api/v1/enterprise-customers/', headers, payload: { uuid: ent, name: 'Acme', slug } });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json<Json>();
    assert.deepEqual(Object.keys(body), ['uuid', 'name', 'slug', 'active', 'enable_learner_portal', 'created', 'modified']);
    assert.equal(body.slug, slug);
    assert.equal(body.enable_learner_portal, true);

    const dup = await app.http.inject({ method: 'POST', url: '/api/v1/enterprise-customers/', headers, payload: { uuid: ent, name: 'Acme' } });
    assert.equal(dup.statusCode, 409);
    const other = uid();
    const slugTaken = await app.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-customers/',
      headers: await authHeader({ roles: ['enterprise_provisioning_admin:*'] }),
      payload: { uuid: other, name: 'Other', slug },
    });
    assert.equal(slugTaken.statusCode, 409);

    // Make `modified` old enough that a move is visible.
    await sql`update enterprise_customer set modified = '2020-01-01T00:00:00Z' where uuid = ${ent}`.execute(db.kysely);
    const renamed = await app.http.inject({ method: 'PATCH', url: `/api/v1/enterprise-customers/${ent}/`, headers, payload: { name: 'Acme Corp' } });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json<Json>().name, 'Acme Corp');
    assert.equal(renamed.json<Json>().modified, '2020-01-01T00:00:00Z');
    const portalOff = await app.http.inject({ method: 'PATCH', url: `/api/v1/enterprise-customers/${ent}/`, headers, payload: { enable_learner_portal: false } });
    assert.notEqual(portalOff.json<Json>().modified, '2020-01-01T00:00:00Z');
    assert.equal(indexOf(app).customer(ent)?.enableLearnerPortal, false, 'the index sees the change at once');

    const read = await app.http.inject({ method: 'GET', url: `/api/v1/enterprise-customers/${ent}/`, headers: await authHeader({ roles: [`enterprise_learner:${ent}`] }) });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json<Json>().enable_learner_portal, false);
  });

  test('access: learners cannot write, other admins see nothing, provisioning admins list everything', async () => {
    const ent = uid();
    await app.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-customers/',
      headers: await authHeader({ roles: ['enterprise_provisioning_admin:*'] }),
      payload: { uuid: ent, name: 'Isolated' },
    });
    const learnerHeaders = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    assert.equal((await app.http.inject({ method: 'PATCH', url: `/api/v1/enterprise-customers/${ent}/`, headers: learnerHeaders, payload: { name: 'x' } })).statusCode, 403);
    assert.equal((await app.http.inject({ method: 'GET', url: '/api/v1/enterprise-customers/', headers: learnerHeaders })).statusCode, 403);
    const otherAdmin = await authHeader({ roles: [`enterprise_admin:${uid()}`] });
    assert.equal((await app.http.inject({ method: 'GET', url: `/api/v1/enterprise-customers/${ent}/`, headers: otherAdmin })).statusCode, 403);
    const list = await app.http.inject({ method: 'GET', url: '/api/v1/enterprise-customers/', headers: otherAdmin });
    assert.equal(list.json<Json>().count, 0);
    const all = await app.http.inject({
      method: 'GET',
      url: '/api/v1/enterprise-customers/?page_size=1000',
      headers: await authHeader({ roles: ['enterprise_provisioning_admin:*'] }),
    });
    assert.ok(all.json<{ results: Json[] }>().results.some((c) => c.uuid === ent));
  });
});
