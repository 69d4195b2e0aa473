import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDb, uid } from '../../test/helpers/db.js';
import type { Db } from './database.js';
import { MigrationError, migrateDown, migrateToLatest, pendingMigrations } from './migrate.js';
import { migrations } from './migrations/index.js';
import { OuterHandleInTransactionError } from './tx-guard.js';

describe(`database (${process.env.DATABASE_URL?.startsWith('postgres') ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(() => db.close());

  test('migrations are applied and re-running them is a no-op', async () => {
    assert.deepEqual(await pendingMigrations(db), []);
    assert.deepEqual(await migrateToLatest(db), []);
    const r = await db.executeSql(`select count(*) as n from job_worker`);
    assert.equal(typeof r.rows[0]?.n, 'number');
  });

  test('a database behind by a migration gets it; one that applied a migration this code does not know is refused', async () => {
    const newest = Object.keys(migrations).sort().at(-1);
    assert.deepEqual((await migrateDown(db)).map((r) => r.migrationName), [newest]);
    assert.deepEqual(await pendingMigrations(db), [newest]);
    assert.deepEqual((await migrateToLatest(db)).map((r) => [r.migrationName, r.status]), [[newest, 'Success']]);
    assert.deepEqual(await pendingMigrations(db), []);

    await sql`insert into kysely_migration (name, timestamp) values ('29991231_0001_from_the_future', now())`.execute(db.kysely);
    try {
      await assert.rejects(migrateToLatest(db), MigrationError);
    } finally {
      await sql`delete from kysely_migration where name = '29991231_0001_from_the_future'`.execute(db.kysely);
    }
    assert.deepEqual(await migrateToLatest(db), []);
  });

  test('a query on the outer handle inside a transaction throws at once instead of hanging', async () => {
    const started = Date.now();
    await assert.rejects(
      db.transaction(async () => {
        await sql`select 1`.execute(db.kysely);
      }, 'guard test'),
      (e: unknown) => e instanceof OuterHandleInTransactionError && /guard test/.test(e.message),
    );
    assert.ok(Date.now() - started < 2000);
    // The session is usable afterwards.
    assert.equal(await db.ping(), true);
  });

  test('a failed transaction commits nothing', async () => {
    const id = uid();
    await assert.rejects(
      db.transaction(async (trx) => {
        await trx.insertInto('job_worker').values({ worker_id: id, host: 'h', pid: 1 }).execute();
        throw new Error('boom');
      }),
      /boom/,
    );
    const rows = await db.kysely.selectFrom('job_worker').selectAll().where('worker_id', '=', id).execute();
    assert.equal(rows.length, 0);
  });

  test('unique violations surface with SQLSTATE 23505', async () => {
    const id = uid();
    await db.kysely.insertInto('job_worker').values({ worker_id: id, host: 'h', pid: 1 }).execute();
    await assert.rejects(db.kysely.insertInto('job_worker').values({ worker_id: id, host: 'h', pid: 1 }).execute(), (e: { code?: string }) => e.code === '23505');
  });

  test('notifications are delivered on commit and dropped on rollback', async () => {
    const got: string[] = [];
    const unsubscribe = await db.listen('ecat_db_test', (p) => got.push(p));
    try {
      await db.transaction(async (trx) => {
        await db.notify('ecat_db_test', 'committed', trx);
        await sql`select 1`.execute(trx);
        assert.deepEqual(got, [], 'not before commit');
      });
      await assert.rejects(
        db.transaction(async (trx) => {
          await db.notify('ecat_db_test', 'rolled-back', trx);
          throw new Error('abort');
        }),
      );
      await db.notify('ecat_db_test', 'plain');
      const deadline = Date.now() + 3000;
      while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(got, ['committed', 'plain']);
    } finally {
      await unsubscribe();
    }
  });

  test('concurrent statements and transactions do not interleave', async () => {
    const id = uid();
    await db.kysely.insertInto('job_worker').values({ worker_id: id, host: 'h', pid: 0 }).execute();
    // Ten read-modify-write transactions at once; on one session they must serialise, on a pool the row lock does.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.transaction(async (trx) => {
          const row = await trx.selectFrom('job_worker').select('pid').where('worker_id', '=', id).forUpdate().executeTakeFirstOrThrow();
          await trx.updateTable('job_worker').set({ pid: row.pid + 1 }).where('worker_id', '=', id).execute();
        }),
      ),
    );
    const row = await db.kysely.selectFrom('job_worker').select('pid').where('worker_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.pid, 10);
  });
});
