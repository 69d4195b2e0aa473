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
