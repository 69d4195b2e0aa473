/**
 * `CatalogClient` over enterprise-catalog's v1 API, the way edx-enterprise's `EnterpriseCatalogApiClient` speaks it
 * (reference §5): base `<root>/api/v1/`, trailing slashes, `Authorization: JWT <token>`, one `generate_diff` POST
 * per catalog with every key, and key-filtered `get_content_metadata` requests following `next` by re-requesting
 * the original URL with the query string of `next`. Differences, on purpose: pages of 100 keys (upstream 50), the
 * POST form of `get_content_metadata` when the server has it (this service does; Open edX answers 405 and the GET
 * form is used from then on), and a retry of failed reads.
 *
 * The content version is read from the catalog detail (`content_last_modified`, `catalog_modified`), or from its
 * `content_version` when the server provides one. Upstream's detail does not move when content merely leaves a
 * catalog, which is why the engine also diffs every catalog at least once per `ECAT_TRANSMIT_FULL_DIFF_HOURS`.
 */
import { signDevToken } from '../auth/jwt.js';
import type { CatalogContentItem } from './channel-adapter.js';
import {
  batches,
  type CatalogDiffResult,
  type CatalogRef,
  CatalogRequestCounter,
  type CatalogClient,
  type CatalogClientFactory,
  type CatalogRequestKind,
  METADATA_PAGE_SIZE,
} from './catalog-client.js';

/** The catalog service failed or answered something unusable; the run stops and is retried later. */
export class CatalogUnavailableError extends Error {
  override readonly name = 'CatalogUnavailableError';
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface HttpCatalogClientOptions {
  /** enterprise-catalog root, e.g. `https://catalog.example.com` (without `/api/v1`). */
  baseUrl: string;
  /** A service JWT; when absent, one is minted with `jwtSecret`. */
  token?: string | null;
  jwtSecret?: string | null;
  jwtIssuer?: string | null;
  jwtAudience?: string | null;
  timeoutMs?: number;
  /** Attempts per request (network errors and 5xx are retried). */
  attempts?: number;
  retryDelayMs?: number;
  onRequest?: (kind: CatalogRequestKind, status: number | null) => void;
}

interface Page {
  next?: string | null;
  results?: unknown[];
}

const MINTED_TTL_SECONDS = 3600;

/** What the views of one client share: the minted token and what was learnt about the server. */
class SharedState {
  minted: { token: string; renewAt: number } | null = null;
  /** Whether the server accepts POST `get_content_metadata`; unknown until the first try. */
  postMetadata: boolean | null = null;
}

export class HttpCatalogClient implements CatalogClient, CatalogClientFactory {
  readonly kind = 'http' as const;
  readonly counter: CatalogRequestCounter;
  readonly #api: string;
  readonly #opts: HttpCatalogClientOptions;
  readonly #shared: SharedState;

  constructor(opts: HttpCatalogClientOptions, counter = new CatalogRequestCounter(), shared = new SharedState()) {
    if (!opts.token && !opts.jwtSecret) throw new Error('ECAT_CATALOG_API_URL needs ECAT_CATALOG_API_TOKEN or ECAT_JWT_SECRET');
    this.#api = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1/`;
    this.#opts = opts;
    this.counter = counter;
    this.#shared = shared;
  }

  /** A view of this client that counts into `counter`. */
  forRun(counter: CatalogRequestCounter): HttpCatalogClient {
    return new HttpCatalogClient(this.#opts, counter, this.#shared);
  }

  async listCatalogs(customerUuid: string): Promise<CatalogRef[]> {
    const out: CatalogRef[] = [];
    const url = this.#url('enterprise-catalogs/', { enterprise_customer: customerUuid, page_size: String(METADATA_PAGE_SIZE) });
    for await (const item of this.#pages('list_catalogs', 'GET', url)) {
      const r = item as { uuid?: unknown; title?: unknown; enterprise_customer?: unknown };
      // The filter is the server's; check it anyway, a mistake here would send another customer's catalog.
      const owner = typeof r.enterprise_customer === 'string' ? r.enterprise_customer : customerUuid;
      if (typeof r.uuid === 'string' && owner.toLowerCase() === customerUuid.toLowerCase()) {
        out.push({ uuid: r.uuid, title: typeof r.title === 'string' ? r.title : '' });
      }
    }
    return out;
  }

  async contentVersion(catalogUuid: string): Promise<string | null> {
    const res = await this.#request('content_version', 'GET', this.#url(`enterprise-catalogs/${encodeURIComponent(catalogUuid)}/`), undefined, [404]);
    if (res.status === 404) return null;
    const body = res.json as { content_version?: unknown; content_last_modified?: unknown; catalog_modified?: unknown };
    if (typeof body.content_version === 'string') return body.content_version;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return `detail:${text(body.content_last_modified)}|${text(body.catalog_modified)}`;
  }

  async generateDiff(catalogUuid: string, keys: readonly string[]): Promise<CatalogDiffResult> {
    const url = this.#url(`enterprise-catalogs/${encodeURIComponent(catalogUuid)}/generate_diff/`);
    const res = await this.#request('generate_diff', 'POST', url, { content_keys: keys });
    const body = res.json as { items_not_found?: unknown; items_not_included?: unknown; items_found?: unknown };
    const keyOf = (v: unknown): string | undefined => {
      const k = v !== null && typeof v === 'object' ? (v as { content_key?: unknown }).content_key : undefined;
      return typeof k === 'string' ? k : undefined;
    };
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    return {
      // Upstream answers `[[]]` (a list holding an empty set) for a catalog without a query: entries without a key
      // are dropped.
      notFound: list(body.items_not_found).map(keyOf).filter((k): k is string => k !== undefined),
      notIncluded: list(body.items_not_included).map(keyOf).filter((k): k is string => k !== undefined),
      found: list(body.items_found)
        .map((v) => {
          const contentKey = keyOf(v);
          const d = (v as { date_updated?: unknown }).date_updated;
          return contentKey === undefined ? undefined : { contentKey, dateUpdated: typeof d === 'string' ? d : null };
        })
        .filter((v): v is { contentKey: string; dateUpdated: string | null } => v !== undefined),
    };
  }

  async getMetadata(catalogUuid: string, keys: readonly string[]): Promise<CatalogContentItem[]> {
    const out: CatalogContentItem[] = [];
    const path = `enterprise-catalogs/${encodeURIComponent(catalogUuid)}/get_content_metadata/`;
    for (const batch of batches(keys, METADATA_PAGE_SIZE)) {
      let items: unknown[] | null = null;
      if (this.#shared.postMetadata !== false) {
        const url = this.#url(path, { page_size: String(METADATA_PAGE_SIZE) });
        try {
          items = await this.#collect(this.#pages('get_content_metadata', 'POST', url, { content_keys: batch }, [405]));
          this.#shared.postMetadata = true;
        } catch (err) {
          if (!(err instanceof MethodNotAllowed)) throw err;
          this.#shared.postMetadata = false;
        }
      }
      if (items === null) {
        const url = this.#url(path, { page_size: String(METADATA_PAGE_SIZE) }, batch);
        items = await this.#collect(this.#pages('get_content_metadata', 'GET', url));
      }
      for (const item of items) {
        if (item !== null && typeof item === 'object' && typeof (item as { content_type?: unknown }).content_type === 'string') {
          out.push(item as CatalogContentItem);
        }
      }
    }
    return out;
  }

  async customerActive(): Promise<boolean | null> {
    // enterprise-catalog v1 does not publish a customer's active flag.
    return null;
  }

  // ---------------------------------------------------------------------------------------------------------

  #url(path: string, query: Record<string, string> = {}, contentKeys: readonly string[] = []): string {
    const url = new URL(path, this.#api);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    for (const k of contentKeys) url.searchParams.append('content_keys', k);
    return url.toString();
  }

  async #collect(pages: AsyncIterable<unknown>): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const item of pages) out.push(item);
    return out;
  }

  /** Every result of a paginated list: `next` is followed with its query string on the original URL. */
  async *#pages(kind: CatalogRequestKind, method: 'GET' | 'POST', url: string, body?: unknown, expected: number[] = []): AsyncIterable<unknown> {
    let current = url;
    for (let guard = 0; guard < 100_000; guard++) {
      const res = await this.#request(kind, method, current, body, expected);
      if (res.status === 405) throw new MethodNotAllowed();
      const page = res.json as Page;
      for (const item of Array.isArray(page.results) ? page.results : []) yield item;
      if (typeof page.next !== 'string' || page.next === '') return;
      // Upstream re-requests the original URL with the query of `next` (its host and path may be internal ones);
      // parameters `next` leaves out (a server that drops the repeated `content_keys`) keep their original values.
      const next = new URL(page.next, this.#api);
      const again = new URL(url);
      for (const name of new Set(next.searchParams.keys())) {
        again.searchParams.delete(name);
        for (const v of next.searchParams.getAll(name)) again.searchParams.append(name, v);
      }
      if (again.toString() === current) return;
      current = again.toString();
    }
  }

  async #token(): Promise<string> {
    if (this.#opts.token) return this.#opts.token;
    const now = Date.now();
    const minted = this.#shared.minted;
    if (minted && minted.renewAt > now) return minted.token;
    const token = await signDevToken({
      secret: this.#opts.jwtSecret as string,
      roles: [],
      administrator: true,
      username: 'ecat-channels',
      ttlSeconds: MINTED_TTL_SECONDS,
      issuer: this.#opts.jwtIssuer ?? null,
      audience: this.#opts.jwtAudience ?? null,
    });
    this.#shared.minted = { token, renewAt: now + (MINTED_TTL_SECONDS - 300) * 1000 };
    return token;
  }

  async #request(
    kind: CatalogRequestKind,
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
    expected: number[] = [],
  ): Promise<{ status: number; json: unknown }> {
    const attempts = this.#opts.attempts ?? 3;
    let lastError: CatalogUnavailableError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, (this.#opts.retryDelayMs ?? 500) * 2 ** (attempt - 2)));
      this.counter.count(kind);
      let status: number | null = null;
      try {
        const headers: Record<string, string> = { accept: 'application/json', authorization: `JWT ${await this.#token()}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 30_000),
          redirect: 'manual',
        });
        status = res.status;
        const text = await res.text();
        this.#opts.onRequest?.(kind, status);
        if (expected.includes(status)) return { status, json: null };
        if (status >= 200 && status < 300) {
          try {
            return { status, json: JSON.parse(text) as unknown };
          } catch {
            throw new CatalogUnavailableError(`${method} ${redactQuery(url)}: answer is not JSON`, status);
          }
        }
        lastError = new CatalogUnavailableError(`${method} ${redactQuery(url)}: HTTP ${status} ${text.slice(0, 300)}`, status);
        // A client error will not change on retry.
        if (status < 500 && status !== 429) throw lastError;
      } catch (err) {
        if (err instanceof CatalogUnavailableError && (err.status === null || (err.status < 500 && err.status !== 429))) throw err;
        if (status === null) this.#opts.onRequest?.(kind, null);
        lastError =
          err instanceof CatalogUnavailableError
            ? err
            : new CatalogUnavailableError(`${method} ${redactQuery(url)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    throw lastError ?? new CatalogUnavailableError(`${method} ${redactQuery(url)} failed`);
  }
}

class MethodNotAllowed extends Error {}

function redactQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
