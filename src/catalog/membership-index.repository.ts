/**
 * The reads that feed the in-memory membership index: identities and timestamps only, never content JSON.
 * One query per function; the caller passes the executor.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { epochMicros } from './catalog-time.js';

/** A content row's identity and its `modified` in microseconds. */
export interface IndexedContentRecord {
  id: number;
  contentKey: string;
  contentType: string;
  parentContentKey: string | null;
  contentUuid: string | null;
  modifiedUs: number;
}

/** What the API needs of a catalog on its hot paths. */
export interface CatalogMeta {
  uuid: string;
  title: string;
  enterpriseUuid: string;
  enterpriseName: string;
  queryId: number | null;
  publishAuditEnrollmentUrls: boolean;
  modifiedUs: number;
}

/** What enrollment URLs and `date_updated` need of a customer. */
export interface CustomerMeta {
  uuid: string;
  slug: string | null;
  enableLearnerPortal: boolean;
  modifiedUs: number;
}

function contentSelect(executor: Executor) {
  return executor
    .selectFrom('content_metadata')
    .select([
      'id',
      'content_key as contentKey',
      'content_type as contentType',
      'parent_content_key as parentContentKey',
      'content_uuid as contentUuid',
      epochMicros('content_metadata.modified').as('modifiedUs'),
    ]);
}

/** Content rows with `id > afterId`, ascending, at most `limit` (keyset pagination over the whole table). */
export function contentBatch(executor: Executor, afterId: number, limit: number): Promise<IndexedContentRecord[]> {
  return contentSelect(executor).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** The content rows with these ids (unknown ids are skipped). */
export function contentByIds(executor: Executor, ids: readonly number[]): Promise<IndexedContentRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return contentSelect(executor)
    .where(sql<boolean>`id = any(${sql.val([...ids])}::int[])`)
    .execute();
}

/**
 * Every query's member ids as one comma-separated text per query, in no particular order (the index sorts them;
 * an ordered aggregate would cost PostgreSQL a sort of every membership): about 7 bytes per membership on the
 * wire and no per-row objects.
 */
export function allMembershipLists(executor: Executor): Promise<Array<{ queryId: number; ids: string }>> {
  return executor
    .selectFrom('catalog_query_membership')
    .select(['catalog_query_id as queryId', sql<string>`string_agg(content_metadata_id::text, ',')`.as('ids')])
    .groupBy('catalog_query_id')
    .execute();
}

/** One query's member ids as comma-separated text, unordered (`null` when it has none). */
export async function queryMemberList(executor: Executor, queryId: number): Promise<string | null> {
  const row = await executor
    .selectFrom('catalog_query_membership')
    .select(sql<string | null>`string_agg(content_metadata_id::text, ',')`.as('ids'))
    .where('catalog_query_id', '=', queryId)
    .executeTakeFirst();
  return row?.ids ?? null;
}

/** Whether the query still exists (a query event may announce a deletion). */
export async function queryExists(executor: Executor, queryId: number): Promise<boolean> {
  const row = await executor.selectFrom('catalog_query').select('id').where('id', '=', queryId).executeTakeFirst();
  return row !== undefined;
}

function catalogSelect(executor: Executor) {
  return executor
    .selectFrom('enterprise_catalog')
    .select([
      'uuid',
      'title',
      'enterprise_uuid as enterpriseUuid',
      'enterprise_name as enterpriseName',
      'catalog_query_id as queryId',
      'publish_audit_enrollment_urls as publishAuditEnrollmentUrls',
      epochMicros('enterprise_catalog.modified').as('modifiedUs'),
    ]);
}

export function allCatalogMeta(executor: Executor): Promise<CatalogMeta[]> {
  return catalogSelect(executor).execute();
}

export function catalogMeta(executor: Executor, uuid: string): Promise<CatalogMeta | undefined> {
  return catalogSelect(executor).where('uuid', '=', uuid).executeTakeFirst();
}

function customerSelect(executor: Executor) {
  return executor
    .selectFrom('enterprise_customer')
    .select([
      'uuid',
      'slug',
      'enable_learner_portal as enableLearnerPortal',
      epochMicros('enterprise_customer.modified').as('modifiedUs'),
    ]);
}

export function allCustomerMeta(executor: Executor): Promise<CustomerMeta[]> {
  return customerSelect(executor).execute();
}

export function customerMeta(executor: Executor, uuid: string): Promise<CustomerMeta | undefined> {
  return customerSelect(executor).where('uuid', '=', uuid).executeTakeFirst();
}
