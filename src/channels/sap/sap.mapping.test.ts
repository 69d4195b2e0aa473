import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_NOW, sampleCourse, sampleCourseRun, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import type { CatalogContentItem } from '../channel-adapter.js';
import { mapSapItem, sapDefaultLocale, sapDeleteTransform } from './sap.mapping.js';
import type { SapSettings } from './sap.settings.js';

const base: SapSettings = {
  sapsf_base_url: 'https://sapsf.example.com',
  sapsf_company_id: 'ACME',
  sapsf_user_id: 'admin',
  client_id: 'id',
  client_secret: 'secret',
};
function map(item: CatalogContentItem, opts: { action?: 'create' | 'update' | 'delete'; show?: boolean; settings?: Partial<SapSettings>; now?: Date } = {}) {
  const now = opts.now ?? SAMPLE_NOW;
  return mapSapItem(item, opts.action ?? 'create', {
    settings: { ...base, ...opts.settings },
    showCoursePrice: opts.show ?? false,
    enterpriseCustomerUuid: 'c',
    now: () => now,
  });
}

void describe('SAP mapping', () => {
  void it('maps a course: id, provider, status, launch point, thumbnail, revision', () => {
    const c = map(sampleCourse());
    assert.equal(c.courseID, 'HarvardX+CS50x');
    assert.equal(c.providerID, 'EDX');
    assert.equal(c.status, 'ACTIVE');
    assert.equal(c.revisionNumber, 1);
    assert.equal(c.thumbnailURI, 'https://prod-discovery.edx-cdn.org/media/course/image/da1b2400-small.jpg');
    assert.deepEqual(c.content, [
      {
        providerID: 'EDX',
        launchURL: sampleCourse()['enrollment_url'],
        contentTitle: "CS50's Introduction to Computer Science",
        contentID: 'HarvardX+CS50x',
        launchType: 3,
        mobileEnabled: true,
        mobileLaunchURL: sampleCourse()['enrollment_url'],
      },
    ]);
    assert.equal(map(sampleCourse(), { settings: { provider_id: 'ACME_EDX' } }).providerID, 'ACME_EDX');
  });

  void it('repeats title and description for English and every additional locale', () => {
    const c = map(sampleCourse(), { settings: { additional_locales: ['Spanish', 'English', 'French'] } });
    assert.deepEqual(c.title.map((t) => t.locale), ['English', 'Spanish', 'French']);
    assert.ok(c.title.every((t) => t.value === "CS50's Introduction to Computer Science"));
    assert.deepEqual(c.description.map((d) => d.locale), ['English', 'Spanish', 'French']);
  });

  void it('uses a course run content language as its default locale', () => {
    assert.equal(sapDefaultLocale(sampleCourseRun(), SAMPLE_NOW), 'Spanish');
    assert.equal(sapDefaultLocale(sampleCourseRun({ content_language: 'en-gb' }), SAMPLE_NOW), 'English United Kingdom');
    assert.equal(sapDefaultLocale(sampleCourseRun({ content_language: 'pt-br' }), SAMPLE_NOW), 'Portuguese Brazilian');
    assert.equal(sapDefaultLocale(sampleCourseRun({ content_language: 'de-at' }), SAMPLE_NOW), 'German', 'region falls back to the language');
    assert.equal(sapDefaultLocale(sampleCourseRun({ content_language: 'xx' }), SAMPLE_NOW), 'English');
    assert.equal(sapDefaultLocale(sampleCourse(), SAMPLE_NOW), 'English', 'courses are English');
  });

  void it('adds the start month to a course run title, or says enrollment is closed', () => {
    assert.equal(map(sampleCourseRun()).title[0]?.value, 'Introducción a la programación con Python (Starts: June 2025)');
    const closed = map(sampleCourseRun(), { now: new Date('2025-07-01T00:00:00Z') });
    assert.equal(closed.title[0]?.value, 'Introducción a la programación con Python (June 2025 - Enrollment Closed)');
  });

  void it('prefixes the plain-text description with pacing, dates and closed enrollment', () => {
    assert.equal(
      map(sampleCourse()).description[0]?.value,
      "Pacing: Self-Paced. Starts: January 2024, Ends: December 2026. This is CS50x, Harvard's introduction to computer science & the art of programming. C Python",
    );
    const archived = sampleCourse({ advertised_course_run_uuid: 'R1' });
    assert.match(map(archived).description[0]?.value ?? '', /^Pacing: Self-Paced\. Starts: January 2023, Ends: December 2023\. Enrollment is closed\. This is/);
    assert.equal(map(sampleProgram()).description[0]?.value, sampleProgram()['subtitle'], 'programs have no run prefix');
  });

  void it('schedules a course from its run in epoch ms, a run with Unix defaults, a program not at all', () => {
    assert.deepEqual(map(sampleCourse()).schedule, [
      { startDate: Date.parse('2024-01-01T00:00:00Z'), endDate: Date.parse('2026-12-31T23:59:59Z'), active: true, duration: '1095 days' },
    ]);
    const open = map(sampleCourseRun({ start: null, end: null })).schedule;
    assert.deepEqual(open, [{ startDate: 0, endDate: Date.parse('2038-01-19T03:14:07Z'), active: true, duration: `${Math.floor(Date.parse('2038-01-19T03:14:07Z') / 86_400_000)} days` }]);
    assert.equal(map(sampleCourseRun()).schedule[0]?.active, false, 'not started yet');
    assert.deepEqual(map(sampleProgram()).schedule, []);
    assert.deepEqual(map(sampleCourse({ course_runs: [{ uuid: 'R2', start: '2024-01-01T00:00:00Z' }] })).schedule, [], 'no end → no schedule');
  });

  void it('sends the price only with show_course_price, in USD', () => {
    assert.deepEqual(map(sampleCourse()).price, [{ currency: 'USD', value: 0 }]);
    assert.deepEqual(map(sampleCourse(), { show: true }).price, [{ currency: 'USD', value: 299 }]);
    assert.deepEqual(map(sampleCourseRun(), { show: true }).price, [{ currency: 'USD', value: 149 }]);
  });

  void it('prefixes Executive Education content', () => {
    const c = map(sampleExecEdCourse());
    assert.equal(c.title[0]?.value, 'ExecEd: Artificial Intelligence Strategy');
    assert.match(c.description[0]?.value ?? '', /This instructor-led Executive Education course is presented by GetSmarter, an edX partner\. Learn how to lead AI initiatives\.$/);
  });

  void it('deactivates on delete and drops a malformed schedule', () => {
    assert.equal(map(sampleCourse(), { action: 'delete' }).status, 'INACTIVE');
    const stored = map(sampleCourse());
    const deleted = sapDeleteTransform({ ...stored, schedule: [{ startDate: 1, active: true }] });
    assert.equal(deleted.status, 'INACTIVE');
    assert.deepEqual(deleted.schedule, []);
    assert.deepEqual(sapDeleteTransform(stored).schedule, stored.schedule, 'a complete schedule is kept');
    assert.deepEqual(sapDeleteTransform(deleted), deleted, 'idempotent');
  });
});
