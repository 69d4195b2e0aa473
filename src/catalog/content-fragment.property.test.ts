/**
 * The pre-serialised path must serve what the presenter serves: for generated rows and contexts, the spliced
 * JSON text parses to the presenter's item (as it reaches the wire, i.e. through JSON), with one fragment reused
 * across several catalogs and customers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { microsToIso } from './catalog-time.js';
import { buildContentFragment, ItemSplicer, JsonBody } from './content-fragment.js';
import {
  EXEC_ED_2U_COURSE_TYPE,
  EXEC_ED_2U_ENTITLEMENT_MODE,
  presentContentItem,
  type ContentPresenterContext,
  type JsonObject,
  type JsonValue,
} from './content-presenter.js';

const URLS = { lmsBaseUrl: 'https://lms.example.com', learnerPortalBaseUrl: 'https://lp.example.com', ecommerceBaseUrl: 'https://ecom.example.com' };
const RUN_KEYS = ['course-v1:A+B+1T', 'course-v1:A+B+2T', 'course-v1:A+B+3T', ''];
const RUN_UUIDS = ['r1', 'r2', 'r3'];
const US_2024 = 1_704_067_200_000_000;

const microsArb = fc.integer({ min: US_2024, max: US_2024 + 400 * 86_400_000_000 });
/** An optional member: absent, or one of the given values. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const smallJson = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>;

const runObjectArb = fc.record(
  {
    key: fc.oneof(fc.constantFrom(...RUN_KEYS), fc.integer()),
    uuid: fc.constantFrom(...RUN_UUIDS),
    status: fc.constantFrom('published', 'Published', 'unpublished', 5),
    is_enrollable: fc.oneof(fc.boolean(), fc.constant(null), fc.constant(1)),
    is_marketable: fc.boolean(),
    is_marketable_external: fc.oneof(fc.boolean(), fc.constant('')),
    parent_content_key: fc.string(),
    enrollment_url: fc.oneof(fc.string(), fc.constant(null)),
    extra: smallJson,
  },
  { requiredKeys: ['uuid'] },
);
/** Mostly run objects (with or without a string key), sometimes any JSON value. */
const runArb: fc.Arbitrary<JsonValue> = fc.oneof({ weight: 6, arbitrary: runObjectArb }, { weight: 1, arbitrary: smallJson });

const jsonArb: fc.Arbitrary<JsonObject> = fc
  .record(
    {
      key: fc.oneof(fc.constantFrom('A+B', ''), fc.integer()),
      title: fc.string(),
      marketing_url: fc.oneof(
        fc.constantFrom('https://www.example.com/course/a-b', 'https://www.example.com/c?utm_source=x&b=2', '', 'not a url'),
        fc.constant(null),
      ),
      product_source: fc.oneof(fc.constantFrom('edx', ''), fc.record({ name: fc.string() }), fc.constant(null)),
      course_type: fc.constantFrom(EXEC_ED_2U_COURSE_TYPE, 'verified-audit', 'audit'),
      entitlements: fc.oneof(
        fc.array(
          fc.record(
            { mode: fc.constantFrom(EXEC_ED_2U_ENTITLEMENT_MODE, 'verified'), sku: fc.oneof(fc.constantFrom('SKU1', 'SKU2', ''), fc.constant(null)), price: fc.string() },
            { requiredKeys: ['mode'] },
          ),
          { maxLength: 3 },
        ),
        smallJson,
      ),
      advertised_course_run_uuid: fc.oneof(fc.constantFrom(...RUN_UUIDS, 'missing'), fc.constant(null)),
      course_runs: fc.oneof({ weight: 5, arbitrary: fc.array(runArb, { maxLength: 4 }) }, { weight: 1, arbitrary: smallJson }),
      // Stored members the presenter replaces or keeps depending on the context.
      enrollment_url: fc.string(),
      xapi_activity_id: smallJson,
      content_last_modified: fc.string(),
      active: smallJson,
      parent_content_key: fc.string(),
      extra: fc.dictionary(fc.string({ maxLength: 6 }), smallJson, { maxKeys: 4 }),
    },
    { requiredKeys: [] },
  )
  .map((o) => o as JsonObject);

const rowArb = fc.record({
  contentKey: fc.constantFrom('A+B', 'course-v1:A+B+1T', ''),
  contentType: fc.constantFrom('course', 'course', 'course', 'courserun', 'program', 'learnerpathway'),
  parentContentKey: fc.oneof(fc.constant(null), fc.constantFrom('A+B', '')),
  jsonMetadata: jsonArb,
  modifiedUs: microsArb,
});

const ctxArb: fc.Arbitrary<ContentPresenterContext> = fc
  .record({
    catalog: fc.option(
      fc.record({
        uuid: fc.constantFrom('7467c9d2-433c-4f7e-ba2e-c5c7798527b2', '11111111-2222-4333-8444-555555555555'),
        enterpriseUuid: fc.constant('12aacfee-8ffa-4cb3-bed1-059565a57f06'),
        enterpriseName: fc.constantFrom('Acme Corp, Inc.', '', 'Ünïcode & Co'),
        publishAuditEnrollmentUrls: fc.boolean(),
        modified: microsArb.map(microsToIso),
      }),
      { nil: null },
    ),
    customer: fc.option(
      fc.record({
        slug: fc.option(fc.constantFrom('acme', 'a b'), { nil: null }),
        enableLearnerPortal: fc.boolean(),
        modified: fc.option(microsArb.map(microsToIso), { nil: null }),
      }),
      { nil: null },
    ),
    skipCustomerFetch: maybe(fc.boolean()),
    children: fc.subarray(RUN_KEYS),
    withChildren: fc.boolean(),
  })
  .map(({ children, withChildren, ...rest }) => ({
    ...rest,
    urls: URLS,
    ...(withChildren ? { childKeysOf: (key: string) => (key === 'A+B' || key === '' ? children : []) } : {}),
  }));

/** What the presenter puts on the wire today. */
function viaPresenter(row: { modifiedUs: number } & Omit<Parameters<typeof presentContentItem>[0], 'modified'>, ctx: ContentPresenterContext): unknown {
  return JSON.parse(JSON.stringify(presentContentItem({ ...row, modified: microsToIso(row.modifiedUs) }, ctx)));
}

describe('pre-serialised content items', () => {
  it('parse to exactly what presentContentItem returns, for any row and context, one fragment serving several contexts in turn', () => {
    fc.assert(
      fc.property(rowArb, fc.array(ctxArb, { minLength: 1, maxLength: 4 }), (row, contexts) => {
        const fragment = buildContentFragment(row);
        // Each context twice in a row: the second write reuses the splice the fragment remembered for it.
        contexts.forEach((ctx, i) => {
          for (const contextKey of [null, `context ${i}`, `context ${i}`]) {
            const body = new JsonBody();
            new ItemSplicer(ctx, contextKey).write(fragment, row.modifiedUs, body);
            assert.deepStrictEqual(JSON.parse(body.toBuffer().toString('utf8')), viaPresenter(row, ctx));
          }
        });
      }),
      { numRuns: 1500 },
    );
  });

  it('join into a valid list with the items in order', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 6 }), ctxArb, (rows, ctx) => {
        const body = new JsonBody();
        const splicer = new ItemSplicer(ctx);
        body.text('{"results":[');
        rows.forEach((row, i) => {
          if (i > 0) body.text(',');
          splicer.write(buildContentFragment(row), row.modifiedUs, body);
        });
        body.text(']}');
        assert.deepStrictEqual(JSON.parse(body.toBuffer().toString('utf8')), { results: rows.map((row) => viaPresenter(row, ctx)) });
      }),
      { numRuns: 200 },
    );
  });

  it('splice a nested run only when it exists as a row', () => {
    const row = {
      contentKey: 'A+B',
      contentType: 'course',
      parentContentKey: null,
      modifiedUs: US_2024,
      jsonMetadata: { key: 'A+B', course_runs: [{ key: 'course-v1:A+B+1T', uuid: 'r1' }, { key: 'course-v1:A+B+2T', uuid: 'r2' }] },
    };
    const ctx: ContentPresenterContext = {
      urls: URLS,
      catalog: { uuid: 'c', enterpriseUuid: 'e', enterpriseName: 'Acme', publishAuditEnrollmentUrls: false, modified: microsToIso(US_2024) },
      customer: { slug: 'acme', enableLearnerPortal: true, modified: null },
      childKeysOf: () => ['course-v1:A+B+2T'],
    };
    const body = new JsonBody();
    new ItemSplicer(ctx).write(buildContentFragment(row), row.modifiedUs, body);
    const item = JSON.parse(body.toBuffer().toString('utf8')) as { course_runs: JsonObject[] };
    assert.deepStrictEqual(item.course_runs[0], { key: 'course-v1:A+B+1T', uuid: 'r1' });
    assert.deepStrictEqual(item.course_runs[1], {
      key: 'course-v1:A+B+2T',
      uuid: 'r2',
      parent_content_key: 'A+B',
      enrollment_url: 'https://lp.example.com/acme/course/A+B?course_run_key=course-v1%3AA%2BB%2B2T&utm_medium=enterprise&utm_source=acme',
    });
  });
});
