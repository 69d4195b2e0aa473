import { Migrator, sql, type MigrationResult } from 'kysely';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly migration: string | null,
    cause: unknown,
  ) {
    super(`migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function migrator(db: Db): Migrator {
  return new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } });
}

/**
 * Whether the database has applied exactly our migrations, read in two small statements. Kysely's migrator first
 * introspects every column of every table to learn whether its own tables exist: about 0.2 s of every process
 * start on the embedded database, for nothing once the schema is current.
 */
async function upToDate(db: Db): Promise<boolean> {
  const present = await sql<{ table: string | null }>`select to_regclass('kysely_migration')::text as table`.execute(db.kysely);
  if (!present.rows[0]?.table) return false;
  const applied = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely)).rows.map((r) => r.name);
  const ours = Object.keys(migrations).sort();
  return applied.length === ours.length && applied.every((name, i) => name === ours[i]);
}

/** Apply every pending migration; throws `MigrationError` (nothing half-applied: each runs in a transaction). */
export async function migrateToLatest(db: Db): Promise<MigrationResult[]> {
  // Anything else (pending migrations, or ones this code does not know) goes to the migrator, which applies or refuses.
  if (await upToDate(db)) return [];
  const { error, results = [] } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName ?? null, error);
  }
  return results;
}

/** Undo the newest migration. */
export async function migrateDown(db: Db): Promise<MigrationResult[]> {
  const { error, results = [] } = await migrator(db).migrateDown();
  if (error) throw new MigrationError(results.find((r) => r.status === 'Error')?.migrationName ?? null, error);
  return results;
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
