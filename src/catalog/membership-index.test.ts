import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { catalogMemberEntries, MemberEntriesCache, parseDiffAnswer, writeDiffAnswer, type DiffAnswer } from './diff-answer.js';
import { createMembershipIndex, type IndexContentRow, type MembershipIndex, parseUuid } from './membership-index.js';

const ENT_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const ENT_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const CAT_1 = '10000000-0000-4000-8000-000000000001';
const CAT_2 = '20000000-0000-4000-8000-000000000002';
const CAT_NO_QUERY = '30000000-0000-4000-8000-000000000003';
const CAT_B = '40000000-0000-4000-8000-000000000004';

const course = (id: number, key: string, uuid: string | null = null): IndexContentRow => ({
  id,
  contentKey: key,
  contentType: 'course',
  parentContentKey: null,
  contentUuid: uuid,
});
const run = (id: number, key: string, parent: string): IndexContentRow => ({
  id,
  contentKey: key,
  contentType: 'courserun',
  parentContentKey: parent,
  contentUuid: null,
});
const program = (id: number, uuid: string): IndexContentRow => ({
  id,
  contentKey: uuid,
  contentType: 'program',
  parentContentKey: null,
  contentUuid: uuid,
});

const DEMO_UUID = 'd0000000-0000-4000-8000-00000000000d';
const PROGRAM_UUID = 'e0000000-0000-4000-8000-00000000000e';

/**
 * Query 1 holds course edX+DemoX (not its runs) and a program; query 2 holds two runs of HarvardX+CS50 (not the
 * course row) and run MITx+6.00x+1T; query 3 (enterprise B) holds edX+DemoX and the CS50 course.
 * Runs of edX+DemoX exist as rows (needed for the run→course rule); course-v1:edX+DemoX+Ghost does not.
 */
function fixture(): MembershipIndex {
  const index = createMembershipIndex();
  index.load({
    contents: [
      course(1, 'edX+DemoX', DEMO_UUID),
      run(2, 'course-v1:edX+DemoX+1T2024', 'edX+DemoX'),
      run(3, 'course-v1:edX+DemoX+2T2024', 'edX+DemoX'),
      course(4, 'HarvardX+CS50'),
      run(5, 'course-v1:HarvardX+CS50+2024', 'HarvardX+CS50'),
      run(6, 'course-v1:HarvardX+CS50+2025', 'HarvardX+CS50'),
      program(7, PROGRAM_UUID),
      run(8, 'course-v1:MITx+6.00x+1T', 'MITx+6.00x'), // its course has no row
      course(9, 'Other+Course'),
    ],
    memberships: [
      { queryId: 1, contentIds: [1, 7] },
      { queryId: 2, contentIds: [5, 6, 8] },
      { queryId: 3, contentIds: [1, 4] },
    ],
    catalogs: [
      { uuid: CAT_1, enterpriseUuid: ENT_A, queryId: 1 },
      { uuid: CAT_2, enterpriseUuid: ENT_A, queryId: 2 },
      { uuid: CAT_NO_QUERY, enterpriseUuid: ENT_A, queryId: null },
      { uuid: CAT_B, enterpriseUuid: ENT_B, queryId: 3 },
    ],
  });
  return index;
}

void describe('catalogContains (§2.2, acceptance 8)', () => {
  const index = fixture();

  void it('is false for a catalog without a query and for an unknown catalog', () => {
    assert.equal(index.catalogContains(CAT_NO_QUERY, ['edX+DemoX']), false);
    assert.equal(index.catalogContains('99999999-0000-4000-8000-000000000009', ['edX+DemoX']), false);
  });

  void it('matches an exact key, and ANY key of several', () => {
    assert.equal(index.catalogContains(CAT_1, ['edX+DemoX']), true);
    assert.equal(index.catalogContains(CAT_1, [PROGRAM_UUID]), true);
    assert.equal(index.catalogContains(CAT_1, ['nope', 'edX+DemoX']), true);
  });

  void it('treats a comma-joined value as one literal key', () => {
    assert.equal(index.catalogContains(CAT_1, ['edX+DemoX,HarvardX+CS50']), false);
  });

  void it('matches the parent key of a catalog run', () => {
    assert.equal(index.catalogContains(CAT_2, ['HarvardX+CS50']), true);
    assert.equal(index.catalogContains(CAT_2, ['MITx+6.00x']), true); // parent need not exist as a row
  });

  void it('matches a run key whose course is in the catalog, if the run exists as a row', () => {
    assert.equal(index.catalogContains(CAT_1, ['course-v1:edX+DemoX+1T2024']), true);
    assert.equal(index.catalogContains(CAT_1, ['course-v1:edX+DemoX+Ghost']), false);
  });

  void it('is false for unrelated keys and for no keys', () => {
    assert.equal(index.catalogContains(CAT_1, ['Other+Course']), false);
    assert.equal(index.catalogContains(CAT_1, []), false);
    // Sibling run: the catalog holds run 5 of CS50, not run 6's course — but run 6 is itself a member.
    assert.equal(index.catalogContains(CAT_2, ['course-v1:HarvardX+CS50+2025']), true);
  });

  void it('accepts the catalog uuid in any case', () => {
    assert.equal(index.catalogContains(CAT_1.toUpperCase(), ['edX+DemoX']), true);
  });
});

void describe('matchingContentIds (§2.4 content_keys)', () => {
  const index = fixture();

  void it('returns the course for a run key when the catalog holds the course', () => {
    assert.deepEqual(index.matchingContentIds(CAT_1, ['course-v1:edX+DemoX+2T2024']), [1]);
  });

  void it('returns the runs for a course key when the catalog holds runs', () => {
    assert.deepEqual(index.matchingContentIds(CAT_2, ['HarvardX+CS50']), [5, 6]);
  });

  void it('returns exactly the requested half of a catalog', () => {
    assert.deepEqual(index.matchingContentIds(CAT_B, ['edX+DemoX']), [1]);
    assert.deepEqual(index.matchingContentIds(CAT_B, ['edX+DemoX', 'HarvardX+CS50', 'zzz']), [1, 4]);
  });

  void it('is empty without keys; catalogMemberIds gives the whole catalog', () => {
    assert.deepEqual(index.matchingContentIds(CAT_1, []), []);
    assert.deepEqual([...index.catalogMemberIds(CAT_2)], [5, 6, 8]);
    assert.deepEqual([...index.catalogMemberIds(CAT_NO_QUERY)], []);
  });
});

void describe('customerContains (§2.3, acceptance 9)', () => {
  const index = fixture();

  void it('finds a key held by the customer second catalog, without a list unless asked', () => {
    assert.deepEqual(index.customerContains(ENT_A, ['course-v1:MITx+6.00x+1T']), { contains: true });
    assert.deepEqual(index.customerContains(ENT_A, ['nope']), { contains: false });
  });

  void it('lists every catalog containing any key when asked', () => {
    assert.deepEqual(index.customerContains(ENT_A, ['edX+DemoX'], { withCatalogList: true }), {
      contains: true,
      catalogList: [CAT_1],
    });
    assert.deepEqual(index.customerContains(ENT_A, ['edX+DemoX', 'HarvardX+CS50'], { withCatalogList: true }), {
      contains: true,
      catalogList: [CAT_1, CAT_2],
    });
    assert.deepEqual(index.customerContains(ENT_A, ['nope'], { withCatalogList: true }), {
      contains: false,
      catalogList: [],
    });
  });

  void it('finds a parent key whose runs sit in two catalogs', () => {
    const local = fixture();
    local.applyMembership(1, [1, 7, 5]); // catalog 1 now also holds a CS50 run
    assert.deepEqual(local.customerContains(ENT_A, ['HarvardX+CS50'], { withCatalogList: true }), {
      contains: true,
      catalogList: [CAT_1, CAT_2],
    });
  });

  void it("never looks at another customer's catalogs", () => {
    assert.deepEqual(index.customerContains(ENT_B, ['course-v1:MITx+6.00x+1T'], { withCatalogList: true }), {
      contains: false,
      catalogList: [],
    });
    assert.deepEqual(index.customerContains('cccccccc-0000-4000-8000-000000000003', ['edX+DemoX']), {
      contains: false,
    });
  });
});

void describe('filterContentItems (§2.3, acceptance 10)', () => {
  const index = fixture();

  void it('returns [] for keys outside the customer catalogs', () => {
    assert.deepEqual(index.filterContentItems(ENT_A, ['Other+Course', 'nope']), []);
  });

  void it('returns a key held by any customer catalog, by content key or parent key', () => {
    assert.deepEqual(index.filterContentItems(ENT_A, ['nope', 'course-v1:MITx+6.00x+1T', 'HarvardX+CS50']), [
      'course-v1:MITx+6.00x+1T',
      'HarvardX+CS50',
    ]);
  });

  void it('does not infer run → course', () => {
    assert.deepEqual(index.filterContentItems(ENT_A, ['course-v1:edX+DemoX+1T2024']), []);
  });

  void it('returns a parent key present in two catalogs once', () => {
    const local = fixture();
    local.applyMembership(1, [1, 7, 5]);
    assert.deepEqual(local.filterContentItems(ENT_A, ['HarvardX+CS50', 'HarvardX+CS50']), ['HarvardX+CS50']);
  });

  void it('limits the search to the given catalogs, ignoring other customers’ catalogs (deviation)', () => {
    assert.deepEqual(index.filterContentItems(ENT_A, ['edX+DemoX', 'HarvardX+CS50'], [CAT_2]), ['HarvardX+CS50']);
    assert.deepEqual(index.filterContentItems(ENT_A, ['edX+DemoX', 'HarvardX+CS50'], []), [
      'edX+DemoX',
      'HarvardX+CS50',
    ]);
    // Upstream would search CAT_B here although it belongs to enterprise B.
    assert.deepEqual(index.filterContentItems(ENT_A, ['edX+DemoX'], [CAT_B]), []);
  });
});

/** Content `modified` per id (µs) for the diff tests: distinct per row, so `date_updated` tells which row was found. */
const modifiedById = (id: number): number => id * 1000;

/**
 * `generate_diff` as the service computes it from the index (catalogMemberEntries → writeDiffAnswer), read back as the
 * object in-process callers get (parseDiffAnswer). `floorUs` stands for the catalog/customer `modified`.
 */
function diffOf(
  index: MembershipIndex,
  catalogUuid: string,
  keys: readonly string[],
  opts: { modifiedUsOf?: (id: number) => number | undefined; floorUs?: number; cache?: MemberEntriesCache } = {},
): DiffAnswer {
  const members = catalogMemberEntries(index, catalogUuid, {
    cache: opts.cache ?? new MemberEntriesCache(1 << 20),
    version: index.version,
    modifiedUsOf: opts.modifiedUsOf ?? modifiedById,
  });
  return parseDiffAnswer(writeDiffAnswer({ members, requested: keys, floorUs: opts.floorUs ?? 0, format: (us) => `T${us}` }));
}

const entry = (key: string) => ({ content_key: key });

void describe('generate_diff over the index (§2.5, acceptance 11)', () => {
  const index = createMembershipIndex();
  index.load({
    contents: [course(1, 'k1'), course(2, 'k2'), course(3, 'k3'), course(4, 'k4'), run(5, 'k1-run', 'k1')],
    memberships: [{ queryId: 1, contentIds: [1, 2, 3, 4] }],
    catalogs: [
      { uuid: CAT_1, enterpriseUuid: ENT_A, queryId: 1 },
      { uuid: CAT_NO_QUERY, enterpriseUuid: ENT_A, queryId: null },
    ],
  });

  void it('splits 2 present + 2 bogus keys over 4 items', () => {
    assert.deepEqual(diffOf(index, CAT_1, ['k1', 'bogus1', 'k3', 'bogus2']), {
      items_not_found: [entry('bogus1'), entry('bogus2')],
      items_not_included: [entry('k2'), entry('k4')],
      items_found: [
        { content_key: 'k1', date_updated: 'T1000' },
        { content_key: 'k3', date_updated: 'T3000' },
      ],
    });
  });

  void it('puts everything in items_not_included for no keys', () => {
    assert.deepEqual(diffOf(index, CAT_1, []), {
      items_not_found: [],
      items_not_included: [entry('k1'), entry('k2'), entry('k3'), entry('k4')],
      items_found: [],
    });
  });

  void it('has only items_found when all keys are present, only items_not_found when all are bogus; each key once', () => {
    const all = diffOf(index, CAT_1, ['k4', 'k3', 'k2', 'k1', 'k1']);
    assert.deepEqual(all.items_not_found, []);
    assert.deepEqual(all.items_not_included, []);
    // Catalog order (ascending content id), not request order; the repeated k1 is found once.
    assert.deepEqual(
      all.items_found.map((f) => f.content_key),
      ['k1', 'k2', 'k3', 'k4'],
    );
    assert.deepEqual(diffOf(index, CAT_1, ['x', 'y', 'x']), {
      items_not_found: [entry('x'), entry('y')],
      items_not_included: [entry('k1'), entry('k2'), entry('k3'), entry('k4')],
      items_found: [],
    });
  });

  void it('matches exact keys only: no run/course inference', () => {
    const diff = diffOf(index, CAT_1, ['k1-run']);
    assert.deepEqual(diff.items_not_found, [entry('k1-run')]);
    assert.deepEqual(diff.items_found, []);
  });

  void it('answers "all not found" for a catalog without a query or an unknown one (deliberate deviation)', () => {
    const allNotFound = { items_not_found: [entry('k1'), entry('x')], items_not_included: [], items_found: [] };
    assert.deepEqual(diffOf(index, CAT_NO_QUERY, ['k1', 'x', 'k1']), allNotFound);
    assert.deepEqual(diffOf(index, '99999999-0000-4000-8000-000000000009', ['k1', 'x']), allNotFound);
  });

  void it('accepts the catalog uuid in any case', () => {
    assert.deepEqual(diffOf(index, CAT_1.toUpperCase(), ['k2']), diffOf(index, CAT_1, ['k2']));
  });

  void it('dates a found item with the later of its modified and the floor; unknown modified → the floor', () => {
    const modifiedUsOf = (id: number) => (id === 1 ? 500 : id === 2 ? 2500 : undefined);
    assert.deepEqual(diffOf(index, CAT_1, ['k1', 'k2', 'k3'], { modifiedUsOf, floorUs: 1000 }).items_found, [
      { content_key: 'k1', date_updated: 'T1000' },
      { content_key: 'k2', date_updated: 'T2500' },
      { content_key: 'k3', date_updated: 'T1000' },
    ]);
  });

  void it('follows membership changes: the encoded members are per index version', () => {
    const local = createMembershipIndex();
    local.load({
      contents: [course(1, 'k1'), course(2, 'k2'), course(3, 'k3')],
      memberships: [{ queryId: 1, contentIds: [1, 2] }],
      catalogs: [{ uuid: CAT_1, enterpriseUuid: ENT_A, queryId: 1 }],
    });
    const cache = new MemberEntriesCache(1 << 20);
    assert.deepEqual(diffOf(local, CAT_1, ['k3'], { cache }).items_not_included, [entry('k1'), entry('k2')]);
    local.applyMembership(1, [2, 3]);
    assert.deepEqual(diffOf(local, CAT_1, ['k3'], { cache }), {
      items_not_found: [],
      items_not_included: [entry('k2')],
      items_found: [{ content_key: 'k3', date_updated: 'T3000' }],
    });
  });
});

void describe('findCustomerContent (§2.3 content-metadata, acceptance 16)', () => {
  void it('finds by key, including a key held by several catalogs', () => {
    const index = fixture();
    assert.deepEqual(index.findCustomerContent(ENT_A, 'HarvardX+CS50'), { catalogUuid: CAT_2, contentId: 5 });
    index.applyMembership(2, [1, 5, 6, 8]);
    assert.deepEqual(index.findCustomerContent(ENT_A, 'edX+DemoX'), { catalogUuid: CAT_1, contentId: 1 });
  });

  void it('returns the parent course for a run key when the catalog holds the course', () => {
    const index = fixture();
    assert.deepEqual(index.findCustomerContent(ENT_A, 'course-v1:edX+DemoX+1T2024'), {
      catalogUuid: CAT_1,
      contentId: 1,
    });
  });

  void it('finds by content uuid in any spelling, and does not retry a uuid as a key', () => {
    const index = fixture();
    assert.deepEqual(index.findCustomerContent(ENT_A, DEMO_UUID), { catalogUuid: CAT_1, contentId: 1 });
    assert.deepEqual(index.findCustomerContent(ENT_A, DEMO_UUID.toUpperCase().replaceAll('-', '')), {
      catalogUuid: CAT_1,
      contentId: 1,
    });
    assert.deepEqual(index.findCustomerContent(ENT_A, PROGRAM_UUID), { catalogUuid: CAT_1, contentId: 7 });
    assert.equal(index.findCustomerContent(ENT_A, 'f0000000-0000-4000-8000-00000000000f'), null);
  });

  void it('is null for content outside the customer catalogs, then found after association', () => {
    const index = fixture();
    assert.equal(index.findCustomerContent(ENT_A, 'Other+Course'), null);
    index.applyMembership(2, [5, 6, 8, 9]);
    assert.deepEqual(index.findCustomerContent(ENT_A, 'Other+Course'), { catalogUuid: CAT_2, contentId: 9 });
    assert.equal(index.findCustomerContent(ENT_A, 'random-key'), null);
    assert.equal(index.findCustomerContent(ENT_B, 'course-v1:MITx+6.00x+1T'), null);
  });
});

void describe('distinctCatalogQueries (§2.8, acceptance 15)', () => {
  void it('counts distinct queries and groups catalogs by stringified query id', () => {
    const index = fixture();
    assert.deepEqual(index.distinctCatalogQueries([CAT_1, CAT_2]), {
      numDistinctQueryIds: 2,
      catalogUuidsByQueryId: { '1': [CAT_1], '2': [CAT_2] },
    });
    index.upsertCatalog({ uuid: CAT_2, enterpriseUuid: ENT_A, queryId: 1 });
    assert.deepEqual(index.distinctCatalogQueries([CAT_2, CAT_1, CAT_1.toUpperCase(), 'nope']), {
      numDistinctQueryIds: 1,
      catalogUuidsByQueryId: { '1': [CAT_1, CAT_2] },
    });
    assert.deepEqual(index.distinctCatalogQueries([CAT_NO_QUERY]), {
      numDistinctQueryIds: 1,
      catalogUuidsByQueryId: { null: [CAT_NO_QUERY] },
    });
  });
});

void describe('incremental updates and versioning', () => {
  void it('bumps the version on changes only', () => {
    const index = fixture();
    const v0 = index.version;
    index.applyMembership(1, [7, 1, 1]); // same set
    index.upsertContent([course(1, 'edX+DemoX', DEMO_UUID)]);
    index.upsertCatalog({ uuid: CAT_1, enterpriseUuid: ENT_A, queryId: 1 });
    index.removeCatalog('99999999-0000-4000-8000-000000000009');
    index.removeQuery(42);
    assert.equal(index.version, v0);
    index.applyMembership(1, [1]);
    assert.equal(index.version, v0 + 1);
    index.upsertCatalog({ uuid: CAT_1, enterpriseUuid: ENT_A, queryId: 2 });
    assert.equal(index.version, v0 + 2);
    index.removeCatalog(CAT_1);
    assert.equal(index.version, v0 + 3);
  });

  void it('moves a catalog between enterprises and queries', () => {
    const index = fixture();
    index.upsertCatalog({ uuid: CAT_1, enterpriseUuid: ENT_B, queryId: 2 });
    assert.deepEqual(
      index.catalogsOfEnterprise(ENT_A).map((c) => c.uuid),
      [CAT_2, CAT_NO_QUERY],
    );
    assert.deepEqual(
      index.catalogsOfEnterprise(ENT_B).map((c) => c.uuid),
      [CAT_1, CAT_B],
    );
    assert.equal(index.catalogContains(CAT_1, ['HarvardX+CS50']), true);
    index.removeCatalog(CAT_1);
    assert.equal(index.getCatalog(CAT_1), undefined);
    assert.equal(index.catalogContains(CAT_1, ['HarvardX+CS50']), false);
  });

  void it('re-links children when a row changes parent or key', () => {
    const index = fixture();
    index.upsertContent([run(8, 'course-v1:MITx+6.00x+1T', 'Other+Course')]);
    assert.equal(index.catalogContains(CAT_2, ['MITx+6.00x']), false);
    assert.equal(index.catalogContains(CAT_2, ['Other+Course']), true);
    assert.deepEqual(index.childContentKeys('Other+Course'), ['course-v1:MITx+6.00x+1T']);
    index.upsertContent([course(9, 'Renamed+Course')]);
    assert.equal(index.getContentByKey('Other+Course'), undefined);
    assert.equal(index.getContentByKey('Renamed+Course')?.id, 9);
  });

  void it('accepts rows in applyMembership and rejects unknown ids', () => {
    const index = fixture();
    index.applyMembership(5, [course(50, 'New+Course'), 9]);
    index.upsertCatalog({ uuid: CAT_2, enterpriseUuid: ENT_A, queryId: 5 });
    assert.equal(index.catalogContains(CAT_2, ['New+Course']), true);
    assert.throws(() => index.applyMembership(5, [12345]), /unknown content id 12345/);
  });

  void it('lists child keys for nested run enrollment URLs', () => {
    const index = fixture();
    assert.deepEqual(index.childContentKeys('edX+DemoX'), ['course-v1:edX+DemoX+1T2024', 'course-v1:edX+DemoX+2T2024']);
    assert.deepEqual(index.childContentKeys('nope'), []);
  });
});

void describe('parseUuid', () => {
  void it('accepts the spellings Python uuid.UUID accepts in practice', () => {
    const canonical = '12345678-1234-5678-1234-567812345678';
    for (const s of [
      canonical,
      canonical.toUpperCase(),
      '12345678123456781234567812345678',
      `{${canonical}}`,
      `urn:uuid:${canonical}`,
    ]) {
      assert.equal(parseUuid(s), canonical, s);
    }
    for (const s of ['edX+DemoX', '1234', `${canonical}0`, 'course-v1:edX+DemoX+1T2024']) assert.equal(parseUuid(s), null, s);
  });

  void it('answers 36-character strings exactly as the regular-expression definition does', () => {
    // The canonical fast path is a character loop; this is the definition it replaces.
    const reference = (value: string): string | null => {
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) return value;
      const hex = value.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
      const h = hex.toLowerCase();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    };
    const canonical = '0123abcd-4567-89ef-abcd-0123456789ef';
    // Every single-character change of a canonical uuid, to each character class at the edges of the ranges.
    for (let i = 0; i < 36; i++) {
      for (const c of ['0', '9', 'a', 'f', 'g', 'A', 'F', '-', '/', ':', '`', '{', ' ', 'é']) {
        const s = canonical.slice(0, i) + c + canonical.slice(i + 1);
        assert.equal(parseUuid(s), reference(s), s);
      }
    }
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdefgABCDEF-{}'), minLength: 36, maxLength: 36 }), (s) => {
        assert.equal(parseUuid(s), reference(s), s);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Property tests: random worlds against a brute-force reading of upstream's SQL.

interface World {
  rows: IndexContentRow[];
  queries: Map<number, number[]>;
  catalogs: Array<{ uuid: string; enterpriseUuid: string; queryId: number | null }>;
}

const courseKeys = ['A', 'B', 'C', 'D', 'E'];
const worldArb: fc.Arbitrary<World> = fc
  .record({
    courseRows: fc.subarray(courseKeys), // some courses have no row
    runs: fc.array(fc.record({ parent: fc.constantFrom(...courseKeys, ''), n: fc.nat(3) }), { maxLength: 12 }),
    programs: fc.nat(3),
    queries: fc.array(fc.array(fc.nat(40), { maxLength: 15 }), { minLength: 1, maxLength: 4 }),
    catalogs: fc.array(
      fc.record({ ent: fc.nat(2), query: fc.option(fc.nat(4), { nil: null }) }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ courseRows, runs, programs, queries, catalogs }) => {
    const rows: IndexContentRow[] = [];
    let id = 1;
    for (const key of courseRows) rows.push(course(id++, key));
    const seen = new Set<string>();
    for (const { parent, n } of runs) {
      const key = `course-v1:${parent}+${n}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ id: id++, contentKey: key, contentType: 'courserun', parentContentKey: parent, contentUuid: null });
    }
    for (let p = 0; p < programs; p++) rows.push(program(id++, `0000000${p}-0000-4000-8000-00000000000a`));
    const ids = rows.map((r) => r.id);
    const queryMap = new Map<number, number[]>();
    queries.forEach((picks, q) => {
      if (ids.length > 0) queryMap.set(q, [...new Set(picks.map((p) => ids[p % ids.length] as number))]);
    });
    return {
      rows,
      queries: queryMap,
      catalogs: catalogs.map((c, i) => ({
        uuid: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
        enterpriseUuid: `e${c.ent}000000-0000-4000-8000-000000000000`,
        queryId: c.query,
      })),
    };
  });

function keyPool(world: World): string[] {
  return [
    ...world.rows.map((r) => r.contentKey),
    ...courseKeys,
    'course-v1:A+9', // a run that never has a row
    'bogus',
    '',
  ];
}

function buildIndex(world: World): MembershipIndex {
  const index = createMembershipIndex();
  index.load({
    contents: world.rows,
    memberships: [...world.queries].map(([queryId, contentIds]) => ({ queryId, contentIds })),
    catalogs: world.catalogs,
  });
  return index;
}

function membersOf(world: World, catalog: World['catalogs'][number]): IndexContentRow[] {
  if (catalog.queryId === null) return [];
  const ids = new Set(world.queries.get(catalog.queryId) ?? []);
  return world.rows.filter((r) => ids.has(r.id));
}

/** Upstream get_matching_content, read literally: Q(key IN keys) | Q(parent IN keys) | Q(key IN parents(keys)). */
function bruteMatching(world: World, catalog: World['catalogs'][number], keys: string[]): number[] {
  const keySet = new Set(keys);
  if (keySet.size === 0) return [];
  const parents = new Set(
    world.rows.filter((r) => keySet.has(r.contentKey) && r.parentContentKey).map((r) => r.parentContentKey as string),
  );
  return membersOf(world, catalog)
    .filter(
      (m) =>
        keySet.has(m.contentKey) ||
        (m.parentContentKey !== null && keySet.has(m.parentContentKey)) ||
        parents.has(m.contentKey),
    )
    .map((m) => m.id)
    .sort((a, b) => a - b);
}

void describe('properties', () => {
  const worldAndKeys = worldArb.chain((world) =>
    fc.record({ world: fc.constant(world), keys: fc.array(fc.constantFrom(...keyPool(world)), { maxLength: 6 }) }),
  );

  void it('catalogContains and matchingContentIds agree with a brute-force §2.2 evaluation', () => {
    fc.assert(
      fc.property(worldAndKeys, ({ world, keys }) => {
        const index = buildIndex(world);
        for (const catalog of world.catalogs) {
          const expected = bruteMatching(world, catalog, keys);
          assert.deepEqual(index.matchingContentIds(catalog.uuid, keys), expected);
          assert.equal(index.catalogContains(catalog.uuid, keys), expected.length > 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  void it('generate_diff buckets partition requested ∪ catalog keys as upstream defines them, in the specified order', () => {
    const diffCase = worldAndKeys.chain(({ world, keys }) =>
      fc.record({
        world: fc.constant(world),
        keys: fc.constant(keys),
        modified: fc.array(fc.option(fc.nat(3000), { nil: undefined }), { minLength: world.rows.length, maxLength: world.rows.length }),
        floorUs: fc.nat(3000),
      }),
    );
    fc.assert(
      fc.property(diffCase, ({ world, keys, modified, floorUs }) => {
        const index = buildIndex(world);
        const modifiedUsOf = (id: number) => modified[world.rows.findIndex((r) => r.id === id)];
        // One cache for the world, as in the service: catalogs sharing a query share its encoded members.
        const cache = new MemberEntriesCache(1 << 20);
        const unknown = { uuid: '99999999-0000-4000-8000-000000000009', enterpriseUuid: ENT_A, queryId: null };
        for (const catalog of [...world.catalogs, unknown]) {
          const diff = diffOf(index, catalog.uuid, keys, { modifiedUsOf, floorUs, cache });
          // Brute force: members in ascending id order (world.rows is), requested keys distinct in first-seen order.
          const members = membersOf(world, catalog);
          const catalogKeys = new Set(members.map((m) => m.contentKey));
          const requested = new Set(keys);
          assert.deepEqual(diff, {
            items_not_found: [...requested].filter((k) => !catalogKeys.has(k)).map(entry),
            items_not_included: members.filter((m) => !requested.has(m.contentKey)).map((m) => entry(m.contentKey)),
            items_found: members
              .filter((m) => requested.has(m.contentKey))
              .map((m) => ({ content_key: m.contentKey, date_updated: `T${Math.max(modifiedUsOf(m.id) ?? floorUs, floorUs)}` })),
          });
          // Hence: disjoint, no duplicates, and together exactly requested ∪ catalog.
          const buckets = [...diff.items_found, ...diff.items_not_found, ...diff.items_not_included].map((i) => i.content_key);
          assert.equal(new Set(buckets).size, buckets.length);
          assert.deepEqual(new Set(buckets), new Set([...requested, ...catalogKeys]));
        }
      }),
      { numRuns: 300 },
    );
  });

  void it('filterContentItems and customerContains agree with brute force', () => {
    fc.assert(
      fc.property(worldAndKeys, ({ world, keys }) => {
        const index = buildIndex(world);
        for (const ent of new Set(world.catalogs.map((c) => c.enterpriseUuid))) {
          const mine = world.catalogs.filter((c) => c.enterpriseUuid === ent);
          const expectedFilter = [...new Set(keys)].filter((k) =>
            mine.some((c) => membersOf(world, c).some((m) => m.contentKey === k || m.parentContentKey === k)),
          );
          assert.deepEqual(index.filterContentItems(ent, keys), expectedFilter);
          const containing = mine
            .filter((c) => bruteMatching(world, c, keys).length > 0)
            .map((c) => c.uuid)
            .sort();
          assert.deepEqual(index.customerContains(ent, keys, { withCatalogList: true }), {
            contains: containing.length > 0,
            catalogList: containing,
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
