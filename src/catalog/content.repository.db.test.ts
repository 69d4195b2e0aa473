import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { openTestDb, uid } from '../../test/helpers/db.js';
import type { Db } from '../db/database.js';
import { contentHash, queryMemberIds, recordSourceHashes, replaceQueryMembership, touchQueriesOfContent, upsertContent, type ContentInput } from './content.repository.js';

function course(key: string, title: string): ContentInput {
  return { contentKey: key, contentUuid: randomUUID(), contentType: 'course', parentContentKey: null, jsonMetadata: { key, title, content_type: 'course' } };
}

async function newQuery(db: Db): Promise<number> {
  const r = await db.kysely
    .insertInto('catalog_query')
    .values({ uuid: randomUUID(), content_filter: JSON.stringify({ k: uid() }), content_filter_hash: uid().replace(/-/g, '') })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Content key → row version (`xmin`): it changes whenever a row is written, even with identical values. */
async function rowVersions(db: Db, keys: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.kysely
    .selectFrom('content_metadata')
    .select(['content_key', sql<string>`xmin::text`.as('xmin')])
    .where('content_key', 'in', [...keys])
    .execute();
  return new Map(rows.map((r) => [r.content_key, r.xmin]));
}

describe('content repository', () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(() => db.close());

  test('the content hash ignores key order', () => {
    assert.equal(contentHash({ a: 1, b: [1, { c: 2, d: 3 }] }), contentHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.notEqual(contentHash({ a: 1 }), contentHash({ a: 2 }));
  });

  test('modified moves only on a real change; an unchanged row is not written at all', async () => {
    const k1 = `edX+${uid()}`;
    const k2 = `edX+${uid()}`;
    const t1 = new Date('2026-01-01T00:00:00Z');
    const first = await upsertContent(db.kysely, [course(k1, 'One'), course(k2, 'Two')], t1);
    assert.deepEqual(first.map((r) => r.outcome), ['created', 'created']);
    const versionsBefore = await rowVersions(db, [k1, k2]);

    const t2 = new Date('2026-01-02T00:00:00Z');
    const second = await upsertContent(db.kysely, [course(k1, 'One'), { ...course(k2, 'Two changed') }], t2);
    assert.deepEqual(second.map((r) => r.outcome), ['unchanged', 'updated']);
    assert.equal(second[0]?.id, first[0]?.id);

    const rows = await db.kysely.selectFrom('content_metadata').selectAll().where('content_key', 'in', [k1, k2]).orderBy('content_key').execute();
    const byKey = new Map(rows.map((r) => [r.content_key, r]));
    assert.equal(byKey.get(k1)?.modified.toISOString(), t1.toISOString());
    assert.equal(byKey.get(k2)?.modified.toISOString(), t2.toISOString());
    assert.equal((byKey.get(k2)?.json_metadata as { title: string }).title, 'Two changed');
    const versionsAfter = await rowVersions(db, [k1, k2]);
    assert.equal(versionsAfter.get(k1), versionsBefore.get(k1), 'the unchanged row keeps its row version (xmin)');
    assert.notEqual(versionsAfter.get(k2), versionsBefore.get(k2), 'the changed row was written');
  });

  test('a source hash is stored with the row and, once known, kept when the content is unchanged', async () => {
    const k = `edX+${uid()}`;
    const [created] = await upsertContent(db.kysely, [{ ...course(k, 'S'), sourceHash: 'a'.repeat(32) }], new Date());
    const sourceOf = async () => (await db.kysely.selectFrom('content_metadata').select('source_hash').where('content_key', '=', k).executeTakeFirstOrThrow()).source_hash;
    assert.equal(await sourceOf(), 'a'.repeat(32));
    await recordSourceHashes(db.kysely, [{ id: created!.id, sourceHash: 'b'.repeat(32) }]);
    assert.equal(await sourceOf(), 'a'.repeat(32), 'a known source hash is not replaced');
    await db.kysely.updateTable('content_metadata').set({ source_hash: null }).where('content_key', '=', k).execute();
    await recordSourceHashes(db.kysely, [{ id: created!.id, sourceHash: 'b'.repeat(32) }]);
    assert.equal(await sourceOf(), 'b'.repeat(32), 'an unknown one is recorded');
  });

  test('membership is replaced exactly and membership_modified moves only on change', async () => {
    const q = await newQuery(db);
    const rows = await upsertContent(db.kysely, [course(`a+${uid()}`, 'A'), course(`b+${uid()}`, 'B'), course(`c+${uid()}`, 'C')], new Date());
    const [a, b, c] = rows.map((r) => r.id) as [number, number, number];
    const t1 = new Date('2026-02-01T00:00:00Z');
    assert.deepEqual(await replaceQueryMembership(db.kysely, q, [a, b], t1), { added: 2, removed: 0 });
    const memberVersions = () =>
      sql<{ id: number; xmin: string }>`select content_metadata_id as id, xmin::text as xmin from catalog_query_membership where catalog_query_id = ${q} order by 1`
        .execute(db.kysely)
        .then((r) => r.rows);
    const versions = await memberVersions();
    const t2 = new Date('2026-02-02T00:00:00Z');
    assert.deepEqual(await replaceQueryMembership(db.kysely, q, [b, a], t2), { added: 0, removed: 0 });
    assert.deepEqual(await memberVersions(), versions, 'an unchanged membership is not rewritten');
    let query = await db.kysely.selectFrom('catalog_query').selectAll().where('id', '=', q).executeTakeFirstOrThrow();
    assert.equal(query.membership_modified?.toISOString(), t1.toISOString());
    const t3 = new Date('2026-02-03T00:00:00Z');
    assert.deepEqual(await replaceQueryMembership(db.kysely, q, [b, c], t3), { added: 1, removed: 1 });
    const members = await db.kysely.selectFrom('catalog_query_membership').select('content_metadata_id').where('catalog_query_id', '=', q).execute();
    assert.deepEqual(members.map((m) => m.content_metadata_id).sort(), [b, c].sort());
    query = await db.kysely.selectFrom('catalog_query').selectAll().where('id', '=', q).executeTakeFirstOrThrow();
    assert.equal(query.membership_modified?.toISOString(), t3.toISOString());
    assert.deepEqual(await replaceQueryMembership(db.kysely, q, [], t3), { added: 0, removed: 2 });
  });

  test('a large membership is changed by its difference, from the members read in the same transaction', async () => {
    const q = await newQuery(db);
    const tag = uid();
    const rows = await upsertContent(db.kysely, Array.from({ length: 1500 }, (_, i) => course(`big${i}+${tag}`, `Big ${i}`)), new Date());
    const ids = rows.map((r) => r.id);
    assert.deepEqual(await replaceQueryMembership(db.kysely, q, ids.slice(0, 1200), new Date()), { added: 1200, removed: 0 });
    // Drop the first 100, keep 1,100, add the last 300; the input repeats some ids and is in no order.
    const next = [...ids.slice(1200), ...ids.slice(100, 1200), ...ids.slice(1300, 1400)].reverse();
    const change = await db.transaction(async (trx) => {
      const current = await queryMemberIds(trx, q);
      assert.equal(current.length, 1200);
      return replaceQueryMembership(trx, q, next, new Date(), current);
    }, 'test: replace');
    assert.deepEqual(change, { added: 300, removed: 100 });
    assert.deepEqual((await queryMemberIds(db.kysely, q)).sort((x, y) => x - y), ids.slice(100).sort((x, y) => x - y));
    assert.deepEqual(await replaceQueryMembership(db.kysely, q, ids.slice(100), new Date()), { added: 0, removed: 0 });
  });

  test('a content change moves content_modified of the queries holding it', async () => {
    const q = await newQuery(db);
    const [row] = await upsertContent(db.kysely, [course(`t+${uid()}`, 'T')], new Date());
    await replaceQueryMembership(db.kysely, q, [row!.id], new Date('2026-03-01T00:00:00Z'));
    const t = new Date('2026-03-05T00:00:00Z');
    assert.equal(await touchQueriesOfContent(db.kysely, [row!.id], t), 1);
    const query = await db.kysely.selectFrom('catalog_query').selectAll().where('id', '=', q).executeTakeFirstOrThrow();
    assert.equal(query.content_modified?.toISOString(), t.toISOString());
  });
});
