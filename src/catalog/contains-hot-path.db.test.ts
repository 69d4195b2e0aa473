/**
 * The `contains_content_items` endpoints answer synchronously once the caller's token was verified and the index
 * knows the catalog. These tests pin what must not change with that: 401 before validation whether the token is
 * missing, malformed, forged or expired (also after the same token was accepted), the same bodies, and a catalog
 * this process's index does not know yet still found through the database.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader, token } from '../../test/helpers/auth.js';
import { course, createCatalogApp, indexOf, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';

const S = randomUUID().slice(0, 8);
const KEY = `edX+Hot${S}`;

describe('contains_content_items hot path', () => {
  let db: Db;
  let app: App;
  const ent = uid();
  let cat = '';
  let superuser: Record<string, string>;

  before(async () => {
    db = await openTestDb();
    app = await createCatalogApp(db);
    superuser = await authHeader({ administrator: true });
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-catalogs/',
      headers: superuser,
      payload: { title: 'Hot', enterprise_customer: ent, enterprise_customer_name: 'Hot', content_filter: { hot: S } },
    });
    assert.equal(r.statusCode, 201, r.body);
    cat = r.json<{ uuid: string }>().uuid;
    await setMembers(db, app, await queryIdOf(db, cat), [course(KEY)]);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  const urls = () => [
    // No keys at all: validation/parameter errors would be 400 for an authenticated caller.
    `/api/v1/enterprise-catalogs/${cat}/contains_content_items/`,
    `/api/v1/enterprise-customer/${ent}/contains_content_items/?get_catalog_list=maybe`,
    `/api/v1/enterprise-customer/not-a-uuid/contains_content_items/`,
  ];

  test('401 comes before validation, with the same bodies, for missing, malformed, forged and expired tokens', async () => {
    const forged = `JWT ${await token({ administrator: true, secret: 'another-secret' })}`;
    const expired = `JWT ${await token({ administrator: true, ttlSeconds: -10 })}`;
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'Authentication credentials were not provided.'],
      [{ authorization: 'Basic abc' }, 'Invalid Authorization header.'],
      [{ authorization: forged }, 'Error decoding token.'],
      [{ authorization: expired }, 'Signature has expired.'],
    ];
    for (const url of urls()) {
      for (const [headers, detail] of cases) {
        const r = await app.http.inject({ method: 'GET', url, headers });
        assert.equal(r.statusCode, 401, `${url} ${JSON.stringify(headers)}: ${r.body}`);
        assert.deepEqual(r.json(), { detail }, url);
      }
      // An accepted token then gets the parameter errors.
      assert.equal((await app.http.inject({ method: 'GET', url, headers: superuser })).statusCode, 400, url);
    }
  });

  test('a token accepted earlier is rejected once it expires (the cached fast path checks exp)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = await authHeader({ administrator: true, ttlSeconds: 2 });
    const exp = now + 2;
    const url = `/api/v1/enterprise-catalogs/${cat}/contains_content_items/?course_run_ids=${encodeURIComponent(KEY)}`;
    for (let i = 0; i < 2; i++) {
      const ok = await app.http.inject({ method: 'GET', url, headers });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json(), { contains_content_items: true });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 50));
    const late = await app.http.inject({ method: 'GET', url, headers });
    assert.equal(late.statusCode, 401, late.body);
    assert.deepEqual(late.json(), { detail: 'Signature has expired.' });
  });

  test('a catalog the index does not know yet is looked up in the database (200, not 404)', async () => {
    // Written behind the index's back, as another process would before its notification arrives.
    const other = randomUUID();
    await db.kysely
      .insertInto('enterprise_catalog')
      .values({ uuid: other, title: 'Behind', enterprise_uuid: ent, catalog_query_id: await queryIdOf(db, cat) })
      .execute();
    const knownBefore = indexOf(app).catalog(other) !== undefined;
    const r = await app.http.inject({
      method: 'GET',
      url: `/api/v1/enterprise-catalogs/${other}/contains_content_items/?course_run_ids=${encodeURIComponent(KEY)}`,
      headers: superuser,
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { contains_content_items: true });
    if (!knownBefore) assert.ok(indexOf(app).catalog(other) !== undefined, 'the lookup added it to the index');
    const unknown = await app.http.inject({
      method: 'GET',
      url: `/api/v1/enterprise-catalogs/${randomUUID()}/contains_content_items/?course_run_ids=x`,
      headers: superuser,
    });
    assert.equal(unknown.statusCode, 404, unknown.body);
  });
});
