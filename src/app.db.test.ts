import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, createLogger, type App } from './app.js';
import { systemModule } from './http/system.module.js';
import { openTestDb, testConfig } from '../test/helpers/db.js';
import type { Db } from './db/database.js';
import type { AppModule } from './app-context.js';
import { AppError } from './shared/errors.js';

const probe: AppModule = {
  name: 'probe',
  routes(app) {
    app.get('/probe/crash', async () => {
      throw new Error('secret internal detail: password=hunter2');
    });
    app.get('/probe/conflict', async () => {
      throw new AppError('conflict', 'probe_conflict', 'Already exists.');
    });
    app.post('/probe/echo', async (req) => ({ got: req.body }));
  },
};

describe('HTTP app', () => {
  let db: Db;
  let app: App;
  before(async () => {
    db = await openTestDb();
    app = await createApp(testConfig({ bodyLimitBytes: 2048 }), { db, work: false, modules: [systemModule, probe] });
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('GET /health/ answers OK when the database answers', async () => {
    const r = await app.http.inject({ method: 'GET', url: '/health/' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { status: 'OK' });
  });

  test('every response carries a request id; a sane incoming one is kept', async () => {
    const a = await app.http.inject({ method: 'GET', url: '/health/' });
    assert.match(String(a.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const b = await app.http.inject({ method: 'GET', url: '/health/', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(b.headers['x-request-id'], 'abc-123');
    const c = await app.http.inject({ method: 'GET', url: '/health/', headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(c.headers['x-request-id'], 'bad id with spaces');
  });

  test('unknown errors become a generic 500 with the request id and no internals', async () => {
    const r = await app.http.inject({ method: 'GET', url: '/probe/crash', headers: { 'x-request-id': 'req-500' } });
    assert.equal(r.statusCode, 500);
    assert.equal(r.json<{ detail: string }>().detail, 'A server error occurred. Request id: req-500');
    assert.ok(!r.body.includes('hunter2'));
  });

  test('error kinds map to statuses with DRF bodies and a code header', async () => {
    const r = await app.http.inject({ method: 'GET', url: '/probe/conflict' });
    assert.equal(r.statusCode, 409);
    assert.deepEqual(r.json(), { detail: 'Already exists.' });
    assert.equal(r.headers['x-error-code'], 'probe_conflict');
    const nf = await app.http.inject({ method: 'GET', url: '/no/such/route/' });
    assert.equal(nf.statusCode, 404);
    assert.deepEqual(nf.json(), { detail: 'Not found.' });
  });

  test('bodies over the limit get 413, malformed JSON gets 400', async () => {
    const big = await app.http.inject({ method: 'POST', url: '/probe/echo', payload: { x: 'y'.repeat(5000) } });
    assert.equal(big.statusCode, 413);
    const bad = await app.http.inject({ method: 'POST', url: '/probe/echo', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ detail: string }>().detail, /JSON parse error/);
  });

  test('GET /metrics exposes request latency by route, job counts and the pool', async () => {
    await app.http.inject({ method: 'GET', url: '/health/' });
    const r = await app.http.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /ecat_http_request_duration_seconds_bucket\{.*route="\/health\/"/);
    assert.match(r.body, /ecat_db_pool_connections\{state="total"\}/);
    assert.match(r.body, /# TYPE ecat_jobs gauge/);
  });

  test('OpenAPI 3 at /api/schema/ and Swagger UI at /api-docs/', async () => {
    const schema = await app.http.inject({ method: 'GET', url: '/api/schema/' });
    assert.equal(schema.statusCode, 200);
    const doc = schema.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/health/']);
    const ui = await app.http.inject({ method: 'GET', url: '/api-docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });
});

describe('health when the database does not answer', () => {
  test('GET /health/ → 503', async () => {
    const db = await openTestDb();
    const app = await createApp(testConfig(), { db, work: false, modules: [systemModule] });
    try {
      const broken: Db = { ...db, ping: async () => false };
      (app.ctx as { db: Db }).db = broken;
      const r = await app.http.inject({ method: 'GET', url: '/health/' });
      assert.equal(r.statusCode, 503);
      assert.deepEqual(r.json(), { status: 'UNAVAILABLE' });
    } finally {
      await app.close();
      await db.close();
    }
  });
});

describe('HTTP access log', () => {
  let db: Db;
  let app: App;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    db = await openTestDb();
    const config = testConfig({ logLevel: 'info' });
    const sink = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
    app = await createApp(config, { db, work: false, modules: [systemModule, probe], logger: createLogger(config, sink) });
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });

  test('one line per request with its id, route and status, and no credentials; other lines stay redacted', async () => {
    lines.length = 0;
    await app.http.inject({
      method: 'GET',
      url: '/health/',
      headers: { 'x-request-id': 'acc-1', authorization: 'JWT top-secret-token' },
    });
    const access = lines.filter((l) => l.msg === 'request');
    assert.equal(access.length, 1);
    assert.deepEqual(
      { reqId: access[0]?.reqId, method: access[0]?.method, route: access[0]?.route, status: access[0]?.status },
      { reqId: 'acc-1', method: 'GET', route: '/health/', status: 200 },
    );
    assert.equal(typeof access[0]?.ms, 'number');
    assert.ok(!JSON.stringify(lines).includes('top-secret-token'));

    app.ctx.logger.info({ settings: { api_key: 'k-123' }, client_secret: 'cs-456' }, 'probe');
    const probeLine = JSON.stringify(lines.find((l) => l.msg === 'probe'));
    assert.ok(!probeLine.includes('k-123') && !probeLine.includes('cs-456'), probeLine);
  });

  test('lines logged through req.log carry the request id (the per-request logger is made on first use)', async () => {
    lines.length = 0;
    const r = await app.http.inject({ method: 'GET', url: '/probe/crash', headers: { 'x-request-id': 'crash-1', authorization: 'JWT top-secret-token' } });
    assert.equal(r.statusCode, 500);
    const error = lines.find((l) => l.msg === 'unhandled error');
    assert.equal(error?.reqId, 'crash-1', JSON.stringify(lines));
    assert.equal(error?.level, 50);
    const access = lines.filter((l) => l.msg === 'request');
    assert.deepEqual(
      access.map((l) => [l.reqId, l.route, l.status]),
      [['crash-1', '/probe/crash', 500]],
    );
    assert.ok(!JSON.stringify(lines).includes('top-secret-token'));
  });
});
