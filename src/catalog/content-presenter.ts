/**
 * Presenters for the catalog compatibility API: one `get_content_metadata` item (upstream
 * `ContentMetadataSerializer`, reference §2.10) and the catalog read shape (`EnterpriseCatalogSerializer`, §2.1),
 * plus the "active course" rule of §2.4 in both JavaScript and SQL.
 *
 * Pure: the caller passes rows, the catalog, the LMS customer record and the configured base URLs.
 */
import {
  formatUpstreamDateTime,
  joinAbsolutePath,
  latestTimestamp,
  slugify,
  type Timestamp,
  updateQueryParameters,
} from './python-compat.js';

export type { Timestamp } from './python-compat.js';

/** A JSON value as stored in `json_metadata`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Upstream constants (`catalog/constants.py`). */
export const EXEC_ED_2U_COURSE_TYPE = 'executive-education-2u';
export const EXEC_ED_2U_ENTITLEMENT_MODE = 'paid-executive-education';

/** The content row fields the presenter reads. */
export interface PresentableContent {
  readonly contentKey: string;
  readonly contentType: string;
  readonly parentContentKey: string | null;
  readonly jsonMetadata: Readonly<JsonObject>;
  /** `content_metadata.modified` (moves only on real changes, architecture invariant 1). */
  readonly modified: Timestamp;
}

/** The catalog fields that shape URLs and timestamps. */
export interface PresentableCatalogContext {
  readonly uuid: string;
  readonly enterpriseUuid: string;
  /** `enterprise_name`; `utm_source` is its slug, omitted when the name is empty. */
  readonly enterpriseName: string;
  readonly publishAuditEnrollmentUrls: boolean;
  /** `catalog.modified` (= `catalog_modified`). */
  readonly modified: Timestamp;
}

/** The LMS EnterpriseCustomer fields upstream reads (`slug`, `enable_learner_portal`, `modified`). */
export interface PresentableCustomer {
  readonly slug: string | null;
  readonly enableLearnerPortal: boolean;
  readonly modified: Timestamp | null;
}

/** Configured base URLs (from config: no trailing slash expected, used verbatim as upstream does). */
export interface PresenterUrls {
  /** `LMS_BASE_URL`: legacy enrollment URLs, xAPI activity ids, exec-ed proxy login. */
  readonly lmsBaseUrl: string;
  /** `ENTERPRISE_LEARNER_PORTAL_BASE_URL`. */
  readonly learnerPortalBaseUrl: string;
  /** `ECOMMERCE_BASE_URL`: exec-ed checkout. */
  readonly ecommerceBaseUrl: string;
}

/** Everything besides the row that {@link presentContentItem} needs. */
export interface ContentPresenterContext {
  readonly urls: PresenterUrls;
  /**
   * The catalog the item is served from, or `null` for catalog-less listings (`/content-metadata/`), which get
   * no UTM, enrollment URLs or xAPI ids.
   */
  readonly catalog: PresentableCatalogContext | null;
  /**
   * The LMS customer record; `null` when it could not be fetched — upstream then behaves as "learner portal off,
   * slug None, no customer modified". Ignored when `skipCustomerFetch`.
   */
  readonly customer: PresentableCustomer | null;
  /** `skip_customer_fetch`: enrollment URLs are `null`, nested runs get none, customer.modified is not used. */
  readonly skipCustomerFetch?: boolean;
  /**
   * Keys of the rows whose `parent_content_key` is the given course key (upstream `get_child_records`, global,
   * not limited to the catalog) — `MembershipIndex.childContentKeys`. Only those nested runs get URLs.
   */
  readonly childKeysOf?: (courseKey: string) => Iterable<string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Active rule (§2.4)

/** Python truthiness of a JSON value (`None`, `False`, `0`, `""`, `[]`, `{}` are false). */
function truthy(v: JsonValue | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Upstream `is_course_run_active`: enrollable AND (marketable externally OR (status, lowercased, is "published"
 * AND marketable)). Flags use Python truthiness. A non-object run, or a non-string status (which would make
 * upstream fail), counts as inactive.
 */
export function isCourseRunActive(run: JsonValue | undefined): boolean {
  if (!isObject(run)) return false;
  if (!truthy(run.is_enrollable)) return false;
  if (truthy(run.is_marketable_external)) return true;
  const status = run.status;
  return typeof status === 'string' && status.toLowerCase() === 'published' && truthy(run.is_marketable);
}

/** Upstream `is_any_course_run_active(course_runs)`; a missing or non-list `course_runs` has no active run. */
export function isAnyCourseRunActive(courseRuns: JsonValue | undefined): boolean {
  return Array.isArray(courseRuns) && courseRuns.some((run) => isCourseRunActive(run));
}

/**
 * The §2.4 "active" filter applied to `get_content_metadata` when no `content_keys` are given: a course is kept
 * only if some run in its `json_metadata.course_runs` is active ({@link isCourseRunActive}); every other content
 * type is always kept. {@link activeContentSqlPredicate} is the same rule in SQL.
 */
export function isContentActive(row: Pick<PresentableContent, 'contentType' | 'jsonMetadata'>): boolean {
  return row.contentType !== 'course' || isAnyCourseRunActive(row.jsonMetadata.course_runs);
}

/** The JSON paths {@link isContentActive} reads, for indexes and documentation. */
export const ACTIVE_RULE_JSON_PATHS = [
  'course_runs[*].is_enrollable',
  'course_runs[*].is_marketable_external',
  'course_runs[*].status',
  'course_runs[*].is_marketable',
] as const;

/**
 * {@link isContentActive} as a PostgreSQL (15+, and PGlite) boolean expression, so the DB layer can filter and
 * count before paginating. `contentType` and `jsonMetadata` are SQL expressions (trusted identifiers such as
 * `cm.content_type`, never user input); `jsonMetadata` must be of type `jsonb`. Python truthiness is expressed
 * as "not one of null/false/0/""/[]/{}" (jsonb compares numbers by value, so `0.0` is falsy too).
 */
export function activeContentSqlPredicate(columns: { contentType: string; jsonMetadata: string }): string {
  const truthySql = (v: string): string =>
    `coalesce(${v} not in ('null'::jsonb, 'false'::jsonb, '0'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb), false)`;
  const runs = `${columns.jsonMetadata} -> 'course_runs'`;
  return (
    `(${columns.contentType} <> 'course' or exists (` +
    `select 1 from jsonb_array_elements(case when jsonb_typeof(${runs}) = 'array' then ${runs} else '[]'::jsonb end)` +
    ` as active_run(value) where ${truthySql(`active_run.value -> 'is_enrollable'`)} and (` +
    `${truthySql(`active_run.value -> 'is_marketable_external'`)} or (` +
    `jsonb_typeof(active_run.value -> 'status') = 'string' and lower(active_run.value ->> 'status') = 'published'` +
    ` and ${truthySql(`active_run.value -> 'is_marketable'`)}))))`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Enrollment URLs

/** Upstream `get_enterprise_utm_context`: `utm_medium=enterprise`, plus `utm_source` when the name is non-empty. */
export function enterpriseUtmContext(enterpriseName: string): Record<string, string> {
  const params: Record<string, string> = { utm_medium: 'enterprise' };
  if (enterpriseName) params.utm_source = slugify(enterpriseName);
  return params;
}

/** Python's `str(None)`: upstream formats a missing slug into URLs as the text `None`. */
function pyStr(v: string | null): string {
  return v ?? 'None';
}

function isExecEd2UCourse(row: Pick<PresentableContent, 'contentType' | 'jsonMetadata'>): boolean {
  return row.contentType === 'course' && row.jsonMetadata.course_type === EXEC_ED_2U_COURSE_TYPE;
}

/** The key of the advertised run (`advertised_course_run_uuid` found among `course_runs`), if resolvable. */
function advertisedRunKey(json: Readonly<JsonObject>): string | null {
  const uuid = json.advertised_course_run_uuid;
  if (!truthy(uuid) || !Array.isArray(json.course_runs)) return null;
  for (const run of json.course_runs) {
    if (isObject(run) && run.uuid === uuid && typeof run.key === 'string' && run.key !== '') return run.key;
  }
  return null;
}

/** The sku of the exec-ed entitlement (upstream keeps the last `paid-executive-education` one it sees). */
function execEdEntitlementSku(json: Readonly<JsonObject>): string | null {
  let sku: JsonValue | undefined = null;
  if (Array.isArray(json.entitlements)) {
    for (const entitlement of json.entitlements) {
      if (isObject(entitlement) && entitlement.mode === EXEC_ED_2U_ENTITLEMENT_MODE) sku = entitlement.sku;
    }
  }
  return typeof sku === 'string' && sku !== '' ? sku : null;
}

/**
 * Upstream `EnterpriseCatalog.get_content_enrollment_url` (§2.10 rules 1–4). Query parameters are always sorted;
 * the base set is the UTM context plus `audit=true` when the catalog publishes audit enrollment URLs.
 * 1. exec-ed-2U course, learner portal on → `{LP}/{slug}/executive-education-2u/course/{key}`
 * 2. exec-ed-2U course, portal off → LMS proxy login whose (unencoded, as upstream) `next` is the ecommerce
 *    checkout with the `paid-executive-education` entitlement sku; `null` without such a sku
 * 3. portal on → `{LP}/{slug}/course/{course key}`, runs adding `course_run_key`
 * 4. otherwise → `{LMS}/enterprise/{enterprise uuid}/course/{key}/enroll/?catalog={catalog uuid}`, where a
 *    course uses its advertised run key when that resolves, else its own key
 * Returns `null` for other content types and empty keys. Customers on upstream's
 * `INTEGRATED_CUSTOMERS_WITH_SUBSIDIES_AND_OFFERS` list are not modelled (that list is deployment-specific).
 */
export function contentEnrollmentUrl(
  row: Pick<PresentableContent, 'contentKey' | 'contentType' | 'parentContentKey' | 'jsonMetadata'>,
  catalog: PresentableCatalogContext,
  customer: PresentableCustomer | null,
  urls: PresenterUrls,
): string | null {
  if (row.contentType !== 'course' && row.contentType !== 'courserun') return null;
  if (!row.contentKey) return null;
  const params = enterpriseUtmContext(catalog.enterpriseName);
  if (catalog.publishAuditEnrollmentUrls) params.audit = 'true';
  const slug = customer?.slug ?? null;
  const learnerPortal = customer?.enableLearnerPortal === true;

  if (isExecEd2UCourse(row)) {
    if (learnerPortal) {
      const url = `${urls.learnerPortalBaseUrl}/${pyStr(slug)}/executive-education-2u/course/${row.contentKey}`;
      return updateQueryParameters(url, params);
    }
    const sku = execEdEntitlementSku(row.jsonMetadata);
    if (sku === null) return null;
    const next = updateQueryParameters(`${urls.ecommerceBaseUrl}/executive-education-2u/checkout`, { ...params, sku });
    return `${joinAbsolutePath(urls.lmsBaseUrl, `/enterprise/proxy-login/?enterprise_slug=${pyStr(slug)}`)}&next=${next}`;
  }
  if (learnerPortal) {
    let courseKey = row.contentKey;
    if (row.parentContentKey) {
      // A run: the portal page is the course's, and course_run_key selects the run to enroll in.
      courseKey = row.parentContentKey;
      params.course_run_key = row.contentKey;
    }
    return updateQueryParameters(`${urls.learnerPortalBaseUrl}/${pyStr(slug)}/course/${courseKey}`, params);
  }
  params.catalog = catalog.uuid;
  const enrollKey = row.contentType === 'course' ? (advertisedRunKey(row.jsonMetadata) ?? row.contentKey) : row.contentKey;
  return updateQueryParameters(`${urls.lmsBaseUrl}/enterprise/${catalog.enterpriseUuid}/course/${enrollKey}/enroll/`, params);
}

// ---------------------------------------------------------------------------------------------------------------
// Items

/**
 * `content_last_modified` of an item and `date_updated` of a diff entry: max(content.modified, catalog.modified,
 * customer.modified) (§1.8; each part is skipped when absent), in upstream's datetime format.
 */
export function contentLastModified(
  contentModified: Timestamp,
  catalogModified: Timestamp | null,
  customerModified: Timestamp | null,
): string {
  return formatUpstreamDateTime(latestTimestamp(contentModified, catalogModified, customerModified) ?? contentModified);
}

/**
 * One serialized content item (§2.10): a copy of `json_metadata` plus, in this key order,
 * `parent_content_key`, `content_last_modified`, the UTM'd `marketing_url` (in place), and per type:
 * - course/courserun with a catalog: `enrollment_url` (`null` when `skipCustomerFetch`) and `xapi_activity_id`
 *   (`{LMS}/xapi/activities/{type}/{json key}`, `null` without a key);
 * - course: `active`; unless exec-ed-2U or `skipCustomerFetch`, each nested run that exists as a row
 *   (see `childKeysOf`) gets `parent_content_key` and its own `enrollment_url`;
 * - program: `enrollment_url: null`; learnerpathway: nothing more.
 * A string `product_source` becomes `{name, slug: null, description: null}`.
 */
export function presentContentItem(row: PresentableContent, ctx: ContentPresenterContext): JsonObject {
  const { catalog, urls } = ctx;
  const skipCustomer = ctx.skipCustomerFetch === true;
  const customer = skipCustomer ? null : ctx.customer;
  const item: JsonObject = { ...row.jsonMetadata };

  item.parent_content_key = row.parentContentKey;
  const productSource = item.product_source;
  if (typeof productSource === 'string' && productSource !== '') {
    item.product_source = { name: productSource, slug: null, description: null };
  }
  // The customer's modified only counts with a catalog context, as upstream reads it through the catalog.
  const customerModified = catalog === null ? null : (customer?.modified ?? null);
  item.content_last_modified = contentLastModified(row.modified, catalog?.modified ?? null, customerModified);

  const marketingUrl = item.marketing_url;
  if (catalog !== null && typeof marketingUrl === 'string' && marketingUrl !== '') {
    item.marketing_url = updateQueryParameters(marketingUrl, enterpriseUtmContext(catalog.enterpriseName));
  }

  if (row.contentType === 'course' || row.contentType === 'courserun') {
    if (catalog !== null) {
      item.enrollment_url = skipCustomer ? null : contentEnrollmentUrl(row, catalog, customer, urls);
      // Upstream formats json `key` (not the row's content_key); keys are strings in every real payload.
      const key = row.jsonMetadata.key;
      item.xapi_activity_id =
        typeof key === 'string' && key !== '' ? `${urls.lmsBaseUrl}/xapi/activities/${row.contentType}/${key}` : null;
    }
    if (row.contentType === 'course') {
      const runs = item.course_runs;
      item.active = isAnyCourseRunActive(runs);
      // Exec-ed-2U enrollment goes through entitlements on the course, so its runs get no URLs (upstream note).
      if (catalog !== null && !skipCustomer && !isExecEd2UCourse(row) && Array.isArray(runs)) {
        item.course_runs = presentNestedRuns(row.contentKey, runs, catalog, customer, ctx);
      }
    }
  } else if (row.contentType === 'program') {
    item.enrollment_url = null; // no notion of enrolling in a program directly
  }
  return item;
}

function presentNestedRuns(
  courseKey: string,
  runs: readonly JsonValue[],
  catalog: PresentableCatalogContext,
  customer: PresentableCustomer | null,
  ctx: ContentPresenterContext,
): JsonValue[] {
  const childKeys = new Set(ctx.childKeysOf?.(courseKey) ?? []);
  return runs.map((run) => {
    if (!isObject(run) || typeof run.key !== 'string' || !childKeys.has(run.key)) return run;
    const runRow = { contentKey: run.key, contentType: 'courserun', parentContentKey: courseKey, jsonMetadata: run };
    return { ...run, parent_content_key: courseKey, enrollment_url: contentEnrollmentUrl(runRow, catalog, customer, ctx.urls) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog read shape

/** The catalog fields of the CRUD read shape. */
export interface PresentableCatalog {
  readonly uuid: string;
  readonly title: string;
  readonly enterpriseUuid: string;
  readonly modified: Timestamp;
}

/** `EnterpriseCatalogSerializer` read shape (§2.1). */
export interface CatalogResponse {
  uuid: string;
  title: string;
  enterprise_customer: string;
  catalog_query_uuid: string | null;
  content_last_modified: string | null;
  catalog_modified: string;
  query_title: string | null;
}

/**
 * The catalog read shape. `contentLastModified` is MAX(modified) over the catalog's content (null without
 * query or content). Upstream quirk kept by default: `catalog_query_uuid` and `query_title` are not model
 * attributes, so DRF renders them `null` on GET/list/POST, and `query_title` echoes the request value after
 * PUT/PATCH — pass `queryTitle` (and, if ever wanted, `catalogQueryUuid`) to reproduce that.
 */
export function presentCatalog(
  catalog: PresentableCatalog,
  extra: { contentLastModified: Timestamp | null; catalogQueryUuid?: string | null; queryTitle?: string | null },
): CatalogResponse {
  return {
    uuid: catalog.uuid,
    title: catalog.title,
    enterprise_customer: catalog.enterpriseUuid,
    catalog_query_uuid: extra.catalogQueryUuid ?? null,
    content_last_modified: extra.contentLastModified === null ? null : formatUpstreamDateTime(extra.contentLastModified),
    catalog_modified: formatUpstreamDateTime(catalog.modified),
    query_title: extra.queryTitle ?? null,
  };
}
