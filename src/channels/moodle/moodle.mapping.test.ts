import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_NOW, sampleCourse, sampleCourseRun, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import type { CatalogContentItem } from '../channel-adapter.js';
import { MOODLE_SUMMARY_MAX, mapMoodleItem, moodleCourseForm } from './moodle.mapping.js';
import type { MoodleSettings } from './moodle.settings.js';

const base: MoodleSettings = { moodle_base_url: 'https://moodle.example.com', service_short_name: 'edx', token: 't' };
const map = (item: CatalogContentItem, action: 'create' | 'update' | 'delete' = 'create', settings: Partial<MoodleSettings> = {}) =>
  mapMoodleItem(item, action, { settings: { ...base, ...settings }, showCoursePrice: false, enterpriseCustomerUuid: 'c', now: () => SAMPLE_NOW });

void describe('Moodle mapping', () => {
  void it('maps a course', () => {
    const c = map(sampleCourse());
    assert.equal(c.fullname, "CS50's Introduction to Computer Science - via edX.org (Harvard University)");
    assert.equal(c.shortname, "CS50's Introduction to Computer Science (HarvardX+CS50x)");
    assert.equal(c.idnumber, 'HarvardX+CS50x');
    assert.equal(c.categoryid, 1);
    assert.equal(c.startdate, 1704067200);
    assert.equal(c.enddate, 1798761599);
    assert.equal(c.visible, 1);
    assert.equal(c.summaryformat, 1);
    assert.ok(c.summary.startsWith('<a href="https://courses.example.edx.org/'));
    assert.ok(c.summary.endsWith(String(sampleCourse()['full_description'])));
  });

  void it('names every organization after its "Org: " prefix', () => {
    const c = map(sampleCourse({ organizations: ['MITx: Massachusetts Institute of Technology', 'HarvardX: Harvard University', 'edX'] }));
    assert.equal(c.fullname, "CS50's Introduction to Computer Science - via edX.org (Massachusetts Institute of Technology, Harvard University, edX)");
    assert.equal(map(sampleCourse({ organizations: [], owners: [] })).fullname, "CS50's Introduction to Computer Science - via edX.org");
  });

  void it('keeps the full description only while link + description fit in 1700 characters', () => {
    const s = map(sampleCourse({ full_description: 'x'.repeat(MOODLE_SUMMARY_MAX) })).summary;
    assert.ok(s.endsWith(String(sampleCourse()['short_description'])));
    const t = map(sampleCourse({ full_description: 'x'.repeat(MOODLE_SUMMARY_MAX), short_description: 'y'.repeat(MOODLE_SUMMARY_MAX) })).summary;
    assert.ok(t.endsWith("CS50&#39;s Introduction to Computer Science"), 'then the title');
  });

  void it('uses the configured category, hides on delete, omits unknown dates', () => {
    assert.equal(map(sampleCourse(), 'create', { category_id: 5 }).categoryid, 5);
    assert.equal(map(sampleCourse(), 'delete').visible, 0);
    const p = map(sampleProgram());
    assert.equal('startdate' in p, false);
    assert.equal(p.idnumber, sampleProgram()['uuid']);
    assert.equal(map(sampleCourseRun()).startdate, Date.parse('2025-06-01T00:00:00Z') / 1000);
    assert.match(map(sampleExecEdCourse()).fullname, /^ExecEd: Artificial Intelligence Strategy - via edX.org \(MIT Sloan School of Management\)$/);
  });

  void it('flattens a course into courses[0][field] form fields', () => {
    assert.deepEqual(moodleCourseForm({ id: 7, fullname: 'F', visible: 0 }), { 'courses[0][id]': '7', 'courses[0][fullname]': 'F', 'courses[0][visible]': '0' });
  });
});
