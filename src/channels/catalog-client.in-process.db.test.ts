/**
 * The in-process catalog client: metadata items equal the catalog's presenter's, in pages of 100 keys, and are read
 * from the catalog's pre-serialised item cache, so configurations that send the same content do not each read its
 * JSON from the database again; the customer's state and catalogs are those of the v1 API, read once per run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { SYSTEM_ACTOR } from '../catalog/catalog-access.js';
import { catalogServicesOf } from '../catalog/catalog-services.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { course, courseRun, createCatalogApp, putContent, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';
import { CatalogRequestCounter } from './catalog-client.js';
import { InProcessCatalogClient } from './catalog-client.in-process.js';

const S = randomUUID().slice(0, 8);
const KEYS = Array.from({ length: 130 }, (_, i) => `edX+IP${S}${String(i).padStart(3, '0')}`);
const RUN = `course-v1:${KEYS[0] as string}+1T`;

describe('in-process catalog client', () => {
  let db: Db;
  let app: App;
  const catalogs: string[] = [];
  const byKey = (items: readonly Record<string, unknown>[]) => new Map(items.map((i) => [i.key as string, i]));

  async function cacheCounter(name: 'hits' | 'misses'): Promise<number> {
    const text = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
    const m = new RegExp(`^ecat_content_cache_${name}_total (\\d+)$`, 'm').exec(text);
    assert.ok(m, `ecat_content_cache_${name}_total in /metrics`);
    return Number(m[1]);
  }

  before(async () => {
    db = await openTestDb();
    app = await createCatalogApp(db);
    const superuser = await authHeader({ administrator: true });
    // Two customers' catalogs over the same content, as many configurations of a bench or a platform have.
    for (const marker of ['a', 'b']) {
      const enterprise = uid();
      const c = await app.http.inject({
        method: 'POST',
        url: '/api/v1/enterprise-catalogs/',
        headers: superuser,
        payload: { title: `Catalog ${marker}`, enterprise_customer: enterprise, enterprise_customer_name: `Acme ${marker}`, content_filter: { marker: `${S}${marker}` } },
      });
      assert.equal(c.statusCode, 201, c.body);
      catalogs.push(c.json<{ uuid: string }>().uuid);
    }
    const now = new Date(Date.now() + 3_600_000);
    await putContent(db, app, [courseRun(RUN, KEYS[0] as string)], now);
    const items = KEYS.map((k, i) => course(k, i === 0 ? [{ key: RUN }] : [{ key: `${k}+run` }], { marketing_url: `https://www.example.com/${k}` }));
    for (const catalog of catalogs) await setMembers(db, app, await queryIdOf(db, catalog), items, now);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  const client = () => new InProcessCatalogClient(() => catalogServicesOf(app.ctx), db).forRun(new CatalogRequestCounter());

  test('items equal the presenter’s, in pages of 100 keys', async () => {
    const counter = new CatalogRequestCounter();
    const items = await new InProcessCatalogClient(() => catalogServicesOf(app.ctx), db).forRun(counter).getMetadata(catalogs[0] as string, KEYS);
    assert.equal(counter.byKind.get_content_metadata, 2);
    assert.equal(items.length, KEYS.length);
    const expected = await catalogServicesOf(app.ctx).content.contentMetadata(SYSTEM_ACTOR, catalogs[0] as string, {
      contentKeys: KEYS,
      via: 'body',
      traversePagination: '1',
      url: null,
    });
    const got = byKey(items);
    for (const item of expected.results) assert.deepStrictEqual(got.get(item.key as string), JSON.parse(JSON.stringify(item)), item.key as string);
    // A run key yields its course (the §2.2 match rule), with the catalog's enrollment URL on the run.
    const [viaRun] = await client().getMetadata(catalogs[0] as string, [RUN]);
    assert.equal(viaRun?.key, KEYS[0]);
  });

  test('a second configuration over the same content reads no JSON from the database', async () => {
    await client().getMetadata(catalogs[0] as string, KEYS);
    const misses = await cacheCounter('misses');
    const hits = await cacheCounter('hits');
    const items = await client().getMetadata(catalogs[1] as string, KEYS);
    assert.equal(items.length, KEYS.length);
    assert.equal(await cacheCounter('misses'), misses, 'no item read from the database');
    assert.equal(await cacheCounter('hits'), hits + KEYS.length);
    // Served in the second catalog's context, not the first's.
    const first = byKey(await client().getMetadata(catalogs[0] as string, [KEYS[1] as string]));
    const second = byKey(items);
    assert.notEqual(second.get(KEYS[1] as string)?.enrollment_url, first.get(KEYS[1] as string)?.enrollment_url);
    assert.match(String(second.get(KEYS[1] as string)?.marketing_url), /utm_source=acme-b/);
  });

  test('customer state and catalogs as the v1 API gives them, in one read per run', async () => {
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    };
    const services = catalogServicesOf(app.ctx);
    const runClient = new InProcessCatalogClient(() => services, { ...db, kysely: db.kysely.withPlugin(counting) }).forRun(new CatalogRequestCounter());
    for (const catalog of catalogs) {
      const enterprise = (await services.catalogs.get(SYSTEM_ACTOR, catalog)).enterprise_customer;
      const listed = await services.catalogs.list(SYSTEM_ACTOR, { enterprise_customer: enterprise }, { origin: '', path: '', query: '' });
      statements = 0;
      assert.equal(await runClient.customerActive(enterprise), (await services.customers.get(SYSTEM_ACTOR, enterprise)).active);
      assert.deepEqual(
        await runClient.listCatalogs(enterprise),
        listed.results.map((c) => ({ uuid: c.uuid, title: c.title })),
      );
      assert.equal(statements, 1, 'one read for the customer and its catalogs');
    }
    const unknown = uid();
    assert.equal(await runClient.customerActive(unknown), null);
    assert.deepEqual(await runClient.listCatalogs(unknown), []);
    assert.equal(await runClient.customerActive('not-a-uuid'), null);
  });
});
