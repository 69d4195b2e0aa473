/**
 * From discovery items to stored content rows, as enterprise-catalog does it (enterprise-catalog.md §3.3–3.5,
 * §3.8; course-discovery.md §3.1, §3.9): which items are admitted, how a row's key, type, parent and uuid are
 * derived, and how a fresh item is merged over the JSON already stored. Pure functions, no I/O.
 *
 * The merge rules are upstream's, including their one odd consequence: keys that disappear upstream stay in the
 * stored JSON (a shallow `dict.update`). What differs is the result of a re-fetch of unchanged data: the merged
 * JSON is then identical to the stored one, so the row's content hash and `modified` stay put.
 */
import { createHash } from 'node:crypto';
import type { ContentType } from '../db/schema.js';
import type { DiscoveryCourse, DiscoveryHit, DiscoveryProgram } from '../discovery/content-source.js';
import { parseUuid } from '../catalog/membership-index.js';

export type Json = Record<string, unknown>;

const CONTENT_TYPES: ReadonlySet<string> = new Set<ContentType>(['course', 'courserun', 'program', 'learnerpathway']);

/** `ALLOWED_PRODUCT_SOURCES` upstream: other sources (e.g. emeritus) are never admitted. */
export const ALLOWED_PRODUCT_SOURCES: ReadonlySet<string> = new Set(['edx', '2u']);

/** Course types upstream admits; a course without `course_type` is admitted too. */
export const ALLOWED_COURSE_TYPES: ReadonlySet<string> = new Set([
  'audit',
  'professional',
  'verified-audit',
  'credit-verified-audit',
  'masters',
  'masters-verified-audit',
  'verified',
  'spoc-verified-audit',
  'honor',
  'verified-honor',
  'credit-verified-honor',
  'executive-education-2u',
]);

/**
 * `COURSE_FIELDS_TO_PLUCK_FROM_SEARCH_ALL`: the only search/all fields merged into an existing course, so the
 * richer `/courses/` data (runs with seats, owners, subjects …) is not clobbered by the thinner search hit.
 */
export const COURSE_FIELDS_TO_PLUCK_FROM_SEARCH_ALL = ['aggregation_key', 'content_type', 'seat_types', 'end_date', 'course_ends', 'languages'] as const;

export const EXEC_ED_COURSE_TYPE = 'executive-education-2u';

/** A search/all item admitted for storage, with the row fields derived from it. */
export interface MappedItem {
  contentKey: string;
  contentUuid: string | null;
  contentType: ContentType;
  parentContentKey: string | null;
  /** The search/all dict, as received. */
  hit: Json;
}

export type RejectReason = 'unsupported_type' | 'no_key' | 'product_source' | 'course_type';

export type MapResult = { ok: true; item: MappedItem } | { ok: false; reason: RejectReason };

const asString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `"courserun:edX+DemoX"` → `courserun`; an item without a prefix falls back to its `content_type`. */
export function contentTypeOf(hit: DiscoveryHit): string {
  const i = hit.aggregation_key.indexOf(':');
  return i > 0 ? hit.aggregation_key.slice(0, i) : hit.content_type;
}

/** The product source slug: a string, or the `slug` of a `{name, slug, description}` dict; null when absent. */
function productSourceSlug(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return asString((value as { slug?: unknown }).slug) ?? '';
  return null;
}

/** Admission (§3.5) and row fields (§3.1) of one search/all item. */
export function mapSearchHit(hit: DiscoveryHit): MapResult {
  const type = contentTypeOf(hit);
  if (!CONTENT_TYPES.has(type)) return { ok: false, reason: 'unsupported_type' };
  const contentType = type as ContentType;
  const source = productSourceSlug(hit.product_source);
  if (source !== null && !ALLOWED_PRODUCT_SOURCES.has(source)) return { ok: false, reason: 'product_source' };
  if (contentType === 'course') {
    const courseType = hit.course_type;
    // Absent or null is admitted; anything else must be an allowed slug (a non-string never is).
    if (courseType !== undefined && courseType !== null && !(typeof courseType === 'string' && ALLOWED_COURSE_TYPES.has(courseType))) {
      return { ok: false, reason: 'course_type' };
    }
  }
  // Programs and pathways have no `key`: their uuid is the content key.
  const contentKey = asString(hit.key) ?? asString(hit.uuid);
  if (contentKey === null) return { ok: false, reason: 'no_key' };
  const uuid = asString(hit.uuid);
  return {
    ok: true,
    item: {
      contentKey,
      // Search hits of runs carry no uuid; anything that is not a uuid is not stored as one.
      contentUuid: uuid === null ? null : parseUuid(uuid),
      contentType,
      parentContentKey: contentType === 'courserun' ? hit.aggregation_key.slice('courserun:'.length) || null : null,
      hit: hit,
    },
  };
}

/**
 * `enterprise_force_include_aggregation_keys` (§3.4): a `/courses/` item made to look like a visible search hit —
 * marked `enterprise_force_included`, every run published and current, `course_run_statuses` recomputed.
 */
export function forceIncludedCourse(course: DiscoveryCourse): DiscoveryHit {
  const runs = Array.isArray(course.course_runs) ? (course.course_runs as Json[]) : [];
  const visibleRuns = runs.map((r) => ({ ...r, status: 'published', availability: 'Current' }));
  return {
    ...course,
    aggregation_key: `course:${course.key}`,
    content_type: 'course',
    course_runs: visibleRuns,
    course_run_statuses: visibleRuns.length > 0 ? ['published'] : [],
    enterprise_force_included: true,
  };
}

/** The course keys a filter force-includes (plain course keys, as upstream passes them to `/courses/`). */
export function forceIncludeKeys(filter: Readonly<Record<string, unknown>>): string[] {
  const keys = filter.enterprise_force_include_aggregation_keys;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && k !== '') : [];
}

/**
 * `create_content_metadata`'s JSON (§3.3 step 3): a new row stores the whole hit; an existing course takes only
 * the plucked fields; an existing run, program or pathway gets the hit shallow-merged over it.
 */
export function mergeSearchHit(existing: Json | null, item: MappedItem): Json {
  if (existing === null) return { ...item.hit };
  if (item.contentType !== 'course') return { ...existing, ...item.hit };
  const merged: Json = { ...existing };
  for (const field of COURSE_FIELDS_TO_PLUCK_FROM_SEARCH_ALL) {
    if (Object.hasOwn(item.hit, field)) merged[field] = item.hit[field];
  }
  return merged;
}

/**
 * Version of the merge rules in this file. Part of every source hash, so a release that changes how a row is
 * built from its input (a new plucked field, another normalisation) has every row merged again once.
 */
const MERGE_RULES_VERSION = '1';

/**
 * md5 of everything a row's JSON is merged from: the search hit and the full `/courses/` or `/programs/` item
 * (given as the md5 of its JSON, `fullHash`; null when there is none), with the merge rules' version. Stored as
 * `content_metadata.source_hash`.
 *
 * Why an equal hash means "nothing to write": every merge step overwrites keys with values from the input, and the
 * normalized fields are a function of the result, so merging an input twice gives what merging it once gave.
 * A row last written from input I is therefore unchanged by merging I again, and the refresh need not read it.
 * `JSON.stringify` keeps the order the keys arrived in, which a real change aside is stable between fetches; if
 * it is not, the hashes differ and the refresh merges and compares content hashes, which is only slower.
 */
export function sourceHash(item: MappedItem, fullHash: string | null): string {
  return createHash('md5')
    .update(MERGE_RULES_VERSION)
    .update('\0')
    .update(JSON.stringify(item.hit))
    .update('\0')
    .update(fullHash ?? 'none')
    .digest('hex');
}

/**
 * The full-metadata pass for one course (§3.8): the `/courses/` dict shallow-merged over the JSON, then
 * `normalized_metadata` and `normalized_metadata_by_run`; a force-included course keeps its forced look.
 */
export function mergeFullCourse(json: Json, full: DiscoveryCourse): Json {
  const forced = json.enterprise_force_included === true;
  let merged: Json = { ...json, ...full };
  if (forced) {
    const visible = forceIncludedCourse(full);
    merged = { ...merged, course_runs: visible.course_runs, course_run_statuses: visible.course_run_statuses, enterprise_force_included: true };
  }
  return { ...merged, ...normalizedMetadata(merged) };
}

/** The full-metadata pass for one program: the extended `/programs/` dict shallow-merged over the JSON. */
export function mergeFullProgram(json: Json, full: DiscoveryProgram): Json {
  return { ...json, ...full };
}

export interface NormalizedMetadata {
  start_date: string | null;
  end_date: string | null;
  enroll_start_date: string | null;
  enroll_by_date: string | null;
  content_price: number;
}

/** Seat preference for the enroll-by deadline, best first. */
const SEAT_PREFERENCE = ['verified', 'professional', 'no-id-professional', 'unpaid-executive-education', 'audit'];

const toNumber = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};

/** The earlier of two ISO date-times (either may be null); the original string is kept. */
function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function runSeats(run: Json): Json[] {
  return Array.isArray(run.seats) ? (run.seats as Json[]).filter((s) => typeof s === 'object' && s !== null) : [];
}

/** Price of the course's `paid-executive-education` entitlement, if any. */
function execEdEntitlementPrice(course: Json): number | null {
  const entitlements = Array.isArray(course.entitlements) ? (course.entitlements as Json[]) : [];
  const paid = entitlements.find((e) => e.mode === 'paid-executive-education');
  return paid ? toNumber(paid.price) : null;
}

/**
 * The normalized dates and price of one run of a course (§3.9): enroll-by is the earlier of the best seat's
 * upgrade deadline (override first) and the enrollment end (exec-ed: the enrollment end only); the price is the
 * run's fixed USD price, else the exec-ed entitlement price, else the first enrollable paid seat price, else 0.
 */
export function normalizeRun(course: Json, run: Json | null): NormalizedMetadata {
  const execEd = course.course_type === EXEC_ED_COURSE_TYPE;
  let enrollBy: string | null = null;
  if (run !== null) {
    const enrollmentEnd = asString(run.enrollment_end);
    if (execEd) {
      enrollBy = enrollmentEnd;
    } else {
      const seats = runSeats(run);
      const best = SEAT_PREFERENCE.map((type) => seats.find((s) => s.type === type)).find((s) => s !== undefined);
      const deadline = best ? (asString(best.upgrade_deadline_override) ?? asString(best.upgrade_deadline)) : null;
      enrollBy = earlier(deadline, enrollmentEnd);
    }
  }
  const price =
    (run !== null ? toNumber(run.fixed_price_usd) : null) ??
    (execEd ? execEdEntitlementPrice(course) : null) ??
    (run !== null ? toNumber(run.first_enrollable_paid_seat_price) : null) ??
    0;
  return {
    start_date: run !== null ? asString(run.start) : null,
    end_date: run !== null ? asString(run.end) : null,
    enroll_start_date: run !== null ? asString(run.enrollment_start) : null,
    enroll_by_date: enrollBy,
    content_price: price,
  };
}

/** `normalized_metadata` (from the advertised run) and `normalized_metadata_by_run` of a course's JSON. */
export function normalizedMetadata(course: Json): { normalized_metadata: NormalizedMetadata; normalized_metadata_by_run: Record<string, NormalizedMetadata> } {
  const runs = Array.isArray(course.course_runs) ? (course.course_runs as Json[]).filter((r) => typeof r === 'object' && r !== null) : [];
  const advertisedUuid = asString(course.advertised_course_run_uuid);
  const advertised = advertisedUuid === null ? null : (runs.find((r) => r.uuid === advertisedUuid) ?? null);
  const byRun: Record<string, NormalizedMetadata> = {};
  for (const run of runs) {
    const key = asString(run.key);
    if (key !== null) byRun[key] = normalizeRun(course, run);
  }
  return { normalized_metadata: normalizeRun(course, advertised), normalized_metadata_by_run: byRun };
}
