import { Migrator, type MigrationResult } from 'kysely';
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

/** Apply every pending migration; throws `MigrationError` (nothing half-applied: each runs in a transaction). */
export async function migrateToLatest(db: Db): Promise<MigrationResult[]> {
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
