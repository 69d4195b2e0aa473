/**
 * The read side of the catalog API: "does catalog/customer X contain Y?", `filter_content_items`, `generate_diff`,
 * `get_content_metadata`, the customer content lookup, `/content-metadata/` and `distinct-catalog-queries`
 * (reference §2.2–2.5, §2.8, §2.10).
 *
 * Membership questions are answered from the in-memory index with no database round trip; content JSON is read
 * from the database one page at a time, and HTTP answers reuse pre-serialised items (`ContentFragmentCache`). Every method takes the caller's {@link AuthContext} and checks it against
 * the enterprise that owns the resource (in-process callers pass `SYSTEM_ACTOR`).
 */
import { Readable } from 'node:stream';
import type { AuthContext } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { AppError, badRequest, notFound } from '../shared/errors.js';
import { permissionDenied, requireLearnerAccess } from './catalog-access.js';
import { formatMicros, maxMicros, microsToIso } from './catalog-time.js';
import {
  presentContentItem,
  type ContentPresenterContext,
  type JsonObject,
  type PresenterUrls,
} from './content-presenter.js';
import { ActiveRefsCache } from './active-refs-cache.js';
import { DiffThreadClient } from './diff-thread.client.js';
import { catalogMemberEntries, MemberEntriesCache, parseDiffAnswer, writeDiffAnswer, type DiffAnswer } from './diff-answer.js';
import type { ContentFragmentCache } from './content-fragment-cache.js';
import { buildContentFragment, ItemSplicer, JsonBody, type ContentFragment } from './content-fragment.js';
import {
  activeMemberPage,
  activeMemberRefs,
  contentListPage,
  contentListRefs,
  contentRefsByIds,
  contentRowsByIds,
  countActiveMembers,
  countContentList,
  findContent,
  versionedRowsByIds,
  type ContentListFilter,
  type ContentRef,
  type ContentRow,
} from './content-read.repository.js';
import { parseBooleanFlag } from './flags.js';
import { parseUuid, type IndexContentRow } from './membership-index.js';
import type { CatalogMeta, CustomerMeta, MembershipIndexService } from './membership-index.service.js';
import {
  allValues,
  drfPage,
  DRF_PAGE_SIZE,
  edxPage,
  EDX_PAGE_SIZE,
  pageSizeOf,
  pageWindow,
  type DrfPage,
  type PageWindow,
  type QueryValue,
  type RequestUrl,
} from './pagination.js';

/** Most keys a GET may carry (`get_content_metadata`, `generate_diff`); POST bodies have no limit. */
export const MAX_GET_KEYS = 100;

const CONTAINS_PARAMS_MESSAGE = 'You must provide at least one of the following query parameters: course_run_ids, program_uuids.';
const DIFF_PARAMS_MESSAGE = 'You must provide at least one of the following query parameters: content_keys.';
const METADATA_TOO_MANY_KEYS =
  'get_content_metadata GET requests supports up to 100. If more contentkeys required, please use a POST body.';
const DIFF_TOO_MANY_KEYS = 'catalog_diff GET requests supports up to 100. If more content keys required, please use a POST body.';
const NO_CUSTOMER_CONTENT = 'No matching content in any catalog for this customer';

/**
 * A 400 whose body is a bare JSON string, as upstream answers some errors. The error handler sends string bodies
 * verbatim, so the body is the JSON text of the string.
 */
export function jsonStringError(code: string, message: string): AppError {
  return badRequest(code, message, JSON.stringify(message));
}

/** A 400 whose body is a one-element list of messages (DRF `ValidationError("…")`). */
function listError(code: string, message: string): AppError {
  return badRequest(code, message, [message]);
}

function invalidCustomerUuid(raw: string): AppError {
  return jsonStringError('invalid_enterprise_uuid', `Error: invalid enterprice customer uuid: "${raw}" provided.`);
}

/** Upstream turns literal spaces in run keys back into `+` (a `+` sent unencoded arrives as a space). */
function plusKeys(values: readonly string[]): string[] {
  return values.map((v) => (v.includes(' ') ? v.replaceAll(' ', '+') : v));
}

export interface ContainsParams {
  course_run_ids?: QueryValue;
  program_uuids?: QueryValue;
  get_catalog_list?: QueryValue;
  get_catalogs_containing_specified_content_ids?: QueryValue;
}

export interface ContainsResult {
  contains_content_items: boolean;
  catalog_list?: string[];
}

/** `generate_diff`'s answer. */
export type DiffResult = DiffAnswer;

export interface MetadataRequest {
  /** Requested keys; `null` = none given (then the active filter applies). */
  contentKeys: readonly string[] | null;
  /** Where the keys came from: a GET query (at most 100) or a POST body (any number). */
  via: 'query' | 'body';
  page?: QueryValue;
  pageSize?: QueryValue;
  traversePagination?: QueryValue;
  /** For `next`/`previous` links; `null` for in-process callers (links are then relative). */
  url: RequestUrl | null;
}

export interface MetadataPage {
  next: string | null;
  previous: string | null;
  count: number;
  num_pages?: number;
  current_page?: number;
  start?: number;
  results: JsonObject[];
  uuid: string;
  title: string;
  enterprise_customer: string;
}

/** A response body that is already JSON: one buffer, or a stream of buffers for very long answers. */
export type JsonPayload = Buffer | Readable;

/** Active member refs kept for paging, over all queries (~120 bytes each: 200,000 ≈ 24 MB, 40 catalogs of 5,000). */
const MAX_CACHED_ACTIVE_REFS = 200_000;

/** Encoded diff entries kept, over all queries (~60 bytes a member: 16 MiB ≈ 280,000 members). */
const MAX_MEMBER_ENTRIES_BYTES = 16 * 1024 * 1024;

/** Items per database read and per streamed chunk of a `traverse_pagination` answer. */
const TRAVERSE_BATCH = 250;

export interface CatalogContentDeps {
  db: Db;
  index: MembershipIndexService;
  urls: PresenterUrls;
  /** Pre-serialised items, shared by every JSON answer of this service. */
  cache: ContentFragmentCache;
  /** `generate_diff` with at least this many keys is computed on the diff thread; 0 (the default here) never. */
  diffThreadMinKeys?: number;
}

/** What a `generate_diff` answer is computed from, once the catalog is checked. */
interface DiffInputs {
  catalogUuid: string;
  requested: readonly string[];
  floorUs: number;
}

/** What `get_content_metadata` serves, decided before any content is read. */
interface MetadataPlan {
  catalog: CatalogMeta;
  traverse: boolean;
  count: number;
  window: PageWindow;
  /** Ids matching the requested keys, ascending; null when no keys were given (the active members are served). */
  matchedIds: number[] | null;
}

/** `{…before, "results": [` and `], …after}` around a results list, as JSON text. */
function envelope(before: Record<string, unknown>, after: Record<string, unknown>): { head: string; tail: string } {
  const tailText = JSON.stringify(after);
  return {
    head: `${JSON.stringify(before).slice(0, -1)},"results":[`,
    tail: tailText === '{}' ? ']}' : `],${tailText.slice(1)}`,
  };
}

export class CatalogContentService {
  readonly #db: Db;
  readonly #index: MembershipIndexService;
  readonly #urls: PresenterUrls;
  readonly #cache: ContentFragmentCache;
  readonly #activeRefs = new ActiveRefsCache(MAX_CACHED_ACTIVE_REFS);
  readonly #memberEntries = new MemberEntriesCache(MAX_MEMBER_ENTRIES_BYTES);
  readonly #diffThread = new DiffThreadClient(MAX_MEMBER_ENTRIES_BYTES);
  readonly #diffThreadMinKeys: number;

  constructor(deps: CatalogContentDeps) {
    this.#db = deps.db;
    this.#index = deps.index;
    this.#urls = deps.urls;
    this.#cache = deps.cache;
    this.#diffThreadMinKeys = deps.diffThreadMinKeys ?? 0;
  }

  /** `generate_diff` answers the diff thread gave, and those it passed back to be answered here. */
  get diffThreadStats(): { readonly thread: number; readonly inProcess: number } {
    return this.#diffThread.stats;
  }

  /** Stops the diff thread (diffs are then answered in-process). */
  close(): Promise<void> {
    return this.#diffThread.close();
  }

  /** The catalog if it exists (404 otherwise) and the caller may read it (403 otherwise). */
  async #readableCatalog(auth: AuthContext, uuid: string): Promise<CatalogMeta> {
    const catalog = await this.#index.resolveCatalog(uuid);
    if (catalog === undefined) throw notFound('catalog_not_found');
    requireLearnerAccess(auth, catalog.enterpriseUuid);
    return catalog;
  }

  /** Customer endpoints authorise the uuid as written in the URL (exact string, as upstream), then parse it. */
  #customerUuid(auth: AuthContext, raw: string): string {
    requireLearnerAccess(auth, raw);
    const uuid = parseUuid(raw);
    if (uuid === null) throw invalidCustomerUuid(raw);
    return uuid;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Membership questions (index only)

  /**
   * `GET enterprise-catalogs/{uuid}/contains_content_items/` (§2.2): true if ANY key matches. When the index is
   * loaded and knows the catalog (the common case) the answer, or the error, comes synchronously, without a
   * promise (bench B1); otherwise the database decides whether the catalog exists.
   */
  catalogContains(auth: AuthContext, catalogUuid: string, params: ContainsParams): ContainsResult | Promise<ContainsResult> {
    const known = this.#index.isReady ? this.#index.catalog(catalogUuid) : undefined;
    if (known === undefined) return this.#catalogContainsAfterLookup(auth, catalogUuid, params);
    requireLearnerAccess(auth, known.enterpriseUuid);
    return { contains_content_items: this.#index.index.catalogContains(known.uuid, containsKeys(params)) };
  }

  async #catalogContainsAfterLookup(auth: AuthContext, catalogUuid: string, params: ContainsParams): Promise<ContainsResult> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    const keys = containsKeys(params);
    return { contains_content_items: this.#index.index.catalogContains(catalog.uuid, keys) };
  }

  /**
   * `GET enterprise-customer/{uuid}/contains_content_items/` (§2.3). Synchronous (answer or error) once the index
   * is loaded (bench B2); a promise before.
   */
  customerContains(auth: AuthContext, enterpriseUuid: string, params: ContainsParams): ContainsResult | Promise<ContainsResult> {
    const uuid = this.#customerUuid(auth, enterpriseUuid);
    const keys = containsKeys(params);
    const withCatalogList =
      parseBooleanFlag('get_catalogs_containing_specified_content_ids', params.get_catalogs_containing_specified_content_ids) ||
      parseBooleanFlag('get_catalog_list', params.get_catalog_list);
    if (!this.#index.isReady) return this.#index.ready().then(() => this.#customerContainsNow(uuid, keys, withCatalogList));
    return this.#customerContainsNow(uuid, keys, withCatalogList);
  }

  #customerContainsNow(uuid: string, keys: string[], withCatalogList: boolean): ContainsResult {
    const r = this.#index.index.customerContains(uuid, keys, { withCatalogList });
    return withCatalogList ? { contains_content_items: r.contains, catalog_list: r.catalogList ?? [] } : { contains_content_items: r.contains };
  }

  /**
   * `POST enterprise-customer/{uuid}/filter_content_items/` (§2.3). `catalogUuids` only narrows the search
   * among this customer's catalogs (upstream would search any catalog named there).
   */
  async filterContentItems(
    auth: AuthContext,
    enterpriseUuid: string,
    body: { content_keys?: readonly string[]; catalog_uuids?: readonly string[] },
  ): Promise<{ filtered_content_keys: string[] }> {
    const uuid = this.#customerUuid(auth, enterpriseUuid);
    await this.#index.ready();
    return { filtered_content_keys: this.#index.index.filterContentItems(uuid, body.content_keys ?? [], body.catalog_uuids) };
  }

  /**
   * `generate_diff` (§2.5) for in-process callers: the object {@link generateDiffJson}'s bytes spell, so the buckets
   * are decided in one place (`diff-answer.ts`) and this answer is the HTTP answer by construction. Same errors.
   */
  async generateDiff(auth: AuthContext, catalogUuid: string, keys: readonly string[] | undefined, via: 'query' | 'body'): Promise<DiffResult> {
    return parseDiffAnswer(await this.generateDiffJson(auth, catalogUuid, keys, via));
  }

  /**
   * `generate_diff` (§2.5) as the HTTP answer's bytes: exact-key buckets, `date_updated = max(content, catalog,
   * customer modified)`. `via: 'query'` applies the GET rules (keys required, at most 100). Assembled from the
   * query's cached member entries (see `diff-answer.ts`), on the diff thread for many keys.
   */
  generateDiffJson(auth: AuthContext, catalogUuid: string, keys: readonly string[] | undefined, via: 'query' | 'body'): Promise<Buffer> {
    return this.#diffInputs(auth, catalogUuid, keys, via).then((d) => this.#answerDiff(d));
  }

  /** Large diffs go to the diff thread ({@link DiffThreadClient}); the rest, and its fallback, are answered here. */
  #answerDiff(d: DiffInputs): Promise<Buffer> | Buffer {
    const min = this.#diffThreadMinKeys;
    if (min === 0 || d.requested.length < min) return this.#diffInProcess(d);
    const index = this.#index.index;
    const membership = index.catalogMembership(d.catalogUuid);
    if (membership === null) return this.#diffInProcess(d);
    const version = this.#index.version;
    const { catalogUuid, floorUs } = d;
    return this.#diffThread.answer(
      {
        queryId: membership.queryId,
        version,
        members: () =>
          this.#index.version !== version
            ? null
            : {
                ids: membership.members,
                // Every member id is known to the index (MembershipIndex asserts it on every membership write).
                keyOf: (id) => (index.getContent(id) as IndexContentRow).contentKey,
                modifiedUsOf: (id) => this.#index.contentModifiedUs(id),
              },
        requested: d.requested,
        floorUs,
      },
      (requested) => this.#diffInProcess({ catalogUuid, requested, floorUs }),
    );
  }

  #diffInProcess(d: DiffInputs): Buffer {
    const members = catalogMemberEntries(this.#index.index, d.catalogUuid, {
      cache: this.#memberEntries,
      version: this.#index.version,
      modifiedUsOf: (id) => this.#index.contentModifiedUs(id),
    });
    return writeDiffAnswer({ members, requested: d.requested, floorUs: d.floorUs, format: formatMicros });
  }

  async #diffInputs(
    auth: AuthContext,
    catalogUuid: string,
    keys: readonly string[] | undefined,
    via: 'query' | 'body',
  ): Promise<DiffInputs> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    let requested = keys ?? [];
    if (via === 'query') {
      requested = requested.filter((k) => k !== '');
      if (requested.length === 0) throw listError('missing_content_keys', DIFF_PARAMS_MESSAGE);
      if (requested.length > MAX_GET_KEYS) throw jsonStringError('too_many_content_keys', DIFF_TOO_MANY_KEYS);
    }
    const customer = await this.#index.resolveCustomer(catalog.enterpriseUuid);
    return { catalogUuid: catalog.uuid, requested: plusKeys(requested), floorUs: maxMicros(catalog.modifiedUs, customer?.modifiedUs) as number };
  }

  /** `distinct-catalog-queries` (§2.8): staff only. */
  async distinctCatalogQueries(
    auth: AuthContext,
    catalogUuids: readonly string[],
  ): Promise<{ num_distinct_query_ids: number; catalog_uuids_by_catalog_query_id: Record<string, string[]> }> {
    if (!auth.isSuperuser) throw permissionDenied();
    await this.#index.ready();
    const r = this.#index.index.distinctCatalogQueries(catalogUuids);
    return { num_distinct_query_ids: r.numDistinctQueryIds, catalog_uuids_by_catalog_query_id: r.catalogUuidsByQueryId };
  }

  /**
   * An opaque version of everything the catalog serves (members, their real changes, catalog and customer
   * `modified`): equal versions mean an exporter may skip the catalog. 404 for an unknown catalog.
   */
  async catalogContentVersion(auth: AuthContext, catalogUuid: string): Promise<string> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    return this.#index.catalogContentVersion(catalog.uuid) as string;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Content JSON (one page at a time)

  /**
   * `get_content_metadata` (§2.4): P-edx page of the catalog's items plus `uuid`, `title`, `enterprise_customer`.
   * Without keys, only active content, counted and paged in SQL; with keys, the §2.2 match rule (a run key
   * yields its course) and no active filter. `traverse_pagination` returns everything in one page.
   * The object form, built by the presenter from rows: the definition the cached answers of
   * {@link contentMetadataJson} are checked against. HTTP answers and the channels' in-process catalog client use
   * {@link contentMetadataJson}.
   */
  async contentMetadata(auth: AuthContext, catalogUuid: string, req: MetadataRequest): Promise<MetadataPage> {
    const db = this.#db.kysely;
    const plan = await this.#metadataPlan(auth, catalogUuid, req, (queryId) => countActiveMembers(db, queryId));
    const { catalog, window } = plan;
    let rows: ContentRow[] = [];
    if (catalog.queryId !== null && plan.count > 0) {
      rows =
        plan.matchedIds !== null
          ? await contentRowsByIds(db, plan.matchedIds.slice(window.offset, window.offset + window.pageSize))
          : await activeMemberPage(db, catalog.queryId, window.pageSize, window.offset);
    }
    const customer = await this.#index.resolveCustomer(catalog.enterpriseUuid);
    const ctx = this.#presenterContext(catalog, customer ?? null, false);
    const results = rows.map((row) => presentRow(row, ctx));
    const tail = { uuid: catalog.uuid, title: catalog.title, enterprise_customer: catalog.enterpriseUuid };
    if (plan.traverse) return { previous: null, next: null, count: plan.count, results, ...tail };
    return { ...edxPage(req.url ?? { origin: '', path: '', query: '' }, window, results), ...tail };
  }

  /**
   * {@link contentMetadata} as JSON text, built from cached pre-serialised items (content-fragment.ts): the page's
   * ids and versions come first — for the active members, from a list kept per membership-index version
   * ({@link ActiveRefsCache}); for keys, from one small query — and JSON is read only for items not cached at that
   * version. A page is one buffer; a `traverse_pagination` answer is streamed in chunks of {@link TRAVERSE_BATCH}
   * items (an error while streaming aborts the response).
   */
  async contentMetadataJson(auth: AuthContext, catalogUuid: string, req: MetadataRequest): Promise<JsonPayload> {
    let active: readonly ContentRef[] = [];
    const plan = await this.#metadataPlan(auth, catalogUuid, req, async (queryId) => {
      const version = this.#index.version;
      active = await this.#activeRefs.get(queryId, version, () => activeMemberRefs(this.#db.kysely, queryId));
      return active.length;
    });
    const { catalog, window } = plan;
    let refs: readonly ContentRef[] = [];
    if (catalog.queryId !== null && plan.count > 0) {
      refs =
        plan.matchedIds !== null
          ? await contentRefsByIds(this.#db.kysely, plan.matchedIds.slice(window.offset, window.offset + window.pageSize))
          : active.slice(window.offset, window.offset + window.pageSize);
    }
    const customer = await this.#index.resolveCustomer(catalog.enterpriseUuid);
    const ctx = this.#presenterContext(catalog, customer ?? null, false);
    // The index version covers the rows childKeysOf reads; catalog and customer are in the key themselves.
    const splicer = new ItemSplicer(ctx, JSON.stringify([this.#index.version, ctx.catalog, ctx.customer]));
    const after = { uuid: catalog.uuid, title: catalog.title, enterprise_customer: catalog.enterpriseUuid };
    if (!plan.traverse) {
      const { next, previous, count, num_pages, current_page, start } = edxPage(req.url ?? { origin: '', path: '', query: '' }, window, []);
      const { head, tail } = envelope({ next, previous, count, num_pages, current_page, start }, after);
      return this.#itemsBody(head, refs, splicer, tail);
    }
    const { head, tail } = envelope({ previous: null, next: null, count: plan.count }, after);
    return Readable.from(this.#streamItems(head, refs, splicer, tail), { objectMode: false });
  }

  /** Validation, count and page window; `countActive` counts a query's active members (when no keys are given). */
  async #metadataPlan(
    auth: AuthContext,
    catalogUuid: string,
    req: MetadataRequest,
    countActive: (queryId: number) => Promise<number>,
  ): Promise<MetadataPlan> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    const keys = req.contentKeys;
    if (req.via === 'query' && keys !== null && keys.length > MAX_GET_KEYS) {
      throw jsonStringError('too_many_content_keys', METADATA_TOO_MANY_KEYS);
    }
    const traverse = parseBooleanFlag('traverse_pagination', req.traversePagination);
    let matchedIds: number[] | null = null;
    let count: number;
    if (catalog.queryId === null) count = 0;
    else if (keys !== null && keys.length > 0) {
      matchedIds = this.#index.index.matchingContentIds(catalog.uuid, keys);
      count = matchedIds.length;
    } else count = await countActive(catalog.queryId);

    const pageSize = traverse ? Math.max(count, 1) : pageSizeOf(req.pageSize, EDX_PAGE_SIZE);
    const window = pageWindow(count, traverse ? undefined : req.page, pageSize);
    return { catalog, traverse, count, window, matchedIds };
  }

  /** `head`, the items of `refs` separated by commas, `tail`: one buffer. */
  async #itemsBody(head: string, refs: readonly ContentRef[], splicer: ItemSplicer, tail: string): Promise<Buffer> {
    const body = new JsonBody();
    body.text(head);
    await this.#writeItems(refs, splicer, body, true);
    body.text(tail);
    return body.toBuffer();
  }

  async *#streamItems(head: string, refs: readonly ContentRef[], splicer: ItemSplicer, tail: string): AsyncGenerator<Buffer> {
    const body = new JsonBody();
    body.text(head);
    let first = true;
    for (let i = 0; i < refs.length; i += TRAVERSE_BATCH) {
      first = await this.#writeItems(refs.slice(i, i + TRAVERSE_BATCH), splicer, body, first);
      yield body.toBuffer();
    }
    body.text(tail);
    yield body.toBuffer();
  }

  /**
   * Appends the presented items of `refs` (comma-separated; `first` = nothing written before) and returns whether
   * still nothing was written. Cached fragments are used when their version matches; the others are read in one
   * query and cached. A row read then carries its own (possibly newer) version; a row gone since is left out.
   */
  async #writeItems(refs: readonly ContentRef[], splicer: ItemSplicer, body: JsonBody, first: boolean): Promise<boolean> {
    const fragments = new Array<ContentFragment | undefined>(refs.length);
    const modifiedUs = refs.map((r) => r.modifiedUs);
    const missing: number[] = [];
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as ContentRef;
      fragments[i] = this.#cache.get(ref.id, ref);
      if (fragments[i] === undefined) missing.push(i);
    }
    if (missing.length > 0) {
      const rows = await versionedRowsByIds(this.#db.kysely, missing.map((i) => (refs[i] as ContentRef).id));
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const i of missing) {
        const row = byId.get((refs[i] as ContentRef).id);
        if (row === undefined) continue;
        const fragment = buildContentFragment({ ...row, jsonMetadata: JSON.parse(row.jsonText) as JsonObject });
        this.#cache.set(row.id, row, fragment);
        fragments[i] = fragment;
        modifiedUs[i] = row.modifiedUs;
      }
    }
    for (let i = 0; i < refs.length; i++) {
      const fragment = fragments[i];
      if (fragment === undefined) continue;
      if (!first) body.text(',');
      first = false;
      splicer.write(fragment, modifiedUs[i] as number, body);
    }
    return first;
  }

  /** `GET enterprise-customer/{uuid}/content-metadata/{identifier}/` (§2.3). */
  async customerContent(auth: AuthContext, enterpriseUuid: string, identifier: string, skipCustomerFetch: QueryValue): Promise<JsonObject> {
    const uuid = this.#customerUuid(auth, enterpriseUuid);
    const skip = parseBooleanFlag('skip_customer_fetch', skipCustomerFetch);
    await this.#index.ready();
    const found = this.#index.index.findCustomerContent(uuid, identifier);
    const catalog = found === null ? undefined : this.#index.catalog(found.catalogUuid);
    const row = found === null ? undefined : await findContent(this.#db.kysely, { id: found.contentId });
    if (catalog === undefined || row === undefined) throw new AppError('not_found', 'content_not_found', NO_CUSTOMER_CONTENT);
    const customer = skip ? null : ((await this.#index.resolveCustomer(uuid)) ?? null);
    return presentRow(row, this.#presenterContext(catalog, customer, skip));
  }

  /** `GET /content-metadata/` (§2.8): every row, P-drf, without catalog context. */
  async contentMetadataList(
    _auth: AuthContext,
    params: { content_identifiers?: QueryValue; coerce_to_parent_course?: QueryValue; page?: QueryValue; page_size?: QueryValue },
    url: RequestUrl,
  ): Promise<DrfPage<JsonObject>> {
    const filter = contentListFilter(params);
    const db = this.#db.kysely;
    const count = await countContentList(db, filter);
    const window = pageWindow(count, params.page, pageSizeOf(params.page_size, DRF_PAGE_SIZE));
    const rows = count === 0 ? [] : await contentListPage(db, filter, window.pageSize, window.offset);
    const ctx = this.#presenterContext(null, null, false);
    return drfPage(url, window, rows.map((row) => presentRow(row, ctx)));
  }

  /** {@link contentMetadataList} as JSON text, from the same pre-serialised items as {@link contentMetadataJson}. */
  async contentMetadataListJson(
    _auth: AuthContext,
    params: { content_identifiers?: QueryValue; coerce_to_parent_course?: QueryValue; page?: QueryValue; page_size?: QueryValue },
    url: RequestUrl,
  ): Promise<Buffer> {
    const filter = contentListFilter(params);
    const db = this.#db.kysely;
    const count = await countContentList(db, filter);
    const window = pageWindow(count, params.page, pageSizeOf(params.page_size, DRF_PAGE_SIZE));
    const refs = count === 0 ? [] : await contentListRefs(db, filter, window.pageSize, window.offset);
    const { results: _none, ...before } = drfPage(url, window, []);
    const { head, tail } = envelope(before, {});
    return this.#itemsBody(head, refs, new ItemSplicer(this.#presenterContext(null, null, false)), tail);
  }

  /** `GET /content-metadata/{id|uuid|key}/` (§2.8). */
  async contentMetadataDetail(_auth: AuthContext, identifier: string, coerceToParentCourse: QueryValue): Promise<JsonObject> {
    const coerce = parseBooleanFlag('coerce_to_parent_course', coerceToParentCourse);
    const db = this.#db.kysely;
    const uuid = parseUuid(identifier);
    const id = /^\d{1,9}$/.test(identifier) ? Number(identifier) : null;
    let row = await findContent(db, id !== null ? { id } : uuid !== null ? { uuid } : { key: identifier });
    // A numeric content key is possible in principle: fall back to the key lookup.
    if (row === undefined && id !== null) row = await findContent(db, { key: identifier });
    if (row === undefined) throw notFound('content_not_found');
    if (coerce && row.contentType === 'courserun' && row.parentContentKey) {
      row = (await findContent(db, { key: row.parentContentKey })) ?? row;
    }
    return presentRow(row, this.#presenterContext(null, null, false));
  }

  #presenterContext(catalog: CatalogMeta | null, customer: CustomerMeta | null, skip: boolean): ContentPresenterContext {
    const index = this.#index.index;
    return {
      urls: this.#urls,
      catalog:
        catalog === null
          ? null
          : {
              uuid: catalog.uuid,
              enterpriseUuid: catalog.enterpriseUuid,
              enterpriseName: catalog.enterpriseName,
              publishAuditEnrollmentUrls: catalog.publishAuditEnrollmentUrls,
              modified: microsToIso(catalog.modifiedUs),
            },
      customer:
        customer === null
          ? null
          : { slug: customer.slug, enableLearnerPortal: customer.enableLearnerPortal, modified: microsToIso(customer.modifiedUs) },
      skipCustomerFetch: skip,
      childKeysOf: (courseKey) => index.childContentKeys(courseKey),
    };
  }
}

function presentRow(row: ContentRow, ctx: ContentPresenterContext): JsonObject {
  return presentContentItem(
    {
      contentKey: row.contentKey,
      contentType: row.contentType,
      parentContentKey: row.parentContentKey,
      jsonMetadata: row.jsonMetadata,
      modified: microsToIso(row.modifiedUs),
    },
    ctx,
  );
}

/** The `/content-metadata/` filter of `content_identifiers` (keys or uuids) and `coerce_to_parent_course`. */
function contentListFilter(params: { content_identifiers?: QueryValue; coerce_to_parent_course?: QueryValue }): ContentListFilter {
  const identifiers = allValues(params.content_identifiers).filter((v) => v !== '');
  const coerceToParentCourse = parseBooleanFlag('coerce_to_parent_course', params.coerce_to_parent_course);
  if (identifiers.length === 0) return { keys: null, uuids: [], coerceToParentCourse };
  return {
    keys: identifiers.filter((v) => parseUuid(v) === null),
    uuids: identifiers.map((v) => parseUuid(v)).filter((v): v is string => v !== null),
    coerceToParentCourse,
  };
}

/** `course_run_ids` (space → `+`) and `program_uuids`; 400 list body when both are missing or empty. */
function containsKeys(params: ContainsParams): string[] {
  const runs = plusKeys(allValues(params.course_run_ids).filter((v) => v !== ''));
  const programs = allValues(params.program_uuids).filter((v) => v !== '');
  if (runs.length + programs.length === 0) throw listError('missing_content_ids', CONTAINS_PARAMS_MESSAGE);
  return runs.length === 0 ? programs : programs.length === 0 ? runs : [...runs, ...programs];
}
