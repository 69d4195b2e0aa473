/**
 * `content_metadata.is_active` (kept by the trigger of migration 20261123_0002) agrees with `isContentActive`, on
 * insert and on update, for random JSON shapes including Python-truthiness corners.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { ContentType } from '../db/schema.js';
import { openTestDb } from '../../test/helpers/db.js';
import { isContentActive, type JsonObject, type JsonValue } from './content-presenter.js';
import { upsertContent } from './content.repository.js';

const flag = fc.constantFrom<JsonValue>(true, false, 0, 0.0, 1, 2.5, '', 'x', null, [], {}, [0], { a: 1 });
const status = fc.constantFrom<JsonValue>('published', 'Published', 'PUBLISHED', 'unpublished', '', null, 1, ['published']);
const run = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { is_enrollable: flag, is_marketable: flag, is_marketable_external: flag, status },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<JsonValue>(null, 'run', 1, []) },
);
const doc = fc.record({
  contentType: fc.constantFrom<ContentType>('course', 'course', 'course', 'courserun', 'program', 'learnerpathway'),
  json: fc.oneof(
    { weight: 8, arbitrary: fc.array(run, { maxLength: 4 }).map((runs): JsonObject => ({ course_runs: runs })) },
    { weight: 1, arbitrary: fc.constantFrom<JsonObject>({}, { course_runs: null }, { course_runs: {} }, { course_runs: 'x' }) },
  ),
});

describe('content_metadata.is_active', () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(() => db.close());

  test('agrees with isContentActive on insert and on update', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { minLength: 1, maxLength: 20 }), fc.array(doc, { minLength: 20, maxLength: 20 }), async (docs, updates) => {
        const keys = docs.map(() => `active-${randomUUID()}`);
        const input = (d: { contentType: ContentType; json: JsonObject }, key: string) => ({
          contentKey: key,
          contentUuid: null,
          contentType: d.contentType,
          parentContentKey: null,
          // Discovery JSON names its type; the content hash (and so the update) follows it.
          jsonMetadata: { content_type: d.contentType, ...d.json },
        });
        const check = async (expected: Array<{ contentType: ContentType; json: JsonObject }>) => {
          const rows = await db.kysely.selectFrom('content_metadata').select(['content_key', 'is_active']).where('content_key', 'in', keys).execute();
          const byKey = new Map(rows.map((r) => [r.content_key, r.is_active]));
          expected.forEach((d, i) => {
            assert.equal(byKey.get(keys[i] as string), isContentActive({ contentType: d.contentType, jsonMetadata: d.json }), JSON.stringify(d));
          });
        };
        await upsertContent(db.kysely, docs.map((d, i) => input(d, keys[i] as string)), new Date());
        await check(docs);
        const changed = docs.map((_, i) => updates[i] as { contentType: ContentType; json: JsonObject });
        await upsertContent(db.kysely, changed.map((d, i) => input(d, keys[i] as string)), new Date());
        await check(changed);
      }),
      { numRuns: 40 },
    );
  });
});
