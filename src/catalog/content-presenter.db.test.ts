import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { openTestDb } from '../../test/helpers/db.js';
import type { Db } from '../db/database.js';
import { activeContentSqlPredicate, isContentActive, type JsonObject } from './content-presenter.js';

// The SQL form of the §2.4 active rule must agree with the JavaScript one on every JSON shape, including the
// Python-truthiness corners (0.0, "", [], {}, non-object runs, missing or non-list course_runs).
const VALUE_TEXT = ['true', 'false', '0', '0.0', '-0', '1', '2.5', '""', '"x"', 'null', '[]', '{}', '[0]', '{"a":1}'];
const STATUS_TEXT = ['"published"', '"Published"', '"PUBLISHED"', '"unpublished"', '""', 'null', '1', '["published"]'];

const field = (name: string, values: string[]) =>
  fc.option(fc.constantFrom(...values).map((v) => `"${name}": ${v}`), { nil: undefined });

const runText = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(
    field('is_enrollable', VALUE_TEXT),
    field('is_marketable', VALUE_TEXT),
    field('is_marketable_external', VALUE_TEXT),
    field('status', STATUS_TEXT),
  ).map((fields) => `{${fields.filter((f) => f !== undefined).join(', ')}}`) },
  { weight: 1, arbitrary: fc.constantFrom('null', '"run"', '1', '[]') },
);

const docText = fc
  .tuple(
    fc.constantFrom('course', 'course', 'course', 'courserun', 'program', 'learnerpathway'),
    fc.oneof(
      { weight: 8, arbitrary: fc.array(runText, { maxLength: 4 }).map((runs) => `"course_runs": [${runs.join(', ')}]`) },
      { weight: 1, arbitrary: fc.constantFrom('', '"course_runs": null', '"course_runs": {}', '"course_runs": "x"') },
    ),
  )
  .map(([contentType, runs]) => `{"ct": "${contentType}", "j": {${runs}}}`);

void describe('activeContentSqlPredicate', () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(() => db.close());

  void it('agrees with isContentActive on random documents', async () => {
    const predicate = activeContentSqlPredicate({ contentType: `(t.doc ->> 'ct')`, jsonMetadata: `(t.doc -> 'j')` });
    await fc.assert(
      fc.asyncProperty(fc.array(docText, { minLength: 1, maxLength: 60 }), async (docs) => {
        const { rows } = await db.executeSql(
          `select t.i as i, ${predicate} as active from jsonb_array_elements($1::jsonb) with ordinality as t(doc, i) order by t.i`,
          [`[${docs.join(', ')}]`],
        );
        const expected = docs.map((text) => {
          const doc = JSON.parse(text) as { ct: string; j: JsonObject };
          return isContentActive({ contentType: doc.ct, jsonMetadata: doc.j });
        });
        assert.deepEqual(
          rows.map((r) => r.active),
          expected,
          docs.join('\n'),
        );
      }),
      { numRuns: 40 },
    );
  });
});
