/**
 * The real `ecat` process: the data-dir lock, kill -9 and restart, graceful SIGTERM, CLI usage errors.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openDatabase } from '../../src/db/database.js';
import { ECAT_BIN, startEcat } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'ecat-e2e-'));
const env = { DATABASE_URL: `pglite://${join(dir, 'db')}`, PORT: '0', ECAT_JWT_SECRET: 'e2e-secret', ECAT_JOB_POLL_SECONDS: '1' };
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ecat serve as a process', () => {
  test('a second serve on the same data dir exits non-zero naming the lock; kill -9 keeps committed data', async () => {
    const first = startEcat(['serve'], env);
    try {
      const m = await first.waitFor(/"url":"(http:\/\/[^"]+)"/);
      const url = m[1];
      const health = await fetch(`${url}/health/`);
      assert.equal(health.status, 200);

      const second = startEcat(['serve'], env);
      const code = await second.exited;
      assert.notEqual(code, 0);
      assert.match(second.stderr(), /db\.lock/);
      assert.match(second.stderr(), new RegExp(`process ${first.child.pid}`));

      // The worker registered itself (a committed row); kill -9 leaves no chance to clean up.
      first.child.kill('SIGKILL');
      await first.exited;

      const db = await openDatabase(env.DATABASE_URL); // takes over the dead process's lock
      try {
        const rows = await db.kysely.selectFrom('job_worker').select('pid').execute();
        assert.ok(rows.some((r) => r.pid === first.child.pid), 'the committed row of the killed process is still there');
      } finally {
        await db.close();
      }
    } finally {
      first.child.kill('SIGKILL');
    }
  });

  test('restart after kill -9 serves again, and SIGTERM shuts down cleanly', async () => {
    const p = startEcat(['serve'], env);
    try {
      const m = await p.waitFor(/"url":"(http:\/\/[^"]+)"/);
      assert.equal((await fetch(`${m[1]}/health/`)).status, 200);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
      // A clean stop releases the lock: the directory opens at once.
      const db = await openDatabase(env.DATABASE_URL);
      await db.close();
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});

describe('ecat CLI', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [ECAT_BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });

  test('unknown command or flag → usage and exit code 2', () => {
    const a = run(['frobnicate']);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /usage: ecat/);
    const b = run(['migrate', '--nope']);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /usage: ecat migrate/);
  });

  test('--help on each command', () => {
    for (const cmd of ['serve', 'worker', 'migrate', 'token']) {
      const r = run([cmd, '--help']);
      assert.equal(r.status, 0, cmd);
      assert.match(r.stdout, new RegExp(`usage: ecat ${cmd}`));
    }
  });

  test('ecat token prints a token with the requested roles', () => {
    const r = run(['token', '--role', 'enterprise_admin', '--context', 'abc', '--admin', '--ttl', '1h']);
    assert.equal(r.status, 0, r.stderr);
    const payload = JSON.parse(Buffer.from(r.stdout.trim().split('.')[1] ?? '', 'base64url').toString()) as {
      roles: string[];
      administrator: boolean;
      exp: number;
      iat: number;
    };
    assert.deepEqual(payload.roles, ['enterprise_admin:abc']);
    assert.equal(payload.administrator, true);
    assert.equal(payload.exp - payload.iat, 3600);
    assert.equal(run(['token', '--ttl', 'forever']).status, 2);
  });

  test('ecat migrate applies migrations and exits 0', () => {
    const r = run(['migrate']);
    assert.equal(r.status, 0, r.stderr);
  });
});
