/**
 * The `ContentSource` port: where catalog content comes from. The refresh pipeline depends on this interface only;
 * implementations are `DiscoveryHttpSource` (course-discovery over HTTP) and `SampleContentSource` (the built-in
 * synthetic dataset, in process). No HTTP type crosses this port.
 *
 * Items are discovery's JSON, passed through unchanged: the catalog stores them as they arrive (enterprise-catalog
 * §3.3). The types below only name the fields every item is guaranteed to carry.
 */
import type { Static } from 'typebox';
import type { CourseContract, DiscoveryHitContract, ProgramContract } from './discovery.schemas.js';
import type { ContentFilter } from './filter-evaluator.js';

export type { ContentFilter } from './filter-evaluator.js';

/** One `search/all` hit: a course, courserun, program, learnerpathway (or person) document. */
export type DiscoveryHit = Static<typeof DiscoveryHitContract> & Record<string, unknown>;
/** One `/courses/` item (CourseWithProgramsSerializer). */
export type DiscoveryCourse = Static<typeof CourseContract> & Record<string, unknown>;
/** One `/programs/?extended=True` item. */
export type DiscoveryProgram = Static<typeof ProgramContract> & Record<string, unknown>;

export interface SearchAllResult {
  /** Every hit of every page, in upstream order. */
  items: DiscoveryHit[];
  /** Pages read (a result of 0–100 items is one page). */
  pages: number;
  /** Upstream requests this call made, retries included, token requests excluded (the sample source counts the
   *  requests a healthy discovery would have needed). */
  requests: number;
}

export interface ContentSourceStats {
  /** Content requests made (retries included). */
  requests: number;
  /** OAuth2 token requests made. */
  tokenRequests: number;
  /** Attempts that were retried after a network error, timeout, 5xx, 429 or truncated body. */
  retries: number;
}

export interface FetchOptions {
  /** Abandons the whole fetch (shutdown, job time budget); the call rejects with `DiscoveryFetchError('aborted')`. */
  signal?: AbortSignal;
}

/**
 * Reads content from course-discovery (or an equivalent). Every method is all-or-nothing: it resolves with the
 * complete result or rejects with a `DiscoveryFetchError` — never a partial list, so a failed refresh can never
 * shrink a catalog.
 */
export interface ContentSource {
  /** A short name for logs and metrics: `discovery` or `sample`. */
  readonly name: string;
  /**
   * Every `search/all` hit for a content filter (a catalog query's JSON, sent as is), across all pages, with
   * `exclude_expired_course_run` and `include_learner_pathways` on, as enterprise-catalog asks.
   */
  searchAll(filter: ContentFilter, options?: FetchOptions): Promise<SearchAllResult>;
  /** Full `/courses/` items for course keys (unknown keys are simply absent from the result). */
  fetchCourses(keys: readonly string[], options?: FetchOptions): Promise<DiscoveryCourse[]>;
  /** Extended `/programs/` items for program uuids (unknown uuids are absent). */
  fetchPrograms(uuids: readonly string[], options?: FetchOptions): Promise<DiscoveryProgram[]>;
  /** Counters since construction. */
  stats(): ContentSourceStats;
}

export type DiscoveryFetchErrorCode =
  /** Upstream answered with an error status (after retries, for retryable ones). */
  | 'http_status'
  /** Connection refused, reset, DNS … on every attempt. */
  | 'network'
  /** No answer within `timeoutMs` on every attempt. */
  | 'timeout'
  /** A 2xx body that is not JSON, or JSON of the wrong shape. */
  | 'invalid_body'
  /** The token endpoint refused our client credentials, or a fresh token was still refused. */
  | 'auth'
  /** The caller's signal aborted the fetch. */
  | 'aborted'
  /** Paging did not terminate within the page limit. */
  | 'too_many_pages';

/** Why a content fetch failed. `retryable` says whether trying again later may help. */
export class DiscoveryFetchError extends Error {
  override readonly name = 'DiscoveryFetchError';
  readonly code: DiscoveryFetchErrorCode;
  /** Last HTTP status seen, or null when no response arrived. */
  readonly status: number | null;
  /** Attempts made for the failing request. */
  readonly attempts: number;
  /** The request that failed (no credentials in it). */
  readonly url: string;
  /** The `search/all` page that failed, when paging. */
  readonly page: number | null;

  constructor(
    code: DiscoveryFetchErrorCode,
    message: string,
    details: { status?: number | null; attempts?: number; url?: string; page?: number | null; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status ?? null;
    this.attempts = details.attempts ?? 0;
    this.url = details.url ?? '';
    this.page = details.page ?? null;
  }

  get retryable(): boolean {
    if (this.code === 'network' || this.code === 'timeout' || this.code === 'invalid_body') return true;
    if (this.code === 'http_status') return this.status === null || this.status === 429 || this.status >= 500;
    return false;
  }
}

/** enterprise-catalog's page size for `search/all`. */
export const SEARCH_PAGE_SIZE = 100;
/** Keys (or uuids) per `/courses/` and `/programs/` request (`DISCOVERY_COURSE_KEY_BATCH_SIZE`). */
export const KEY_BATCH_SIZE = 50;
/** `limit` of `/courses/` and `/programs/` requests. */
export const LIST_LIMIT = 200;

/** Splits a list into chunks of `size`, dropping duplicates and blanks first. */
export function batches(values: readonly string[], size: number): string[][] {
  const unique = [...new Set(values.filter((v) => v.trim() !== ''))];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += size) out.push(unique.slice(i, i + size));
  return out;
}

/** The enterprise-only filter key naming course keys to include whatever the search says (§1.2, §4.2). */
export const FORCE_INCLUDE_KEY = 'enterprise_force_include_aggregation_keys';

/** Course keys a filter force-includes; despite the key's name they are plain course keys, not `course:` keys. */
export function forceIncludedKeys(filter: ContentFilter): string[] {
  const raw = filter[FORCE_INCLUDE_KEY];
  const list = Array.isArray(raw) ? (raw as unknown[]) : typeof raw === 'string' ? [raw] : [];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/**
 * A `/courses/` item dressed as a visible search hit, as enterprise-catalog's discovery client does for
 * force-included courses: `enterprise_force_included: true`, every run published and Current, run statuses
 * recomputed. `aggregation_key` and `content_type` are added so it satisfies the hit contract like any other item.
 */
export function asForceIncludedHit(course: DiscoveryCourse): DiscoveryHit {
  const runs = Array.isArray(course.course_runs) ? (course.course_runs as Record<string, unknown>[]) : [];
  return {
    ...course,
    aggregation_key: `course:${course.key}`,
    content_type: 'course',
    enterprise_force_included: true,
    course_runs: runs.map((run) => ({ ...run, status: 'published', availability: 'Current' })),
    course_run_statuses: runs.length > 0 ? ['published'] : [],
  };
}

/**
 * enterprise-catalog's `get_metadata_by_query`: every `search/all` hit for the filter, then the force-included
 * courses from `/courses/` (those the search already returned are not added twice). All-or-nothing, like its parts.
 */
export async function fetchMetadataByQuery(source: ContentSource, filter: ContentFilter, options: FetchOptions = {}): Promise<SearchAllResult> {
  const result = await source.searchAll(filter, options);
  const keys = forceIncludedKeys(filter);
  if (keys.length === 0) return result;
  const present = new Set(result.items.map((item) => item.aggregation_key));
  const before = source.stats().requests;
  const courses = await source.fetchCourses(
    keys.filter((k) => !present.has(`course:${k}`)),
    options,
  );
  return {
    items: [...result.items, ...courses.map(asForceIncludedHit)],
    pages: result.pages,
    requests: result.requests + (source.stats().requests - before),
  };
}
