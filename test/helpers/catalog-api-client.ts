/**
 * A test client that calls the catalog API the way edx-enterprise's `EnterpriseCatalogApiClient` does
 * (reference: integrated-channels.md §5): base `<root>/api/v1/`, every path stripped and given a trailing slash
 * (unless the real client skips it), `Authorization: JWT <token>`, query lists as repeated parameters encoded like
 * Python `requests`, `get_content_metadata` with keys in batches of PAGE_SIZE and pagination followed by
 * re-requesting the original URL with the query string of `next`. Written from that description; plain
 * `node:http`, because the real client sends a body on one GET.
 */
import { request } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    url: string,
  ) {
    super(`HTTP ${status} for ${url}: ${body.slice(0, 200)}`);
  }
}

type Params = Record<string, string | number | boolean | ReadonlyArray<string | number>>;
type Json = Record<string, unknown>;

/** `requests`' query encoding: `urlencode(params, doseq=True)` — lists become repeated parameters. */
function encodeParams(params: Params): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const v of value as ReadonlyArray<string | number>) search.append(name, String(v));
    else search.append(name, String(value));
  }
  return search.toString();
}

/** `parse_qs(urlparse(next).query)`: name → list of values. */
function paramsOfUrl(url: string): Params {
  const out: Record<string, string[]> = {};
  for (const [name, value] of new URL(url).searchParams) (out[name] ??= []).push(value);
  return out;
}

export class EnterpriseCatalogApiClient {
  readonly apiBaseUrl: string;
  /** Requests made, for assertions on URLs. */
  readonly log: Array<{ method: string; url: string }> = [];

  constructor(
    rootUrl: string,
    private readonly jwt: string,
    /** `ENTERPRISE_CATALOG_GET_CONTENT_METADATA_PAGE_SIZE` (default 50). */
    readonly pageSize = 50,
  ) {
    this.apiBaseUrl = `${rootUrl.replace(/\/+$/, '')}/api/v1/`;
  }

  /** `get_api_url(path)`: base + path stripped of slashes + `/`. */
  apiUrl(path: string, appendSlash = true): string {
    return `${this.apiBaseUrl}${path.replace(/^\/+|\/+$/g, '')}${appendSlash ? '/' : ''}`;
  }

  async #send(method: string, url: string, opts: { params?: Params; json?: unknown; data?: string } = {}): Promise<{ status: number; body: string }> {
    const qs = opts.params ? encodeParams(opts.params) : '';
    const full = qs ? `${url}${url.includes('?') ? '&' : '?'}${qs}` : url;
    this.log.push({ method, url: full });
    const payload = opts.json !== undefined ? JSON.stringify(opts.json) : opts.data;
    return new Promise((resolve, reject) => {
      const req = request(
        full,
        {
          method,
          headers: {
            authorization: `JWT ${this.jwt}`,
            accept: 'application/json',
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** `raise_for_status()` then `.json()`. */
  async #json<T>(method: string, url: string, opts: { params?: Params; json?: unknown; data?: string } = {}): Promise<T> {
    const r = await this.#send(method, url, opts);
    if (r.status >= 400) throw new HttpError(r.status, r.body, url);
    return JSON.parse(r.body) as T;
  }

  createEnterpriseCatalog(args: {
    uuid: string;
    enterpriseId: string;
    enterpriseName: string;
    title: string;
    contentFilter: Json;
    enabledCourseModes: string[];
    publishAuditEnrollmentUrls: boolean;
    catalogQueryUuid: string | null;
    queryTitle: string | null;
    includeExecEd2UCourses: boolean;
  }): Promise<Json> {
    return this.#json('POST', this.apiUrl('enterprise-catalogs'), {
      json: {
        uuid: args.uuid,
        title: args.title,
        enterprise_customer: args.enterpriseId,
        enterprise_customer_name: args.enterpriseName,
        content_filter: args.contentFilter,
        enabled_course_modes: args.enabledCourseModes,
        // edx-enterprise JSON-encodes this flag.
        publish_audit_enrollment_urls: JSON.stringify(args.publishAuditEnrollmentUrls),
        catalog_query_uuid: args.catalogQueryUuid,
        query_title: args.queryTitle,
        include_exec_ed_2u_courses: args.includeExecEd2UCourses,
      },
    });
  }

  getEnterpriseCatalog(uuid: string): Promise<Json> {
    return this.#json('GET', this.apiUrl(`enterprise-catalogs/${uuid}`));
  }

  updateEnterpriseCatalog(uuid: string, kwargs: Json): Promise<Json> {
    return this.#json('PUT', this.apiUrl(`enterprise-catalogs/${uuid}`), { json: kwargs });
  }

  async deleteEnterpriseCatalog(uuid: string): Promise<boolean> {
    const r = await this.#send('DELETE', this.apiUrl(`enterprise-catalogs/${uuid}`));
    return r.status >= 200 && r.status < 300;
  }

  /** Returns `(items_not_included, items_not_found, items_found)` = (create, delete, matched). */
  async getCatalogDiff(catalogUuid: string, contentKeys: string[]): Promise<[Json[], Json[], Json[]]> {
    const r = await this.#json<{ items_not_included: Json[]; items_not_found: Json[]; items_found: Json[] }>(
      'POST',
      this.apiUrl(`enterprise-catalogs/${catalogUuid}/generate_diff`),
      { json: { content_keys: contentKeys } },
    );
    return [r.items_not_included, r.items_not_found, r.items_found];
  }

  /**
   * Every item of the given catalogs (optionally only `contentKeysFilter`), merged by content id (program → uuid,
   * else key), later duplicates overwriting earlier ones.
   */
  async getContentMetadata(catalogUuids: string[], contentKeysFilter?: string[]): Promise<Json[]> {
    const byId = new Map<string, Json>();
    for (const catalogUuid of catalogUuids) {
      const url = this.apiUrl(`enterprise-catalogs/${catalogUuid}/get_content_metadata`);
      const requests: Params[] = [];
      if (contentKeysFilter !== undefined) {
        for (let i = 0; i < contentKeysFilter.length; i += this.pageSize) {
          requests.push({ page_size: this.pageSize, content_keys: contentKeysFilter.slice(i, i + this.pageSize) });
        }
      } else requests.push({ page_size: this.pageSize });
      for (const params of requests) {
        let response = await this.#json<{ results: Json[]; next: string | null }>('GET', url, { params });
        for (;;) {
          for (const item of response.results) {
            const id = item.content_type === 'program' ? String(item.uuid) : String(item.key);
            byId.set(id, item);
          }
          if (!response.next) break;
          // The host and path of `next` are ignored: the original URL with next's query string.
          response = await this.#json('GET', url, { params: paramsOfUrl(response.next) });
        }
      }
    }
    return [...byId.values()];
  }

  async getCatalogContentCount(uuid: string): Promise<number> {
    return (await this.#json<{ count: number }>('GET', this.apiUrl(`enterprise-catalogs/${uuid}/get_content_metadata`))).count;
  }

  /** `catalog-queries/get_query_by_hash?hash=` — no trailing slash, as the real client builds it. */
  getEnterpriseCatalogByHash(hash: string): Promise<Json> {
    return this.#json('GET', this.apiUrl('catalog-queries/get_query_by_hash', false), { params: { hash } });
  }

  /** `catalog-queries/get_content_filter_hash` with the query as the body of a GET. */
  getCatalogQueryHash(query: Json): Promise<string> {
    return this.#json('GET', this.apiUrl('catalog-queries/get_content_filter_hash', false), { data: JSON.stringify(query) });
  }

  async containsContentItems(catalogUuid: string, contentIds: string[]): Promise<boolean> {
    const r = await this.#json<{ contains_content_items: boolean }>('GET', this.apiUrl(`enterprise-catalogs/${catalogUuid}/contains_content_items`), {
      params: { course_run_ids: contentIds },
    });
    return r.contains_content_items;
  }

  enterpriseContainsContentItems(enterpriseUuid: string, contentIds: string[]): Promise<Json> {
    return this.#json('GET', this.apiUrl(`enterprise-customer/${enterpriseUuid}/contains_content_items`), {
      params: { course_run_ids: contentIds, get_catalogs_containing_specified_content_ids: 'True' },
    });
  }

  /** `content-metadata/<id>` — no trailing slash after the id; errors → `{}`. */
  async getContentMetadataContentIdentifier(contentId: string, coerceToParentCourse = false): Promise<Json> {
    try {
      return await this.#json('GET', `${this.apiUrl('content-metadata')}${contentId}`, coerceToParentCourse ? { params: { coerce_to_parent_course: 'True' } } : {});
    } catch {
      return {};
    }
  }

  /** Content id not URL-encoded, as the real client formats it; errors → `{}`. */
  async getCustomerContentMetadataContentIdentifier(enterpriseUuid: string, contentId: string): Promise<Json> {
    try {
      return await this.#json('GET', this.apiUrl(`enterprise-customer/${enterpriseUuid}/content-metadata/${contentId}`));
    } catch {
      return {};
    }
  }
}
