import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../database.js';

test('a 500 ms query in the PGlite worker does not delay a 10 ms timer on the main thread by more than 50 ms', async () => {
  const db = await openDatabase('memory://');
  try {
    let maxLate = 0;
    let ticks = 0;
    let running = true;
    const tick = (expected: number) => {
      const late = Date.now() - expected;
      maxLate = Math.max(maxLate, late);
      ticks++;
      if (running) setTimeout(() => tick(Date.now() + 10), 10);
    };
    setTimeout(() => tick(Date.now() + 10), 10);
    const started = Date.now();
    await sql`select pg_sleep(0.5)`.execute(db.kysely);
    const took = Date.now() - started;
    running = false;
    assert.ok(took >= 450, `the query should take about 500 ms, took ${took}`);
    assert.ok(ticks >= 20, `timers kept firing during the query (${ticks} ticks)`);
    assert.ok(maxLate <= 50, `a timer fired ${maxLate} ms late`);
  } finally {
    await db.close();
  }
});

test('closing a handle that never ran a query still ends the worker thread, so the process can exit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecat-close-'));
  const script = join(dir, 'open-close.mts');
  const target = new URL('../database.ts', import.meta.url).pathname;
  writeFileSync(script, `import { openDatabase } from ${JSON.stringify(target)};\nconst db = await openDatabase('memory://');\nawait db.close();\nconsole.log('closed');\n`);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.signal, null, 'the process had to be killed: something kept it alive');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('statement parameters reach PGlite as node-postgres sends them to PostgreSQL, and an error leaves the session usable', async () => {
  const db = await openDatabase('memory://');
  try {
    await sql`create table p (id serial primary key, t text unique, n int, b boolean, d timestamptz, ids int[], keys text[], j jsonb, u uuid)`.execute(db.kysely);
    const when = new Date('2026-01-02T03:04:05.678Z');
    const row = await sql<Record<string, unknown>>`insert into p (t, n, b, d, ids, keys, j, u) values (${'a \' "b"'}, ${42}, ${true}, ${when}, ${[1, 2]}, ${['x', 'y,z']}, ${JSON.stringify({ k: [1, 'é'] })}, ${'6f1c8f7e-2f4b-4f0a-9d6c-0c7f3b7a1e11'}) returning *`
      .execute(db.kysely)
      .then((r) => r.rows[0]);
    assert.deepEqual(row, { id: 1, t: 'a \' "b"', n: 42, b: true, d: when, ids: [1, 2], keys: ['x', 'y,z'], j: { k: [1, 'é'] }, u: '6f1c8f7e-2f4b-4f0a-9d6c-0c7f3b7a1e11' });
    // An object for a jsonb parameter, null and undefined, and a count as a number.
    await sql`insert into p (t, j, n) values (${'c'}, ${{ nested: { ok: true } }}::jsonb, ${null}), (${'d'}, ${undefined}, ${undefined})`.execute(db.kysely);
    const counted = await sql<{ n: number; j: unknown }>`select count(*)::int8 as n, (select j from p where t = ${'c'}) as j from p where n is null`.execute(db.kysely);
    assert.deepEqual(counted.rows[0], { n: 2, j: { nested: { ok: true } } });
    const ids = await sql<{ id: number }>`select id from p where id = any(${[1, 3]}::int[]) order by id`.execute(db.kysely);
    assert.deepEqual(ids.rows.map((r) => r.id), [1, 3]);

    await assert.rejects(sql`insert into p (t) values (${'c'})`.execute(db.kysely), (err: Error & { code?: string; constraint?: string }) => {
      assert.equal(err.code, '23505');
      assert.equal(err.constraint, 'p_t_key');
      return true;
    });
    const after = await sql<{ n: number }>`select count(*)::int as n from p where t <> ${'z'}`.execute(db.kysely);
    assert.equal(after.rows[0]?.n, 3);
  } finally {
    await db.close();
  }
});

test('prepared statements: reused by text, evicted beyond their bound, prepared again when a table changes under them', async () => {
  const db = await openDatabase('memory://');
  try {
    await sql`create table q (id int primary key, v text)`.execute(db.kysely);
    const insert = (id: number) => sql`insert into q (id, v) values (${id}, ${`v${id}`})`.execute(db.kysely);
    for (let i = 1; i <= 5; i++) await insert(i);
    // A failed run of a prepared statement (unique violation) leaves it usable.
    await assert.rejects(insert(1), (err: Error & { code?: string }) => err.code === '23505');
    await insert(6);
    // A statement that fails to parse is not kept: the same text keeps failing the same way, others still run.
    for (let i = 0; i < 2; i++) await assert.rejects(sql`selec ${i}`.execute(db.kysely), (err: Error & { code?: string }) => err.code === '42601');
    // More distinct texts than are kept prepared: every one still answers correctly, old ones again after eviction.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        const r = await sql<{ n: number }>`select ${i}::int + ${sql.raw(String(i))} as n`.execute(db.kysely);
        assert.equal(r.rows[0]?.n, 2 * i);
      }
    }
    const all = () => sql<Record<string, unknown>>`select * from q where id = ${1}`.execute(db.kysely).then((r) => r.rows[0]);
    assert.deepEqual(await all(), { id: 1, v: 'v1' });
    await sql`alter table q add column w int not null default 7`.execute(db.kysely);
    assert.deepEqual(await all(), { id: 1, v: 'v1', w: 7 });
    // Inside a transaction the changed statement fails once (the transaction is aborted), then runs prepared again.
    await sql`alter table q drop column w`.execute(db.kysely);
    await assert.rejects(
      db.transaction(async (trx) => {
        await sql`select * from q where id = ${1}`.execute(trx);
      }),
      (err: Error & { code?: string }) => err.code === '0A000',
    );
    assert.deepEqual(await all(), { id: 1, v: 'v1' });
  } finally {
    await db.close();
  }
});
