/**
 * The membership index follows the database: this process's own writes at once, other processes' writes through
 * `ecat_catalog_changes` within 2 s. A second app instance on the same database plays "another process" (on
 * PostgreSQL it has its own connection pool and LISTEN connection; on PGlite both share the embedded database,
 * whose notifications reach every listener the same way).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openAnotherHandle, openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { course, courseRun, createCatalogApp, eventually, indexOf, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';
import { publishCatalogEvent } from './catalog-events.js';
import { replaceQueryMembership, upsertContent } from './content.repository.js';

type Json = Record<string, unknown>;

describe('membership index synchronisation', () => {
  let db: Db;
  let db2: Db;
  let app1: App;
  let app2: App;
  let superuser: Record<string, string>;
  const S = uid().slice(0, 8);

  before(async () => {
    db = await openTestDb();
    // Another process: its own pool and listener on PostgreSQL; the same embedded database on PGlite.
    db2 = await openAnotherHandle(db);
    app1 = await createCatalogApp(db, { logLevel: 'warn' });
    app2 = await createCatalogApp(db2);
    superuser = await authHeader({ administrator: true });
  });
  after(async () => {
    await app2.close();
    await app1.close();
    if (db2 !== db) await db2.close();
    await db.close();
  });

  const contains = async (app: App, catalog: string, key: string): Promise<boolean> => {
    const r = await app.http.inject({
      method: 'GET',
      url: `/api/v1/enterprise-catalogs/${catalog}/contains_content_items/?course_run_ids=${encodeURIComponent(key)}`,
      headers: superuser,
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ contains_content_items: boolean }>().contains_content_items;
  };

  async function createVia(app: App, ent: string, extra: Json = {}): Promise<string> {
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-catalogs/',
      headers: superuser,
      payload: { title: 'Sync', enterprise_customer: ent, enterprise_customer_name: `Sync ${ent.slice(0, 6)}`, content_filter: { sync: uid() }, ...extra },
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ uuid: string }>().uuid;
  }

  test('the index is loaded at start and reports what it holds', () => {
    const load = indexOf(app1).lastLoad;
    assert.ok(load !== null);
    assert.ok(load.ms >= 0);
    assert.ok(indexOf(app1).isReady);
  });

  test("this process's own writes are visible at once", async () => {
    const ent = uid();
    const cat = await createVia(app1, ent);
    assert.equal(indexOf(app1).catalog(cat)?.enterpriseUuid, ent, 'no waiting for the notification');
    const key = `own+${S}`;
    await setMembers(db, app1, await queryIdOf(db, cat), [course(key)]);
    assert.equal(await contains(app1, cat, key), true);
  });

  test('a catalog and its membership committed by another instance become visible within 2 s', async () => {
    const ent = uid();
    const cat = await createVia(app2, ent);
    const seen = await eventually(() => indexOf(app1).catalog(cat) !== undefined, 2000);
    assert.ok(seen < 2000);

    const key = `remote+${S}`;
    // Written by "the other process": content, membership and their events, nothing applied here directly.
    await setMembers(db2, null, await queryIdOf(db2, cat), [course(key), courseRun(`${key}+run`, key)]);
    const visible = await eventually(() => contains(app1, cat, `${key}+run`), 2000);
    assert.ok(visible < 2000, `visible after ${visible} ms`);
    const diff = await app1.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${cat}/generate_diff/`, headers: superuser, payload: { content_keys: [key] } });
    assert.deepEqual(
      diff.json<{ items_found: Json[] }>().items_found.map((i) => i.content_key),
      [key],
    );
  });

  test("another instance's catalog update, customer change and delete reach this one", async () => {
    const ent = uid();
    const cat = await createVia(app2, ent);
    const other = await createVia(app2, ent);
    const key = `moved+${S}`;
    await setMembers(db2, null, await queryIdOf(db2, other), [course(key)]);
    await eventually(() => indexOf(app1).catalog(cat) !== undefined && indexOf(app1).index.catalogMemberIds(other).length === 1);
    assert.equal(await contains(app1, cat, key), false);

    // Point `cat` at the other catalog's query by giving it the same filter (explicit null query uuid: dedup).
    const otherFilter = (
      await db2.kysely.selectFrom('catalog_query').select('content_filter').where('id', '=', await queryIdOf(db2, other)).executeTakeFirstOrThrow()
    ).content_filter;
    const patched = await app2.http.inject({
      method: 'PATCH',
      url: `/api/v1/enterprise-catalogs/${cat}/`,
      headers: superuser,
      payload: { content_filter: otherFilter, catalog_query_uuid: null },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    await eventually(() => contains(app1, cat, key));

    const customer = await app2.http.inject({
      method: 'PATCH',
      url: `/api/v1/enterprise-customers/${ent}/`,
      headers: superuser,
      payload: { enable_learner_portal: false },
    });
    assert.equal(customer.statusCode, 200);
    await eventually(() => indexOf(app1).customer(ent)?.enableLearnerPortal === false);

    const deleted = await app2.http.inject({ method: 'DELETE', url: `/api/v1/enterprise-catalogs/${cat}/`, headers: superuser });
    assert.equal(deleted.statusCode, 204);
    await eventually(() => indexOf(app1).catalog(cat) === undefined);
  });

  test('a real content change moves date_updated in the other instance', async () => {
    const ent = uid();
    const cat = await createVia(app1, ent);
    const key = `changed+${S}`;
    const ids = await setMembers(db, app1, await queryIdOf(db, cat), [course(key)], new Date('2020-01-01T00:00:00Z'));
    const dateUpdated = async (app: App) => {
      const r = await app.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${cat}/generate_diff/`, headers: superuser, payload: { content_keys: [key] } });
      return r.json<{ items_found: Array<{ date_updated: string }> }>().items_found[0]?.date_updated;
    };
    await eventually(async () => (await dateUpdated(app2)) !== undefined);
    const later = new Date('2040-05-05T05:05:05Z');
    await db2.transaction(async (trx) => {
      await upsertContent(trx, [course(key, [], { title: 'changed' })], later);
      await publishCatalogEvent(db2, trx, { type: 'content', ids: [ids.get(key) as number] });
    });
    await eventually(async () => (await dateUpdated(app1)) === '2040-05-05T05:05:05Z');
  });

  test('a content event without ids, and the reconnect signal `*`, reload what changed silently', async () => {
    const ent = uid();
    const cat = await createVia(app1, ent);
    const queryId = await queryIdOf(db, cat);
    const key = `silent+${S}`;
    // Written without any event: nobody knows yet.
    await db.transaction(async (trx) => {
      const rows = await upsertContent(trx, [course(key)], new Date());
      await replaceQueryMembership(trx, queryId, rows.map((r) => r.id), new Date());
    });
    assert.equal(await contains(app1, cat, key), false);
    await indexOf(app1).apply('*');
    assert.equal(await contains(app1, cat, key), true);

    const renamed = `silent-run+${S}`;
    await upsertContent(db.kysely, [courseRun(renamed, key)], new Date());
    await indexOf(app1).apply({ type: 'content' });
    assert.deepEqual(indexOf(app1).index.childContentKeys(key), [renamed]);
  });

  test('a deleted query empties its catalogs; version grows with every change', async () => {
    const ent = uid();
    const cat = await createVia(app1, ent);
    const queryId = await queryIdOf(db, cat);
    const key = `gone+${S}`;
    await setMembers(db, app1, queryId, [course(key)]);
    const before = indexOf(app1).version;
    await sql`delete from catalog_query where id = ${queryId}`.execute(db.kysely);
    await indexOf(app1).apply({ type: 'query', queryId });
    await indexOf(app1).apply({ type: 'catalog', uuid: cat });
    assert.ok(indexOf(app1).version > before);
    assert.equal(indexOf(app1).catalog(cat)?.queryId, null);
    assert.equal(await contains(app1, cat, key), false);
  });
});
