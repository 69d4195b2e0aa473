/**
 * The read side of the catalog API: "does catalog/customer X contain Y?", `filter_content_items`, `generate_diff`,
 * `get_content_metadata`, the customer content lookup, `/content-metadata/` and `distinct-catalog-queries`
 * (reference §2.2–2.5, §2.8, §2.10).
 *
 * Membership questions are answered from the in-memory index with no database round trip; content JSON is read
 * from the database one page at a time. Every method takes the caller's {@link AuthContext} and checks it against
 * the enterprise that owns the resource (in-process callers pass `SYSTEM_ACTOR`).
 */
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
import {
  activeMemberPage,
  contentListPage,
  contentRowsByIds,
  countActiveMembers,
  countContentList,
  findContent,
  type ContentListFilter,
  type ContentRow,
} from './content-read.repository.js';
import { parseBooleanFlag } from './flags.js';
import { parseUuid } from './membership-index.js';
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

export interface DiffItem {
  content_key: string;
}

export interface DiffResult {
  items_not_found: DiffItem[];
  items_not_included: DiffItem[];
  items_found: Array<{ content_key: string; date_updated: string }>;
}

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

export interface CatalogContentDeps {
  db: Db;
  index: MembershipIndexService;
  urls: PresenterUrls;
}

export class CatalogContentService {
  readonly #db: Db;
  readonly #index: MembershipIndexService;
  readonly #urls: PresenterUrls;

  constructor(deps: CatalogContentDeps) {
    this.#db = deps.db;
    this.#index = deps.index;
    this.#urls = deps.urls;
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

  /** `GET enterprise-catalogs/{uuid}/contains_content_items/` (§2.2): true if ANY key matches. */
  async catalogContains(auth: AuthContext, catalogUuid: string, params: ContainsParams): Promise<ContainsResult> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    const keys = containsKeys(params);
    return { contains_content_items: this.#index.index.catalogContains(catalog.uuid, keys) };
  }

  /** `GET enterprise-customer/{uuid}/contains_content_items/` (§2.3). */
  async customerContains(auth: AuthContext, enterpriseUuid: string, params: ContainsParams): Promise<ContainsResult> {
    const uuid = this.#customerUuid(auth, enterpriseUuid);
    const keys = containsKeys(params);
    const withCatalogList =
      parseBooleanFlag('get_catalogs_containing_specified_content_ids', params.get_catalogs_containing_specified_content_ids) ||
      parseBooleanFlag('get_catalog_list', params.get_catalog_list);
    await this.#index.ready();
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
   * `generate_diff` (§2.5): exact-key buckets, `date_updated = max(content, catalog, customer modified)`.
   * `via: 'query'` applies the GET rules (keys required, at most 100).
   */
  async generateDiff(auth: AuthContext, catalogUuid: string, keys: readonly string[] | undefined, via: 'query' | 'body'): Promise<DiffResult> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    let requested = keys ?? [];
    if (via === 'query') {
      requested = requested.filter((k) => k !== '');
      if (requested.length === 0) throw listError('missing_content_keys', DIFF_PARAMS_MESSAGE);
      if (requested.length > MAX_GET_KEYS) throw jsonStringError('too_many_content_keys', DIFF_TOO_MANY_KEYS);
    }
    const diff = this.#index.index.generateDiff(catalog.uuid, plusKeys(requested));
    const customer = await this.#index.resolveCustomer(catalog.enterpriseUuid);
    const floor = maxMicros(catalog.modifiedUs, customer?.modifiedUs) as number;
    // Most items share the catalog/customer floor, so few distinct timestamps are formatted.
    const formatted = new Map<number, string>();
    const itemsFound = new Array<{ content_key: string; date_updated: string }>(diff.itemsFound.length);
    for (let i = 0; i < diff.itemsFound.length; i++) {
      const { contentKey, contentId } = diff.itemsFound[i] as { contentKey: string; contentId: number };
      const content = this.#index.contentModifiedUs(contentId) ?? floor;
      const us = content > floor ? content : floor;
      let text = formatted.get(us);
      if (text === undefined) formatted.set(us, (text = formatMicros(us)));
      itemsFound[i] = { content_key: contentKey, date_updated: text };
    }
    return {
      items_not_found: diff.itemsNotFound.map((k) => ({ content_key: k })),
      items_not_included: diff.itemsNotIncluded.map((k) => ({ content_key: k })),
      items_found: itemsFound,
    };
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
   */
  async contentMetadata(auth: AuthContext, catalogUuid: string, req: MetadataRequest): Promise<MetadataPage> {
    const catalog = await this.#readableCatalog(auth, catalogUuid);
    const keys = req.contentKeys;
    if (req.via === 'query' && keys !== null && keys.length > MAX_GET_KEYS) {
      throw jsonStringError('too_many_content_keys', METADATA_TOO_MANY_KEYS);
    }
    const traverse = parseBooleanFlag('traverse_pagination', req.traversePagination);
    const db = this.#db.kysely;

    let matchedIds: number[] | null = null;
    let count: number;
    if (catalog.queryId === null) count = 0;
    else if (keys !== null && keys.length > 0) {
      matchedIds = this.#index.index.matchingContentIds(catalog.uuid, keys);
      count = matchedIds.length;
    } else count = await countActiveMembers(db, catalog.queryId);

    const pageSize = traverse ? Math.max(count, 1) : pageSizeOf(req.pageSize, EDX_PAGE_SIZE);
    const window = pageWindow(count, traverse ? undefined : req.page, pageSize);
    let rows: ContentRow[] = [];
    if (catalog.queryId !== null && count > 0) {
      rows =
        matchedIds !== null
          ? await contentRowsByIds(db, matchedIds.slice(window.offset, window.offset + window.pageSize))
          : await activeMemberPage(db, catalog.queryId, window.pageSize, window.offset);
    }
    const customer = await this.#index.resolveCustomer(catalog.enterpriseUuid);
    const ctx = this.#presenterContext(catalog, customer ?? null, false);
    const results = rows.map((row) => presentRow(row, ctx));
    const tail = { uuid: catalog.uuid, title: catalog.title, enterprise_customer: catalog.enterpriseUuid };
    if (traverse) return { previous: null, next: null, count, results, ...tail };
    return { ...edxPage(req.url ?? { origin: '', path: '', query: '' }, window, results), ...tail };
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
    const identifiers = allValues(params.content_identifiers).filter((v) => v !== '');
    const coerce = parseBooleanFlag('coerce_to_parent_course', params.coerce_to_parent_course);
    const filter: ContentListFilter =
      identifiers.length === 0
        ? { keys: null, uuids: [], coerceToParentCourse: coerce }
        : {
            keys: identifiers.filter((v) => parseUuid(v) === null),
            uuids: identifiers.map((v) => parseUuid(v)).filter((v): v is string => v !== null),
            coerceToParentCourse: coerce,
          };
    const db = this.#db.kysely;
    const count = await countContentList(db, filter);
    const window = pageWindow(count, params.page, pageSizeOf(params.page_size, DRF_PAGE_SIZE));
    const rows = count === 0 ? [] : await contentListPage(db, filter, window.pageSize, window.offset);
    const ctx = this.#presenterContext(null, null, false);
    return drfPage(url, window, rows.map((row) => presentRow(row, ctx)));
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

/** `course_run_ids` (space → `+`) and `program_uuids`; 400 list body when both are missing or empty. */
function containsKeys(params: ContainsParams): string[] {
  const runs = plusKeys(allValues(params.course_run_ids).filter((v) => v !== ''));
  const programs = allValues(params.program_uuids).filter((v) => v !== '');
  if (runs.length + programs.length === 0) throw listError('missing_content_ids', CONTAINS_PARAMS_MESSAGE);
  return runs.length === 0 ? programs : programs.length === 0 ? runs : [...runs, ...programs];
}
