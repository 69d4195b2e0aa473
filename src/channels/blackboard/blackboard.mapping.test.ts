import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SAMPLE_NOW, sampleCourse, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import type { CatalogContentItem } from '../channel-adapter.js';
import { BLACKBOARD_DETAILS_TITLE, BLACKBOARD_NAME_MAX, blackboardCourseId, mapBlackboardItem } from './blackboard.mapping.js';

const settings = { blackboard_base_url: 'https://bb.example.com', client_id: 'k', client_secret: 's', refresh_token: 'r' };
const map = (item: CatalogContentItem) => mapBlackboardItem(item, { settings, showCoursePrice: false, enterpriseCustomerUuid: 'c', now: () => SAMPLE_NOW });

void describe('Blackboard mapping', () => {
  void it('maps a course, its details folder and document', () => {
    const p = map(sampleCourse());
    assert.equal(p.externalId, 'HarvardX+CS50x');
    assert.equal(p.course_metadata.name, "CS50's Introduction to Computer Science");
    assert.equal(p.course_metadata.externalId, 'HarvardX+CS50x');
    assert.match(p.course_metadata.description, /^<a href="https:\/\/courses\.example\.edx\.org\/enterprise\/.+" target="_blank">Go to edX course page<\/a>$/);
    assert.deepEqual(p.course_content_metadata, { title: BLACKBOARD_DETAILS_TITLE, position: 0, contentHandler: { id: 'resource/x-bb-folder' } });
    const doc = p.course_child_content_metadata;
    assert.equal(doc.title, 'edX Course Details');
    assert.deepEqual(doc.contentHandler, { id: 'resource/x-bb-document' });
    assert.deepEqual(doc.availability, { available: 'Yes' });
    assert.ok(doc.body.startsWith('<h1>CS50&#39;s Introduction to Computer Science</h1>'), 'title escaped');
    assert.ok(doc.body.includes('<img src="https://prod-discovery.edx-cdn.org/media/course/image/da1b2400-small.jpg"'));
    assert.ok(doc.body.includes('<strong>CS50x</strong>'), 'the description keeps its HTML');
  });

  void it('derives courseId from the content id, the same in every process (P16)', () => {
    assert.equal(blackboardCourseId('HarvardX+CS50x'), blackboardCourseId('HarvardX+CS50x'));
    // Pinned: changing the derivation would orphan every course already created in Blackboard.
    assert.equal(blackboardCourseId('HarvardX+CS50x'), '690543305074791396');
    assert.notEqual(blackboardCourseId('HarvardX+CS50x'), blackboardCourseId('HarvardX+CS50y'));
    fc.assert(fc.property(fc.string(), (key) => /^\d{1,19}$/.test(blackboardCourseId(key))));
    assert.equal(map(sampleCourse()).course_metadata.courseId, blackboardCourseId('HarvardX+CS50x'));
  });

  void it('limits the course name and maps programs and Exec Ed', () => {
    assert.equal([...map(sampleCourse({ title: 'n'.repeat(400) })).course_metadata.name].length, BLACKBOARD_NAME_MAX);
    assert.equal(map(sampleProgram()).externalId, sampleProgram()['uuid']);
    assert.equal(map(sampleExecEdCourse()).course_metadata.name, 'ExecEd: Artificial Intelligence Strategy');
  });
});
