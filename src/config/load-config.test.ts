import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  test('defaults when nothing is set', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.databaseUrl, 'pglite://./.ecat/db');
    assert.equal(c.jwtSecret, null);
    assert.ok(Object.isFrozen(c));
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['unknown database scheme', { DATABASE_URL: 'foo://x' }, /DATABASE_URL/],
    ['non-numeric port', { PORT: 'abc' }, /PORT must be an integer/],
    ['port out of range', { PORT: '70000' }, /PORT must be between/],
    ['bad log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    ['bad boolean', { ECAT_AUTO_MIGRATE: 'maybe' }, /ECAT_AUTO_MIGRATE must be true or false/],
    ['bad JWKS URL', { ECAT_JWT_JWKS_URL: 'not a url' }, /ECAT_JWT_JWKS_URL must be a URL/],
    ['short secret key', { ECAT_SECRET_KEY: 'abc' }, /ECAT_SECRET_KEY must be 32 bytes/],
    ['bad cron', { ECAT_VACUUM_CRON: 'hourly' }, /ECAT_VACUUM_CRON must be a 5-field cron/],
  ];
  for (const [name, env, pattern] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
    });
  }

  test('lists every problem at once', () => {
    try {
      loadConfig({ DATABASE_URL: 'foo://x', PORT: 'abc' });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 2);
      assert.match(e.message, /PORT/);
      assert.match(e.message, /DATABASE_URL/);
    }
  });

  test('never echoes credentials of a rejected database URL', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' }), (e: Error) => !e.message.includes('hunter2'));
  });

  test('accepts postgres, memory and pglite URLs, and hex or base64 keys', () => {
    for (const url of ['postgres://u@h/db', 'postgresql://h/db', 'memory://', 'pglite:///tmp/x']) {
      assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
    }
    assert.ok(loadConfig({ ECAT_SECRET_KEY: 'ab'.repeat(32) }).secretKey);
    assert.ok(loadConfig({ ECAT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }).secretKey);
  });

  test('the process exits non-zero naming the bad variables', () => {
    const bin = fileURLToPath(new URL('../../bin/ecat.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'serve'], {
      env: { ...process.env, DATABASE_URL: 'foo://x', PORT: 'abc' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /DATABASE_URL/);
    assert.match(r.stderr, /PORT/);
  });
});
