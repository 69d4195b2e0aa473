import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiscoveryCourse, DiscoveryHit } from '../discovery/content-source.js';
import { contentHash } from '../catalog/content.repository.js';
import { generateDataset } from '../discovery/dataset.js';
import { SampleContentSource } from '../discovery/sample.source.js';
import {
  forceIncludeKeys,
  forceIncludedCourse,
  mapSearchHit,
  mergeFullCourse,
  mergeFullProgram,
  mergeSearchHit,
  normalizeRun,
  normalizedMetadata,
  type MappedItem,
} from './content-mapping.js';

const hit = (h: Record<string, unknown>) => h as DiscoveryHit;
const mapped = (h: Record<string, unknown>): MappedItem => {
  const r = mapSearchHit(hit(h));
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r.item;
};
const UUID = '0b0c6a4e-8d1e-4a55-9a3c-1f2e3d4c5b6a';

describe('mapSearchHit: row fields', () => {
  test('type from the aggregation_key prefix, key, parent key and uuid', () => {
    const course = mapped({ aggregation_key: 'course:edX+DemoX', content_type: 'course', key: 'edX+DemoX', uuid: UUID });
    assert.deepEqual(
      { key: course.contentKey, type: course.contentType, parent: course.parentContentKey, uuid: course.contentUuid },
      { key: 'edX+DemoX', type: 'course', parent: null, uuid: UUID },
    );
    const run = mapped({ aggregation_key: 'courserun:edX+DemoX', content_type: 'courserun', key: 'course-v1:edX+DemoX+2T2024' });
    assert.deepEqual(
      { key: run.contentKey, type: run.contentType, parent: run.parentContentKey, uuid: run.contentUuid },
      { key: 'course-v1:edX+DemoX+2T2024', type: 'courserun', parent: 'edX+DemoX', uuid: null },
    );
  });

  test('programs and pathways are keyed by uuid', () => {
    const program = mapped({ aggregation_key: `program:${UUID}`, content_type: 'program', uuid: UUID });
    assert.equal(program.contentKey, UUID);
    assert.equal(program.contentType, 'program');
    const pathway = mapped({ aggregation_key: `learnerpathway:${UUID}`, content_type: 'learnerpathway', uuid: UUID, key: null });
    assert.equal(pathway.contentKey, UUID);
  });

  test('the prefix wins over content_type; a uuid that is not one is not stored', () => {
    const r = mapped({ aggregation_key: 'courserun:a+b', content_type: 'course', key: 'course-v1:a+b+c', uuid: 'not-a-uuid' });
    assert.equal(r.contentType, 'courserun');
    assert.equal(r.contentUuid, null);
  });

  test('admission rules (§3.5)', () => {
    const reject = (h: Record<string, unknown>) => {
      const r = mapSearchHit(hit(h));
      return r.ok ? null : r.reason;
    };
    assert.equal(reject({ aggregation_key: 'person:x', content_type: 'person', uuid: UUID }), 'unsupported_type');
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', product_source: 'emeritus' }), 'product_source');
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', product_source: { slug: 'emeritus' } }), 'product_source');
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', course_type: 'bootcamp-2u' }), 'course_type');
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', course_type: 'empty' }), 'course_type');
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course' }), 'no_key');
    // Admitted: allowed sources (string or dict), no course type, non-course types whatever their course_type.
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', product_source: { slug: '2u' } }), null);
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', product_source: 'edx', course_type: null }), null);
    assert.equal(reject({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', course_type: 'executive-education-2u' }), null);
    assert.equal(reject({ aggregation_key: 'courserun:a+b', content_type: 'courserun', key: 'r', course_type: 'bootcamp-2u' }), null);
  });
});

describe('merge rules (§3.3)', () => {
  test('a new row stores the whole hit', () => {
    const item = mapped({ aggregation_key: 'course:a+b', content_type: 'course', key: 'a+b', title: 'T', seat_types: ['audit'] });
    assert.deepEqual(mergeSearchHit(null, item), item.hit);
  });

  test('an existing course takes only the plucked search fields', () => {
    const stored = { key: 'a+b', title: 'Full title', seat_types: ['audit'], course_runs: [{ key: 'r1', seats: [] }], owners: [{ key: 'o' }] };
    const item = mapped({
      aggregation_key: 'course:a+b',
      content_type: 'course',
      key: 'a+b',
      title: 'Search title',
      seat_types: ['audit', 'verified'],
      course_runs: [{ key: 'r1' }],
      languages: ['English'],
    });
    assert.deepEqual(mergeSearchHit(stored, item), {
      key: 'a+b',
      title: 'Full title',
      seat_types: ['audit', 'verified'],
      course_runs: [{ key: 'r1', seats: [] }],
      owners: [{ key: 'o' }],
      aggregation_key: 'course:a+b',
      content_type: 'course',
      languages: ['English'],
    });
  });

  test('an existing run, program or pathway gets the hit merged over it (missing keys stay)', () => {
    const stored = { key: 'r', title: 'Old', legacy_field: 1 };
    const item = mapped({ aggregation_key: 'courserun:a+b', content_type: 'courserun', key: 'r', title: 'New' });
    assert.deepEqual(mergeSearchHit(stored, item), { key: 'r', title: 'New', legacy_field: 1, aggregation_key: 'courserun:a+b', content_type: 'courserun' });
    assert.deepEqual(mergeFullProgram({ uuid: UUID, title: 'Hit' }, { uuid: UUID, title: 'Full', courses: [] }), { uuid: UUID, title: 'Full', courses: [] });
  });

  test('re-merging unchanged upstream data gives the stored JSON back (same hash)', async () => {
    const source = new SampleContentSource({ dataset: generateDataset({ size: 'S', seed: 3 }) });
    const { items } = await source.searchAll({ content_type: 'course' });
    const courses = new Map((await source.fetchCourses(items.map((i) => String(i.key)))).map((c) => [c.key, c]));
    const admitted = items.flatMap((h) => {
      const r = mapSearchHit(h);
      return r.ok ? [r.item] : [];
    });
    assert.ok(admitted.length > 25);
    for (const item of admitted.slice(0, 25)) {
      const full = courses.get(item.contentKey);
      assert.ok(full);
      const first = mergeFullCourse(mergeSearchHit(null, item), full);
      // What the database gives back: JSON text, parsed.
      const stored = JSON.parse(JSON.stringify(first)) as Record<string, unknown>;
      const second = mergeFullCourse(mergeSearchHit(stored, item), full);
      assert.equal(contentHash(second), contentHash(first), item.contentKey);
    }
  });
});

describe('normalized metadata (§3.9)', () => {
  const verified = { type: 'verified', price: '99.00', upgrade_deadline: '2026-05-01T00:00:00Z', upgrade_deadline_override: null };
  const audit = { type: 'audit', price: '0.00', upgrade_deadline: null };
  const run = {
    key: 'course-v1:a+b+1',
    uuid: 'run-1',
    start: '2026-01-01T00:00:00Z',
    end: '2026-06-01T00:00:00Z',
    enrollment_start: '2025-12-01T00:00:00Z',
    enrollment_end: '2026-05-15T00:00:00Z',
    seats: [audit, verified],
    fixed_price_usd: null,
    first_enrollable_paid_seat_price: 99,
  };

  test('enroll-by is the earlier of the best seat deadline and the enrollment end', () => {
    assert.deepEqual(normalizeRun({ course_type: 'verified-audit' }, run), {
      start_date: '2026-01-01T00:00:00Z',
      end_date: '2026-06-01T00:00:00Z',
      enroll_start_date: '2025-12-01T00:00:00Z',
      enroll_by_date: '2026-05-01T00:00:00Z',
      content_price: 99,
    });
    assert.equal(normalizeRun({}, { ...run, enrollment_end: '2026-04-01T00:00:00Z' }).enroll_by_date, '2026-04-01T00:00:00Z');
    assert.equal(normalizeRun({}, { ...run, enrollment_end: null }).enroll_by_date, '2026-05-01T00:00:00Z');
  });

  test('the deadline override wins; verified is preferred over audit', () => {
    const overridden = { ...verified, upgrade_deadline_override: '2026-03-01T00:00:00Z' };
    assert.equal(normalizeRun({}, { ...run, seats: [audit, overridden] }).enroll_by_date, '2026-03-01T00:00:00Z');
    assert.equal(normalizeRun({}, { ...run, seats: [{ ...audit, upgrade_deadline: '2026-02-01T00:00:00Z' }], enrollment_end: null }).enroll_by_date, '2026-02-01T00:00:00Z');
  });

  test('price: fixed USD price, then the exec-ed entitlement, then the first paid seat, then 0', () => {
    assert.equal(normalizeRun({}, { ...run, fixed_price_usd: '150.00' }).content_price, 150);
    const execEd = { course_type: 'executive-education-2u', entitlements: [{ mode: 'paid-executive-education', price: '2500.00' }] };
    assert.equal(normalizeRun(execEd, run).content_price, 2500);
    assert.equal(normalizeRun({ entitlements: execEd.entitlements }, run).content_price, 99, 'the entitlement counts for exec-ed only');
    assert.equal(normalizeRun({}, { ...run, first_enrollable_paid_seat_price: null }).content_price, 0);
  });

  test('exec-ed enroll-by is the enrollment end only', () => {
    assert.equal(normalizeRun({ course_type: 'executive-education-2u' }, run).enroll_by_date, '2026-05-15T00:00:00Z');
    assert.equal(normalizeRun({ course_type: 'executive-education-2u' }, { ...run, enrollment_end: null }).enroll_by_date, null);
  });

  test('normalized_metadata follows the advertised run; by_run covers every run', () => {
    const later = { ...run, key: 'course-v1:a+b+2', uuid: 'run-2', start: '2026-09-01T00:00:00Z' };
    const course = { course_runs: [run, later], advertised_course_run_uuid: 'run-2' };
    const n = normalizedMetadata(course);
    assert.equal(n.normalized_metadata.start_date, '2026-09-01T00:00:00Z');
    assert.deepEqual(Object.keys(n.normalized_metadata_by_run), ['course-v1:a+b+1', 'course-v1:a+b+2']);
    const none = normalizedMetadata({ course_runs: [run], advertised_course_run_uuid: null });
    assert.deepEqual(none.normalized_metadata, { start_date: null, end_date: null, enroll_start_date: null, enroll_by_date: null, content_price: 0 });
  });

  test('mergeFullCourse adds both to the merged JSON', () => {
    const full = { key: 'a+b', course_runs: [run], advertised_course_run_uuid: 'run-1' } as unknown as DiscoveryCourse;
    const merged = mergeFullCourse({ key: 'a+b', aggregation_key: 'course:a+b' }, full);
    assert.equal(merged.aggregation_key, 'course:a+b');
    assert.deepEqual(merged.normalized_metadata, normalizeRun({}, run));
    assert.ok(merged.normalized_metadata_by_run);
  });
});

describe('force include (§3.4)', () => {
  test('keys come from the filter; the course is made to look visible and stays so after the full merge', () => {
    assert.deepEqual(forceIncludeKeys({ enterprise_force_include_aggregation_keys: ['a+b', 3, ''] }), ['a+b']);
    assert.deepEqual(forceIncludeKeys({}), []);
    const full = { key: 'a+b', course_runs: [{ key: 'r', status: 'unpublished', availability: 'Archived' }] } as unknown as DiscoveryCourse;
    const forced = forceIncludedCourse(full);
    assert.equal(forced.aggregation_key, 'course:a+b');
    assert.equal(forced.enterprise_force_included, true);
    assert.deepEqual(forced.course_runs, [{ key: 'r', status: 'published', availability: 'Current' }]);
    assert.deepEqual(forced.course_run_statuses, ['published']);
    const merged = mergeFullCourse(mergeSearchHit(null, mapped(forced)), full);
    assert.deepEqual(merged.course_runs, [{ key: 'r', status: 'published', availability: 'Current' }]);
    assert.equal(merged.enterprise_force_included, true);
  });
});
