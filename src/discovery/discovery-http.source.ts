/**
 * `ContentSource` over course-discovery's HTTP API, as enterprise-catalog calls it (course-discovery.md §1,
 * enterprise-catalog.md §3.4), with one deliberate difference: upstream quietly stops paging with partial results
 * when a page keeps failing; we throw, so a refresh either has every page or changes nothing.
 *
 * - OAuth2 client credentials against `tokenUrl` (`token_type=jwt`), token cached until shortly before it expires,
 *   one concurrent token request at most, a fresh token fetched once when the API answers 401.
 * - Every request has a timeout. Network errors, timeouts, 5xx, 429 and truncated 2xx bodies are retried with
 *   exponential back-off and jitter (429 honours `Retry-After`, seconds or HTTP-date), up to `maxAttempts`.
 *   Other 4xx are not retried: asking again will not change the answer.
 */
import { Compile } from 'typebox/compile';
import type { TSchema, Static } from 'typebox';
import {
  DiscoveryFetchError,
  KEY_BATCH_SIZE,
  LIST_LIMIT,
  SEARCH_PAGE_SIZE,
  batches,
  type ContentFilter,
  type ContentSource,
  type ContentSourceStats,
  type DiscoveryCourse,
  type DiscoveryFetchErrorCode,
  type DiscoveryHit,
  type DiscoveryProgram,
  type FetchOptions,
  type SearchAllResult,
} from './content-source.js';
import { CourseContract, DiscoveryHitContract, ListPage, ProgramContract, SearchAllPage, TokenResponse } from './discovery.schemas.js';

export interface DiscoveryHttpSourceOptions {
  /** Discovery API base, e.g. `https://discovery.example.com/api/v1/` (a missing trailing slash is added). */
  baseUrl: string;
  /** OAuth2 token endpoint, e.g. `https://lms.example.com/oauth2/access_token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Per request, body included (default 15,000, enterprise-catalog's `ENTERPRISE_DISCOVERY_CLIENT_TIMEOUT`). */
  timeoutMs?: number;
  /** Attempts per request, first included (default 5, as upstream). */
  maxAttempts?: number;
  /** Back-off before retry k is about `backoffBaseMs · 2^(k-1)`, jittered (default 1,000). */
  backoffBaseMs?: number;
  /** Cap of one back-off (default 30,000). */
  maxBackoffMs?: number;
  /** Cap of an honoured `Retry-After` (default 60,000). */
  maxRetryAfterMs?: number;
  /** Stop paging after this many `search/all` pages (default 10,000): protects against a `next` that never ends. */
  maxPages?: number;
  /** Extra `search/all` query parameters, e.g. `{ include_restricted: 'custom-b2b-enterprise' }`. */
  extraSearchParams?: Readonly<Record<string, string>>;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Injected for tests; defaults to a timer that the fetch's signal can cancel. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); defaults to `Math.random`. */
  random?: () => number;
  /** Clock for token expiry and HTTP-date `Retry-After`; defaults to `Date.now`. */
  now?: () => number;
}

type Validator<T extends TSchema> = { Check(value: unknown): value is Static<T> };

const validators = {
  token: Compile(TokenResponse) as Validator<typeof TokenResponse>,
  searchPage: Compile(SearchAllPage) as Validator<typeof SearchAllPage>,
  listPage: Compile(ListPage) as Validator<typeof ListPage>,
  hit: Compile(DiscoveryHitContract) as Validator<typeof DiscoveryHitContract>,
  course: Compile(CourseContract) as Validator<typeof CourseContract>,
  program: Compile(ProgramContract) as Validator<typeof ProgramContract>,
};

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** `Retry-After` as milliseconds: delta-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

interface Attempted<T> {
  value: T;
}

class RetryableFailure {
  constructor(
    readonly code: DiscoveryFetchErrorCode,
    readonly message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
    readonly cause?: unknown,
  ) {}
}

export class DiscoveryHttpSource implements ContentSource {
  readonly name = 'discovery';
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxPages: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private token: { value: string; refreshAt: number } | null = null;
  private tokenInFlight: Promise<string> | null = null;
  private counters: ContentSourceStats = { requests: 0, tokenRequests: 0, retries: 0 };

  constructor(private readonly options: DiscoveryHttpSourceOptions) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffBaseMs = options.backoffBaseMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.maxPages = options.maxPages ?? 10_000;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  stats(): ContentSourceStats {
    return { ...this.counters };
  }

  async searchAll(filter: ContentFilter, options: FetchOptions = {}): Promise<SearchAllResult> {
    const body = JSON.stringify(filter);
    const items: DiscoveryHit[] = [];
    // A document that moves across a page boundary while we page would appear twice; keep the first.
    const seen = new Set<string>();
    // Counted per call: concurrent searches on one source must not see each other's requests.
    const tally = { requests: 0 };
    let page = 1;
    for (;;) {
      if (page > this.maxPages) {
        throw new DiscoveryFetchError('too_many_pages', `search/all did not finish within ${this.maxPages} pages`, { page });
      }
      const params = new URLSearchParams({
        exclude_expired_course_run: 'True',
        include_learner_pathways: 'True',
        page_size: String(SEARCH_PAGE_SIZE),
        page: String(page),
        ...this.options.extraSearchParams,
      });
      const url = `${this.baseUrl}search/all/?${params.toString()}`;
      let result;
      try {
        result = await this.requestJson('POST', url, body, validators.searchPage, options.signal, tally);
      } catch (error) {
        if (error instanceof DiscoveryFetchError) {
          throw new DiscoveryFetchError(error.code, `search/all page ${page}: ${error.message}`, {
            status: error.status,
            attempts: error.attempts,
            url: error.url,
            page,
            cause: error,
          });
        }
        throw error;
      }
      for (const [index, hit] of result.results.entries()) {
        if (!validators.hit.Check(hit)) {
          throw new DiscoveryFetchError('invalid_body', `search/all page ${page}: result ${index} has no aggregation_key/content_type`, {
            status: 200,
            attempts: 1,
            url,
            page,
          });
        }
        const item = hit as DiscoveryHit;
        const identity = `${item.content_type}|${item.key ?? item.uuid ?? item.aggregation_key}`;
        if (seen.has(identity)) continue;
        seen.add(identity);
        items.push(item);
      }
      if (!result.next) break;
      page++;
    }
    return { items, pages: page, requests: tally.requests };
  }

  async fetchCourses(keys: readonly string[], options: FetchOptions = {}): Promise<DiscoveryCourse[]> {
    const out: DiscoveryCourse[] = [];
    for (const batch of batches(keys, KEY_BATCH_SIZE)) {
      const items = await this.fetchList('courses/', { keys: batch.join(','), ordering: 'key' }, validators.course, options.signal);
      out.push(...(items as DiscoveryCourse[]));
    }
    return out;
  }

  async fetchPrograms(uuids: readonly string[], options: FetchOptions = {}): Promise<DiscoveryProgram[]> {
    const out: DiscoveryProgram[] = [];
    for (const batch of batches(uuids, KEY_BATCH_SIZE)) {
      const items = await this.fetchList('programs/', { uuids: batch.join(','), extended: 'True' }, validators.program, options.signal);
      out.push(...(items as DiscoveryProgram[]));
    }
    return out;
  }

  /** Limit/offset paging of a list endpoint until `next` is null. */
  private async fetchList(
    path: string,
    query: Readonly<Record<string, string>>,
    itemValidator: { Check(value: unknown): boolean },
    signal: AbortSignal | undefined,
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let offset = 0, pages = 0; ; offset += LIST_LIMIT, pages++) {
      if (pages >= this.maxPages) throw new DiscoveryFetchError('too_many_pages', `${path} did not finish within ${this.maxPages} pages`);
      const params = new URLSearchParams({ ...query, limit: String(LIST_LIMIT), offset: String(offset) });
      const url = `${this.baseUrl}${path}?${params.toString()}`;
      const page = await this.requestJson('GET', url, undefined, validators.listPage, signal);
      for (const [index, item] of page.results.entries()) {
        if (!itemValidator.Check(item)) {
          throw new DiscoveryFetchError('invalid_body', `${path} result ${index} lacks its identifying fields`, { status: 200, attempts: 1, url });
        }
        out.push(item);
      }
      if (!page.next) return out;
    }
  }

  /** One API call with auth, timeout, retries and validation of the JSON answer. */
  private async requestJson<T extends TSchema>(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    validator: Validator<T>,
    signal: AbortSignal | undefined,
    tally?: { requests: number },
  ): Promise<Static<T>> {
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken(signal);
      this.counters.requests++;
      if (tally) tally.requests++;
      const headers: Record<string, string> = { Authorization: `JWT ${token}`, Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const outcome = await this.attempt(url, { method, headers, body }, validator, signal);
      if (!(outcome instanceof RetryableFailure) && !(outcome instanceof DiscoveryFetchError)) return outcome.value;
      if (outcome instanceof DiscoveryFetchError) {
        if (outcome.status === 401 && !refreshedToken) {
          // The token may have been revoked or expired early: fetch a fresh one, once, and try again at once.
          refreshedToken = true;
          this.invalidateToken(token);
          attempt--;
          continue;
        }
        throw new DiscoveryFetchError(outcome.status === 401 ? 'auth' : outcome.code, outcome.message, {
          status: outcome.status,
          attempts: attempt,
          url,
          cause: outcome.cause,
        });
      }
      if (attempt >= this.maxAttempts) {
        throw new DiscoveryFetchError(outcome.code, `${outcome.message} (gave up after ${attempt} attempts)`, {
          status: outcome.status,
          attempts: attempt,
          url,
          cause: outcome.cause,
        });
      }
      this.counters.retries++;
      await this.pause(this.retryDelay(attempt, outcome.retryAfterMs), signal, url, attempt);
    }
  }

  /**
   * One HTTP exchange. Resolves with the value, a `RetryableFailure`, or a `DiscoveryFetchError` for answers that
   * retrying cannot fix; rejects only when the caller aborts.
   */
  private async attempt<T extends TSchema>(
    url: string,
    init: { method: string; headers: Record<string, string>; body: string | undefined },
    validator: Validator<T>,
    signal: AbortSignal | undefined,
  ): Promise<Attempted<Static<T>> | RetryableFailure | DiscoveryFetchError> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, { ...init, signal: combined });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw new DiscoveryFetchError('aborted', 'content fetch aborted', { url, cause: error });
      if (timeout.aborted) return new RetryableFailure('timeout', `no answer within ${this.timeoutMs} ms`, null, null, error);
      return new RetryableFailure('network', `request failed: ${describe(error)}`, null, null, error);
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.now());
      return new RetryableFailure('http_status', `upstream answered ${status}`, status, retryAfter);
    }
    if (status < 200 || status >= 300) {
      return new DiscoveryFetchError('http_status', `upstream answered ${status}: ${text.slice(0, 200)}`, { status, url });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      // A 200 whose body does not parse was cut off in transit (or by a proxy): worth another try.
      return new RetryableFailure('invalid_body', `upstream sent ${text.length} bytes of invalid JSON`, status, null, error);
    }
    if (!validator.Check(json)) {
      return new DiscoveryFetchError('invalid_body', 'upstream answer does not have the expected shape', { status, url });
    }
    return { value: json };
  }

  /** Exponential back-off with "equal jitter" (half fixed, half random), or the server's `Retry-After`. */
  private retryDelay(attempt: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return Math.min(retryAfterMs, this.maxRetryAfterMs);
    const ceiling = Math.min(this.maxBackoffMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private async pause(ms: number, signal: AbortSignal | undefined, url: string, attempts: number): Promise<void> {
    if (ms <= 0) return;
    try {
      await this.sleep(ms, signal);
    } catch (error) {
      throw new DiscoveryFetchError('aborted', 'content fetch aborted', { url, attempts, cause: error });
    }
  }

  private invalidateToken(token: string): void {
    if (this.token?.value === token) this.token = null;
  }

  /** A cached token, or a fresh one; concurrent callers share one token request. */
  private async accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (this.token !== null && this.now() < this.token.refreshAt) return this.token.value;
    this.tokenInFlight ??= this.requestToken(signal).finally(() => {
      this.tokenInFlight = null;
    });
    return this.tokenInFlight;
  }

  private async requestToken(signal: AbortSignal | undefined): Promise<string> {
    const url = this.options.tokenUrl;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      token_type: 'jwt',
    }).toString();
    for (let attempt = 1; ; attempt++) {
      this.counters.tokenRequests++;
      const outcome = await this.attempt(
        url,
        { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: form },
        validators.token,
        signal,
      );
      if (outcome instanceof DiscoveryFetchError) {
        throw new DiscoveryFetchError('auth', `token request refused (${outcome.status ?? 'no status'})`, {
          status: outcome.status,
          attempts: attempt,
          url,
        });
      }
      if (!(outcome instanceof RetryableFailure)) {
        const { access_token: value, expires_in: expiresIn } = outcome.value;
        // Refresh a little before expiry (upstream: 5 s), so a token never expires between check and use.
        const margin = Math.min(5, expiresIn / 10);
        this.token = { value, refreshAt: this.now() + Math.max(0, expiresIn - margin) * 1000 };
        return value;
      }
      if (attempt >= this.maxAttempts) {
        throw new DiscoveryFetchError(outcome.code, `token request: ${outcome.message}`, {
          status: outcome.status,
          attempts: attempt,
          url,
          cause: outcome.cause,
        });
      }
      this.counters.retries++;
      await this.pause(this.retryDelay(attempt, outcome.retryAfterMs), signal, url, attempt);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
