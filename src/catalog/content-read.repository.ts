/**
 * Reads of content rows with their JSON, always bounded by a page: `get_content_metadata` pages (active members of
 * a query, or given ids), the customer content lookup and `/content-metadata/`. One query per function.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { JsonObject } from './content-presenter.js';
import { epochMicros } from './catalog-time.js';

/** `cm.id` is one of `ids`. */
const idIn = (ids: readonly number[]) => sql<boolean>`cm.id = any(${sql.val([...ids])}::int[])`;

export interface ContentRow {
  id: number;
  contentKey: string;
  contentUuid: string | null;
  contentType: string;
  parentContentKey: string | null;
  jsonMetadata: JsonObject;
  modifiedUs: number;
}

/** The row columns every content read returns, the JSON aside. */
function rowColumns() {
  return [
    'cm.id',
    'cm.content_key as contentKey',
    'cm.content_uuid as contentUuid',
    'cm.content_type as contentType',
    'cm.parent_content_key as parentContentKey',
    epochMicros('cm.modified').as('modifiedUs'),
  ] as const;
}

function rowSelect(executor: Executor) {
  return executor
    .selectFrom('content_metadata as cm')
    .select([...rowColumns(), sql<JsonObject>`cm.json_metadata`.as('jsonMetadata')]);
}

/**
 * Number of a query's members that pass the §2.4 active rule. Reads the membership index and the `is_active`
 * column kept by a trigger, never the JSON.
 */
export async function countActiveMembers(executor: Executor, queryId: number): Promise<number> {
  const row = await executor
    .selectFrom('catalog_query_membership as m')
    .innerJoin('content_metadata as cm', 'cm.id', 'm.content_metadata_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('m.catalog_query_id', '=', queryId)
    .where('cm.is_active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of a query's active members, ascending by content id; JSON is read for these rows only. */
export function activeMemberPage(executor: Executor, queryId: number, limit: number, offset: number): Promise<ContentRow[]> {
  return rowSelect(executor)
    .innerJoin('catalog_query_membership as m', 'm.content_metadata_id', 'cm.id')
    .where('m.catalog_query_id', '=', queryId)
    .where('cm.is_active', '=', true)
    .orderBy('cm.id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** A page entry without its JSON: enough to look its presented item up in the fragment cache. */
export interface ContentRef {
  id: number;
  modifiedUs: number;
  contentHash: string;
}

/**
 * A content row with the version of its JSON, for filling the fragment cache. The JSON comes as text: parsed once
 * where it is used, instead of parsed in the embedded database's thread and copied over as an object graph.
 */
export interface VersionedContentRow extends Omit<ContentRow, 'jsonMetadata'> {
  contentHash: string;
  jsonText: string;
}

function refSelect(executor: Executor) {
  return executor
    .selectFrom('content_metadata as cm')
    .select(['cm.id', epochMicros('cm.modified').as('modifiedUs'), 'cm.content_hash as contentHash']);
}

/** Every active member of a query, ascending by id, without the JSON (which is not read from storage at all). */
export function activeMemberRefs(executor: Executor, queryId: number): Promise<ContentRef[]> {
  return refSelect(executor)
    .innerJoin('catalog_query_membership as m', 'm.content_metadata_id', 'cm.id')
    .where('m.catalog_query_id', '=', queryId)
    .where('cm.is_active', '=', true)
    .orderBy('cm.id')
    .execute();
}

/** {@link contentRowsByIds} without the JSON. */
export function contentRefsByIds(executor: Executor, ids: readonly number[]): Promise<ContentRef[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return refSelect(executor)
    .where(idIn(ids))
    .orderBy('cm.id')
    .execute();
}

/** The rows with these ids (any order), with `content_hash` and the JSON as text. */
export function versionedRowsByIds(executor: Executor, ids: readonly number[]): Promise<VersionedContentRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return executor
    .selectFrom('content_metadata as cm')
    .select([...rowColumns(), sql<string>`cm.json_metadata::text`.as('jsonText'), 'cm.content_hash as contentHash'])
    .where(idIn(ids))
    .execute();
}

/** The rows with these ids, ascending by id. */
export function contentRowsByIds(executor: Executor, ids: readonly number[]): Promise<ContentRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return rowSelect(executor)
    .where(idIn(ids))
    .orderBy('cm.id')
    .execute();
}

/** `/content-metadata/` filters (reference §2.8). */
export interface ContentListFilter {
  /** `content_identifiers` that are not UUIDs (matched against `content_key`); null = no identifier filter. */
  keys: readonly string[] | null;
  /** `content_identifiers` that parse as UUIDs (matched against `content_uuid`). */
  uuids: readonly string[];
  /** `coerce_to_parent_course`: course runs are replaced by their parent course. */
  coerceToParentCourse: boolean;
}

function listWhere(filter: ContentListFilter) {
  if (filter.keys === null) {
    return filter.coerceToParentCourse ? sql<boolean>`cm.content_type <> 'courserun'` : sql<boolean>`true`;
  }
  const matched = sql`(select id, content_type, parent_content_key from content_metadata
    where content_key = any(${sql.val([...filter.keys])}::text[]) or content_uuid = any(${sql.val([...filter.uuids])}::uuid[]))`;
  if (!filter.coerceToParentCourse) return sql<boolean>`cm.id in (select id from ${matched} as matched)`;
  return sql<boolean>`(cm.id in (select id from ${matched} as matched where content_type <> 'courserun')
    or cm.content_key in (select parent_content_key from ${matched} as matched where content_type = 'courserun' and parent_content_key is not null))`;
}

export async function countContentList(executor: Executor, filter: ContentListFilter): Promise<number> {
  const row = await executor
    .selectFrom('content_metadata as cm')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(listWhere(filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** {@link contentListPage} without the JSON. */
export function contentListRefs(executor: Executor, filter: ContentListFilter, limit: number, offset: number): Promise<ContentRef[]> {
  return refSelect(executor).where(listWhere(filter)).orderBy('cm.id').limit(limit).offset(offset).execute();
}

export function contentListPage(executor: Executor, filter: ContentListFilter, limit: number, offset: number): Promise<ContentRow[]> {
  return rowSelect(executor).where(listWhere(filter)).orderBy('cm.id').limit(limit).offset(offset).execute();
}

/** A row by primary key, content uuid (lowest id first) or content key. */
export function findContent(executor: Executor, by: { id: number } | { uuid: string } | { key: string }): Promise<ContentRow | undefined> {
  let qb = rowSelect(executor);
  if ('id' in by) qb = qb.where('cm.id', '=', by.id);
  else if ('uuid' in by) qb = qb.where('cm.content_uuid', '=', by.uuid);
  else qb = qb.where('cm.content_key', '=', by.key);
  return qb.orderBy('cm.id').limit(1).executeTakeFirst();
}
