import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { TSchema } from 'typebox';
import { DAY_MS, advertisedRun, generateDataset, runAvailability, runHasEnded, type CourseEntity, type RunEntity } from './dataset.js';
import { isoSeconds, presentCourse, presentCourseHit, presentProgram, presentSearchHit } from './discovery.presenter.js';
import { Course, CourseHit, CourseRunHit, LearnerPathwayHit, PersonHit, ProgramExtended, ProgramHit } from './discovery.schemas.js';
import { searchIndexOf } from './search-index.js';
import type { QueryParams } from './filter-evaluator.js';

const ds = generateDataset({ size: 'S', seed: 21 });
const now = ds.asOf;
const DEFAULT_PARAMS: QueryParams = [
  ['exclude_expired_course_run', 'True'],
  ['include_learner_pathways', 'True'],
];

const compiled = new Map<TSchema, { Check(value: unknown): boolean }>();

function assertShape(schema: TSchema, value: unknown, label: string): void {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = Compile(schema);
    compiled.set(schema, check);
  }
  if (!check.Check(value)) {
    const first = [...Value.Errors(schema, value)].slice(0, 3);
    assert.fail(`${label} does not match its schema: ${JSON.stringify(first)}`);
  }
}

void describe('wire shapes', () => {
  void test('every search hit matches its type schema (§3.2–3.5)', () => {
    const schemas: Record<string, TSchema> = {
      course: CourseHit,
      courserun: CourseRunHit,
      program: ProgramHit,
      learnerpathway: LearnerPathwayHit,
      person: PersonHit,
    };
    const seen = new Set<string>();
    for (const doc of searchIndexOf(ds)) {
      const hit = presentSearchHit(doc.ref, { ds, now, params: DEFAULT_PARAMS });
      assert.equal(hit.content_type, doc.contentType);
      assert.equal(hit.aggregation_key, doc.aggregationKey);
      const schema = schemas[hit.content_type];
      assert.ok(schema);
      assertShape(schema, hit, doc.id);
      seen.add(hit.content_type);
    }
    assert.deepEqual([...seen].sort(), ['course', 'courserun', 'learnerpathway', 'person', 'program']);
  });

  void test('every /courses/ and /programs/ item matches its schema (§3.6–3.8)', () => {
    for (const course of ds.courses) assertShape(Course, presentCourse(ds, course, now), course.key);
    for (const program of ds.programs) assertShape(ProgramExtended, presentProgram(ds, program, now), program.uuid);
  });

  void test('run hits carry no uuid; course hit runs carry no seats (those come from /courses/)', () => {
    const course = ds.courses[0] as CourseEntity;
    const hit = presentCourseHit(course, { ds, now, params: [] });
    for (const run of hit.course_runs) {
      assert.ok(!('uuid' in run));
      assert.ok(!('seats' in run));
    }
    const full = presentCourse(ds, course, now);
    assert.ok(full.course_runs.every((r) => typeof r.uuid === 'string' && Array.isArray(r.seats)));
  });
});

function findCourse(predicate: (c: CourseEntity) => boolean): CourseEntity {
  const found = ds.courses.find(predicate);
  assert.ok(found, 'the dataset has no course for this test');
  return found;
}

void describe('discovery rules', () => {
  void test('availability by dates: Archived, Current, Starting Soon (< 60 days), Upcoming', () => {
    const base = ds.courses[0]?.runs[0] as RunEntity;
    const at = (start: number, end: number | null): string => runAvailability({ ...base, start, end }, now);
    assert.equal(at(now - 100 * DAY_MS, now - DAY_MS), 'Archived');
    assert.equal(at(now - DAY_MS, now + DAY_MS), 'Current');
    assert.equal(at(now - DAY_MS, null), 'Current');
    assert.equal(at(now + 59 * DAY_MS, null), 'Starting Soon');
    assert.equal(at(now + 60 * DAY_MS, null), 'Upcoming');
  });

  void test('exclude_expired_course_run drops ended runs unless a parameter equals one of their attributes', () => {
    const course = findCourse((c) => c.runs.some((r) => runHasEnded(r, now) && r.status === 'published' && r.restrictionType === null));
    const expired = course.runs.filter((r) => runHasEnded(r, now) && r.restrictionType === null).map((r) => r.key);
    const keys = (params: QueryParams): string[] => presentCourseHit(course, { ds, now, params }).course_runs.map((r) => r.key);
    assert.ok(expired.every((k) => keys([]).includes(k)), 'without the flag every run is nested');
    assert.ok(expired.every((k) => !keys([['exclude_expired_course_run', 'True']]).includes(k)));
    // `"False"` is non-empty, so it turns the exclusion on too.
    assert.ok(expired.every((k) => !keys([['exclude_expired_course_run', 'False']]).includes(k)));
    const withStatus = keys([
      ['exclude_expired_course_run', 'True'],
      ['status', 'published'],
    ]);
    const expiredPublished = course.runs.filter((r) => runHasEnded(r, now) && r.status === 'published' && r.restrictionType === null);
    assert.ok(expiredPublished.every((r) => withStatus.includes(r.key)), 'status=published keeps expired published runs');
  });

  void test('restricted runs are invisible unless include_restricted names their type', () => {
    const restrictedRun: RunEntity = { ...(ds.courses[0]?.runs[0] as RunEntity), key: 'course-v1:X+Y+R', restrictionType: 'custom-b2b-enterprise' };
    const course: CourseEntity = { ...(ds.courses[0] as CourseEntity), runs: [restrictedRun] };
    assert.equal(presentCourseHit(course, { ds, now, params: [] }).course_runs.length, 0);
    assert.equal(presentCourseHit(course, { ds, now, params: [['include_restricted', 'custom-b2b-enterprise']] }).course_runs.length, 1);
    assert.equal(presentCourse(ds, course, now).course_runs.length, 0);
    assert.equal(presentCourse(ds, course, now, { includeRestricted: new Set(['custom-b2b-enterprise']) }).course_runs.length, 1);
  });

  void test('/courses/ keeps expired and unpublished runs but drops hidden ones unless asked', () => {
    const base = ds.courses[0] as CourseEntity;
    const run = base.runs[0] as RunEntity;
    const course: CourseEntity = {
      ...base,
      runs: [
        { ...run, key: 'course-v1:A+B+1', hidden: true },
        { ...run, key: 'course-v1:A+B+2', hidden: false, status: 'unpublished', end: now - DAY_MS },
      ],
    };
    assert.deepEqual(
      presentCourse(ds, course, now).course_runs.map((r) => r.key),
      ['course-v1:A+B+2'],
    );
    assert.equal(presentCourse(ds, course, now, { includeHidden: true }).course_runs.length, 2);
  });

  void test('advertised run: current and upgradeable first, then the next upgradeable start, then the latest', () => {
    const base = ds.courses.find((c) => c.courseType === 'verified-audit') as CourseEntity;
    const template = base.runs[0] as RunEntity;
    const seats = [
      { type: 'audit', price: 0, upgradeDeadline: null, sku: 'A', creditProvider: null, creditHours: null },
      { type: 'verified', price: 99, upgradeDeadline: now + 300 * DAY_MS, sku: 'V', creditProvider: null, creditHours: null },
    ];
    const mk = (key: string, start: number, end: number | null): RunEntity => ({
      ...template,
      key,
      uuid: key,
      start,
      end,
      status: 'published',
      hidden: false,
      restrictionType: null,
      seats,
    });
    const past = mk('past', now - 400 * DAY_MS, now - 200 * DAY_MS);
    const current = mk('current', now - 10 * DAY_MS, now + 100 * DAY_MS);
    const soon = mk('soon', now + 10 * DAY_MS, now + 200 * DAY_MS);
    const later = mk('later', now + 90 * DAY_MS, now + 300 * DAY_MS);
    assert.equal(advertisedRun({ ...base, runs: [past, current, soon, later] }, now)?.key, 'current');
    assert.equal(advertisedRun({ ...base, runs: [past, later, soon] }, now)?.key, 'soon');
    assert.equal(advertisedRun({ ...base, runs: [past] }, now)?.key, 'past');
  });
});

test('isoSeconds: an ISO date-time cut at the seconds, also for years beyond 9999', () => {
  assert.equal(isoSeconds(Date.UTC(2026, 10, 23, 4, 5, 6, 789)), '2026-11-23T04:05:06Z');
  assert.equal(isoSeconds(Date.UTC(1999, 0, 1)), '1999-01-01T00:00:00Z');
  assert.equal(isoSeconds(Date.UTC(10000, 0, 1, 0, 0, 0, 5)), '+010000-01-01T00:00:00Z');
});
