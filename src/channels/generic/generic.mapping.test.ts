import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_NOW, sampleCourse, sampleCourseRun, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import { mapGenericItem } from './generic.mapping.js';
import type { GenericSettings } from './generic.settings.js';

const settings: GenericSettings = { url: 'https://hooks.example.com/ecat', signing_secret: 'x'.repeat(32) };
const ctx = (showCoursePrice = false) => ({ settings, showCoursePrice, enterpriseCustomerUuid: 'c', now: () => SAMPLE_NOW });

void describe('GENERIC mapping', () => {
  void it('maps a course through its advertised run', () => {
    const item = mapGenericItem(sampleCourse(), ctx());
    assert.deepEqual(item, {
      content_id: 'HarvardX+CS50x',
      content_type: 'course',
      title: "CS50's Introduction to Computer Science",
      description: sampleCourse()['full_description'],
      url: sampleCourse()['enrollment_url'],
      image_url: 'https://prod-discovery.edx-cdn.org/media/course/image/da1b2400-small.jpg',
      start: '2024-01-01T00:00:00.000Z',
      end: '2026-12-31T23:59:59.000Z',
      language: 'en-us',
      organizations: ['HarvardX: Harvard University'],
      price: null,
      content_last_modified: '2025-02-20T10:11:12.345678Z',
    });
  });

  void it('sends the price only when the configuration shows prices', () => {
    assert.equal(mapGenericItem(sampleCourse(), ctx(false)).price, null);
    assert.equal(mapGenericItem(sampleCourse(), ctx(true)).price, 299);
    assert.equal(mapGenericItem(sampleExecEdCourse(), ctx(true)).price, 2800);
  });

  void it('maps runs, programs and Exec Ed courses', () => {
    const run = mapGenericItem(sampleCourseRun(), ctx());
    assert.equal(run.start, '2025-06-01T00:00:00.000Z');
    assert.equal(run.language, 'es');
    const program = mapGenericItem(sampleProgram(), ctx());
    assert.equal(program.content_id, sampleProgram()['uuid']);
    assert.equal(program.url, sampleProgram()['marketing_url']);
    assert.deepEqual(program.organizations, ['Massachusetts Institute of Technology']);
    assert.equal(program.start, null);
    assert.equal(program.language, 'English');
    assert.equal(mapGenericItem(sampleExecEdCourse(), ctx()).title, 'ExecEd: Artificial Intelligence Strategy');
  });
});
