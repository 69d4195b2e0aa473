/**
 * Fixtures for catalog API tests: an app with the catalog module, content rows and query membership written the
 * way the refresh pipeline writes them, and small builders of discovery-shaped JSON.
 */
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/app.js';
import type { AppModule } from '../../src/app-context.js';
import type { Config } from '../../src/config/config.schema.js';
import type { Db } from '../../src/db/database.js';
import type { ContentType } from '../../src/db/schema.js';
import { systemModule } from '../../src/http/system.module.js';
import { catalogModule, catalogServicesOf } from '../../src/catalog/catalog.module.js';
import { publishCatalogEvent } from '../../src/catalog/catalog-events.js';
import { replaceQueryMembership, upsertContent, type ContentInput } from '../../src/catalog/content.repository.js';
import { testConfig } from './db.js';

/**
 * Defines the `refresh_catalog_query` queue with a no-op handler, standing in for the refresh module (which owns
 * the queue) so catalog writes can enqueue inside their transaction.
 */
export const refreshQueueStub: AppModule = {
  name: 'refresh-queue-stub',
  async defineJobs(ctx) {
    await ctx.jobs.define('refresh_catalog_query', { policy: 'stately' }, async () => undefined);
  },
};

/** An app with the catalog module on `db`, started (index loaded, listening), not running jobs. */
export async function createCatalogApp(db: Db, config: Partial<Config> = {}): Promise<App> {
  const app = await createApp(
    testConfig({
      lmsBaseUrl: 'https://lms.example.com',
      learnerPortalBaseUrl: 'https://portal.example.com',
      ecommerceBaseUrl: 'https://ecommerce.example.com',
      ...config,
    }),
    { db, work: false, modules: [systemModule, catalogModule, refreshQueueStub] },
  );
  await app.start();
  return app;
}

export const indexOf = (app: App) => catalogServicesOf(app.ctx).index;

export interface RunSpec {
  key: string;
  active?: boolean;
  uuid?: string;
}

/** A course JSON as discovery's search/all returns it (subset), with runs active or not. */
export function courseJson(key: string, runs: RunSpec[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key,
    uuid: randomUUID(),
    title: `Course ${key}`,
    content_type: 'course',
    aggregation_key: `course:${key}`,
    marketing_url: `https://www.example.com/course/${key.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    course_runs: runs.map((r) => ({
      key: r.key,
      uuid: r.uuid ?? randomUUID(),
      status: 'published',
      is_enrollable: r.active !== false,
      is_marketable: r.active !== false,
      availability: 'Current',
    })),
    advertised_course_run_uuid: null,
    ...extra,
  };
}

export function course(key: string, runs: RunSpec[] = [], extra: Record<string, unknown> = {}): ContentInput {
  const json = courseJson(key, runs, extra);
  return { contentKey: key, contentUuid: json.uuid as string, contentType: 'course', parentContentKey: null, jsonMetadata: json };
}

export function courseRun(key: string, parentKey: string, active = true): ContentInput {
  const uuid = randomUUID();
  return {
    contentKey: key,
    contentUuid: uuid,
    contentType: 'courserun',
    parentContentKey: parentKey,
    jsonMetadata: {
      key,
      uuid,
      title: `Run ${key}`,
      content_type: 'courserun',
      aggregation_key: `courserun:${parentKey}`,
      status: 'published',
      is_enrollable: active,
      is_marketable: active,
    },
  };
}

export function program(uuid: string = randomUUID()): ContentInput {
  return {
    contentKey: uuid,
    contentUuid: uuid,
    contentType: 'program',
    parentContentKey: null,
    jsonMetadata: { uuid, title: `Program ${uuid.slice(0, 8)}`, content_type: 'program', marketing_url: 'https://www.example.com/program/p' },
  };
}

export function content(contentType: ContentType, key: string, json: Record<string, unknown> = {}): ContentInput {
  return { contentKey: key, contentUuid: null, contentType, parentContentKey: null, jsonMetadata: { key, content_type: contentType, ...json } };
}

/**
 * Upsert `items` and make them the members of `queryId`, in one transaction that publishes the same events the
 * refresh pipeline publishes; then apply them to `app`'s index (without waiting for the notification).
 * Returns the content ids by key.
 */
export async function setMembers(db: Db, app: App | null, queryId: number, items: readonly ContentInput[], now = new Date()): Promise<Map<string, number>> {
  const ids = await db.transaction(async (trx) => {
    const rows = await upsertContent(trx, items, now);
    await replaceQueryMembership(trx, queryId, rows.map((r) => r.id), now);
    await publishCatalogEvent(db, trx, { type: 'content', ids: rows.map((r) => r.id) });
    await publishCatalogEvent(db, trx, { type: 'query_membership', queryId });
    return new Map(rows.map((r) => [r.contentKey, r.id]));
  });
  if (app !== null) {
    await indexOf(app).apply({ type: 'content', ids: [...ids.values()] });
    await indexOf(app).apply({ type: 'query_membership', queryId });
  }
  return ids;
}

/** Upsert content rows that belong to no query (e.g. runs of a course the catalog holds). */
export async function putContent(db: Db, app: App | null, items: readonly ContentInput[], now = new Date()): Promise<Map<string, number>> {
  const rows = await upsertContent(db.kysely, items, now);
  if (app !== null) await indexOf(app).apply({ type: 'content', ids: rows.map((r) => r.id) });
  return new Map(rows.map((r) => [r.contentKey, r.id]));
}

/** The query id of a catalog (from the database). */
export async function queryIdOf(db: Db, catalogUuid: string): Promise<number> {
  const row = await db.kysely.selectFrom('enterprise_catalog').select('catalog_query_id').where('uuid', '=', catalogUuid).executeTakeFirstOrThrow();
  if (row.catalog_query_id === null) throw new Error(`catalog ${catalogUuid} has no query`);
  return row.catalog_query_id;
}

/** Poll `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 2000, stepMs = 10): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
