import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_NOW, sampleCourse, sampleCourseRun, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import type { CatalogContentItem } from '../channel-adapter.js';
import { mapCanvasItem } from './canvas.mapping.js';

const settings = { canvas_base_url: 'https://acme.instructure.com', canvas_account_id: 2, client_id: 'i', client_secret: 's', refresh_token: 'r' };
const map = (item: CatalogContentItem) => mapCanvasItem(item, { settings, showCoursePrice: false, enterpriseCustomerUuid: 'c', now: () => SAMPLE_NOW });

void describe('Canvas mapping', () => {
  void it('maps a course with the fixed Canvas flags', () => {
    const c = map(sampleCourse());
    assert.equal(c.name, "CS50's Introduction to Computer Science");
    assert.equal(c.course_code, 'HarvardX+CS50x');
    assert.equal(c.integration_id, 'HarvardX+CS50x');
    assert.equal(c.default_view, 'syllabus');
    assert.equal(c.image_url, 'https://prod-discovery.edx-cdn.org/media/course/image/da1b2400-small.jpg');
    assert.equal(c.is_public, true);
    assert.equal(c.self_enrollment, true);
    assert.equal(c.indexed, 1);
    assert.equal(c.restrict_enrollments_to_course_dates, true);
    assert.equal('start_at' in c, false, 'courses carry no dates of their own');
  });

  void it('gives course runs start_at and end_at', () => {
    const r = map(sampleCourseRun());
    assert.equal(r.start_at, '2025-06-01T00:00:00.000Z');
    assert.equal(r.end_at, '2025-09-01T00:00:00.000Z');
  });

  void it('builds the syllabus: link, full description, then dates in %a %b %d %Y %H:%M:%S', () => {
    const url = String(sampleCourse()['enrollment_url']).replace(/&/g, '&amp;');
    assert.equal(
      map(sampleCourse()).syllabus_body,
      `<a href="${url}">Go to edX course page</a><br />${String(sampleCourse()['full_description'])}<br /><br />Starts: Mon Jan 01 2024 00:00:00<br />Ends: Thu Dec 31 2026 23:59:59`,
    );
  });

  void it('falls back to the short description when link and full description exceed 2000 characters', () => {
    const s = map(sampleCourse({ full_description: 'x'.repeat(2000) })).syllabus_body;
    assert.ok(s.includes('An introduction to the intellectual enterprises'));
    assert.ok(!s.includes('xxxx'));
    const t = map(sampleCourse({ full_description: 'x'.repeat(2000), short_description: null })).syllabus_body;
    assert.ok(t.includes("CS50's Introduction to Computer Science<br />"), 'then the title');
  });

  void it('says N/A for unknown dates and maps programs and Exec Ed', () => {
    assert.match(map(sampleProgram()).syllabus_body, /Starts: N\/A<br \/>Ends: N\/A$/);
    assert.equal(map(sampleProgram()).integration_id, sampleProgram()['uuid']);
    assert.equal(map(sampleExecEdCourse()).name, 'ExecEd: Artificial Intelligence Strategy');
  });
});
