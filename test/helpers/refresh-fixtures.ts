/** Fixtures for refresh tests: customers, queries and catalogs as rows, a simulator-backed source, polling. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { contentFilterHash, type PythonJsonValue } from '../../src/catalog/filter-hash.js';
import { createMetrics, type AppMetrics } from '../../src/http/metrics.js';
import type { DiscoverySimulator } from '../../src/discovery/simulator.js';
import { discoveryHandle, type SourceHandle } from '../../src/refresh/refresh-source.js';
import type { RefreshDeps } from '../../src/refresh/refresh.pipeline.js';
import { UPSTREAM_GUARDRAIL } from '../../src/refresh/guardrail.js';

export const silentLogger = { info() {}, warn() {} };

export async function createCustomer(db: Db, uuid: string = randomUUID()): Promise<string> {
  await db.kysely.insertInto('enterprise_customer').values({ uuid, name: `Customer ${uuid.slice(0, 8)}`, slug: `c-${uuid}` }).execute();
  return uuid;
}

/**
 * A catalog query row. `tag` makes the filter (and its hash) unique without changing what it matches: discovery
 * ignores keys it does not know.
 */
export async function createQuery(db: Db, filter: Record<string, unknown>, opts: { tag?: string | null; modified?: Date } = {}): Promise<number> {
  const tag = opts.tag === undefined ? randomUUID() : opts.tag;
  const full = tag === null ? filter : { ...filter, ecat_test_tag: tag };
  const row = await db.kysely
    .insertInto('catalog_query')
    .values({
      uuid: randomUUID(),
      content_filter: JSON.stringify(full),
      content_filter_hash: contentFilterHash(full as PythonJsonValue),
      ...(opts.modified ? { created: opts.modified, modified: opts.modified } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function createCatalog(db: Db, enterpriseUuid: string, queryId: number | null, title = 'Catalog'): Promise<string> {
  const uuid = randomUUID();
  await db.kysely.insertInto('enterprise_catalog').values({ uuid, title, enterprise_uuid: enterpriseUuid, catalog_query_id: queryId }).execute();
  return uuid;
}

export async function setQueryModified(db: Db, queryId: number, modified: Date): Promise<void> {
  await db.kysely.updateTable('catalog_query').set({ modified }).where('id', '=', queryId).execute();
}

/** Members of a query: content key → row. */
export async function members(db: Db, queryId: number) {
  const rows = await db.kysely
    .selectFrom('catalog_query_membership as m')
    .innerJoin('content_metadata as c', 'c.id', 'm.content_metadata_id')
    .select(['c.id', 'c.content_key', 'c.content_type', 'c.modified', 'c.created', 'c.content_hash', 'c.source_hash', 'c.json_metadata'])
    // The row version: it changes whenever the row is written, even with identical values.
    .select(sql<string>`c.xmin::text`.as('xmin'))
    .where('m.catalog_query_id', '=', queryId)
    .execute();
  return new Map(rows.map((r) => [r.content_key, r]));
}

export async function queryRow(db: Db, queryId: number) {
  return db.kysely.selectFrom('catalog_query').selectAll().where('id', '=', queryId).executeTakeFirstOrThrow();
}

export async function runsOf(db: Db, queryId: number) {
  return db.kysely.selectFrom('refresh_run').selectAll().where('catalog_query_id', '=', queryId).orderBy('id').execute();
}

/** Discovery over HTTP against a simulator, with millisecond back-off so retry tests stay fast. */
export function simulatorHandle(sim: DiscoverySimulator, metrics: AppMetrics = createMetrics()): SourceHandle {
  return discoveryHandle(
    { baseUrl: sim.url, tokenUrl: sim.tokenUrl, clientId: 'ecat-test', clientSecret: 'secret', timeoutMs: 10_000, maxAttempts: 6, backoffBaseMs: 5 },
    metrics,
  );
}

export function refreshDeps(db: Db, source: SourceHandle, overrides: Partial<RefreshDeps> = {}): RefreshDeps {
  return { db, source, logger: silentLogger, guardrail: UPSTREAM_GUARDRAIL, ...overrides };
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Wait until the query's last successful refresh is newer than `since` (any, when null), then until the server
 * answers for the catalog, so its membership index has applied the refresh's change events.
 */
export async function waitForQueryRefresh(
  db: Db,
  server: { http: { inject(opts: { method: 'GET'; url: string; headers: Record<string, string> }): Promise<{ statusCode: number }> } },
  target: { queryId: number; catalogUuid: string; headers: () => Promise<Record<string, string>> },
  since: Date | null,
): Promise<void> {
  await waitFor(async () => {
    const q = await db.kysely.selectFrom('catalog_query').select('last_refresh_success_at').where('id', '=', target.queryId).executeTakeFirst();
    const at = q?.last_refresh_success_at;
    return at !== null && at !== undefined && (since === null || at > since);
  }, 'the catalog refresh', 60_000);
  await waitFor(async () => {
    const res = await server.http.inject({ method: 'GET', url: `/api/v1/enterprise-catalogs/${target.catalogUuid}/`, headers: await target.headers() });
    return res.statusCode === 200;
  }, 'the catalog to answer');
}

/** A query's members: content key → `modified` in ms. */
export async function queryMembersModified(db: Db, queryId: number): Promise<Map<string, number>> {
  const rows = await db.kysely
    .selectFrom('catalog_query_membership as m')
    .innerJoin('content_metadata as c', 'c.id', 'm.content_metadata_id')
    .select(['c.content_key', 'c.modified'])
    .where('m.catalog_query_id', '=', queryId)
    .execute();
  return new Map(rows.map((r) => [r.content_key, r.modified.getTime()]));
}
