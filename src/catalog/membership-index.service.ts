/**
 * Keeps this process's {@link MembershipIndex} — plus the few timestamps and flags the hot endpoints need — in
 * step with the database:
 * - at start, the whole state is loaded in a handful of statements (memberships as one text list per query,
 *   content identities in keyset batches of 20 000), then swapped in at once;
 * - this process's own catalog/customer writes are applied right after they commit (read-your-writes);
 * - every process listens on `ecat_catalog_changes`; each event reloads exactly what it names (a query's members,
 *   some content rows, one catalog, one customer), and `*` (the listener reconnected and may have missed some)
 *   reloads everything. Events are coalesced and applied one batch at a time, off the request path.
 *
 * Requests never wait for the database once the first load is done: a change committed elsewhere becomes visible
 * when its notification has been applied (milliseconds to well under the 2 s budget).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.js';
import { CATALOG_EVENTS_CHANNEL, decodeCatalogEvent, type CatalogEvent } from './catalog-events.js';
import { createMembershipIndex, parseUuid, type MembershipIndex } from './membership-index.js';
import {
  allCatalogMeta,
  allCustomerMeta,
  allMembershipLists,
  catalogMeta,
  contentBatch,
  contentByIds,
  customerMeta,
  queryExists,
  queryMemberList,
  type CatalogMeta,
  type CustomerMeta,
  type IndexedContentRecord,
} from './membership-index.repository.js';

export type { CatalogMeta, CustomerMeta } from './membership-index.repository.js';

const CONTENT_BATCH = 20_000;
const RETRY_MS = 1_000;

interface PendingWork {
  full: boolean;
  contentAll: boolean;
  contentIds: Set<number>;
  queries: Set<number>;
  catalogs: Set<string>;
  customers: Set<string>;
}

function noWork(): PendingWork {
  return { full: false, contentAll: false, contentIds: new Set(), queries: new Set(), catalogs: new Set(), customers: new Set() };
}

function hasWork(w: PendingWork): boolean {
  return w.full || w.contentAll || w.contentIds.size + w.queries.size + w.catalogs.size + w.customers.size > 0;
}

/** Parses `string_agg(id::text, ',')` without allocating a string per id. */
export function parseIdList(text: string | null): Int32Array {
  if (text === null || text === '') return new Int32Array(0);
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 44) n++;
  const out = new Int32Array(n);
  let k = 0;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      out[k++] = v;
      v = 0;
    } else v = v * 10 + (c - 48);
  }
  out[k] = v;
  return out;
}

/** Statistics of the last full load, for logs and the report. */
export interface IndexLoadStats {
  ms: number;
  contents: number;
  memberships: number;
  queries: number;
  catalogs: number;
  customers: number;
}

/** See the module comment. One per app (`catalogServicesOf(ctx).index`). */
export class MembershipIndexService {
  readonly #db: Db;
  readonly #logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  readonly #index: MembershipIndex = createMembershipIndex();
  #catalogs = new Map<string, CatalogMeta>();
  #customers = new Map<string, CustomerMeta>();
  #modifiedUs = new Map<number, number>();
  /** Grows on every applied change, timestamps included (the pure index's version ignores timestamps). */
  #version = 0;
  #ready = false;
  #fullLoadRunning = false;
  #stopped = false;
  #unlisten: (() => Promise<void>) | null = null;
  #pending: PendingWork = noWork();
  #drain: Promise<void> | null = null;
  #lastLoad: IndexLoadStats | null = null;
  readonly #maxModifiedCache = new Map<number, { version: number; value: number | null }>();
  readonly #contentVersionCache = new Map<string, { version: number; value: string }>();

  constructor(db: Db, logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>) {
    this.#db = db;
    this.#logger = logger;
  }

  /** Subscribe to change events, then load everything. Idempotent. */
  async start(): Promise<void> {
    if (this.#unlisten === null && !this.#stopped) {
      // Subscribe first: a change committed while the load runs is then reapplied after it.
      this.#unlisten = await this.#db.listen(CATALOG_EVENTS_CHANNEL, (payload) => this.#onNotification(payload));
    }
    await this.ready();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    await unlisten?.().catch(() => undefined);
    await this.#drain?.catch(() => undefined);
  }

  /** Resolves once the first full load is done (starting it if needed). Cheap when already loaded. */
  ready(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    if (!this.#fullLoadRunning) this.#pending.full = true;
    return this.#kick();
  }

  /** True once loaded: the hot paths may then read synchronously. */
  get isReady(): boolean {
    return this.#ready;
  }

  /** The pure index (read it only after {@link ready}). */
  get index(): MembershipIndex {
    return this.#index;
  }

  /** Grows on every change this process has applied (membership, content, timestamps, catalogs, customers). */
  get version(): number {
    return this.#version;
  }

  get lastLoad(): IndexLoadStats | null {
    return this.#lastLoad;
  }

  /** Resolves when every change received so far has been applied (tests, and callers that just wrote). */
  async whenIdle(): Promise<void> {
    while (this.#drain !== null) await this.#drain.catch(() => undefined);
  }

  /**
   * Apply `event` as if it had been received from another process, and wait for it. For writers that want their
   * change visible here before their notification comes back.
   */
  async apply(event: CatalogEvent | '*'): Promise<void> {
    this.#enqueue(event);
    // A drain that is just finishing may not see this work; loop until it has been taken and applied.
    do await this.#kick();
    while (hasWork(this.#pending) && !this.#stopped);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reads (synchronous once ready)

  /** The catalog's metadata, if this process knows it (any uuid spelling). */
  catalog(uuid: string): CatalogMeta | undefined {
    const key = parseUuid(uuid);
    return key === null ? undefined : this.#catalogs.get(key);
  }

  customer(uuid: string): CustomerMeta | undefined {
    const key = parseUuid(uuid);
    return key === null ? undefined : this.#customers.get(key);
  }

  /** `content_metadata.modified` of a content row, in microseconds. */
  contentModifiedUs(contentId: number): number | undefined {
    return this.#modifiedUs.get(contentId);
  }

  /**
   * The catalog, looked up in memory first; on a miss (a catalog created by another process a moment ago, or an
   * unknown uuid) the database decides, and a found catalog is added to the index with its query's members.
   */
  async resolveCatalog(uuid: string): Promise<CatalogMeta | undefined> {
    await this.ready();
    const key = parseUuid(uuid);
    if (key === null) return undefined;
    const known = this.#catalogs.get(key);
    if (known !== undefined) return known;
    const row = await catalogMeta(this.#db.kysely, key);
    if (row === undefined) return undefined;
    if (row.queryId !== null) await this.#reloadQuery(row.queryId);
    this.#putCatalog(row);
    return row;
  }

  /** The customer, from memory or (on a miss) the database. */
  async resolveCustomer(uuid: string): Promise<CustomerMeta | undefined> {
    await this.ready();
    const key = parseUuid(uuid);
    if (key === null) return undefined;
    const known = this.#customers.get(key);
    if (known !== undefined) return known;
    const row = await customerMeta(this.#db.kysely, key);
    if (row !== undefined) this.putCustomer(row);
    return row;
  }

  /** MAX(content.modified) over a query's members (catalog-level `content_last_modified`); null if none. */
  maxContentModifiedUs(queryId: number | null): number | null {
    if (queryId === null) return null;
    const cached = this.#maxModifiedCache.get(queryId);
    if (cached !== undefined && cached.version === this.#version) return cached.value;
    let best: number | null = null;
    for (const id of this.#index.queryMemberIds(queryId)) {
      const us = this.#modifiedUs.get(id);
      if (us !== undefined && (best === null || us > best)) best = us;
    }
    this.#maxModifiedCache.set(queryId, { version: this.#version, value: best });
    return best;
  }

  /**
   * An opaque string that changes whenever anything a catalog serves changes: its query, the set of members, a
   * member's `modified` (real content change), the catalog's or its customer's `modified`. The channel exporter
   * compares it with the version it last synced to skip unchanged catalogs. `null` for an unknown catalog.
   */
  catalogContentVersion(catalogUuid: string): string | null {
    const catalog = this.catalog(catalogUuid);
    if (catalog === undefined) return null;
    const cached = this.#contentVersionCache.get(catalog.uuid);
    if (cached !== undefined && cached.version === this.#version) return cached.value;
    // FNV-1a over (id, modified) pairs: order-independent inputs are already sorted by id.
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    let count = 0;
    if (catalog.queryId !== null) {
      for (const id of this.#index.queryMemberIds(catalog.queryId)) {
        const us = this.#modifiedUs.get(id) ?? 0;
        h1 = Math.imul(h1 ^ id, 0x01000193) >>> 0;
        h1 = Math.imul(h1 ^ (us % 0x7fffffff), 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ Math.floor(us / 0x7fffffff), 0x811c9dc5) >>> 0;
        count++;
      }
    }
    const customerUs = this.#customers.get(catalog.enterpriseUuid)?.modifiedUs ?? 0;
    const value = [catalog.queryId ?? 'none', count, h1.toString(36), h2.toString(36), catalog.modifiedUs, customerUs].join('.');
    this.#contentVersionCache.set(catalog.uuid, { version: this.#version, value });
    return value;
  }

  // ---------------------------------------------------------------------------------------------------------
  // This process's own writes (call after commit)

  putCatalog(meta: CatalogMeta): void {
    this.#putCatalog(meta);
  }

  removeCatalog(uuid: string): void {
    const key = parseUuid(uuid);
    if (key === null) return;
    this.#catalogs.delete(key);
    this.#index.removeCatalog(key);
    this.#version++;
  }

  putCustomer(meta: CustomerMeta): void {
    const key = parseUuid(meta.uuid) ?? meta.uuid;
    this.#customers.set(key, { ...meta, uuid: key });
    this.#version++;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Internals

  #putCatalog(meta: CatalogMeta): void {
    const uuid = parseUuid(meta.uuid) ?? meta.uuid;
    const enterpriseUuid = parseUuid(meta.enterpriseUuid) ?? meta.enterpriseUuid;
    this.#catalogs.set(uuid, { ...meta, uuid, enterpriseUuid });
    this.#index.upsertCatalog({ uuid, enterpriseUuid, queryId: meta.queryId });
    this.#version++;
  }

  #onNotification(payload: string): void {
    if (this.#stopped) return;
    if (payload === '*') this.#enqueue('*');
    else {
      const event = decodeCatalogEvent(payload);
      if (event === null) {
        this.#logger.warn({ payload }, 'ignoring an unreadable catalog change event');
        return;
      }
      this.#enqueue(event);
    }
    this.#kick().catch((err: unknown) => this.#logger.error({ err }, 'catalog change event could not be applied'));
  }

  #enqueue(event: CatalogEvent | '*'): void {
    const p = this.#pending;
    if (event === '*') {
      p.full = true;
      return;
    }
    switch (event.type) {
      case 'query_membership':
      case 'query':
        p.queries.add(event.queryId);
        break;
      case 'content':
        if (event.ids === undefined) p.contentAll = true;
        else for (const id of event.ids) p.contentIds.add(id);
        break;
      case 'catalog':
        p.catalogs.add(event.uuid);
        break;
      case 'customer':
        p.customers.add(event.uuid);
        break;
    }
  }

  #kick(): Promise<void> {
    if (this.#drain === null) {
      const run: Promise<void> = this.#runDrain().finally(() => {
        if (this.#drain === run) this.#drain = null;
        // Work that arrived while this drain was finishing would otherwise wait for the next event.
        if (this.#ready && !this.#stopped && hasWork(this.#pending)) {
          this.#kick().catch((err: unknown) => this.#logger.error({ err }, 'catalog change event could not be applied'));
        }
      });
      this.#drain = run;
    }
    return this.#drain;
  }

  async #runDrain(): Promise<void> {
    while (hasWork(this.#pending) && !this.#stopped) {
      const work = this.#pending;
      this.#pending = noWork();
      try {
        const started = performance.now();
        await this.#applyWork(work);
        const ms = performance.now() - started;
        if (ms > 500) this.#logger.warn({ ms: Math.round(ms), full: work.full }, 'slow catalog index update');
      } catch (err) {
        // Keep the work for the next attempt; before the first load succeeds the caller sees the error.
        this.#mergeBack(work);
        if (!this.#ready) throw err;
        this.#logger.warn({ err }, 'catalog index update failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  #mergeBack(work: PendingWork): void {
    const p = this.#pending;
    p.full ||= work.full;
    p.contentAll ||= work.contentAll;
    for (const id of work.contentIds) p.contentIds.add(id);
    for (const q of work.queries) p.queries.add(q);
    for (const c of work.catalogs) p.catalogs.add(c);
    for (const c of work.customers) p.customers.add(c);
  }

  async #applyWork(work: PendingWork): Promise<void> {
    if (work.full) {
      this.#fullLoadRunning = true;
      try {
        await this.#fullLoad();
      } finally {
        this.#fullLoadRunning = false;
      }
      return;
    }
    // Content first: memberships may name rows this process has not seen yet.
    if (work.contentAll) await this.#reloadAllContent();
    else if (work.contentIds.size > 0) this.#putContent(await contentByIds(this.#db.kysely, [...work.contentIds]));
    for (const queryId of work.queries) await this.#reloadQuery(queryId);
    for (const uuid of work.catalogs) await this.#reloadCatalog(uuid);
    for (const uuid of work.customers) await this.#reloadCustomer(uuid);
  }

  async #fullLoad(): Promise<void> {
    const started = performance.now();
    const db = this.#db.kysely;
    // Memberships before content: content rows are never deleted by refreshes, so every member read here
    // has its row by the time the content is read.
    const lists = await allMembershipLists(db);
    const contents: IndexedContentRecord[] = [];
    for (let after = 0; ; ) {
      const batch = await contentBatch(db, after, CONTENT_BATCH);
      for (const row of batch) contents.push(row);
      if (batch.length < CONTENT_BATCH) break;
      after = (batch[batch.length - 1] as IndexedContentRecord).id;
    }
    const catalogs = await allCatalogMeta(db);
    const customers = await allCustomerMeta(db);

    const modified = new Map<number, number>();
    for (const row of contents) modified.set(row.id, row.modifiedUs);
    let memberships = 0;
    const memberLists = lists.map(({ queryId, ids }) => {
      let contentIds = parseIdList(ids);
      if (contentIds.some((id) => !modified.has(id))) contentIds = contentIds.filter((id) => modified.has(id));
      memberships += contentIds.length;
      return { queryId, contentIds };
    });
    const catalogMap = new Map<string, CatalogMeta>();
    for (const c of catalogs) catalogMap.set(c.uuid, c);
    const customerMap = new Map<string, CustomerMeta>();
    for (const c of customers) customerMap.set(c.uuid, c);

    this.#index.load({
      contents,
      memberships: memberLists,
      catalogs: catalogs.map((c) => ({ uuid: c.uuid, enterpriseUuid: c.enterpriseUuid, queryId: c.queryId })),
    });
    this.#modifiedUs = modified;
    this.#catalogs = catalogMap;
    this.#customers = customerMap;
    this.#version++;
    this.#ready = true;
    this.#lastLoad = {
      ms: Math.round(performance.now() - started),
      contents: contents.length,
      memberships,
      queries: memberLists.length,
      catalogs: catalogs.length,
      customers: customers.length,
    };
    this.#logger.info({ index: this.#lastLoad }, 'catalog membership index loaded');
  }

  async #reloadAllContent(): Promise<void> {
    for (let after = 0; ; ) {
      const batch = await contentBatch(this.#db.kysely, after, CONTENT_BATCH);
      this.#putContent(batch);
      if (batch.length < CONTENT_BATCH) break;
      after = (batch[batch.length - 1] as IndexedContentRecord).id;
    }
  }

  #putContent(rows: readonly IndexedContentRecord[]): void {
    if (rows.length === 0) return;
    this.#index.upsertContent(rows);
    for (const row of rows) this.#modifiedUs.set(row.id, row.modifiedUs);
    this.#version++;
  }

  async #reloadQuery(queryId: number): Promise<void> {
    const db = this.#db.kysely;
    const ids = parseIdList(await queryMemberList(db, queryId));
    if (ids.length === 0 && !(await queryExists(db, queryId))) {
      this.#index.removeQuery(queryId);
      this.#version++;
      return;
    }
    const unknown: number[] = [];
    for (const id of ids) if (!this.#modifiedUs.has(id)) unknown.push(id);
    if (unknown.length > 0) this.#putContent(await contentByIds(db, unknown));
    const known = unknown.length > 0 ? ids.filter((id) => this.#modifiedUs.has(id)) : ids;
    this.#index.applyMembership(queryId, known);
    this.#version++;
  }

  async #reloadCatalog(uuid: string): Promise<void> {
    const key = parseUuid(uuid);
    if (key === null) return;
    const row = await catalogMeta(this.#db.kysely, key);
    if (row === undefined) this.removeCatalog(key);
    else this.#putCatalog(row);
  }

  async #reloadCustomer(uuid: string): Promise<void> {
    const key = parseUuid(uuid);
    if (key === null) return;
    const row = await customerMeta(this.#db.kysely, key);
    if (row === undefined) {
      this.#customers.delete(key);
      this.#version++;
    } else this.putCustomer(row);
  }
}
