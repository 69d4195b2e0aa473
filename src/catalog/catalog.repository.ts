/**
 * Enterprise catalogs and their catalog queries. One query per function; the caller passes the executor and
 * owns the transaction.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { epochMicros } from './catalog-time.js';

/** `'*'` = every enterprise; otherwise only catalogs of these enterprises. */
export type EnterpriseScope = '*' | readonly string[];

export interface CatalogRecord {
  uuid: string;
  title: string;
  enterpriseUuid: string;
  enterpriseName: string;
  queryId: number | null;
  queryUuid: string | null;
  queryTitle: string | null;
  enabledCourseModes: unknown;
  publishAuditEnrollmentUrls: boolean;
  modifiedUs: number;
}

export interface QueryRecord {
  id: number;
  uuid: string;
  title: string | null;
  contentFilter: Record<string, unknown>;
  contentFilterHash: string;
}

function catalogSelect(executor: Executor) {
  return executor
    .selectFrom('enterprise_catalog as c')
    .leftJoin('catalog_query as q', 'q.id', 'c.catalog_query_id')
    .select([
      'c.uuid',
      'c.title',
      'c.enterprise_uuid as enterpriseUuid',
      'c.enterprise_name as enterpriseName',
      'c.catalog_query_id as queryId',
      'q.uuid as queryUuid',
      'q.title as queryTitle',
      'c.enabled_course_modes as enabledCourseModes',
      'c.publish_audit_enrollment_urls as publishAuditEnrollmentUrls',
      epochMicros('c.modified').as('modifiedUs'),
    ]);
}

function catalogsInScope(scope: EnterpriseScope) {
  return sql<boolean>`c.enterprise_uuid = any(${sql.val(scope === '*' ? [] : [...scope])}::uuid[])`;
}

export function findCatalog(executor: Executor, uuid: string): Promise<CatalogRecord | undefined> {
  return catalogSelect(executor).where('c.uuid', '=', uuid).executeTakeFirst();
}

export interface CatalogListFilter {
  scope: EnterpriseScope;
  /** `?enterprise_customer=` */
  enterprise?: string;
}

export async function countCatalogs(executor: Executor, filter: CatalogListFilter): Promise<number> {
  const row = await executor
    .selectFrom('enterprise_catalog as c')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$if(filter.scope !== '*', (qb) => qb.where(catalogsInScope(filter.scope)))
    .$if(filter.enterprise !== undefined, (qb) => qb.where('c.enterprise_uuid', '=', filter.enterprise as string))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Ordered by `created` as upstream, then uuid so pages are stable. */
export function listCatalogs(executor: Executor, filter: CatalogListFilter, limit: number, offset: number): Promise<CatalogRecord[]> {
  return catalogSelect(executor)
    .$if(filter.scope !== '*', (qb) => qb.where(catalogsInScope(filter.scope)))
    .$if(filter.enterprise !== undefined, (qb) => qb.where('c.enterprise_uuid', '=', filter.enterprise as string))
    .orderBy('c.created')
    .orderBy('c.uuid')
    .limit(limit)
    .offset(offset)
    .execute();
}

export interface CatalogValues {
  uuid: string;
  title: string;
  enterpriseUuid: string;
  enterpriseName: string;
  queryId: number | null;
  enabledCourseModes?: unknown;
  publishAuditEnrollmentUrls: boolean;
}

/** Insert a catalog; false when the uuid is taken (nothing written). */
export async function insertCatalog(executor: Executor, v: CatalogValues): Promise<boolean> {
  const rows = await executor
    .insertInto('enterprise_catalog')
    .values({
      uuid: v.uuid,
      title: v.title,
      enterprise_uuid: v.enterpriseUuid,
      enterprise_name: v.enterpriseName,
      catalog_query_id: v.queryId,
      enabled_course_modes: v.enabledCourseModes === undefined ? undefined : JSON.stringify(v.enabledCourseModes),
      publish_audit_enrollment_urls: v.publishAuditEnrollmentUrls,
    })
    .onConflict((oc) => oc.column('uuid').doNothing())
    .returning('uuid')
    .execute();
  return rows.length > 0;
}

/** Overwrite a catalog's fields; `modified` moves on every save, as upstream's `TimeStampedModel`. */
export async function updateCatalog(executor: Executor, uuid: string, v: Omit<CatalogValues, 'uuid'>): Promise<void> {
  await executor
    .updateTable('enterprise_catalog')
    .set({
      title: v.title,
      enterprise_uuid: v.enterpriseUuid,
      enterprise_name: v.enterpriseName,
      catalog_query_id: v.queryId,
      ...(v.enabledCourseModes === undefined ? {} : { enabled_course_modes: JSON.stringify(v.enabledCourseModes) }),
      publish_audit_enrollment_urls: v.publishAuditEnrollmentUrls,
      modified: sql<Date>`now()`,
    })
    .where('uuid', '=', uuid)
    .execute();
}

/** Lock the catalog row for the rest of the transaction; false when it does not exist. */
export async function lockCatalog(executor: Executor, uuid: string): Promise<boolean> {
  const row = await executor.selectFrom('enterprise_catalog').select('uuid').where('uuid', '=', uuid).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function deleteCatalog(executor: Executor, uuid: string): Promise<boolean> {
  const r = await executor.deleteFrom('enterprise_catalog').where('uuid', '=', uuid).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Enterprises whose catalogs use the query. */
export async function enterprisesUsingQuery(executor: Executor, queryId: number): Promise<string[]> {
  const rows = await executor
    .selectFrom('enterprise_catalog')
    .select('enterprise_uuid')
    .distinct()
    .where('catalog_query_id', '=', queryId)
    .execute();
  return rows.map((r) => r.enterprise_uuid);
}

// ---- catalog queries ---------------------------------------------------------------------------------------------

function querySelect(executor: Executor) {
  return executor
    .selectFrom('catalog_query')
    .select(['id', 'uuid', 'title', 'content_filter as contentFilter', 'content_filter_hash as contentFilterHash']);
}

/** Queries used by a catalog of an enterprise in scope (`'*'`: every query). */
function queriesInScope(scope: EnterpriseScope) {
  return sql<boolean>`catalog_query.id in (select catalog_query_id from enterprise_catalog where enterprise_uuid = any(${sql.val(
    scope === '*' ? [] : [...scope],
  )}::uuid[]))`;
}

export function findQueryByUuid(executor: Executor, uuid: string, opts: { forUpdate?: boolean } = {}): Promise<QueryRecord | undefined> {
  return querySelect(executor)
    .where('uuid', '=', uuid)
    .$if(opts.forUpdate === true, (qb) => qb.forUpdate())
    .executeTakeFirst();
}

export function findQueryByHash(executor: Executor, hash: string): Promise<QueryRecord | undefined> {
  return querySelect(executor).where('content_filter_hash', '=', hash).executeTakeFirst();
}

export function findQueryById(executor: Executor, id: number): Promise<QueryRecord | undefined> {
  return querySelect(executor).where('id', '=', id).executeTakeFirst();
}

/** A query by id or hash, only if it is in scope. */
export function findQueryInScope(
  executor: Executor,
  scope: EnterpriseScope,
  by: { id: number } | { hash: string },
): Promise<QueryRecord | undefined> {
  return querySelect(executor)
    .$if('id' in by, (qb) => qb.where('id', '=', (by as { id: number }).id))
    .$if('hash' in by, (qb) => qb.where('content_filter_hash', '=', (by as { hash: string }).hash))
    .$if(scope !== '*', (qb) => qb.where(queriesInScope(scope)))
    .executeTakeFirst();
}

export async function countQueries(executor: Executor, scope: EnterpriseScope): Promise<number> {
  const row = await executor
    .selectFrom('catalog_query')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$if(scope !== '*', (qb) => qb.where(queriesInScope(scope)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listQueries(executor: Executor, scope: EnterpriseScope, limit: number, offset: number): Promise<QueryRecord[]> {
  return querySelect(executor)
    .$if(scope !== '*', (qb) => qb.where(queriesInScope(scope)))
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Insert a query unless one with the same filter hash exists (then nothing is written and `undefined` returned).
 * A taken `uuid` or `title` raises the database's unique violation.
 */
export function insertQueryIfNewHash(
  executor: Executor,
  v: { uuid: string; title: string | null; contentFilter: unknown; contentFilterHash: string },
): Promise<QueryRecord | undefined> {
  return executor
    .insertInto('catalog_query')
    .values({ uuid: v.uuid, title: v.title, content_filter: JSON.stringify(v.contentFilter), content_filter_hash: v.contentFilterHash })
    .onConflict((oc) => oc.column('content_filter_hash').doNothing())
    .returning(['id', 'uuid', 'title', 'content_filter as contentFilter', 'content_filter_hash as contentFilterHash'])
    .executeTakeFirst();
}

/** Rewrite a query's filter, hash, title and/or uuid (unique violations surface as database errors). */
export async function updateQuery(
  executor: Executor,
  id: number,
  v: { uuid?: string; title?: string | null; contentFilter?: unknown; contentFilterHash?: string },
): Promise<void> {
  await executor
    .updateTable('catalog_query')
    .set({
      ...(v.uuid !== undefined ? { uuid: v.uuid } : {}),
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.contentFilter !== undefined ? { content_filter: JSON.stringify(v.contentFilter) } : {}),
      ...(v.contentFilterHash !== undefined ? { content_filter_hash: v.contentFilterHash } : {}),
      modified: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}
