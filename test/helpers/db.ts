/**
 * Databases for tests. Database suites (`*.db.test.ts`) run on a throw-away in-memory PGlite, and on PostgreSQL
 * when `DATABASE_URL` is a postgres:// URL (CI creates a fresh database for the run). A PostgreSQL that cannot be
 * reached fails the suite: nothing skips silently. Share one database per test file and isolate tests with unique
 * ids.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config.schema.js';

/** The database URL under test: PostgreSQL when configured, else in-memory PGlite. */
export function testDatabaseUrl(): string {
  const url = loadConfig(process.env).databaseUrl;
  return /^postgres(ql)?:\/\//.test(url) ? url : 'memory://';
}

export async function openTestDb(): Promise<Db> {
  const url = testDatabaseUrl();
  let db: Db;
  try {
    db = await openDatabase(url);
    if (!(await db.ping(5000))) throw new Error('database did not answer');
  } catch (err) {
    throw new Error(`cannot reach the test database ${url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`, { cause: err });
  }
  await migrateToLatest(db);
  return db;
}

/** Config for an app under test: test secrets, quiet logs, the given database URL. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {},
    {
      databaseUrl: testDatabaseUrl(),
      jwtSecret: TEST_JWT_SECRET,
      secretKey: '0'.repeat(64),
      logLevel: 'silent',
      port: 0,
      jobPollSeconds: 1,
      ...overrides,
    },
  );
}

export const TEST_JWT_SECRET = 'test-secret-for-hs256-signing-only';

export const uid = (): string => randomUUID();
