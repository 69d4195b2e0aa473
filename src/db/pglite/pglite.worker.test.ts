import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
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
