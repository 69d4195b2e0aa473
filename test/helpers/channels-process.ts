/** Fixtures for process tests of the channels: an embedded database with a customer, a catalog and its content. */
import { replaceQueryMembership, upsertContent } from '../../src/catalog/content.repository.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { numberedCourse } from '../fakes/content-items.js';
import { createCatalog, createCustomer, createQuery } from './refresh-fixtures.js';

/** Crons that never fire during a test. */
export const QUIET_CRONS = { ECAT_TRANSMIT_CRON: '0 0 1 1 *', ECAT_REFRESH_CRON: '0 0 1 1 *', ECAT_REFRESH_STALE_CRON: '0 0 1 1 *' } as const;

export async function withDb<T>(databaseUrl: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseUrl);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Migrate the database and add a customer with one catalog of `n` courses (rows, as a refresh would write them). */
export async function seedCatalog(databaseUrl: string, n: number): Promise<{ customer: string; catalogUuid: string }> {
  return withDb(databaseUrl, async (db) => {
    await migrateToLatest(db);
    const customer = await createCustomer(db);
    const query = await createQuery(db, { content_type: 'course' }, { tag: null });
    const catalogUuid = await createCatalog(db, customer, query, 'Courses');
    const now = new Date();
    const rows = await upsertContent(
      db.kysely,
      Array.from({ length: n }, (_, i) => {
        const item = numberedCourse(i + 1);
        return { contentKey: String(item['key']), contentUuid: String(item['uuid']), contentType: 'course' as const, parentContentKey: null, jsonMetadata: item };
      }),
      now,
    );
    await replaceQueryMembership(db.kysely, query, rows.map((r) => r.id), now);
    return { customer, catalogUuid };
  });
}
