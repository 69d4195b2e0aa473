/**
 * Sample catalog content items in enterprise-catalog's `get_content_metadata` item shape (the stored discovery JSON
 * plus `content_last_modified`, `enrollment_url`, `xapi_activity_id`, `active`, `parent_content_key`). Values are
 * illustrative. Every builder returns a fresh object, so tests may mutate what they get.
 */
import type { CatalogContentItem } from '../../src/channels/channel-adapter.js';

/** The clock the mapping tests use. R2 of the sample course is current, R3 upcoming, R1 archived. */
export const SAMPLE_NOW = new Date('2025-03-01T12:00:00Z');

const ENTERPRISE = '6ae013d4-c5c4-474d-8da9-0e559b2448e2';
const CATALOG = '7467c9d2-433c-4f7e-ba2e-c5c7798527b2';
const LMS = 'https://courses.example.edx.org';

function enrollUrl(runKey: string): string {
  return `${LMS}/enterprise/${ENTERPRISE}/course/${runKey}/enroll/?catalog=${CATALOG}&utm_medium=enterprise&utm_source=acme`;
}

/** A verified course with an archived, a current (advertised) and an upcoming run. */
export function sampleCourse(overrides: Partial<CatalogContentItem> = {}): CatalogContentItem {
  const key = 'HarvardX+CS50x';
  return {
    aggregation_key: `course:${key}`,
    content_type: 'course',
    key,
    uuid: 'da1b2400-322b-459b-97b0-0c557f05d017',
    title: "CS50's Introduction to Computer Science",
    short_description: '<p>An introduction to the intellectual enterprises of computer science.</p>',
    full_description:
      '<p>This is <strong>CS50x</strong>, Harvard&#39;s introduction to computer science &amp; the art of programming.</p><ul><li>C</li><li>Python</li></ul>',
    image_url: 'https://prod-discovery.edx-cdn.org/media/course/image/da1b2400-small.jpg',
    image: { src: 'https://prod-discovery.edx-cdn.org/media/course/image/da1b2400.jpg', description: null, height: null, width: null },
    card_image_url: null,
    video: { src: 'https://www.youtube.com/watch?v=cs50', description: null, image: null },
    course_type: 'verified-audit',
    level_type: 'Introductory',
    languages: ['English'],
    organizations: ['HarvardX: Harvard University'],
    owners: [{ uuid: '44022f13-20df-4666-9111-cede3e5dc5b6', key: 'HarvardX', name: 'Harvard University', logo_image_url: null }],
    subjects: [{ name: 'Computer Science', slug: 'computer-science' }],
    seat_types: ['audit', 'verified'],
    skill_names: ['Python (Programming Language)', 'Algorithms'],
    advertised_course_run_uuid: 'R2',
    course_run_keys: ['course-v1:HarvardX+CS50x+2023', 'course-v1:HarvardX+CS50x+2024', 'course-v1:HarvardX+CS50x+3T2025'],
    course_runs: [
      {
        key: 'course-v1:HarvardX+CS50x+2023',
        uuid: 'R1',
        start: '2023-01-01T00:00:00Z',
        end: '2023-12-31T23:59:59Z',
        enrollment_start: null,
        enrollment_end: null,
        pacing_type: 'self_paced',
        availability: 'Archived',
        status: 'published',
        is_enrollable: false,
        min_effort: 6,
        max_effort: 18,
        weeks_to_complete: 12,
        content_language: 'en-us',
        first_enrollable_paid_seat_price: 199,
        seats: [{ type: 'verified', price: '199.00', currency: 'USD', upgrade_deadline: '2023-12-21T23:59:59Z' }],
      },
      {
        key: 'course-v1:HarvardX+CS50x+2024',
        uuid: 'R2',
        start: '2024-01-01T00:00:00Z',
        end: '2026-12-31T23:59:59Z',
        enrollment_start: null,
        enrollment_end: null,
        pacing_type: 'self_paced',
        availability: 'Current',
        status: 'published',
        is_enrollable: true,
        min_effort: 6,
        max_effort: 18,
        weeks_to_complete: 12,
        content_language: 'en-us',
        first_enrollable_paid_seat_price: 299,
        enrollment_url: enrollUrl('course-v1:HarvardX+CS50x+2024'),
        seats: [
          { type: 'audit', price: '0.00', currency: 'USD', upgrade_deadline: null },
          { type: 'verified', price: '299.00', currency: 'USD', upgrade_deadline: '2026-12-21T23:59:59Z' },
        ],
      },
      {
        key: 'course-v1:HarvardX+CS50x+3T2025',
        uuid: 'R3',
        start: '2025-09-01T00:00:00Z',
        end: '2026-06-30T23:59:59Z',
        enrollment_start: '2025-03-15T00:00:00Z',
        enrollment_end: null,
        pacing_type: 'instructor_paced',
        availability: 'Upcoming',
        status: 'published',
        is_enrollable: false,
        min_effort: 4,
        max_effort: 8,
        weeks_to_complete: 10,
        content_language: 'en-us',
        first_enrollable_paid_seat_price: 349,
      },
    ],
    entitlements: [{ mode: 'verified', price: '299.00', currency: 'USD', sku: 'ABC1234', expires: null }],
    normalized_metadata: {
      start_date: '2024-01-01T00:00:00Z',
      end_date: '2026-12-31T23:59:59Z',
      enroll_start_date: null,
      enroll_by_date: '2026-12-21T23:59:59Z',
      content_price: 299.0,
    },
    product_source: { name: 'edX', slug: 'edx', description: 'Open courses' },
    marketing_url: 'https://www.edx.org/learn/computer-science/harvard-university-cs50?utm_medium=enterprise&utm_source=acme',
    enrollment_url: enrollUrl('course-v1:HarvardX+CS50x+2024'),
    xapi_activity_id: `${LMS}/xapi/activities/course/${key}`,
    active: true,
    parent_content_key: null,
    content_last_modified: '2025-02-20T10:11:12.345678Z',
    modified: '2025-02-20T10:11:12.345678Z',
    ...overrides,
  };
}

/** An instructor-paced Spanish course run that is open for enrollment and starts in June. */
export function sampleCourseRun(overrides: Partial<CatalogContentItem> = {}): CatalogContentItem {
  const key = 'course-v1:MITx+6.00.1x+2T2025';
  return {
    aggregation_key: 'courserun:MITx+6.00.1x',
    content_type: 'courserun',
    key,
    number: '6.00.1x',
    org: 'MITx',
    title: 'Introducción a la programación con Python',
    short_description: 'Aprenda a programar.',
    full_description: '<p>Un curso de <em>introducción</em>.</p>',
    image_url: 'https://prod-discovery.edx-cdn.org/media/course/image/mitx-600-small.jpg',
    marketing_url: 'https://www.edx.org/learn/python/mitx-6-00-1x?utm_medium=enterprise&utm_source=acme',
    start: '2025-06-01T00:00:00Z',
    end: '2025-09-01T00:00:00Z',
    enrollment_start: '2025-01-01T00:00:00Z',
    enrollment_end: '2025-06-15T00:00:00Z',
    availability: 'Starting Soon',
    is_enrollable: true,
    pacing_type: 'instructor_paced',
    min_effort: 6,
    max_effort: 10,
    weeks_to_complete: 9,
    language: 'Spanish',
    content_language: 'es',
    level_type: 'Intermediate',
    first_enrollable_paid_seat_price: 149,
    seat_types: ['audit', 'verified'],
    parent_content_key: 'MITx+6.00.1x',
    enrollment_url: enrollUrl(key),
    xapi_activity_id: `${LMS}/xapi/activities/courserun/${key}`,
    content_last_modified: '2025-02-21T08:00:00Z',
    ...overrides,
  };
}

/** A MicroMasters program: identified by uuid, no enrollment URL (enterprise-catalog sends null). */
export function sampleProgram(overrides: Partial<CatalogContentItem> = {}): CatalogContentItem {
  const uuid = '9e4b2b4f-0a4c-4b55-9c8a-3c3a2f9b6d11';
  return {
    aggregation_key: `program:${uuid}`,
    content_type: 'program',
    uuid,
    title: 'Statistics and Data Science',
    subtitle: 'Master the skills needed to be an informed and effective practitioner of data science.',
    type: 'MicroMasters',
    status: 'active',
    card_image_url: 'https://prod-discovery.edx-cdn.org/media/programs/card_images/9e4b2b4f.jpg',
    marketing_url: 'https://www.edx.org/masters/micromasters/mitx-statistics-and-data-science?utm_medium=enterprise&utm_source=acme',
    enrollment_url: null,
    authoring_organizations: [{ uuid: 'a1', key: 'MITx', name: 'Massachusetts Institute of Technology' }],
    language: ['English'],
    min_hours_effort_per_week: 10,
    max_hours_effort_per_week: 14,
    weeks_to_complete_min: 12,
    weeks_to_complete_max: 16,
    price_ranges: [{ currency: 'USD', min: 300, max: 300, total: 1350 }],
    courses: [{ key: 'MITx+6.431x', title: 'Probability', course_runs: [{ key: 'course-v1:MITx+6.431x+1T2025' }] }],
    content_last_modified: '2025-02-22T09:30:00Z',
    ...overrides,
  };
}

/** An Executive Education (GetSmarter) course: priced through its paid-executive-education entitlement. */
export function sampleExecEdCourse(overrides: Partial<CatalogContentItem> = {}): CatalogContentItem {
  const key = 'GetSmarterX+AI101';
  return {
    aggregation_key: `course:${key}`,
    content_type: 'course',
    key,
    uuid: 'e0e0e0e0-1111-2222-3333-444455556666',
    title: 'Artificial Intelligence Strategy',
    short_description: 'Lead AI initiatives.',
    full_description: '<p>Learn how to <b>lead</b> AI initiatives.</p>',
    image_url: 'https://prod-discovery.edx-cdn.org/media/course/image/e0e0e0e0-small.jpg',
    course_type: 'executive-education-2u',
    level_type: 'Advanced',
    owners: [{ key: 'MITx', name: 'MIT Sloan School of Management' }],
    organizations: ['MITx: MIT Sloan School of Management'],
    advertised_course_run_uuid: 'X1',
    course_runs: [
      {
        key: 'course-v1:GetSmarterX+AI101+1T2025',
        uuid: 'X1',
        start: '2025-04-01T00:00:00Z',
        end: '2025-05-27T00:00:00Z',
        pacing_type: 'instructor_paced',
        availability: 'Starting Soon',
        is_enrollable: true,
        weeks_to_complete: 8,
        min_effort: 6,
        max_effort: 8,
        first_enrollable_paid_seat_price: 0,
        fixed_price_usd: '2800.00',
      },
    ],
    entitlements: [{ mode: 'paid-executive-education', price: '2800.00', currency: 'USD', sku: 'EXEC1' }],
    normalized_metadata: { start_date: '2025-04-01T00:00:00Z', end_date: '2025-05-27T00:00:00Z', content_price: 2800.0 },
    product_source: { name: '2U', slug: '2u', description: '2U, Trilogy, Getsmarter -- external source for 2u courses and programs' },
    enrollment_url: `https://enterprise.edx.org/acme/executive-education-2u/course/${key}`,
    marketing_url: `https://www.edx.org/learn/ai/mit-ai-strategy?utm_medium=enterprise&utm_source=acme`,
    content_last_modified: '2025-02-23T11:00:00Z',
    ...overrides,
  };
}

/**
 * A simple, current course with a unique key, for transmission tests that need many distinct items. `version`
 * changes `content_last_modified` and the title, as an update upstream would.
 */
export function numberedCourse(n: number, version = 1): CatalogContentItem {
  const key = `edX+Demo${n}X`;
  return sampleCourse({
    key,
    aggregation_key: `course:${key}`,
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    title: `Demo course ${n}${version > 1 ? ` (v${version})` : ''}`,
    organizations: ['edX: edX Inc'],
    owners: [{ key: 'edX', name: 'edX Inc' }],
    enrollment_url: enrollUrl(`course-v1:edX+Demo${n}X+2024`),
    content_last_modified: new Date(Date.UTC(2025, 1, 1, 0, 0, version)).toISOString(),
  });
}
