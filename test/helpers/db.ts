/**
 * Databases for tests. Database suites (`*.db.test.ts`) run on a throw-away PGlite, and on PostgreSQL when
 * `DATABASE_URL` is a postgres:// URL (CI creates a fresh database for the run). A PostgreSQL that cannot be
 * reached fails the suite: nothing skips silently. Share one database per test file and isolate tests with unique
 * ids.
 *
 * A fresh PGlite costs about 3 s (initdb plus migrations), so the first test file of a run builds a migrated
 * template data directory (keyed by the migration sources and the PGlite version) and every file starts from a
 * copy of it, which opens in a fraction of that.
 *
 * On PostgreSQL every test file gets a database of its own, created next to the one `DATABASE_URL` names and
 * dropped on close: test files run in parallel, and job workers or lease reapers of one file must never see
 * another file's jobs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config.schema.js';

/** The database URL under test: PostgreSQL when configured, else a PGlite copy of the migrated template. */
export function testDatabaseUrl(): string {
  const url = loadConfig(process.env).databaseUrl;
  return /^postgres(ql)?:\/\//.test(url) ? url : 'memory://';
}

const migrationsDir = new URL('../../src/db/migrations/', import.meta.url).pathname;

function templateKey(): string {
  const h = createHash('sha1');
  const pkg = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  h.update(pkg.version);
  for (const f of readdirSync(migrationsDir).sort()) h.update(f).update(readFileSync(join(migrationsDir, f)));
  return h.digest('hex').slice(0, 16);
}

async function ensureTemplate(): Promise<string> {
  const root = join(tmpdir(), 'ecat-test-templates');
  const dir = join(root, templateKey());
  if (existsSync(join(dir, 'ready'))) return join(dir, 'db');
  mkdirSync(root, { recursive: true });
  // Build in a private directory, then rename: concurrent test files either win the rename or use the winner's.
  const building = join(root, `building-${randomUUID()}`);
  mkdirSync(building, { recursive: true });
  const db = await openDatabase(`pglite://${join(building, 'db')}`);
  try {
    await migrateToLatest(db);
  } finally {
    await db.close();
  }
  mkdirSync(join(building, 'ready'));
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another file finished first
  }
  return join(dir, 'db');
}

/** A failed migration closes the handle, so the test file fails instead of hanging on a live database worker. */
async function migrateOrClose(db: Db): Promise<void> {
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

export async function openTestDb(): Promise<Db> {
  const url = testDatabaseUrl();
  if (url === 'memory://') {
    const template = await ensureTemplate();
    const copy = join(tmpdir(), `ecat-test-${randomUUID()}`);
    cpSync(template, join(copy, 'db'), { recursive: true });
    const db = await openDatabase(`pglite://${join(copy, 'db')}`);
    await migrateOrClose(db);
    const close = db.close.bind(db);
    return Object.assign(db, {
      close: async () => {
        await close();
        rmSync(copy, { recursive: true, force: true });
      },
    });
  }
  const fileUrl = new URL(url);
  const name = `${fileUrl.pathname.slice(1) || 'postgres'}_t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`create database "${name}"`);
  } catch (err) {
    throw new Error(`cannot reach the test database ${url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`, { cause: err });
  } finally {
    await admin.end().catch(() => undefined);
  }
  fileUrl.pathname = `/${name}`;
  const db = await openDatabase(fileUrl.toString());
  await migrateOrClose(db);
  const close = db.close.bind(db);
  return Object.assign(db, {
    close: async () => {
      await close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  });
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

/**
 * A second, independent handle on the same database as `db` (another "process" for cross-instance tests). On
 * PGlite there is only one session per data dir, so the same handle is returned.
 */
export async function openAnotherHandle(db: Db): Promise<Db> {
  if (db.kind !== 'postgres' || !db.connectionString) return db;
  return openDatabase(db.connectionString);
}
