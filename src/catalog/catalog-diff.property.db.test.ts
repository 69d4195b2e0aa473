/**
 * Properties through the HTTP API, for random catalogs and key sets:
 * - `generate_diff` buckets partition requested ∪ catalog keys (found = both, not found = requested only,
 *   not included = catalog only), each key once;
 * - `contains_content_items` agrees with a brute-force evaluation of the §2.2 rule over the catalog's rows.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { App } from '../app.js';
import type { Db } from '../db/database.js';
import { openTestDb, uid } from '../../test/helpers/db.js';
import { authHeader } from '../../test/helpers/auth.js';
import { course, courseRun, createCatalogApp, indexOf, putContent, queryIdOf } from '../../test/helpers/catalog-fixtures.js';
import type { ContentInput } from './content.repository.js';
import { replaceQueryMembership } from './content.repository.js';

interface Row {
  key: string;
  parent: string | null;
}

describe('generate_diff and contains_content_items properties', () => {
  let db: Db;
  let app: App;
  let catalog = '';
  let queryId = 0;
  let headers: Record<string, string>;
  const S = uid().slice(0, 8);
  // Universe: 8 courses with 2 runs each; runs of "orphan" courses whose course row does not exist.
  const universe: ContentInput[] = [];
  for (let c = 0; c < 8; c++) {
    const key = `P${S}+c${c}`;
    universe.push(course(key, [{ key: `${key}+r0` }, { key: `${key}+r1` }]));
    universe.push(courseRun(`${key}+r0`, key), courseRun(`${key}+r1`, key));
  }
  universe.push(courseRun(`P${S}+orphan+r0`, `P${S}+orphan`));
  const rows: Row[] = universe.map((u) => ({ key: u.contentKey, parent: u.parentContentKey }));
  const keyPool = [...rows.map((r) => r.key), `P${S}+orphan`, `P${S}+bogus1`, `P${S}+bogus2`];
  let idByKey = new Map<string, number>();

  before(async () => {
    db = await openTestDb();
    app = await createCatalogApp(db);
    const ent = uid();
    headers = await authHeader({ roles: [`enterprise_learner:${ent}`] });
    const r = await app.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-catalogs/',
      headers: await authHeader({ administrator: true }),
      payload: { title: 'Property', enterprise_customer: ent, content_filter: { property: S } },
    });
    catalog = r.json<{ uuid: string }>().uuid;
    queryId = await queryIdOf(db, catalog);
    idByKey = await putContent(db, app, universe);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  async function setCatalog(members: readonly string[]): Promise<void> {
    await replaceQueryMembership(db.kysely, queryId, members.map((k) => idByKey.get(k) as number), new Date());
    await indexOf(app).apply({ type: 'query_membership', queryId });
  }

  /** The §2.2 rule, evaluated naively over the catalog rows. */
  function bruteContains(members: ReadonlySet<string>, keys: readonly string[]): boolean {
    const wanted = new Set(keys);
    // Parents of rows named by a key (looked up among all rows, not only the catalog's).
    const parentsOfNamed = new Set(rows.filter((r) => wanted.has(r.key) && r.parent).map((r) => r.parent as string));
    return rows.some((r) => members.has(r.key) && (wanted.has(r.key) || (r.parent !== null && wanted.has(r.parent)) || parentsOfNamed.has(r.key)));
  }

  test('buckets partition requested ∪ catalog keys; contains agrees with brute force', async () => {
    const scenario = fc.record({
      members: fc.subarray(rows.map((r) => r.key)),
      requested: fc.array(fc.constantFrom(...keyPool), { maxLength: 12 }),
      probes: fc.array(fc.array(fc.constantFrom(...keyPool), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ members, requested, probes }) => {
        await setCatalog(members);
        const memberSet = new Set(members);
        const r = await app.http.inject({
          method: 'POST',
          url: `/api/v1/enterprise-catalogs/${catalog}/generate_diff/`,
          headers,
          payload: { content_keys: requested },
        });
        assert.equal(r.statusCode, 200, r.body);
        const diff = r.json<{ items_found: Array<{ content_key: string }>; items_not_found: Array<{ content_key: string }>; items_not_included: Array<{ content_key: string }> }>();
        const found = diff.items_found.map((i) => i.content_key);
        const notFound = diff.items_not_found.map((i) => i.content_key);
        const notIncluded = diff.items_not_included.map((i) => i.content_key);
        const requestedSet = new Set(requested);
        const all = [...found, ...notFound, ...notIncluded];
        assert.equal(new Set(all).size, all.length, 'every key in exactly one bucket');
        assert.deepEqual(new Set(all), new Set([...requestedSet, ...memberSet]), 'the buckets cover requested ∪ catalog');
        assert.deepEqual(new Set(found), new Set([...requestedSet].filter((k) => memberSet.has(k))));
        assert.deepEqual(new Set(notFound), new Set([...requestedSet].filter((k) => !memberSet.has(k))));
        assert.deepEqual(new Set(notIncluded), new Set([...memberSet].filter((k) => !requestedSet.has(k))));

        for (const keys of probes) {
          const qs = keys.map((k) => `course_run_ids=${encodeURIComponent(k)}`).join('&');
          const c = await app.http.inject({ method: 'GET', url: `/api/v1/enterprise-catalogs/${catalog}/contains_content_items/?${qs}`, headers });
          assert.equal(c.json<{ contains_content_items: boolean }>().contains_content_items, bruteContains(memberSet, keys), `${keys.join(',')} in {${members.join(',')}}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});
