import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SAMPLE_NOW, sampleCourse, sampleCourseRun, sampleExecEdCourse, sampleProgram } from '../../../test/fakes/content-items.js';
import {
  EXEC_ED_DESCRIPTION_PREFIX,
  contentIdOf,
  descriptionOf,
  effortOf,
  enrollmentUrlOf,
  imageUrlOf,
  isRunOpenForEnrollment,
  itemDates,
  itemPrice,
  organizationLabels,
  ownerNames,
  representativeRun,
  shownPrice,
  withExecEdPrefix,
} from './content.js';
import { daysBetween, epochSeconds, formatCanvasDate, formatMonthYear, parseDate } from './dates.js';
import { charLength, escapeHtml, stripHtml, truncate } from './text.js';

void describe('text helpers', () => {
  void it('strips HTML to text, decoding entities and dropping scripts', () => {
    assert.equal(stripHtml('<p>Hello <b>world</b></p><ul><li>a</li><li>b</li></ul>'), 'Hello world a b');
    assert.equal(stripHtml('Harvard&#39;s &amp; MIT&rsquo;s &lt;course&gt; &#x263A; &bogus;'), "Harvard's & MIT’s <course> ☺ &bogus;");
    assert.equal(stripHtml('<script>alert(1)</script><style>p{}</style>ok<!-- c -->'), 'ok');
    assert.equal(stripHtml('line<br/>break'), 'line break');
  });
  void it('escapes HTML', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  void it('truncates to the limit including the ellipsis, never splitting a code point', () => {
    assert.equal(truncate('abcdefghij', 10), 'abcdefghij');
    assert.equal(truncate('abcdefghijk', 10), 'abcdefg...');
    assert.equal(truncate('😀😀😀😀', 3, '…'), '😀😀…');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 3, max: 200 }), (text, max) => {
        const out = truncate(text, max);
        assert.ok(charLength(out) <= max);
        if (charLength(text) <= max) assert.equal(out, text);
        else assert.ok(out.endsWith('...'));
      }),
    );
  });
});

void describe('date helpers', () => {
  void it('formats in UTC whatever the host zone', () => {
    const d = new Date('2024-01-01T09:05:03Z');
    assert.equal(formatMonthYear(d), 'January 2024');
    assert.equal(formatCanvasDate(d), 'Mon Jan 01 2024 09:05:03');
    assert.equal(formatCanvasDate(undefined), 'N/A');
    assert.equal(epochSeconds(d), 1704099903);
  });
  void it('parses discovery timestamps with microseconds and rejects garbage', () => {
    assert.equal(parseDate('2025-02-20T10:11:12.345678Z')?.toISOString(), '2025-02-20T10:11:12.345Z');
    assert.equal(parseDate('not a date'), undefined);
    assert.equal(parseDate(null), undefined);
  });
  void it('counts whole days like timedelta.days', () => {
    assert.equal(daysBetween(new Date('2024-01-01T00:00:00Z'), new Date('2024-01-31T23:59:59Z')), 30);
  });
});

void describe('content helpers', () => {
  void it('identifies programs by uuid and everything else by key', () => {
    assert.equal(contentIdOf(sampleCourse()), 'HarvardX+CS50x');
    assert.equal(contentIdOf(sampleCourseRun()), 'course-v1:MITx+6.00.1x+2T2025');
    assert.equal(contentIdOf(sampleProgram()), '9e4b2b4f-0a4c-4b55-9c8a-3c3a2f9b6d11');
    assert.throws(() => contentIdOf({ content_type: 'course' }));
  });

  void it('prefixes Executive Education title and description, once', () => {
    const once = withExecEdPrefix(sampleExecEdCourse());
    assert.equal(once['title'], 'ExecEd: Artificial Intelligence Strategy');
    assert.equal(once['full_description'], `${EXEC_ED_DESCRIPTION_PREFIX}<p>Learn how to <b>lead</b> AI initiatives.</p>`);
    assert.deepEqual(withExecEdPrefix(once), once);
    const plain = sampleCourse();
    assert.equal(withExecEdPrefix(plain), plain, 'other courses are untouched');
    assert.equal(sampleExecEdCourse()['title'], 'Artificial Intelligence Strategy', 'the input is not mutated');
  });

  void it('picks the advertised run, else the run starting closest to now', () => {
    assert.equal(representativeRun(sampleCourse(), SAMPLE_NOW)?.['uuid'], 'R2');
    const noAdvertised = sampleCourse({ advertised_course_run_uuid: null });
    assert.equal(representativeRun(noAdvertised, SAMPLE_NOW)?.['uuid'], 'R3', 'Sept 2025 is closer to March 2025 than Jan 2024');
    assert.equal(representativeRun(sampleCourseRun(), SAMPLE_NOW)?.['key'], 'course-v1:MITx+6.00.1x+2T2025');
    assert.equal(representativeRun(sampleProgram(), SAMPLE_NOW), undefined);
  });

  void it('decides whether a run is open for enrollment', () => {
    const runs = sampleCourse()['course_runs'] as Record<string, unknown>[];
    assert.deepEqual(runs.map((r) => isRunOpenForEnrollment(r, SAMPLE_NOW)), [false, true, false]);
    assert.equal(isRunOpenForEnrollment(sampleCourseRun(), SAMPLE_NOW), true);
    assert.equal(isRunOpenForEnrollment(sampleCourseRun(), new Date('2025-06-16T00:00:00Z')), false, 'enrollment ended June 15');
  });

  void it('prices: run seat price, advertised run, normalized content price for Exec Ed, program range; 0 when hidden', () => {
    assert.equal(itemPrice(sampleCourse(), SAMPLE_NOW), 299);
    assert.equal(itemPrice(sampleCourseRun(), SAMPLE_NOW), 149);
    assert.equal(itemPrice(sampleExecEdCourse(), SAMPLE_NOW), 2800);
    assert.equal(itemPrice(sampleProgram(), SAMPLE_NOW), 1350);
    assert.equal(itemPrice(sampleCourse({ advertised_course_run_uuid: 'nope' }), SAMPLE_NOW), 299, 'first open run');
    assert.equal(shownPrice(sampleCourse(), false, SAMPLE_NOW), 0);
    assert.equal(shownPrice(sampleCourse(), true, SAMPLE_NOW), 299);
  });

  void it('reads images, URLs, descriptions, organizations, dates and effort', () => {
    assert.match(imageUrlOf(sampleCourse()) ?? '', /da1b2400-small\.jpg$/);
    assert.match(imageUrlOf(sampleCourse({ image_url: null })) ?? '', /da1b2400\.jpg$/, 'falls back to image.src');
    assert.match(imageUrlOf(sampleProgram()) ?? '', /card_images/);
    assert.match(enrollmentUrlOf(sampleProgram()) ?? '', /^https:\/\/www\.edx\.org\/masters/, 'programs fall back to marketing_url');
    assert.equal(descriptionOf(sampleProgram()), sampleProgram()['subtitle']);
    assert.deepEqual(organizationLabels(sampleCourse()), ['HarvardX: Harvard University']);
    assert.deepEqual(ownerNames(sampleCourse()), ['Harvard University']);
    assert.deepEqual(ownerNames(sampleProgram()), ['Massachusetts Institute of Technology']);
    assert.deepEqual(itemDates(sampleCourse(), SAMPLE_NOW), { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2026-12-31T23:59:59Z') });
    assert.deepEqual(itemDates(sampleProgram(), SAMPLE_NOW), {});
    assert.deepEqual(effortOf(sampleCourse(), SAMPLE_NOW), { minEffort: 6, maxEffort: 18, weeks: 12 });
    assert.deepEqual(effortOf(sampleProgram(), SAMPLE_NOW), { minEffort: 10, maxEffort: 14, weeks: 16 });
  });
});
