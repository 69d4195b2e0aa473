/**
 * In-memory membership index: answers "does catalog/customer X contain Y?", `filter_content_items` and the
 * content-metadata lookups without a database round trip, and gives `generate_diff` its catalog's members
 * ({@link MembershipIndex.catalogMembership}; the buckets are decided in `diff-answer.ts`).
 *
 * It holds only identities and relations, never content JSON:
 * - content: id → {key, type, parent key, uuid}; key → id; parent key → child ids; uuid → ids
 * - query id → member content ids (a sorted `Int32Array`: 4 bytes per membership, binary-searched)
 * - catalog uuid → {enterprise uuid, query id | null}; enterprise uuid → its catalogs (ordered by uuid)
 *
 * The semantics are enterprise-catalog v1's (reference §2.2–2.5), restricted runs aside (v1 hides them; the
 * refresh pipeline simply does not put them in a query's membership). Upstream quirks are kept unless a comment
 * says otherwise.
 *
 * The index is versioned: {@link MembershipIndex.version} grows by one on every call that changes its state
 * (no-op writes leave it alone), so caches and the channel exporter can tell "nothing changed" cheaply.
 * Pure module: the DB layer feeds it with {@link MembershipIndex.load} at start and incremental updates after
 * each committed write.
 */

/** One `catalog_contentmetadata` row, as far as membership needs it. */
export interface IndexContentRow {
  /** `content_metadata.id`; also the order upstream's `.first()` uses (by primary key). */
  readonly id: number;
  readonly contentKey: string;
  readonly contentType: string;
  readonly parentContentKey: string | null;
  readonly contentUuid: string | null;
}

/** One enterprise catalog, as far as membership needs it. */
export interface IndexCatalogRow {
  readonly uuid: string;
  readonly enterpriseUuid: string;
  /** `null` when the catalog has no query (upstream `catalog_query` is nullable, `SET_NULL` on delete). */
  readonly queryId: number | null;
}

/** Everything the index holds, for a bulk {@link MembershipIndex.load}. */
export interface MembershipSnapshot {
  readonly contents: Iterable<IndexContentRow>;
  readonly memberships: Iterable<{ readonly queryId: number; readonly contentIds: ArrayLike<number> }>;
  readonly catalogs: Iterable<IndexCatalogRow>;
}

/** A catalog as the index knows it; `uuid` and `enterpriseUuid` are in canonical lowercase form. */
export interface IndexedCatalog {
  readonly uuid: string;
  readonly enterpriseUuid: string;
  readonly queryId: number | null;
}

/** Result of {@link MembershipIndex.customerContains}. */
export interface CustomerContainsResult {
  readonly contains: boolean;
  /** Present only when asked for: uuids of the customer's catalogs that contain any of the keys. */
  readonly catalogList?: string[];
}

/** Counts, for logs, metrics and the memory report. */
export interface MembershipIndexStats {
  readonly version: number;
  readonly contents: number;
  readonly queries: number;
  readonly memberships: number;
  readonly catalogs: number;
  readonly enterprises: number;
}

const EMPTY_IDS = new Int32Array(0);

/**
 * Parses a UUID the way Python's `uuid.UUID(str)` accepts it in practice (hyphens optional, any case, optional
 * braces and `urn:uuid:` prefix) and returns the canonical lowercase hyphenated form, or `null`.
 * Upstream decides "uuid or key?" for `content-metadata/{identifier}` with exactly this parse. Python's exotic
 * `int(x, 16)` spellings (underscores, `0x`, surrounding whitespace) are not accepted — no real key uses them.
 */
export function parseUuid(value: string): string | null {
  // Fast path: the canonical spelling every client sends is already the answer. A character loop, not a RegExp:
  // this runs several times per request on the hot `contains` paths (bench B1/B2 profile).
  if (value.length === 36 && isCanonicalUuid(value)) return value;
  const hex = value.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/` for a 36-character string. */
function isCanonicalUuid(value: string): boolean {
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false; // '0'-'9', 'a'-'f'
  }
  return true;
}

/** Canonical form for uuid-keyed maps; a string that is not a UUID is kept as is (it then matches nothing real). */
function uuidKey(value: string): string {
  return parseUuid(value) ?? value;
}

/** Position of `id` in the ascending `sorted`, or -1. */
function indexOfId(sorted: Int32Array, id: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function hasId(sorted: Int32Array, id: number): boolean {
  return indexOfId(sorted, id) >= 0;
}

function hasAnyId(sorted: Int32Array, ids: readonly number[]): boolean {
  for (const id of ids) if (indexOfId(sorted, id) >= 0) return true;
  return false;
}

function sortedUniqueIds(ids: ArrayLike<number>): Int32Array {
  const out = Int32Array.from(ids);
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) {
    if (i === 0 || out[i] !== out[n - 1]) out[n++] = out[i] as number;
  }
  return n === out.length ? out : out.slice(0, n);
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addToBucket<K>(map: Map<K, number[]>, key: K, id: number): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, [id]);
  else if (!bucket.includes(id)) {
    bucket.push(id);
    bucket.sort((x, y) => x - y);
  }
}

function removeFromBucket<K>(map: Map<K, number[]>, key: K, id: number): void {
  const bucket = map.get(key);
  if (bucket === undefined) return;
  const i = bucket.indexOf(id);
  if (i >= 0) bucket.splice(i, 1);
  if (bucket.length === 0) map.delete(key);
}

function sameContent(a: IndexContentRow, b: IndexContentRow): boolean {
  return (
    a.contentKey === b.contentKey &&
    a.contentType === b.contentType &&
    a.parentContentKey === b.parentContentKey &&
    a.contentUuid === b.contentUuid
  );
}

/** Frozen copy holding only the index's fields (callers' rows may carry JSON and more). */
function contentRecord(row: IndexContentRow): IndexContentRow {
  return Object.freeze({
    id: row.id,
    contentKey: row.contentKey,
    contentType: row.contentType,
    parentContentKey: row.parentContentKey ?? null,
    contentUuid: row.contentUuid === null || row.contentUuid === undefined ? null : uuidKey(row.contentUuid),
  });
}

/** See the module comment. Create one per process with {@link createMembershipIndex}. */
export class MembershipIndex {
  #version = 0;
  readonly #contents = new Map<number, IndexContentRow>();
  readonly #idByKey = new Map<string, number>();
  /** parent_content_key → ids of rows naming it, whether or not a row with that key exists (§2.2 rule 2). */
  readonly #childrenByParentKey = new Map<string, number[]>();
  /** content_uuid → ids, ascending (content_uuid is not unique upstream). */
  readonly #idsByUuid = new Map<string, number[]>();
  readonly #membersByQuery = new Map<number, Int32Array>();
  readonly #catalogs = new Map<string, IndexedCatalog>();
  /** enterprise uuid → its catalogs, ordered by catalog uuid (see {@link MembershipIndex.catalogsOfEnterprise}). */
  readonly #catalogsByEnterprise = new Map<string, IndexedCatalog[]>();

  /** Grows by one on every state change. */
  get version(): number {
    return this.#version;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Writes

  /** Replaces the whole state with `snapshot` (one version bump). Content must cover every membership id. */
  load(snapshot: MembershipSnapshot): void {
    this.#contents.clear();
    this.#idByKey.clear();
    this.#childrenByParentKey.clear();
    this.#idsByUuid.clear();
    this.#membersByQuery.clear();
    this.#catalogs.clear();
    this.#catalogsByEnterprise.clear();
    for (const row of snapshot.contents) this.#putContent(row);
    for (const { queryId, contentIds } of snapshot.memberships) {
      const ids = sortedUniqueIds(contentIds);
      this.#assertKnown(ids);
      if (ids.length > 0) this.#membersByQuery.set(queryId, ids);
    }
    for (const catalog of snapshot.catalogs) this.#putCatalog(catalog);
    this.#version++;
  }

  /** Inserts or updates content rows (identity fields only). Bumps the version once if anything changed. */
  upsertContent(rows: Iterable<IndexContentRow>): void {
    let changed = false;
    for (const row of rows) changed = this.#putContent(row) || changed;
    if (changed) this.#version++;
  }

  /**
   * Replaces a query's membership, as a committed refresh does (upstream `contentmetadata_set.set(..., clear=True)`).
   * Members may be given as rows (upserted first) or as ids of content the index already holds.
   * @throws Error if an id is unknown: the caller must feed content before membership.
   */
  applyMembership(queryId: number, members: Iterable<number | IndexContentRow>): void {
    const ids: number[] = [];
    let changed = false;
    for (const m of members) {
      if (typeof m === 'number') ids.push(m);
      else {
        changed = this.#putContent(m) || changed;
        ids.push(m.id);
      }
    }
    const next = sortedUniqueIds(ids);
    this.#assertKnown(next);
    const current = this.#membersOfQuery(queryId);
    if (!sameIds(current, next)) {
      if (next.length > 0) this.#membersByQuery.set(queryId, next);
      else this.#membersByQuery.delete(queryId);
      changed = true;
    }
    if (changed) this.#version++;
  }

  /** Forgets a query's membership (the query was deleted). Catalogs pointing at it then contain nothing. */
  removeQuery(queryId: number): void {
    if (this.#membersByQuery.delete(queryId)) this.#version++;
  }

  /** Inserts or updates a catalog (its enterprise or query may change). */
  upsertCatalog(catalog: IndexCatalogRow): void {
    if (this.#putCatalog(catalog)) this.#version++;
  }

  /** Removes a catalog; unknown uuids are a no-op. */
  removeCatalog(uuid: string): void {
    if (this.#dropCatalog(uuidKey(uuid))) this.#version++;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reads: identities

  /** The content row with this id, if known. */
  getContent(id: number): IndexContentRow | undefined {
    return this.#contents.get(id);
  }

  /** The content row with this exact content key, if known. */
  getContentByKey(contentKey: string): IndexContentRow | undefined {
    const id = this.#idByKey.get(contentKey);
    return id === undefined ? undefined : this.#contents.get(id);
  }

  /**
   * Keys of every row whose `parent_content_key` is `parentKey`, catalog membership aside — upstream's
   * `ContentMetadata.get_child_records`, which decides which nested runs of a course get an `enrollment_url`.
   */
  childContentKeys(parentKey: string): string[] {
    const ids = this.#childrenByParentKey.get(parentKey);
    if (ids === undefined) return [];
    return ids.map((id) => (this.#contents.get(id) as IndexContentRow).contentKey);
  }

  /** The catalog, if known (uuid in any case / hyphenation). */
  getCatalog(uuid: string): IndexedCatalog | undefined {
    return this.#catalogs.get(uuidKey(uuid));
  }

  /**
   * The customer's catalogs, ordered by catalog uuid. Upstream iterates `EnterpriseCatalog.objects.filter(
   * enterprise_uuid=…)` without `order_by`; on MySQL that walks the `enterprise_uuid` index, whose entries end in
   * the primary key (the catalog uuid), so uuid order is what production effectively sees [inferred].
   */
  catalogsOfEnterprise(enterpriseUuid: string): readonly IndexedCatalog[] {
    return this.#catalogsByEnterprise.get(uuidKey(enterpriseUuid)) ?? [];
  }

  /**
   * The catalog's query and its member ids, ascending — the index's own array, not a copy: callers must not
   * modify it. Null for an unknown catalog or one without a query.
   */
  catalogMembership(catalogUuid: string): { queryId: number; members: Int32Array } | null {
    const catalog = this.#catalogs.get(uuidKey(catalogUuid));
    if (catalog === undefined || catalog.queryId === null) return null;
    return { queryId: catalog.queryId, members: this.#membersOfQuery(catalog.queryId) };
  }

  /** Member content ids of a query, ascending (a copy). */
  queryMemberIds(queryId: number): Int32Array {
    return this.#membersOfQuery(queryId).slice();
  }

  /**
   * Content ids of a catalog, ascending (a copy): the base set of `get_content_metadata` without
   * `content_keys` (§2.4). Empty for an unknown catalog or one without a query.
   */
  catalogMemberIds(catalogUuid: string): Int32Array {
    return this.#membersOfCatalog(catalogUuid).slice();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reads: upstream semantics

  /**
   * Catalog-level `contains_content_items` (§2.2, upstream `contains_content_keys` → `get_matching_content`):
   * true if ANY catalog row has `content_key ∈ keys`, or `parent_content_key ∈ keys` (catalog holds runs, caller
   * names the course), or `content_key ∈ {parent_content_key of any row whose key ∈ keys}` (catalog holds the
   * course, caller names one of its runs that exists as a row). No query (or unknown catalog) → false.
   */
  catalogContains(catalogUuid: string, keys: Iterable<string>): boolean {
    const members = this.#membersOfCatalog(catalogUuid);
    return members.length > 0 && hasAnyId(members, this.#candidateIds(keys));
  }

  /**
   * Ids of the catalog rows matched by `keys` under the §2.2 rule, ascending: the base set of
   * `get_content_metadata` when `content_keys` is given (§2.4 uses `get_matching_content`). No keys → empty,
   * as upstream's `get_matching_content` returns `none()`; the caller uses {@link catalogMemberIds} instead.
   */
  matchingContentIds(catalogUuid: string, keys: Iterable<string>): number[] {
    const members = this.#membersOfCatalog(catalogUuid);
    if (members.length === 0) return [];
    const found = new Set<number>();
    for (const id of this.#candidateIds(keys)) if (hasId(members, id)) found.add(id);
    return [...found].sort((a, b) => a - b);
  }

  /**
   * Customer-level `contains_content_items` (§2.3). Walks the customer's catalogs in
   * {@link catalogsOfEnterprise} order; without `withCatalogList` it stops at the first hit, as upstream does.
   * With it, `catalogList` holds every catalog containing any key (empty list if none).
   */
  customerContains(
    enterpriseUuid: string,
    keys: Iterable<string>,
    options: { withCatalogList?: boolean } = {},
  ): CustomerContainsResult {
    const catalogs = this.catalogsOfEnterprise(enterpriseUuid);
    // The §2.2 rule matches a catalog when any of these rows is a member: each key's rows are looked up once, not
    // once per catalog (bench B2: 20 catalogs per customer).
    const candidates = catalogs.length === 0 ? [] : this.#candidateIds(keys);
    const catalogList: string[] = [];
    let contains = false;
    for (const catalog of catalogs) {
      const members = this.#membersOfQuery(catalog.queryId);
      if (members.length === 0 || !hasAnyId(members, candidates)) continue;
      contains = true;
      if (options.withCatalogList !== true) break;
      catalogList.push(catalog.uuid);
    }
    return options.withCatalogList === true ? { contains, catalogList } : { contains };
  }

  /**
   * `filter_content_items` (§2.3, upstream `filter_content_keys`): the requested keys that equal a content key,
   * or a parent content key, of some searched catalog's rows — no run→course inference here. Set union across
   * catalogs, each key once, in first-requested order.
   *
   * `catalogUuids` (when non-empty) narrows the search to those catalogs. Deliberate deviation: upstream searches
   * any catalog named there, even another customer's; we only search the ones that belong to `enterpriseUuid`
   * (architecture invariant 7, tenant isolation). Unknown uuids are ignored.
   */
  filterContentItems(enterpriseUuid: string, keys: Iterable<string>, catalogUuids?: Iterable<string>): string[] {
    let catalogs = this.catalogsOfEnterprise(enterpriseUuid);
    const wanted = catalogUuids === undefined ? [] : [...catalogUuids].map(uuidKey);
    if (wanted.length > 0) {
      const set = new Set(wanted);
      catalogs = catalogs.filter((c) => set.has(c.uuid));
    }
    const memberSets = catalogs.map((c) => this.#membersOfCatalog(c.uuid)).filter((m) => m.length > 0);
    const result: string[] = [];
    for (const key of new Set(keys)) {
      const id = this.#idByKey.get(key);
      const children = this.#childrenByParentKey.get(key);
      const hit = memberSets.some(
        (members) =>
          (id !== undefined && hasId(members, id)) ||
          (children !== undefined && children.some((child) => hasId(members, child))),
      );
      if (hit) result.push(key);
    }
    return result;
  }

  /**
   * Customer `content-metadata/{identifier}` lookup (§2.3, v1). If the identifier parses as a UUID, the first
   * catalog (in {@link catalogsOfEnterprise} order) holding a row with that `content_uuid` wins — and a UUID that
   * matches nothing is not retried as a key, as upstream. Otherwise the first catalog where the §2.2 rule matches
   * the key wins, so a run key yields its parent course when the catalog holds the course. Within a catalog the
   * lowest content id wins (upstream `.first()` on an unordered queryset orders by primary key).
   */
  findCustomerContent(enterpriseUuid: string, identifier: string): { catalogUuid: string; contentId: number } | null {
    const catalogs = this.catalogsOfEnterprise(enterpriseUuid);
    const uuid = parseUuid(identifier);
    if (uuid !== null) {
      const ids = this.#idsByUuid.get(uuid) ?? [];
      for (const catalog of catalogs) {
        const members = this.#membersOfCatalog(catalog.uuid);
        const id = ids.find((candidate) => hasId(members, candidate));
        if (id !== undefined) return { catalogUuid: catalog.uuid, contentId: id };
      }
      return null;
    }
    for (const catalog of catalogs) {
      const [id] = this.matchingContentIds(catalog.uuid, [identifier]);
      if (id !== undefined) return { catalogUuid: catalog.uuid, contentId: id };
    }
    return null;
  }

  /**
   * `distinct-catalog-queries` (§2.8, acceptance 15): the given catalogs grouped by query id. Keys are the
   * stringified query ids and `"null"` for catalogs without a query (how Python's JSON renders a `None` key);
   * catalogs are taken in uuid order (upstream filters by primary key without ordering); unknown uuids are ignored.
   */
  distinctCatalogQueries(catalogUuids: Iterable<string>): {
    numDistinctQueryIds: number;
    catalogUuidsByQueryId: Record<string, string[]>;
  } {
    const found = new Map<string, IndexedCatalog>();
    for (const uuid of catalogUuids) {
      const catalog = this.getCatalog(uuid);
      if (catalog !== undefined) found.set(catalog.uuid, catalog);
    }
    const byQuery: Record<string, string[]> = {};
    for (const catalog of [...found.values()].sort((a, b) => (a.uuid < b.uuid ? -1 : 1))) {
      (byQuery[String(catalog.queryId)] ??= []).push(catalog.uuid);
    }
    return { numDistinctQueryIds: Object.keys(byQuery).length, catalogUuidsByQueryId: byQuery };
  }

  /** Counts for logs and the memory report. */
  stats(): MembershipIndexStats {
    let memberships = 0;
    for (const ids of this.#membersByQuery.values()) memberships += ids.length;
    return {
      version: this.#version,
      contents: this.#contents.size,
      queries: this.#membersByQuery.size,
      memberships,
      catalogs: this.#catalogs.size,
      enterprises: this.#catalogsByEnterprise.size,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Internals

  #membersOfCatalog(catalogUuid: string): Int32Array {
    const catalog = this.#catalogs.get(uuidKey(catalogUuid));
    return catalog === undefined ? EMPTY_IDS : this.#membersOfQuery(catalog.queryId);
  }

  /** A query's member ids, ascending (the index's own array); none for no query or an unknown one. */
  #membersOfQuery(queryId: number | null): Int32Array {
    return queryId === null ? EMPTY_IDS : (this.#membersByQuery.get(queryId) ?? EMPTY_IDS);
  }

  /**
   * The §2.2 rule, in the one place it is written: the ids of the rows that make a catalog match `keys` when they are
   * members. Rule 1: each key's own row (`content_key ∈ keys`). Rule 2: its children (`parent_content_key ∈ keys`,
   * the catalog holds runs of the named course). Rule 3: the parent of the row the key names (the catalog holds the
   * course of the named run); upstream looks the named row up globally, not only within the catalog, and skips
   * empty parents.
   */
  #candidateIds(keys: Iterable<string>): number[] {
    const ids: number[] = [];
    for (const key of keys) {
      const id = this.#idByKey.get(key);
      if (id !== undefined) ids.push(id);
      const children = this.#childrenByParentKey.get(key);
      if (children !== undefined) for (const child of children) ids.push(child);
      const parentKey = id === undefined ? null : (this.#contents.get(id) as IndexContentRow).parentContentKey;
      if (parentKey !== null && parentKey !== '') {
        const parentId = this.#idByKey.get(parentKey);
        if (parentId !== undefined) ids.push(parentId);
      }
    }
    return ids;
  }

  #assertKnown(ids: Int32Array): void {
    for (const id of ids) {
      if (!this.#contents.has(id)) throw new Error(`membership index: unknown content id ${id}`);
    }
  }

  /** Returns true if the state changed. */
  #putContent(row: IndexContentRow): boolean {
    const next = contentRecord(row);
    const current = this.#contents.get(next.id);
    if (current !== undefined && sameContent(current, next)) return false;
    if (current !== undefined) {
      if (this.#idByKey.get(current.contentKey) === current.id) this.#idByKey.delete(current.contentKey);
      if (current.parentContentKey !== null) removeFromBucket(this.#childrenByParentKey, current.parentContentKey, current.id);
      if (current.contentUuid !== null) removeFromBucket(this.#idsByUuid, current.contentUuid, current.id);
    }
    this.#contents.set(next.id, next);
    // content_key is unique in the database; if another id still holds this key here, the newer row wins.
    this.#idByKey.set(next.contentKey, next.id);
    if (next.parentContentKey !== null) addToBucket(this.#childrenByParentKey, next.parentContentKey, next.id);
    if (next.contentUuid !== null) addToBucket(this.#idsByUuid, next.contentUuid, next.id);
    return true;
  }

  /** Returns true if the state changed. */
  #putCatalog(row: IndexCatalogRow): boolean {
    const next: IndexedCatalog = Object.freeze({
      uuid: uuidKey(row.uuid),
      enterpriseUuid: uuidKey(row.enterpriseUuid),
      queryId: row.queryId,
    });
    const current = this.#catalogs.get(next.uuid);
    if (current !== undefined && current.enterpriseUuid === next.enterpriseUuid && current.queryId === next.queryId) {
      return false;
    }
    if (current !== undefined) this.#dropCatalog(current.uuid);
    this.#catalogs.set(next.uuid, next);
    const list = this.#catalogsByEnterprise.get(next.enterpriseUuid) ?? [];
    list.push(next);
    list.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    this.#catalogsByEnterprise.set(next.enterpriseUuid, list);
    return true;
  }

  #dropCatalog(uuid: string): boolean {
    const current = this.#catalogs.get(uuid);
    if (current === undefined) return false;
    this.#catalogs.delete(uuid);
    const list = (this.#catalogsByEnterprise.get(current.enterpriseUuid) ?? []).filter((c) => c.uuid !== uuid);
    if (list.length > 0) this.#catalogsByEnterprise.set(current.enterpriseUuid, list);
    else this.#catalogsByEnterprise.delete(current.enterpriseUuid);
    return true;
  }
}

/** Creates an empty index (version 0); call {@link MembershipIndex.load} before serving. */
export function createMembershipIndex(): MembershipIndex {
  return new MembershipIndex();
}
