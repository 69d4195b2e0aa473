import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateDataset } from './dataset.js';
import { compileFilter, filterToParams, type ContentFilter, type IndexValue, type QueryParams } from './filter-evaluator.js';
import { scanDocuments, searchDocuments, searchIndexOf, type IndexedDocument } from './search-index.js';

// The inverted index only narrows which documents the filter is evaluated on; these tests hold indexed searches to
// full scans over generated filters, aiming at the semantics an index gets wrong: case folding of `.lower` fields,
// exact keywords, strict booleans, multi-valued fields, OR-ed lists, `__` pieces, `__exclude`, absent fields.

const ds = generateDataset({ size: 'S', seed: 5 });
const docs = searchIndexOf(ds);
const RESTRICTED = [...new Set(docs.map((d) => d.restrictionType).filter((t) => t !== null))].join(',');

const ids = (list: readonly IndexedDocument[]): string[] => list.map((d) => d.id);

/** Distinct stored values of a field over the index (lower-cased already for `.lower` fields). */
function stored(field: string, limit = 12): string[] {
  const out = new Set<string>();
  for (const doc of docs) {
    const value = doc.fields[field];
    for (const v of value === undefined ? [] : Array.isArray(value) ? (value as readonly IndexValue[]) : [value as IndexValue]) {
      if (out.size < limit) out.add(String(v));
    }
  }
  return [...out];
}

const orgKeys = ds.organizations.slice(0, 10).map((o) => o.key);
const courseKeys = ds.courses.slice(0, 10).map((c) => c.key);
const title = (s: string): string => s.replace(/\b\w/g, (c) => c.toUpperCase());

/** Values the generator picks from per field, true to the dataset, with a few that match nothing. */
const POOLS: Record<string, readonly (string | number | boolean)[]> = {
  aggregation_key: [...docs.filter((_, i) => i % 37 === 0).map((d) => d.aggregationKey), 'course:NoSuchX+1'],
  content_type: ['course', 'courserun', 'program', 'learnerpathway', 'person', 'Course', 'nothing'],
  org: [...orgKeys, 'NoSuchX'],
  authoring_organizations: [...ds.organizations.slice(0, 6).map((o) => `${o.key}: ${o.name}`), orgKeys[0] ?? 'x'],
  partner: ['edx', 'EDX', 'edX', 'other'],
  type: [...stored('type'), 'Verified', 'MICROMASTERS', 'Professional Certificate'],
  enrollment_mode: [...stored('enrollment_mode'), 'AUDIT'],
  level_type: ['Introductory', 'Intermediate', 'Advanced', 'advanced'],
  availability: ['Current', 'Starting Soon', 'Upcoming', 'Archived', 'current'],
  status: [...stored('status'), 'Published'],
  course_type: stored('course_type'),
  course_ends: stored('course_ends'),
  languages: stored('languages'),
  pacing_type: ['self_paced', 'instructor_paced'],
  product_source: stored('product_source'),
  external_course_marketing_type: stored('external_course_marketing_type'),
  skill_names: stored('skill_names', 8),
  subject_uuids: stored('subject_uuids', 8),
  number: stored('number', 8),
  'key.raw': [...courseKeys.slice(0, 5), ...(ds.courses[0]?.runs.map((r) => r.key) ?? []), (courseKeys[0] ?? 'x').toLowerCase()],
  authoring_organization_uuids: stored('authoring_organization_uuids', 6),
  active: ['true', 'false', 'True', 'False', true, false, 'TRUE', 'yes'],
  hidden: ['true', 'false', 'True', false],
  published: ['true', 'false', true, 'False'],
  has_enrollable_seats: ['true', 'false', 'True'],
  enterprise_subscription_inclusion: ['true', 'false', true],
  skills: stored('skill_names', 4),
  first_enrollable_paid_seat_price: ['49', '99', 149, '199', '300', '100__200', 'cheap'],
  start: ['now-30d', 'now', '2024-01-01', 'now+60d/d'],
  end: ['now', '2025-01-01'],
  end_date: ['now', 'now+1y'],
  key: [...courseKeys.slice(0, 4), ds.courses[0]?.runs[0]?.key ?? 'x', orgKeys[1] ?? 'x', '+'],
  short_description: ['practical grounding', 'grounding practical', 'course'],
  // Not filter fields, or not with that lookup: ignored, so they must not narrow anything either.
  foo: ['bar'],
  aggregration__key: ['course:x'],
  org__exempt: [orgKeys[0] ?? 'x'],
  content_type__exclude: ['course'],
};

/** A case variant of a string value: `.lower` fields must fold it, keyword fields must not. */
const caseVariant = fc.constantFrom<(s: string) => string>(
  (s) => s,
  (s) => s.toUpperCase(),
  (s) => s.toLowerCase(),
  title,
);

const value = (field: string): fc.Arbitrary<string | number | boolean> =>
  fc
    .tuple(fc.constantFrom(...(POOLS[field] ?? [''])), caseVariant, fc.boolean())
    // Case variants on half the values, so exact keyword values stay common enough to match something.
    .map(([v, vary, apply]) => (typeof v === 'string' && apply ? vary(v) : v));

const LOOKUPS = ['', '', '', '__term', '__terms', '__exclude', '__in', '__gte', '__lt', '__range', '__bogus'] as const;

/** One filter entry: a field with an optional lookup, and a scalar, a list, or `__`-joined pieces. */
const entry: fc.Arbitrary<[string, unknown]> = fc.constantFrom(...Object.keys(POOLS)).chain((field) =>
  fc.tuple(
    fc.constantFrom(...LOOKUPS),
    fc.oneof(
      value(field),
      fc.array(value(field), { minLength: 0, maxLength: 8 }),
      fc.array(value(field), { minLength: 1, maxLength: 3 }).map((vs) => vs.map(String).join('__')),
    ),
  ).map(([lookup, v]): [string, unknown] => [`${field}${lookup}`, v]),
);

const filterArb: fc.Arbitrary<ContentFilter> = fc
  .array(entry, { minLength: 0, maxLength: 4 })
  .map((entries) => Object.fromEntries(entries) as ContentFilter);

const paramsArb: fc.Arbitrary<QueryParams> = fc
  .record({
    filter: filterArb,
    pathways: fc.constantFrom(null, 'True', 'false'),
    restricted: fc.constantFrom(null, RESTRICTED),
    q: fc.constantFrom(null, null, 'course', 'Biochemistry', orgKeys[0] ?? 'x'),
    ordering: fc.constantFrom(null, 'start', '-start', 'aggregation_key', '-aggregation_key'),
  })
  .map(({ filter, pathways, restricted, q, ordering }) => {
    const params: [string, string][] = [['exclude_expired_course_run', 'True']];
    if (pathways !== null) params.push(['include_learner_pathways', pathways]);
    if (restricted !== null) params.push(['include_restricted', restricted]);
    if (q !== null) params.push(['q', q]);
    if (ordering !== null) params.push(['ordering', ordering]);
    return [...params, ...filterToParams(filter)];
  });

void describe('inverted index against full scans', () => {
  void test('generated requests give the same documents in the same order as a full scan', () => {
    fc.assert(
      fc.property(paramsArb, (params) => {
        assert.deepEqual(ids(searchDocuments(ds, params)), ids(scanDocuments(ds, params)), JSON.stringify(params));
      }),
      { numRuns: 600, seed: 20_251_123 },
    );
  });

  void test('with nothing excluded by default, the indexed result is exactly what compileFilter matches', () => {
    // Independent of search-index.ts's own pipeline: the reference is the compiled predicate over every document.
    const everything: QueryParams = [
      ['include_learner_pathways', 'true'],
      ['include_restricted', RESTRICTED],
    ];
    fc.assert(
      fc.property(filterArb, (filter) => {
        const params = [...everything, ...filterToParams(filter)];
        const predicate = compileFilter(params, { now: ds.asOf });
        const expected = docs.filter((d) => predicate(d)).map((d) => d.id);
        assert.deepEqual(ids(searchDocuments(ds, params)).sort(), expected.sort(), JSON.stringify(filter));
      }),
      { numRuns: 400, seed: 1_123 },
    );
  });

  const org = ds.organizations[0]?.key ?? 'x';
  const agg8 = docs.filter((d) => d.contentType === 'course').slice(0, 8).map((d) => d.aggregationKey);
  // [name, filter, whether the scan matches something (so a wrong index cannot pass on two empty results)].
  const examples: readonly [string, ContentFilter, boolean][] = [
    ['org, level and type', { org, level_type: 'Intermediate', content_type: 'course' }, true],
    ['org folded to lower case', { org: org.toUpperCase() }, true],
    ['org list, mixed case', { org: [org.toLowerCase(), 'NoSuchX', (ds.organizations[1]?.key ?? 'x').toUpperCase()] }, true],
    ['org __terms pieces, mixed case', { org__terms: `${org.toUpperCase()}__nosuchx` }, true],
    ['org __exclude, mixed case', { org__exclude: org.toUpperCase(), content_type: 'course' }, true],
    ['authoring_organizations, mixed case', { authoring_organizations: `${org}: ${ds.organizations[0]?.name ?? ''}`.toUpperCase() }, true],
    ['partner upper case', { partner: 'EDX' }, true],
    ['type and enrollment_mode, mixed case', { type: 'Verified', enrollment_mode: 'VERIFIED' }, true],
    ['keyword is case-sensitive', { level_type: 'intermediate' }, false],
    ['eight aggregation keys', { aggregation_key: agg8 }, true],
    ['content_type list', { content_type: ['course', 'program', 'learnerpathway'], partner: 'edx' }, true],
    ['boolean "true" on a multi-type field', { published: 'true' }, true],
    ['boolean "false"', { hidden: 'false', content_type: 'courserun' }, true],
    ['boolean "True" matches nothing', { published: true }, false],
    ['boolean list with an invalid value matches nothing', { active: ['true', 'True'] }, false],
    ['a field runs lack: pacing_type on courses', { pacing_type: 'self_paced', content_type: 'course' }, false],
    ['a field programs lack, excluded: kept', { org__exclude: org, content_type: 'program' }, true],
    ['multi-valued skill_names', { skill_names: stored('skill_names', 1) }, true],
    ['nested skills never match', { skills: stored('skill_names', 1) }, false],
    ['repeated __term values are AND-ed', { level_type__term: ['Introductory', 'Advanced'] }, false],
    ['unknown fields and lookups are ignored', { foo: 'bar', org__exempt: org, aggregation_key__bogus: 'x' }, true],
    ['index clause and phrase clause', { content_type: 'courserun', key: courseKeys[0] ?? 'x' }, true],
  ];
  for (const [name, filter, nonEmpty] of examples) {
    void test(`${name}: ${JSON.stringify(filter)}`, () => {
      const params = [['include_learner_pathways', 'True'] as const, ...filterToParams(filter)];
      const scanned = ids(scanDocuments(ds, params));
      assert.equal(scanned.length > 0, nonEmpty, `the scan matches ${scanned.length} documents`);
      assert.deepEqual(ids(searchDocuments(ds, params)), scanned);
    });
  }

  void test('the index follows dataset edits and the clock', () => {
    const local = generateDataset({ size: 'S', seed: 6 });
    const params = filterToParams({ content_type: 'course', level_type: 'Advanced', org: local.organizations[0]?.key ?? 'x' });
    const before = ids(searchDocuments(local, params));
    const course = local.courses.find((c) => !c.retired && c.org === local.organizations[0]?.key && c.levelType !== 'Advanced');
    assert.ok(course, 'the dataset has a course to edit');
    local.update(() => {
      course.levelType = 'Advanced';
    });
    const after = ids(searchDocuments(local, params));
    assert.ok(after.includes(`course:${course.key}`) && !before.includes(`course:${course.key}`));
    assert.deepEqual(after, ids(scanDocuments(local, params)));
    local.advanceDay();
    const availability = filterToParams({ availability: ['Current', 'Starting Soon'], content_type: 'courserun' });
    assert.deepEqual(ids(searchDocuments(local, availability)), ids(scanDocuments(local, availability)));
  });
});
