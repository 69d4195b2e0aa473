/**
 * End to end over real HTTP: a client written like edx-enterprise's `EnterpriseCatalogApiClient` (trailing
 * slashes, `Authorization: JWT`, repeated `content_keys` in batches, following `next` by its query string) against
 * a listening server.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { token } from '../../test/helpers/auth.js';
import { course, courseRun, createCatalogApp, program, queryIdOf, setMembers } from '../../test/helpers/catalog-fixtures.js';
import { EnterpriseCatalogApiClient, HttpError } from '../../test/helpers/catalog-api-client.js';

describe('EnterpriseCatalogApiClient over HTTP', () => {
  let db: Db;
  let app: App;
  let base: string;
  let client: EnterpriseCatalogApiClient;
  const S = uid().slice(0, 8);
  const enterprise = uid();
  const catalogUuid = uid();
  const courseKeys = Array.from({ length: 120 }, (_, i) => `edX+C${S}x${String(i).padStart(3, '0')}`);
  const runKey = `course-v1:${courseKeys[0] as string}+1T2026`;
  const programUuid = uid();

  before(async () => {
    db = await openTestDb();
    app = await createCatalogApp(db, { host: '127.0.0.1', port: 0 });
    base = await app.listen();
    // The service worker user of edx-enterprise: provisioning rights everywhere.
    client = new EnterpriseCatalogApiClient(base, await token({ roles: ['enterprise_provisioning_admin:*', 'enterprise_catalog_admin:*'], username: 'enterprise_worker' }));

    const created = await client.createEnterpriseCatalog({
      uuid: catalogUuid,
      enterpriseId: enterprise,
      enterpriseName: 'Client Test Co',
      title: 'All courses',
      contentFilter: { content_type: 'course', client: S },
      enabledCourseModes: ['verified', 'audit'],
      publishAuditEnrollmentUrls: true,
      catalogQueryUuid: uid(),
      queryTitle: `All courses ${S}`,
      includeExecEd2UCourses: false,
    });
    assert.equal(created.uuid, catalogUuid);
    await setMembers(db, app, await queryIdOf(db, catalogUuid), [
      ...courseKeys.map((k, i) => course(k, i === 0 ? [{ key: runKey }] : [{ key: `${k}+run` }])),
      program(programUuid),
      courseRun(runKey, courseKeys[0] as string),
    ]);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('catalog read and update through the CRUD calls', async () => {
    const read = await client.getEnterpriseCatalog(catalogUuid);
    assert.equal(read.uuid, catalogUuid);
    assert.equal(read.enterprise_customer, enterprise);
    assert.equal(read.query_title, `All courses ${S}`);
    assert.match(String(read.content_last_modified), /Z$/);
    const updated = await client.updateEnterpriseCatalog(catalogUuid, {
      title: 'All courses (renamed)',
      enterprise_customer: enterprise,
      enterprise_customer_name: 'Client Test Co',
      content_filter: { content_type: 'course', client: S },
      catalog_query_uuid: read.catalog_query_uuid,
      query_title: `All courses ${S}`,
      enabled_course_modes: ['verified'],
      publish_audit_enrollment_urls: 'true',
    });
    assert.equal(updated.title, 'All courses (renamed)');
    assert.equal(updated.catalog_query_uuid, read.catalog_query_uuid);
  });

  test('get_content_metadata without a filter follows next links through every page', async () => {
    const items = await client.getContentMetadata([catalogUuid]);
    assert.equal(items.length, courseKeys.length + 2, 'every course, the run and the program');
    const pages = client.log.filter((r) => r.url.includes('/get_content_metadata/') && !r.url.includes('content_keys'));
    assert.ok(pages.some((r) => r.url.endsWith('get_content_metadata/?page_size=50')));
    assert.ok(pages.some((r) => /get_content_metadata\/\?page=3&page_size=50$/.test(r.url)), 'page 3 requested from next');
    assert.equal(await client.getCatalogContentCount(catalogUuid), courseKeys.length + 2);
    const withAudit = items.find((i) => i.key === courseKeys[1]);
    assert.match(String(withAudit?.enrollment_url), /audit=true/);
  });

  test('get_content_metadata with a key filter sends batches of 50 repeated content_keys', async () => {
    client.log.length = 0;
    const wanted = [...courseKeys.slice(0, 110), runKey, programUuid, 'not-in-catalog'];
    const items = await client.getContentMetadata([catalogUuid], wanted);
    const requests = client.log.filter((r) => r.url.includes('content_keys='));
    const batches = requests.filter((r) => !new URL(r.url).searchParams.has('page'));
    assert.equal(batches.length, 3, '113 keys → 3 batches');
    assert.equal(new URL(batches[0]?.url as string).searchParams.getAll('content_keys').length, 50);
    // The first batch names the run's course, which also matches the run row (§2.2 rule 2): 51 items, 2 pages.
    assert.equal(requests.length, 4);
    assert.equal(items.length, 112, '110 courses, the run and the program; the unknown key matches nothing');
    assert.ok(items.some((i) => i.uuid === programUuid && i.content_type === 'program'));
  });

  test('small pages: the client follows next with content_keys kept in the query', async () => {
    const small = new EnterpriseCatalogApiClient(base, await token({ roles: [`enterprise_learner:${enterprise}`] }), 1);
    const items = await small.getContentMetadata([catalogUuid], [courseKeys[5] as string, courseKeys[6] as string]);
    assert.deepEqual(
      items.map((i) => i.key),
      [courseKeys[5], courseKeys[6]],
    );
    assert.ok(small.log.some((r) => r.url.includes(`page_size=1&content_keys=${encodeURIComponent(courseKeys[5] as string)}`)));
  });

  test('get_catalog_diff gives (create, delete, matched) as the exporter expects', async () => {
    const held = [...courseKeys.slice(0, 100), 'retired+course'];
    const [create, del, matched] = await client.getCatalogDiff(catalogUuid, held);
    assert.deepEqual(
      del.map((i) => i.content_key),
      ['retired+course'],
    );
    assert.equal(matched.length, 100);
    assert.equal(create.length, courseKeys.length - 100 + 2);
    // The metadata of the keys to create carries the same timestamp the diff reports for matched ones.
    const [first] = await client.getContentMetadata([catalogUuid], [String(matched[0]?.content_key)]);
    assert.equal(first?.content_last_modified, matched[0]?.date_updated);
  });

  test('contains, catalog query by hash, filter hash and content lookups', async () => {
    assert.equal(await client.containsContentItems(catalogUuid, [runKey]), true);
    assert.equal(await client.containsContentItems(catalogUuid, ['nope']), false);
    const customer = await client.enterpriseContainsContentItems(enterprise, [courseKeys[3] as string]);
    assert.deepEqual(customer, { contains_content_items: true, catalog_list: [catalogUuid] });

    const hash = await client.getCatalogQueryHash({ content_type: 'course', client: S });
    const query = await client.getEnterpriseCatalogByHash(hash);
    assert.deepEqual(query.content_filter, { content_type: 'course', client: S });
    await assert.rejects(client.getEnterpriseCatalogByHash('0'.repeat(32)), (err: unknown) => err instanceof HttpError && err.status === 404);

    const byKey = await client.getCustomerContentMetadataContentIdentifier(enterprise, runKey);
    assert.equal(byKey.key, courseKeys[0], 'course of the run');
    assert.deepEqual(await client.getCustomerContentMetadataContentIdentifier(enterprise, 'missing+key'), {});
    assert.equal((await client.getContentMetadataContentIdentifier(runKey)).key, runKey);
    assert.equal((await client.getContentMetadataContentIdentifier(runKey, true)).key, courseKeys[0]);
  });

  test('delete', async () => {
    const other = uid();
    await client.createEnterpriseCatalog({
      uuid: other,
      enterpriseId: enterprise,
      enterpriseName: 'Client Test Co',
      title: 'Temporary',
      contentFilter: { content_type: 'program', client: S },
      enabledCourseModes: [],
      publishAuditEnrollmentUrls: false,
      catalogQueryUuid: null,
      queryTitle: null,
      includeExecEd2UCourses: false,
    });
    assert.equal(await client.deleteEnterpriseCatalog(other), true);
    assert.equal(await client.deleteEnterpriseCatalog(other), false);
  });
});
