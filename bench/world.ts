/**
 * The bench world, as a plan: customers, distinct content filters and catalogs, deterministic for a seed.
 *
 * Dataset L (6,000 courses, ~18,000 runs, 500 programs, 20 pathways) with 1,000 customers and 3,000 catalogs over
 * 700 distinct filters. Sharing follows a power law: the catalog count of the k-th most shared filter is about
 * C / k (Zipf, exponent 1), floored at one, so a few filters are used by hundreds of catalogs and most by one.
 * The filters are the kinds enterprises use: everything from one partner, a subject, an organisation, an
 * organisation at a level, exec-ed only, and hand-picked course lists. Ten customers have 20 catalogs each (B2);
 * 100 further customers have one catalog of a 1,000-course list each (B6).
 *
 * Members are evaluated here with the discovery simulator's own search, only to pick realistic keys for requests
 * (hits and misses); the product learns them through a real refresh.
 */
import { searchDocuments } from '../src/discovery/search-index.js';
import { filterToParams } from '../src/discovery/filter-evaluator.js';
import type { DiscoveryDataset } from '../src/discovery/dataset.js';

export interface WorldShape {
  customers: number;
  catalogs: number;
  filters: number;
  /** Customers with exactly `bigCustomerCatalogs` catalogs (B2). */
  bigCustomers: number;
  bigCustomerCatalogs: number;
  /** Channel configurations of B6, one customer and one catalog each, and the size of their course lists. */
  transmitConfigs: number;
  transmitFilters: number;
  transmitItems: number;
  seed: number;
}

export const WORLD_L: WorldShape = {
  customers: 1_000,
  catalogs: 3_000,
  filters: 700,
  bigCustomers: 10,
  bigCustomerCatalogs: 20,
  transmitConfigs: 100,
  transmitFilters: 10,
  transmitItems: 1_000,
  seed: 7,
};

/** `--quick`: enough of everything for each scenario to run once, small enough to build in seconds. */
export const WORLD_QUICK: WorldShape = {
  customers: 12,
  catalogs: 48,
  filters: 14,
  bigCustomers: 1,
  bigCustomerCatalogs: 20,
  transmitConfigs: 4,
  transmitFilters: 2,
  transmitItems: 40,
  seed: 7,
};

export type FilterKind = 'partner' | 'levels' | 'available' | 'exec-ed' | 'subject' | 'org' | 'org-level' | 'curated' | 'transmit';

export interface PlannedFilter {
  index: number;
  kind: FilterKind;
  filter: Record<string, unknown>;
  /** Aggregation-side keys of the members as the simulator's search sees them: course keys, program uuids. */
  courseKeys: string[];
  programUuids: string[];
  /** How many catalogs use it. */
  catalogs: number;
}

export interface PlannedCatalog {
  uuid: string;
  title: string;
  customer: string;
  filter: number;
}

export interface PlannedCustomer {
  uuid: string;
  name: string;
  catalogs: number[];
}

export interface WorldPlan {
  shape: WorldShape;
  filters: PlannedFilter[];
  customers: PlannedCustomer[];
  catalogs: PlannedCatalog[];
  /** The filter of the large catalog B3 and B4 read (everything Introductory or Intermediate, ~5,300 courses). */
  largeFilter: number;
  /** Customers with `bigCustomerCatalogs` catalogs. */
  bigCustomers: string[];
  /** One (customer, catalog) per B6 channel configuration. */
  transmit: { customer: string; catalog: string; filter: number }[];
}

/** A small deterministic PRNG (mulberry32); the plan must not depend on Math.random. */
export function createRandom(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T; shuffle<T>(xs: T[]): T[] } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T,
    shuffle<T>(xs: T[]) {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
      }
      return xs;
    },
  };
}

function uuidFrom(rng: { int(lo: number, hi: number): number }): string {
  const hex = (n: number) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + rng.int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`;
}

/**
 * Catalogs per filter for `filters` filters and `catalogs` catalogs: round(C / rank) floored at 1, with C chosen
 * so the counts add up exactly (the remainder goes to the most shared filters).
 */
export function zipfCounts(filters: number, catalogs: number): number[] {
  if (filters <= 0) return [];
  if (catalogs < filters) throw new Error(`zipfCounts: ${catalogs} catalogs cannot cover ${filters} filters`);
  const countsFor = (c: number) => Array.from({ length: filters }, (_, i) => Math.max(1, Math.round(c / (i + 1))));
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let lo = 0;
  let hi = catalogs;
  while (hi - lo > 1e-6) {
    const mid = (lo + hi) / 2;
    if (total(countsFor(mid)) > catalogs) hi = mid;
    else lo = mid;
  }
  const counts = countsFor(lo);
  let missing = catalogs - total(counts);
  for (let i = 0; missing > 0; i = (i + 1) % filters, missing--) counts[i] = (counts[i] as number) + 1;
  return counts;
}

interface Members {
  courseKeys: string[];
  programUuids: string[];
}

function membersOf(ds: DiscoveryDataset, filter: Record<string, unknown>): Members {
  const docs = searchDocuments(ds, filterToParams(filter));
  const courseKeys: string[] = [];
  const programUuids: string[] = [];
  for (const d of docs) {
    const [type, key] = [d.contentType, d.aggregationKey.slice(d.aggregationKey.indexOf(':') + 1)];
    if (type === 'course') courseKeys.push(key);
    else if (type === 'program') programUuids.push(key);
  }
  return { courseKeys, programUuids };
}

/** Builds the plan from the dataset the simulator serves. */
export function planWorld(ds: DiscoveryDataset, shape: WorldShape): WorldPlan {
  const rng = createRandom(shape.seed);
  const courseKeys = ds.courses.filter((c) => !c.retired).map((c) => c.key);
  const seen = new Set<string>();
  const regular: { kind: FilterKind; filter: Record<string, unknown>; members: Members }[] = [];
  const regularCount = shape.filters - shape.transmitFilters;

  // About a tenth of the filters are hand-picked course lists; organisation × level combinations stop short of them.
  const curatedShare = Math.floor(regularCount * 0.1);
  const offer = (kind: FilterKind, filter: Record<string, unknown>): void => {
    if (regular.length >= regularCount) return;
    if (kind === 'org-level' && regular.length >= regularCount - curatedShare) return;
    const id = JSON.stringify(filter);
    if (seen.has(id)) return;
    const members = membersOf(ds, filter);
    // The refresh refuses empty results, and an empty catalog answers nothing worth measuring.
    if (members.courseKeys.length + members.programUuids.length === 0) return;
    seen.add(id);
    regular.push({ kind, filter, members });
  };

  // The most shared filters first: broad catalogs are the ones many customers start from.
  offer('partner', { content_type: ['course', 'program', 'learnerpathway'], partner: 'edx' });
  offer('levels', { content_type: 'course', level_type: ['Introductory', 'Intermediate'] });
  offer('available', { content_type: 'course', availability: ['Current', 'Starting Soon', 'Upcoming'] });
  offer('exec-ed', { content_type: 'course', course_type: 'executive-education-2u' });
  const largeFilterAt = 1;

  const rest: { kind: FilterKind; filter: Record<string, unknown> }[] = [];
  for (const s of ds.subjects) rest.push({ kind: 'subject', filter: { content_type: 'course', subject_uuids: s.uuid } });
  const orgs = [...new Set(ds.courses.map((c) => c.org))];
  for (const org of orgs) rest.push({ kind: 'org', filter: { content_type: 'course', org } });
  for (const org of orgs) {
    for (const level of ['Introductory', 'Intermediate', 'Advanced']) rest.push({ kind: 'org-level', filter: { content_type: 'course', org, level_type: level } });
  }
  rng.shuffle(rest);
  // Subjects and organisations first (every one of them is somebody's catalog), then the finer combinations.
  rest.sort((a, b) => Number(a.kind === 'org-level') - Number(b.kind === 'org-level'));
  for (const r of rest) offer(r.kind, r.filter);
  while (regular.length < regularCount) {
    const keys = new Set<string>();
    const size = rng.int(5, 60);
    while (keys.size < size) keys.add(`course:${rng.pick(courseKeys)}`);
    offer('curated', { aggregation_key: [...keys].sort() });
  }

  // Keep the broad filters at the top ranks; shuffle the others so size and sharing are not correlated by kind.
  const head = regular.slice(0, 4);
  const tail = rng.shuffle(regular.slice(4));
  const ranked = [...head, ...tail];
  const counts = zipfCounts(ranked.length, shape.catalogs - shape.transmitConfigs);

  const filters: PlannedFilter[] = ranked.map((r, i) => ({
    index: i,
    kind: r.kind,
    filter: r.filter,
    courseKeys: r.members.courseKeys,
    programUuids: r.members.programUuids,
    catalogs: counts[i] ?? 1,
  }));
  for (let t = 0; t < shape.transmitFilters; t++) {
    const keys = new Set<string>();
    while (keys.size < Math.min(shape.transmitItems, courseKeys.length)) keys.add(rng.pick(courseKeys));
    const filter = { aggregation_key: [...keys].sort().map((k) => `course:${k}`) };
    filters.push({
      index: filters.length,
      kind: 'transmit',
      filter,
      courseKeys: [...keys].sort(),
      programUuids: [],
      catalogs: 0,
    });
  }

  const customers: PlannedCustomer[] = Array.from({ length: shape.customers }, (_, i) => ({
    uuid: uuidFrom(rng),
    name: `Bench Customer ${String(i + 1).padStart(4, '0')}`,
    catalogs: [],
  }));
  const catalogs: PlannedCatalog[] = [];
  const addCatalog = (customer: PlannedCustomer, filter: number) => {
    const n = catalogs.length + 1;
    catalogs.push({ uuid: uuidFrom(rng), title: `Bench catalog ${String(n).padStart(4, '0')}`, customer: customer.uuid, filter });
    customer.catalogs.push(catalogs.length - 1);
  };

  // B6: one 1,000-course catalog for each of the customers after the big ones.
  const transmit: WorldPlan['transmit'] = [];
  for (let i = 0; i < shape.transmitConfigs; i++) {
    const customer = customers[shape.bigCustomers + (i % (shape.customers - shape.bigCustomers))] as PlannedCustomer;
    const filter = regularCount + (i % shape.transmitFilters);
    addCatalog(customer, filter);
    (filters[filter] as PlannedFilter).catalogs++;
    transmit.push({ customer: customer.uuid, catalog: (catalogs[catalogs.length - 1] as PlannedCatalog).uuid, filter });
  }

  // Everything else: one entry per catalog of each filter, shuffled, dealt first to the big customers.
  const deck = rng.shuffle(filters.slice(0, regularCount).flatMap((f) => Array.from({ length: f.catalogs }, () => f.index)));
  let d = 0;
  for (let c = 0; c < shape.bigCustomers; c++) {
    for (let k = 0; k < shape.bigCustomerCatalogs && d < deck.length; k++) addCatalog(customers[c] as PlannedCustomer, deck[d++] as number);
  }
  const others = customers.slice(shape.bigCustomers);
  for (let k = 0; d < deck.length; k++) addCatalog(others[k % others.length] as PlannedCustomer, deck[d++] as number);

  return {
    shape,
    filters,
    customers,
    catalogs,
    largeFilter: largeFilterAt,
    bigCustomers: customers.slice(0, shape.bigCustomers).map((c) => c.uuid),
    transmit,
  };
}

/** A compact description of the plan for the report. */
export function describePlan(plan: WorldPlan): Record<string, unknown> {
  const counts = plan.filters.map((f) => f.catalogs).sort((a, b) => b - a);
  const sizes = plan.filters.map((f) => f.courseKeys.length + f.programUuids.length);
  const kinds: Record<string, number> = {};
  for (const f of plan.filters) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
  return {
    customers: plan.customers.length,
    catalogs: plan.catalogs.length,
    distinctFilters: plan.filters.length,
    filterKinds: kinds,
    catalogsPerFilterTop10: counts.slice(0, 10),
    filtersUsedByOneCatalog: counts.filter((c) => c === 1).length,
    searchHitsTotal: sizes.reduce((a, b) => a + b, 0),
    largestFilterHits: Math.max(...sizes),
    largeCatalogHits: sizes[plan.largeFilter],
  };
}
