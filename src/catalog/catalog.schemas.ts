/**
 * Request and response schemas of the catalog API (enterprise-catalog v1 wire format, reference §2), written once
 * with TypeBox; handler types are inferred from them and the OpenAPI document is generated from them.
 *
 * Query parameters arrive as strings (no coercion), a repeated parameter as a list; services parse numbers and
 * flags with upstream's rules. Bodies accept unknown extra fields, as DRF serializers ignore them.
 */
import { Type, type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Uuid = (description?: string) => Type.String({ format: 'uuid', ...(description ? { description } : {}) });

/** One value, or the list a repeated parameter gives (`?k=a&k=b`). */
const Repeatable = (description: string) => Type.Union([Type.String(), Type.Array(Type.String())], { description });
const Flag = (description: string) =>
  Type.Union([Type.String(), Type.Array(Type.String())], { description: `${description} (true/1/yes or false/0/no/empty)` });
const PageParams = {
  page: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'page number, 1-based, or `last`' })),
  page_size: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description: 'items per page' })),
};

// ---- errors --------------------------------------------------------------------------------------------------------

export const ErrorResponse = Type.Union(
  [
    Type.Object({ detail: Type.String() }),
    Type.Array(Type.String()),
    Type.String(),
    Type.Record(Type.String(), Type.Array(Type.String())),
  ],
  { description: 'DRF-style error: `{"detail": …}`, a list of messages, one message, or messages by field' },
);

// ---- params ------------------------------------------------------------------------------------------------------

export const CatalogParams = Type.Object({ uuid: Type.String({ description: 'enterprise catalog uuid' }) });
export const CustomerParams = Type.Object({ enterprise_uuid: Type.String({ description: 'enterprise customer uuid' }) });
export const CustomerContentParams = Type.Object({
  enterprise_uuid: Type.String({ description: 'enterprise customer uuid' }),
  content_identifier: Type.String({ description: 'content key (course, run, program) or content uuid' }),
});
export const QueryIdParams = Type.Object({ id: Type.String({ description: 'catalog query id' }) });
export const ContentIdParams = Type.Object({ identifier: Type.String({ description: 'content id, content uuid or content key' }) });
export const CustomerUuidParams = Type.Object({ uuid: Type.String({ description: 'enterprise customer uuid' }) });

// ---- querystrings --------------------------------------------------------------------------------------------------

export const ContainsQuery = Type.Object(
  {
    course_run_ids: Type.Optional(Repeatable('content keys (courses or runs); a space is read as `+`')),
    program_uuids: Type.Optional(Repeatable('program uuids')),
    get_catalog_list: Type.Optional(Flag('legacy name of get_catalogs_containing_specified_content_ids')),
    get_catalogs_containing_specified_content_ids: Type.Optional(Flag('also return `catalog_list`')),
  },
  { additionalProperties: true },
);
export type ContainsQuery = Static<typeof ContainsQuery>;

export const MetadataQuery = Type.Object(
  {
    content_keys: Type.Optional(Repeatable('only these keys (a run key matches its course); at most 100 on GET')),
    traverse_pagination: Type.Optional(Flag('return every item in one page')),
    ...PageParams,
  },
  { additionalProperties: true },
);
export type MetadataQuery = Static<typeof MetadataQuery>;

export const DiffQuery = Type.Object(
  { content_keys: Type.Optional(Repeatable('content keys the caller holds; at most 100 on GET')) },
  { additionalProperties: true },
);

export const CatalogListQuery = Type.Object(
  { enterprise_customer: Type.Optional(Type.String({ description: 'only catalogs of this customer' })), ...PageParams },
  { additionalProperties: true },
);
export const PageQuery = Type.Object({ ...PageParams }, { additionalProperties: true });
export const ContentListQuery = Type.Object(
  {
    content_identifiers: Type.Optional(Repeatable('content keys or uuids; unknown ones are ignored')),
    coerce_to_parent_course: Type.Optional(Flag('replace course runs by their course')),
    ...PageParams,
  },
  { additionalProperties: true },
);
export const ContentDetailQuery = Type.Object(
  { coerce_to_parent_course: Type.Optional(Flag('a course run resolves to its course')) },
  { additionalProperties: true },
);
export const CustomerContentQuery = Type.Object(
  { skip_customer_fetch: Type.Optional(Flag('omit enrollment URLs and the customer part of content_last_modified')) },
  { additionalProperties: true },
);
export const HashQuery = Type.Object(
  { hash: Type.Optional(Repeatable('content_filter_hash: 32 hexadecimal characters')) },
  { additionalProperties: true },
);

// ---- bodies ------------------------------------------------------------------------------------------------------

const BooleanLike = Type.Union([Type.Boolean(), Type.String(), Type.Integer()], {
  description: 'a boolean; edx-enterprise sends it JSON-encoded ("true"/"false")',
});
const CatalogFields = {
  title: Type.String({ minLength: 1, maxLength: 255 }),
  enterprise_customer: Uuid('the customer; created on first use'),
  enterprise_customer_name: Type.Optional(Type.String({ maxLength: 255, description: 'write-only; used for utm_source' })),
  enabled_course_modes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()], { description: 'write-only' })),
  publish_audit_enrollment_urls: Type.Optional(BooleanLike),
  content_filter: Type.Record(Type.String(), Type.Unknown(), { description: 'course-discovery search/all filter (write-only)' }),
  catalog_query_uuid: Type.Optional(Nullable(Uuid('the catalog query to use or rewrite'))),
  query_title: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'title of the catalog query' }))),
  catalog_modified: Type.Optional(Type.Unknown({ description: 'accepted and ignored' })),
};

export const CatalogCreateBody = Type.Object(
  { uuid: Type.Optional(Uuid('client-chosen uuid (import from edx-enterprise)')), ...CatalogFields },
  { additionalProperties: true },
);
export type CatalogCreateBody = Static<typeof CatalogCreateBody>;

export const CatalogPutBody = Type.Object(
  {
    ...CatalogFields,
    content_filter: Type.Optional(CatalogFields.content_filter),
  },
  { additionalProperties: true },
);
export const CatalogPatchBody = Type.Partial(CatalogPutBody, { additionalProperties: true });
export type CatalogUpdateBody = Static<typeof CatalogPatchBody>;

const ContentKeys = Type.Array(Type.String(), { description: 'content keys' });
export const DiffBody = Type.Union([Type.Object({ content_keys: Type.Optional(ContentKeys) }, { additionalProperties: true }), Type.Null()]);
export const MetadataBody = Type.Object({ content_keys: ContentKeys }, { additionalProperties: true });
export const FilterBody = Type.Object(
  {
    content_keys: Type.Optional(ContentKeys),
    catalog_uuids: Type.Optional(Type.Array(Type.String(), { description: "search only these of the customer's catalogs" })),
  },
  { additionalProperties: true },
);
export const DistinctBody = Type.Object(
  { enterprise_catalog_uuids: Type.Array(Type.String(), { description: 'catalog uuids' }) },
  { additionalProperties: true },
);

const CustomerFields = {
  name: Type.String({ maxLength: 255 }),
  slug: Nullable(Type.String({ minLength: 1, maxLength: 255, pattern: '^[-a-zA-Z0-9_]+$', description: 'learner portal slug' })),
  active: Type.Boolean(),
  enable_learner_portal: Type.Boolean(),
};
export const CustomerCreateBody = Type.Object(
  {
    uuid: Uuid(),
    name: Type.Optional(CustomerFields.name),
    slug: Type.Optional(CustomerFields.slug),
    active: Type.Optional(CustomerFields.active),
    enable_learner_portal: Type.Optional(CustomerFields.enable_learner_portal),
  },
  { additionalProperties: true },
);
export type CustomerCreateBody = Static<typeof CustomerCreateBody>;
export const CustomerPatchBody = Type.Partial(Type.Object(CustomerFields), { additionalProperties: true });
export type CustomerPatchBody = Static<typeof CustomerPatchBody>;

// ---- responses ---------------------------------------------------------------------------------------------------

export const CatalogResponse = Type.Object({
  uuid: Type.String(),
  title: Type.String(),
  enterprise_customer: Type.String(),
  catalog_query_uuid: Nullable(Type.String()),
  content_last_modified: Nullable(Type.String({ description: 'latest modified of the catalog content' })),
  catalog_modified: Type.String(),
  query_title: Nullable(Type.String()),
});

const DrfPageOf = <T extends TSchema>(item: T) =>
  Type.Object({ count: Type.Integer(), next: Nullable(Type.String()), previous: Nullable(Type.String()), results: Type.Array(item) });
const EdxPageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    next: Nullable(Type.String()),
    previous: Nullable(Type.String()),
    count: Type.Integer(),
    num_pages: Type.Integer(),
    current_page: Type.Integer(),
    start: Type.Integer(),
    results: Type.Array(item),
  });

export const CatalogListResponse = DrfPageOf(CatalogResponse);

/**
 * The detail read adds `content_version` (extension): an opaque string that changes whenever anything the catalog
 * serves changes — including content merely leaving it, which `content_last_modified` cannot show. The channels'
 * HTTP catalog client compares it to skip unchanged catalogs.
 */
export const CatalogDetailResponse = Type.Object({
  ...CatalogResponse.properties,
  content_version: Type.String({ description: 'extension: changes whenever members, their content, the catalog or its customer change' }),
});

export const ContainsResponse = Type.Object({
  contains_content_items: Type.Boolean(),
  catalog_list: Type.Optional(Type.Array(Type.String(), { description: 'present when asked for' })),
});
export const FilterResponse = Type.Object({ filtered_content_keys: Type.Array(Type.String()) });

const KeyItem = Type.Object({ content_key: Type.String() });
export const DiffResponse = Type.Object({
  items_not_found: Type.Array(KeyItem, { description: 'requested, not in the catalog' }),
  items_not_included: Type.Array(KeyItem, { description: 'in the catalog, not requested' }),
  items_found: Type.Array(Type.Object({ content_key: Type.String(), date_updated: Type.String() }), { description: 'both' }),
});

export const ContentItem = Type.Object({}, { additionalProperties: true, description: 'stored discovery JSON plus computed fields' });

export const MetadataResponse = Type.Object({
  next: Nullable(Type.String()),
  previous: Nullable(Type.String()),
  count: Type.Integer(),
  num_pages: Type.Optional(Type.Integer()),
  current_page: Type.Optional(Type.Integer()),
  start: Type.Optional(Type.Integer()),
  results: Type.Array(ContentItem),
  uuid: Type.String(),
  title: Type.String(),
  enterprise_customer: Type.String(),
});

export const ContentListResponse = DrfPageOf(ContentItem);

export const QueryResponse = Type.Object({
  uuid: Type.String(),
  content_filter: Type.Record(Type.String(), Type.Unknown()),
  content_filter_hash: Type.String(),
  title: Nullable(Type.String()),
});
export const QueryListResponse = EdxPageOf(QueryResponse);

export const HashResponse = Type.String({ description: 'content_filter_hash of the filter in the request body' });

export const DistinctResponse = Type.Object({
  num_distinct_query_ids: Type.Integer(),
  catalog_uuids_by_catalog_query_id: Type.Record(Type.String(), Type.Array(Type.String())),
});

export const CustomerResponse = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  slug: Nullable(Type.String()),
  active: Type.Boolean(),
  enable_learner_portal: Type.Boolean(),
  created: Type.String(),
  modified: Type.String(),
});
export const CustomerListResponse = DrfPageOf(CustomerResponse);
