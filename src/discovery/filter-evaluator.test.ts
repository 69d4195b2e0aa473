import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  analyze,
  compileFilter,
  createSearchDocument,
  filterToParams,
  matchesFilter,
  parseFilterClauses,
  resolveDateBounds,
  type ContentFilter,
  type SearchDocument,
} from './filter-evaluator.js';
import { generateDataset } from './dataset.js';
import { searchIndexOf } from './search-index.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');

const course = createSearchDocument(
  {
    aggregation_key: 'course:MITx+6.00.1x',
    content_type: 'course',
    key: 'MITx+6.00.1x',
    'key.raw': 'MITx+6.00.1x',
    partner: 'edx',
    org: 'MITx',
    authoring_organizations: ['MITx: Massachusetts Institute of Technology'],
    availability: ['Current', 'Archived'],
    status: ['published', 'unpublished'],
    start: ['2024-01-01T00:00:00Z', '2025-03-01T00:00:00Z'],
    end: ['2024-05-01T00:00:00Z', '2025-12-01T00:00:00Z'],
    end_date: '2025-12-01T00:00:00Z',
    course_ends: 'Future',
    level_type: 'Introductory',
    languages: ['English'],
    course_type: 'verified-audit',
    enterprise_subscription_inclusion: true,
    product_source: 'edx',
    first_enrollable_paid_seat_price: 149,
    skill_names: ['Python'],
    skills: ['Python'],
    short_description: '<p>Learn <b>Python</b> programming &amp; more</p>',
    subject_uuids: ['s1'],
  },
  'course',
);
const run = createSearchDocument(
  {
    aggregation_key: 'courserun:MITx+6.00.1x',
    content_type: 'courserun',
    key: 'course-v1:MITx+6.00.1x+1T2025',
    'key.raw': 'course-v1:MITx+6.00.1x+1T2025',
    number: '6.00.1x',
    org: 'MITx',
    partner: 'edx',
    authoring_organizations: ['MITx: Massachusetts Institute of Technology'],
    availability: 'Current',
    status: 'published',
    start: '2025-03-01T00:00:00Z',
    end: '2025-12-01T00:00:00Z',
    pacing_type: 'self_paced',
    level_type: 'Introductory',
    first_enrollable_paid_seat_price: 149,
    active: true,
    has_enrollable_seats: true,
    hidden: false,
    published: true,
    type: 'verified',
    enrollment_mode: 'verified',
  },
  'run',
);
const program = createSearchDocument(
  {
    aggregation_key: 'program:p-1',
    content_type: 'program',
    uuid: 'p-1',
    partner: 'edx',
    status: 'active',
    published: true,
    hidden: false,
    type: 'MicroMasters',
    start: '2023-05-01T00:00:00Z',
    authoring_organizations: ['MITx: Massachusetts Institute of Technology'],
  },
  'program',
);
const pathway = createSearchDocument(
  { aggregation_key: 'learnerpathway:lp-1', content_type: 'learnerpathway', uuid: 'lp-1', partner: 'edx', status: 'active', published: true },
  'pathway',
);
const person = createSearchDocument({ aggregation_key: 'person:pe-1', content_type: 'person', uuid: 'pe-1', partner: 'edx' }, 'person');

const DOCS: readonly SearchDocument<string>[] = [course, run, program, pathway, person];
const ALL = ['course', 'run', 'program', 'pathway', 'person'];

function matching(filter: ContentFilter): string[] {
  const predicate = compileFilter(filterToParams(filter), { now: NOW });
  return DOCS.filter((d) => predicate(d)).map((d) => d.ref);
}

type Row = readonly [name: string, filter: ContentFilter, expected: readonly string[]];

function table(rows: readonly Row[]): void {
  for (const [name, filter, expected] of rows) {
    void test(`${name}: ${JSON.stringify(filter)}`, () => {
      assert.deepEqual(matching(filter), expected);
    });
  }
}

void describe('exact match and lists', () => {
  table([
    ['empty filter matches every document', {}, ALL],
    ['keyword term', { content_type: 'course' }, ['course']],
    ['list is OR', { content_type: ['course', 'program'] }, ['course', 'program']],
    ['one-element list acts as a scalar', { content_type: ['course'] }, ['course']],
    ['empty list is no filter', { content_type: [] }, ALL],
    ['blank value is no filter', { org: '  ' }, ALL],
    ['keywords are case-sensitive', { content_type: 'Course' }, []],
    ['availability is case-sensitive', { availability: 'current' }, []],
    ['different keys are AND-ed', { content_type: 'course', org: 'harvardx' }, []],
    ['multi-valued course status matches any value', { status: 'unpublished' }, ['course']],
    ['explicit __term', { content_type__term: 'courserun' }, ['run']],
    ['__terms splits on __', { availability__terms: 'Upcoming__Current' }, ['course', 'run']],
    ['number field, exact', { first_enrollable_paid_seat_price: '149' }, ['course', 'run']],
    ['number field, list', { first_enrollable_paid_seat_price: ['99', 149] }, ['course', 'run']],
  ]);
});

void describe('case-insensitive org, partner, type, authoring_organizations', () => {
  table([
    ['org lower-case', { org: 'mitx' }, ['course', 'run']],
    ['org upper-case', { org: 'MITX' }, ['course', 'run']],
    ['org list', { org: ['HarvardX', 'MiTx'] }, ['course', 'run']],
    ['partner on every type', { partner: 'EDX' }, ALL],
    ['other partner', { partner: 'openedx' }, []],
    ['program type name', { type: 'micromasters' }, ['program']],
    ['run legacy type', { type: 'VERIFIED' }, ['run']],
    ['enrollment_mode', { enrollment_mode: 'Verified' }, ['run']],
    ['authoring_organizations whole string', { authoring_organizations: 'mitx: massachusetts institute of technology' }, ['course', 'run', 'program']],
    ['authoring_organizations is not a substring match', { authoring_organizations: 'MITx' }, []],
  ]);
});

void describe('__exclude', () => {
  table([
    ['exclude one org; types without org are kept', { org__exclude: 'MITx' }, ['program', 'pathway', 'person']],
    ['exclude is case-insensitive on org', { org__exclude: ['HarvardX', 'mitx'] }, ['program', 'pathway', 'person']],
    ['exclude aggregation keys', { aggregation_key__exclude: ['course:MITx+6.00.1x', 'program:p-1'] }, ['run', 'pathway', 'person']],
    ['a __-joined value negates its pieces with OR (edge case)', { org__exclude: 'MITx__HarvardX' }, ALL],
    ['course_type exclude', { course_type__exclude: 'verified-audit' }, ['run', 'program', 'pathway', 'person']],
    ['key.raw exclude', { 'key.raw__exclude': 'MITx+6.00.1x' }, ['run', 'program', 'pathway', 'person']],
    ['exclude combined with a positive term', { content_type: ['course', 'courserun'], org__exclude: 'StanfordOnline' }, ['course', 'run']],
  ]);
});

void describe('ranges and __in', () => {
  table([
    ['__lte string number', { first_enrollable_paid_seat_price__lte: '301' }, ['course', 'run']],
    ['__lte JSON number', { first_enrollable_paid_seat_price__lte: 301 }, ['course', 'run']],
    ['__lte bound is inclusive', { first_enrollable_paid_seat_price__lte: '149' }, ['course', 'run']],
    ['__lt bound is exclusive', { first_enrollable_paid_seat_price__lt: '149' }, []],
    ['__gte', { first_enrollable_paid_seat_price__gte: '149' }, ['course', 'run']],
    ['__gt', { first_enrollable_paid_seat_price__gt: '149' }, []],
    ['a boost suffix is ignored', { first_enrollable_paid_seat_price__gt: '100__2' }, ['course', 'run']],
    ['non-numeric bound matches nothing', { first_enrollable_paid_seat_price__lte: 'cheap' }, []],
    ['__in splits on __', { first_enrollable_paid_seat_price__in: '99__149' }, ['course', 'run']],
    ['__in without the value', { first_enrollable_paid_seat_price__in: '99__199' }, []],
    ['__range lo__hi', { first_enrollable_paid_seat_price__range: '100__200' }, ['course', 'run']],
    ['__range outside', { first_enrollable_paid_seat_price__range: '150__200' }, []],
    ['date __gte: any value of a multi-valued field', { start__gte: '2025-01-01' }, ['course', 'run']],
    ['date __lt', { start__lt: '2024-06-01' }, ['course', 'program']],
    ['date __lte rounds a day up', { start__lte: '2024-01-01' }, ['course', 'program']],
    ['date __gt rounds a day up', { start__gt: '2025-03-01' }, []],
    ['date math now-30d', { start__gte: 'now-30d' }, ['course', 'run']],
    ['date math with rounding', { start__gte: 'now-9d/d' }, ['course', 'run']],
    ['date math from an anchor', { start__lt: '2023-04-01||+1M' }, []],
    ['end_date only exists on courses', { end_date__gt: 'now' }, ['course']],
    ['range lookups are not allowed on keywords (ignored)', { level_type__gt: 'A' }, ALL],
  ]);
});

void describe('key and short_description phrase matching', () => {
  table([
    ['course key matches the course and its runs', { key: 'MITx+6.00.1x' }, ['course', 'run']],
    ['phrase is case-insensitive', { key: 'mitx+6.00.1X' }, ['course', 'run']],
    ['a single token matches', { key: 'MITx' }, ['course', 'run']],
    ['a sub-phrase of the run key', { key: '6.00.1x+1T2025' }, ['run']],
    ['tokens out of order do not match', { key: '1T2025+MITx' }, []],
    ['another course does not match', { key: 'MITx+6.00.2x' }, []],
    ['list of keys is OR', { key: ['HarvardX+CS50x', 'course-v1:MITx+6.00.1x+1T2025'] }, ['run']],
    ['key.raw is exact', { 'key.raw': 'MITx+6.00.1x' }, ['course']],
    ['key.raw is case-sensitive', { 'key.raw': 'mitx+6.00.1x' }, []],
    ['short_description phrase after HTML strip', { short_description: 'python programming' }, ['course']],
    ['short_description needs the words in order', { short_description: 'programming python' }, []],
    ['a value with no tokens matches nothing', { key: '+' }, []],
  ]);
});

void describe('field presence per type, booleans, unknown keys', () => {
  table([
    ['pacing_type exists on runs only', { pacing_type: 'self_paced' }, ['run']],
    ['level_type on courses and runs', { level_type: 'Introductory' }, ['course', 'run']],
    ['published "true" on runs, programs, pathways', { published: 'true' }, ['run', 'program', 'pathway']],
    ['JSON true arrives as "True", which a boolean field rejects', { published: true }, []],
    ['hidden "false"', { hidden: 'false' }, ['run', 'program']],
    ['active', { active: 'true' }, ['run']],
    ['enterprise_subscription_inclusion', { enterprise_subscription_inclusion: 'true' }, ['course']],
    ['skills is nested: a plain term never matches', { skills: 'Python' }, []],
    ['skill_names is a keyword', { skill_names: 'Python' }, ['course']],
    ['unknown keys are ignored', { aggregration__key: ['x'], foo: 'bar', org__exempt: 'MITx' }, ALL],
    ['a lookup the field does not allow is ignored', { content_type__exclude: 'course' }, ALL],
    ['enterprise-only keys are ignored', { enterprise_force_include_aggregation_keys: ['MITx+1'], restricted_runs_allowed: { 'course:MITx+1': ['r'] } }, ALL],
    ['a dict value contributes its keys (Python iterates dicts)', { content_type: { course: 1 } }, ['course']],
    ['null becomes "None"', { org: null }, []],
  ]);
});

void describe('body to parameters', () => {
  void test('values go through Python str(), lists repeat the key', () => {
    assert.deepEqual(filterToParams({ a: true, b: null, c: [1], d: [1.5, 'x'], e: [[1, 'y'], 'z'], h: [[2, 3]], f: { k1: 1, k2: 2 }, g: [] }), [
      ['a', 'True'],
      ['b', 'None'],
      ['c', '1'],
      ['d', '1.5'],
      ['d', 'x'],
      ['e', "[1, 'y']"],
      ['e', 'z'],
      ['h', '2'],
      ['h', '3'],
      ['f', 'k1'],
      ['f', 'k2'],
    ]);
  });

  void test('clauses split once on __ and drop unknown fields and lookups', () => {
    const clauses = parseFilterClauses([
      ['org__exclude', 'A'],
      ['org__exclude', 'B'],
      ['first_enrollable_paid_seat_price__lte', '301__2'],
      ['page', '3'],
      ['org__bogus', 'x'],
    ]);
    assert.deepEqual(
      clauses.map((c) => [c.field, c.lookup, c.values]),
      [
        ['org', 'exclude', ['A', 'B']],
        ['first_enrollable_paid_seat_price', 'lte', ['301__2']],
      ],
    );
  });
});

void describe('analysis and dates', () => {
  void test('standard-analyzer approximation', () => {
    assert.deepEqual(analyze('course-v1:edX+DemoX+1T2020'), ['course', 'v1', 'edx', 'demox', '1t2020']);
    assert.deepEqual(analyze('edX+DemoX.1'), ['edx', 'demox', '1']);
    assert.deepEqual(analyze('MITx+6.00.1x'), ['mitx', '6.00.1x']);
    assert.deepEqual(analyze("Learner's guide"), ["learner's", 'guide']);
  });

  void test('date values cover their precision; date math resolves against now', () => {
    assert.deepEqual(resolveDateBounds('2024-01-01', NOW), {
      start: Date.parse('2024-01-01T00:00:00Z'),
      end: Date.parse('2024-01-02T00:00:00Z') - 1,
    });
    assert.deepEqual(resolveDateBounds('now-1d', NOW), { start: NOW - 86_400_000, end: NOW - 86_400_000 });
    assert.deepEqual(resolveDateBounds('now/M', NOW), {
      start: Date.parse('2025-03-01T00:00:00Z'),
      end: Date.parse('2025-04-01T00:00:00Z') - 1,
    });
    assert.equal(resolveDateBounds('2024-01-01T10:00:00+02:00', NOW)?.start, Date.parse('2024-01-01T08:00:00Z'));
    assert.equal(resolveDateBounds('1704067200000', NOW)?.start, 1_704_067_200_000);
    assert.equal(resolveDateBounds('yesterday', NOW), null);
    assert.equal(resolveDateBounds('now-1x', NOW), null);
  });
});

void describe('properties over a generated index', () => {
  const ds = generateDataset({ size: 'S', seed: 3 });
  const docs = searchIndexOf(ds);
  const now = ds.asOf;
  const pools: Record<string, string[]> = {
    content_type: ['course', 'courserun', 'program', 'learnerpathway', 'person', 'nothing'],
    org: [...ds.organizations.slice(0, 8).map((o) => o.key), 'mitx', 'NoSuchX'],
    level_type: ['Introductory', 'Intermediate', 'Advanced', 'Expert'],
    availability: ['Current', 'Starting Soon', 'Upcoming', 'Archived'],
    aggregation_key: ds.courses.slice(0, 12).map((c) => `course:${c.key}`),
    key: [...ds.courses.slice(0, 8).map((c) => c.key), ...ds.courses.slice(0, 4).map((c) => c.runs[0]?.key ?? c.key), 'CS'],
    first_enrollable_paid_seat_price: ['49', '99', '149', '199', '299', '399'],
    pacing_type: ['self_paced', 'instructor_paced'],
  };
  const fieldValues = fc.constantFrom(...Object.keys(pools)).chain((field) =>
    fc.tuple(fc.constant(field), fc.uniqueArray(fc.constantFrom(...(pools[field] ?? [])), { minLength: 1, maxLength: 5 })),
  );

  void test('a list filter equals the union of its single-value filters', () => {
    fc.assert(
      fc.property(fieldValues, fc.constantFrom<ContentFilter>({}, { content_type: 'course' }, { partner: 'edx' }), ([field, values], base) => {
        const listMatch = compileFilter(filterToParams({ ...base, [field]: values }), { now });
        const singles = values.map((v) => compileFilter(filterToParams({ ...base, [field]: v }), { now }));
        for (const doc of docs) assert.equal(listMatch(doc), singles.some((s) => s(doc)), `${field}=${values.join('|')} on ${doc.id}`);
      }),
      { numRuns: 60 },
    );
  });

  void test('a list __exclude equals the intersection of its single-value excludes', () => {
    const excludable = fc.constantFrom('org', 'aggregation_key').chain((field) =>
      fc.tuple(fc.constant(field), fc.uniqueArray(fc.constantFrom(...(pools[field] ?? [])), { minLength: 1, maxLength: 5 })),
    );
    fc.assert(
      fc.property(excludable, ([field, values]) => {
        const listMatch = compileFilter(filterToParams({ [`${field}__exclude`]: values }), { now });
        const singles = values.map((v) => compileFilter(filterToParams({ [`${field}__exclude`]: v }), { now }));
        for (const doc of docs) assert.equal(listMatch(doc), singles.every((s) => s(doc)));
      }),
      { numRuns: 40 },
    );
  });

  void test('matchesFilter agrees with the compiled predicate', () => {
    const filter = { content_type: 'course', level_type: ['Introductory', 'Advanced'] };
    const predicate = compileFilter(filterToParams(filter), { now });
    for (const doc of docs.slice(0, 200)) assert.equal(matchesFilter(filter, doc, { now }), predicate(doc));
  });
});
