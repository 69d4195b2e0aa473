import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_NOW, sampleCourse, sampleCourseRun, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import type { CatalogContentItem } from '../channel-adapter.js';
import { charLength } from '../mapping/text.js';
import { DEGREED_SUMMARY_MAX, mapDegreedItem } from './degreed.mapping.js';

const settings = { degreed_base_url: 'https://api.degreed.com', client_id: 'id', client_secret: 's' };
const map = (item: CatalogContentItem, show = false) =>
  mapDegreedItem(item, { settings, showCoursePrice: show, enterpriseCustomerUuid: 'c', now: () => SAMPLE_NOW });

void describe('Degreed mapping', () => {
  void it('maps a course', () => {
    assert.deepEqual(map(sampleCourse()), {
      attributes: {
        'external-id': 'HarvardX+CS50x',
        title: "CS50's Introduction to Computer Science",
        summary:
          "[Harvard University]: 6-18 hours a week for 12 weeks. This is CS50x, Harvard's introduction to computer science & the art of programming. C Python",
        url: sampleCourse()['enrollment_url'],
        'image-url': 'https://prod-discovery.edx-cdn.org/media/course/image/da1b2400-small.jpg',
        language: 'en',
        duration: 144,
        'duration-type': 'Hours',
        obsolete: false,
        'cost-units': 0,
        'cost-unit-type': 'USD',
        difficulty: 'Introductory',
        'video-url': 'https://www.youtube.com/watch?v=cs50',
      },
      skills: ['Python (Programming Language)', 'Algorithms'],
    });
  });

  void it('rounds the duration up: weeks × average weekly hours', () => {
    // run: 6–10 h/week for 9 weeks → 72 h; 5–6 h for 3 weeks → 16.5 → 17
    assert.equal(map(sampleCourseRun()).attributes.duration, 72);
    assert.equal(map(sampleCourseRun({ min_effort: 5, max_effort: 6, weeks_to_complete: 3 })).attributes.duration, 17);
    assert.equal(map(sampleCourseRun({ weeks_to_complete: null })).attributes.duration, 0);
  });

  void it('uses the run language code for course runs, en otherwise', () => {
    assert.equal(map(sampleCourseRun()).attributes.language, 'es');
    assert.equal(map(sampleCourseRun({ content_language: 'zh-cn' })).attributes.language, 'zh');
    assert.equal(map(sampleCourse()).attributes.language, 'en');
  });

  void it('strips HTML and cuts the summary to 2000 characters with "..."', () => {
    const long = map(sampleCourse({ full_description: `<p>${'word '.repeat(800)}</p>` })).attributes.summary;
    assert.equal(charLength(long), DEGREED_SUMMARY_MAX);
    assert.ok(long.endsWith('...'));
    assert.ok(!long.includes('<p>'));
  });

  void it('costs: 0 unless prices are shown', () => {
    assert.equal(map(sampleCourse()).attributes['cost-units'], 0);
    assert.equal(map(sampleCourse(), true).attributes['cost-units'], 299);
  });

  void it('maps programs and Exec Ed courses', () => {
    const p = map(sampleProgram());
    assert.equal(p.attributes['external-id'], sampleProgram()['uuid']);
    assert.match(p.attributes.summary, /^\[Massachusetts Institute of Technology\]: 10-14 hours a week for 16 weeks\. /);
    assert.equal(p.attributes.duration, 192);
    assert.equal(p.attributes.difficulty, undefined);
    assert.equal(map(sampleExecEdCourse()).attributes.title, 'ExecEd: Artificial Intelligence Strategy');
  });
});
