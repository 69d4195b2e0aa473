import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  activeContentSqlPredicate,
  type ContentPresenterContext,
  contentLastModified,
  isContentActive,
  isCourseRunActive,
  type JsonObject,
  type PresentableContent,
  presentCatalog,
  presentContentItem,
} from './content-presenter.js';

const LMS = 'https://lms.example.com';
const LP = 'https://learner.example.com';
const ECOM = 'https://ecommerce.example.com';
const CATALOG_UUID = '7467c9d2-433c-4f7e-ba2e-c5c7798527b2';
const ENTERPRISE_UUID = '12aacfee-8ffa-4cb3-bed1-059565a57f06';
const UTM = 'utm_medium=enterprise&utm_source=acme-corp-inc';

const catalog = {
  uuid: CATALOG_UUID,
  enterpriseUuid: ENTERPRISE_UUID,
  enterpriseName: 'Acme Corp, Inc.',
  publishAuditEnrollmentUrls: false,
  modified: '2024-02-01T00:00:00Z',
};
const customer = (enableLearnerPortal: boolean) => ({
  slug: 'acme',
  enableLearnerPortal,
  modified: '2024-03-01T00:00:00.123456Z',
});
const ctx = (enableLearnerPortal: boolean, over: Partial<ContentPresenterContext> = {}): ContentPresenterContext => ({
  urls: { lmsBaseUrl: LMS, learnerPortalBaseUrl: LP, ecommerceBaseUrl: ECOM },
  catalog,
  customer: customer(enableLearnerPortal),
  childKeysOf: (key) => (key === 'edX+DemoX' ? ['course-v1:edX+DemoX+1T2024', 'course-v1:edX+DemoX+2T2024'] : []),
  ...over,
});

const activeRun = (key: string, uuid: string): JsonObject => ({
  key,
  uuid,
  status: 'published',
  is_enrollable: true,
  is_marketable: true,
  availability: 'Current',
});

const courseRow: PresentableContent = {
  contentKey: 'edX+DemoX',
  contentType: 'course',
  parentContentKey: null,
  modified: '2024-01-01T00:00:00Z',
  jsonMetadata: {
    key: 'edX+DemoX',
    uuid: 'c0000000-0000-4000-8000-000000000001',
    aggregation_key: 'course:edX+DemoX',
    content_type: 'course',
    title: 'Demo',
    marketing_url: 'https://www.edx.org/learn/demo?utm_source=edx',
    product_source: 'edx',
    course_type: 'verified-audit',
    advertised_course_run_uuid: 'r2',
    course_runs: [
      activeRun('course-v1:edX+DemoX+1T2024', 'r1'),
      activeRun('course-v1:edX+DemoX+2T2024', 'r2'),
      activeRun('course-v1:edX+DemoX+Orphan', 'r3'), // not a row: no URL
    ],
  },
};

const runRow: PresentableContent = {
  contentKey: 'course-v1:edX+DemoX+1T2024',
  contentType: 'courserun',
  parentContentKey: 'edX+DemoX',
  modified: '2024-01-01T00:00:00Z',
  jsonMetadata: { key: 'course-v1:edX+DemoX+1T2024', content_type: 'courserun', status: 'published' },
};

const programRow: PresentableContent = {
  contentKey: 'p0000000-0000-4000-8000-000000000001',
  contentType: 'program',
  parentContentKey: null,
  modified: '2024-01-01T00:00:00Z',
  jsonMetadata: {
    uuid: 'p0000000-0000-4000-8000-000000000001',
    content_type: 'program',
    marketing_url: 'https://www.edx.org/masters/x',
  },
};

const execEdRow: PresentableContent = {
  contentKey: 'ExecX+Lead',
  contentType: 'course',
  parentContentKey: null,
  modified: '2024-01-01T00:00:00Z',
  jsonMetadata: {
    key: 'ExecX+Lead',
    course_type: 'executive-education-2u',
    entitlements: [
      { mode: 'verified', sku: 'VERIFIED1' },
      { mode: 'paid-executive-education', sku: 'EXEC123' },
    ],
    course_runs: [activeRun('course-v1:ExecX+Lead+1', 'x1')],
  },
};

void describe('presentContentItem — course and runs (acceptance 13)', () => {
  void it('builds the non-learner-portal form', () => {
    const item = presentContentItem(courseRow, ctx(false));
    assert.equal(item.parent_content_key, null);
    assert.equal(item.content_last_modified, '2024-03-01T00:00:00.123456Z');
    assert.equal(item.marketing_url, `https://www.edx.org/learn/demo?${UTM}`);
    assert.deepEqual(item.product_source, { name: 'edx', slug: null, description: null });
    // The course URL uses the advertised run (r2) per reference §2.10 rule 4.
    assert.equal(
      item.enrollment_url,
      `${LMS}/enterprise/${ENTERPRISE_UUID}/course/course-v1:edX+DemoX+2T2024/enroll/?catalog=${CATALOG_UUID}&${UTM}`,
    );
    assert.equal(item.xapi_activity_id, `${LMS}/xapi/activities/course/edX+DemoX`);
    assert.equal(item.active, true);
    const runs = item.course_runs as JsonObject[];
    assert.deepEqual(runs[0], {
      ...activeRun('course-v1:edX+DemoX+1T2024', 'r1'),
      parent_content_key: 'edX+DemoX',
      enrollment_url: `${LMS}/enterprise/${ENTERPRISE_UUID}/course/course-v1:edX+DemoX+1T2024/enroll/?catalog=${CATALOG_UUID}&${UTM}`,
    });
    assert.deepEqual(runs[2], activeRun('course-v1:edX+DemoX+Orphan', 'r3'));
    // Key order as upstream's serializer adds them.
    assert.deepEqual(Object.keys(item).slice(-5), [
      'parent_content_key',
      'content_last_modified',
      'enrollment_url',
      'xapi_activity_id',
      'active',
    ]);
    // The stored row is not mutated.
    assert.equal((courseRow.jsonMetadata.course_runs as JsonObject[])[0]?.enrollment_url, undefined);
  });

  void it('builds the learner-portal form', () => {
    const item = presentContentItem(courseRow, ctx(true));
    assert.equal(item.enrollment_url, `${LP}/acme/course/edX+DemoX?${UTM}`);
    const runs = item.course_runs as JsonObject[];
    assert.equal(
      runs[1]?.enrollment_url,
      `${LP}/acme/course/edX+DemoX?course_run_key=course-v1%3AedX%2BDemoX%2B2T2024&${UTM}`,
    );
  });

  void it('falls back to the course key when the advertised run does not resolve', () => {
    const row = { ...courseRow, jsonMetadata: { ...courseRow.jsonMetadata, advertised_course_run_uuid: 'nope' } };
    assert.equal(
      presentContentItem(row, ctx(false)).enrollment_url,
      `${LMS}/enterprise/${ENTERPRISE_UUID}/course/edX+DemoX/enroll/?catalog=${CATALOG_UUID}&${UTM}`,
    );
  });

  void it('serves a course run in both forms', () => {
    assert.equal(
      presentContentItem(runRow, ctx(false)).enrollment_url,
      `${LMS}/enterprise/${ENTERPRISE_UUID}/course/course-v1:edX+DemoX+1T2024/enroll/?catalog=${CATALOG_UUID}&${UTM}`,
    );
    const item = presentContentItem(runRow, ctx(true));
    assert.equal(item.enrollment_url, `${LP}/acme/course/edX+DemoX?course_run_key=course-v1%3AedX%2BDemoX%2B1T2024&${UTM}`);
    assert.equal(item.xapi_activity_id, `${LMS}/xapi/activities/courserun/course-v1:edX+DemoX+1T2024`);
    assert.equal(item.parent_content_key, 'edX+DemoX');
    assert.equal(item.active, undefined);
  });

  void it('adds audit=true when the catalog publishes audit enrollment URLs', () => {
    const item = presentContentItem(runRow, ctx(false, { catalog: { ...catalog, publishAuditEnrollmentUrls: true } }));
    assert.equal(
      item.enrollment_url,
      `${LMS}/enterprise/${ENTERPRISE_UUID}/course/course-v1:edX+DemoX+1T2024/enroll/?audit=true&catalog=${CATALOG_UUID}&${UTM}`,
    );
  });

  void it('omits utm_source when the enterprise name is empty', () => {
    const item = presentContentItem(runRow, ctx(true, { catalog: { ...catalog, enterpriseName: '' } }));
    assert.equal(
      item.enrollment_url,
      `${LP}/acme/course/edX+DemoX?course_run_key=course-v1%3AedX%2BDemoX%2B1T2024&utm_medium=enterprise`,
    );
  });

  void it('honours skip_customer_fetch: null URLs, no nested URLs, customer.modified ignored', () => {
    const item = presentContentItem(courseRow, ctx(true, { skipCustomerFetch: true }));
    assert.equal(item.enrollment_url, null);
    assert.equal(item.content_last_modified, '2024-02-01T00:00:00Z');
    assert.equal(item.xapi_activity_id, `${LMS}/xapi/activities/course/edX+DemoX`);
    assert.deepEqual(item.course_runs, courseRow.jsonMetadata.course_runs);
  });

  void it('behaves as "portal off, slug None" when the customer record is unavailable', () => {
    const item = presentContentItem(runRow, ctx(true, { customer: null }));
    assert.equal(
      item.enrollment_url,
      `${LMS}/enterprise/${ENTERPRISE_UUID}/course/course-v1:edX+DemoX+1T2024/enroll/?catalog=${CATALOG_UUID}&${UTM}`,
    );
  });

  void it('adds no catalog-dependent fields without a catalog context', () => {
    const item = presentContentItem(courseRow, ctx(true, { catalog: null }));
    assert.equal(item.marketing_url, courseRow.jsonMetadata.marketing_url);
    assert.equal('enrollment_url' in item, false);
    assert.equal('xapi_activity_id' in item, false);
    assert.equal(item.active, true);
    assert.equal(item.content_last_modified, '2024-01-01T00:00:00Z');
  });
});

void describe('presentContentItem — programs, pathways, exec-ed', () => {
  void it('gives programs enrollment_url null and a UTM marketing_url', () => {
    const item = presentContentItem(programRow, ctx(true));
    assert.equal(item.enrollment_url, null);
    assert.equal(item.marketing_url, `https://www.edx.org/masters/x?${UTM}`);
    assert.equal('xapi_activity_id' in item, false);
  });

  void it('adds nothing type-specific to learner pathways', () => {
    const row: PresentableContent = { ...programRow, contentType: 'learnerpathway', jsonMetadata: { name: 'Path' } };
    assert.deepEqual(presentContentItem(row, ctx(true)), {
      name: 'Path',
      parent_content_key: null,
      content_last_modified: '2024-03-01T00:00:00.123456Z',
    });
  });

  void it('uses the exec-ed learner-portal path and gives runs no URLs', () => {
    const item = presentContentItem(execEdRow, ctx(true));
    assert.equal(item.enrollment_url, `${LP}/acme/executive-education-2u/course/ExecX+Lead?${UTM}`);
    assert.deepEqual(item.course_runs, execEdRow.jsonMetadata.course_runs);
  });

  void it('uses proxy login to the checkout with the exec-ed sku without a portal', () => {
    const item = presentContentItem(execEdRow, ctx(false, { urls: { lmsBaseUrl: `${LMS}/path`, learnerPortalBaseUrl: LP, ecommerceBaseUrl: ECOM } }));
    assert.equal(
      item.enrollment_url,
      `${LMS}/enterprise/proxy-login/?enterprise_slug=acme&next=${ECOM}/executive-education-2u/checkout?sku=EXEC123&${UTM}`,
    );
  });

  void it('gives an exec-ed course without a paid-executive-education sku no URL', () => {
    const row = { ...execEdRow, jsonMetadata: { ...execEdRow.jsonMetadata, entitlements: [{ mode: 'verified', sku: 'V' }] } };
    assert.equal(presentContentItem(row, ctx(false)).enrollment_url, null);
  });
});

void describe('content_last_modified / date_updated (acceptance 12)', () => {
  void it('takes the latest of content, catalog and customer', () => {
    const a = '2024-01-01T00:00:00Z';
    const b = '2024-01-02T00:00:00Z';
    const c = '2024-01-03T00:00:00.000001Z';
    assert.equal(contentLastModified(c, a, b), '2024-01-03T00:00:00.000001Z'); // content wins
    assert.equal(contentLastModified(a, c, b), '2024-01-03T00:00:00.000001Z'); // catalog wins
    assert.equal(contentLastModified(a, b, c), '2024-01-03T00:00:00.000001Z'); // customer wins
    assert.equal(contentLastModified(b, null, null), '2024-01-02T00:00:00Z');
    assert.equal(contentLastModified(new Date('2024-01-05T10:00:00Z'), a, null), '2024-01-05T10:00:00Z');
  });
});

void describe('active rule (§2.4)', () => {
  const course = (runs: unknown): Pick<PresentableContent, 'contentType' | 'jsonMetadata'> => ({
    contentType: 'course',
    jsonMetadata: runs === undefined ? {} : ({ course_runs: runs } as JsonObject),
  });

  void it('excludes a course whose runs are all non-enrollable and non-marketable', () => {
    const inactive = course([
      { status: 'published', is_enrollable: false, is_marketable: false },
      { status: 'unpublished', is_enrollable: false, is_marketable: false },
    ]);
    assert.equal(isContentActive(inactive), false);
    assert.equal(presentContentItem({ ...courseRow, ...inactive }, ctx(true)).active, false);
  });

  void it('follows is_course_run_active', () => {
    assert.equal(isCourseRunActive({ status: 'Published', is_enrollable: true, is_marketable: true }), true);
    assert.equal(isCourseRunActive({ status: 'published', is_enrollable: true, is_marketable: false }), false);
    assert.equal(isCourseRunActive({ status: 'unpublished', is_enrollable: true, is_marketable_external: true }), true);
    assert.equal(isCourseRunActive({ status: 'published', is_marketable: true, is_marketable_external: true }), false);
    assert.equal(isCourseRunActive({ status: 'published', is_enrollable: 1, is_marketable: 'yes' }), true);
    assert.equal(isCourseRunActive({ status: 7, is_enrollable: true, is_marketable: true }), false);
    assert.equal(isCourseRunActive(null), false);
  });

  void it('keeps non-course content and drops courses without runs', () => {
    assert.equal(isContentActive({ contentType: 'program', jsonMetadata: {} }), true);
    assert.equal(isContentActive({ contentType: 'courserun', jsonMetadata: { is_enrollable: false } }), true);
    assert.equal(isContentActive(course(undefined)), false);
    assert.equal(isContentActive(course(null)), false);
    assert.equal(isContentActive(course([])), false);
  });

  void it('renders a SQL predicate over the given columns', () => {
    const sql = activeContentSqlPredicate({ contentType: 'cm.content_type', jsonMetadata: 'cm.json_metadata' });
    assert.match(sql, /^\(cm\.content_type <> 'course' or exists \(/);
    assert.match(sql, /jsonb_array_elements/);
  });
});

void describe('presentCatalog (§2.1 read shape)', () => {
  void it('renders upstream datetimes and null query fields by default', () => {
    const body = presentCatalog(
      { uuid: CATALOG_UUID, title: 'All', enterpriseUuid: ENTERPRISE_UUID, modified: '2024-05-01 12:00:00.5+00' },
      { contentLastModified: new Date('2024-04-30T08:00:00Z') },
    );
    assert.deepEqual(body, {
      uuid: CATALOG_UUID,
      title: 'All',
      enterprise_customer: ENTERPRISE_UUID,
      catalog_query_uuid: null,
      content_last_modified: '2024-04-30T08:00:00Z',
      catalog_modified: '2024-05-01T12:00:00.500000Z',
      query_title: null,
    });
    assert.equal(
      presentCatalog(
        { uuid: CATALOG_UUID, title: 'All', enterpriseUuid: ENTERPRISE_UUID, modified: '2024-05-01T12:00:00Z' },
        { contentLastModified: null, queryTitle: 'Subscription' },
      ).query_title,
      'Subscription',
    );
  });
});
