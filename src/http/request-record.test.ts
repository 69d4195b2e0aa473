import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import type { FastifyBaseLogger } from 'fastify';
import { AccessLine, REQUEST_DURATION_BUCKETS, REQUEST_DURATION_HELP, REQUEST_DURATION_NAME, RequestDurations } from './request-record.js';
import { createLogger } from '../app.js';
import { testConfig } from '../../test/helpers/db.js';

/** A logger as the app makes it (`createLogger`), its access child, and the lines written to its destination. */
function appLogger(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const logger = createLogger(testConfig({ logLevel: level }), { write: (line: string) => void lines.push(line) });
  return { lines, access: logger.child({}, { redact: [] }) };
}

describe('RequestDurations', () => {
  const observation = fc.record({
    method: fc.constantFrom('GET', 'POST', 'DELETE'),
    route: fc.constantFrom('/health/', '/api/v1/enterprise-catalogs/:uuid/', 'unmatched', '/a"quote\\/'),
    status: fc.constantFrom(200, 201, 404, 500),
    // Values on the bounds, between them and beyond the last.
    seconds: fc.oneof(fc.constantFrom(...REQUEST_DURATION_BUCKETS, 0, 7), fc.double({ min: 0, max: 10, noNaN: true })),
  });

  test('renders exactly what a prom-client Histogram with the same name, labels and buckets renders', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const ours = new Registry();
        const theirs = new Registry();
        const durations = new RequestDurations(ours);
        const reference = new Histogram({
          name: REQUEST_DURATION_NAME,
          help: REQUEST_DURATION_HELP,
          labelNames: ['method', 'route', 'status'],
          buckets: [...REQUEST_DURATION_BUCKETS],
          registers: [theirs],
        });
        for (const o of observations) {
          durations.observe(o.method, o.route, o.status, o.seconds);
          reference.observe({ method: o.method, route: o.route, status: String(o.status) }, o.seconds);
        }
        assert.equal(sortSeries(await ours.metrics()), sortSeries(await theirs.metrics()));
        assert.deepEqual(sortJson(await ours.getMetricsAsJSON()), sortJson(await theirs.getMetricsAsJSON()));
      }),
      { numRuns: 200 },
    );
  });

  test('reset forgets every series', async () => {
    const registry = new Registry();
    const durations = new RequestDurations(registry);
    durations.observe('GET', '/health/', 200, 0.002);
    assert.match(await registry.metrics(), /_count\{method="GET",route="\/health\/",status="200"\} 1/);
    registry.resetMetrics();
    assert.doesNotMatch(await registry.metrics(), /_count/);
  });
});

/** The exposition with its series lines sorted: both list the same lines, each series in its own order. */
function sortSeries(text: string): string {
  const [head, ...rest] = text.trim().split('\n');
  return [head, rest.filter((l) => l.startsWith('#')), rest.filter((l) => !l.startsWith('#')).sort()].flat().join('\n');
}

/** The JSON form reduced to what it says: name, help, type, and each value's metric name, labels and number. */
function sortJson(metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>): unknown {
  return metrics.map((m) => ({
    name: m.name,
    help: m.help,
    type: m.type,
    values: m.values
      .map((v) => {
        const labels = Object.fromEntries(Object.entries(v.labels).sort(([a], [b]) => a.localeCompare(b)));
        return JSON.stringify({ metricName: (v as { metricName?: string }).metricName, labels, value: v.value });
      })
      .sort(),
  }));
}

describe('AccessLine', () => {
  const fields = fc.record({
    reqId: fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/)),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    // Whatever Node hands over as the URL, including characters JSON must escape.
    url: fc.string({ unit: 'binary', maxLength: 300 }).map((s) => `/${s}`),
    route: fc.constantFrom('/api/v1/enterprise-catalogs/:uuid/contains_content_items/', 'unmatched', '/health/'),
    status: fc.integer({ min: 100, max: 599 }),
    ms: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }).map((n) => Math.round(n * 100) / 100), fc.constant(0)),
  });

  test('with the app logger, writes straight to its destination the line pino writes for the same fields', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const ours = appLogger();
        const line = new AccessLine(ours.access);
        assert.equal(line.direct, true);
        line.write(f);
        const theirs = appLogger();
        theirs.access.info({ reqId: f.reqId, method: f.method, url: f.url, route: f.route, status: f.status, ms: f.ms }, 'request');
        assert.equal(ours.lines.length, 1);
        assert.equal(theirs.lines.length, 1);
        const a = JSON.parse(ours.lines[0] as string) as Record<string, unknown>;
        const b = JSON.parse(theirs.lines[0] as string) as Record<string, unknown>;
        assert.ok(typeof a.time === 'number' && Math.abs(a.time - (b.time as number)) < 1000);
        // Same keys in the same order, same values (the time aside).
        assert.deepEqual(Object.entries({ ...a, time: 0 }), Object.entries({ ...b, time: 0 }));
        assert.ok((ours.lines[0] as string).endsWith('}\n'));
      }),
      { numRuns: 300 },
    );
  });

  test('writes nothing while the logger level is above info', () => {
    const { lines, access } = appLogger('warn');
    const line = new AccessLine(access);
    line.write({ reqId: 'r', method: 'GET', url: '/', route: '/', status: 200, ms: 1 });
    assert.deepEqual(lines, []);
    access.level = 'info';
    line.write({ reqId: 'r', method: 'GET', url: '/', route: '/', status: 200, ms: 1 });
    assert.equal(lines.length, 1);
  });

  test('with a logger that is not pino, logs through info', () => {
    const calls: unknown[][] = [];
    const logger = { info: (...args: unknown[]) => void calls.push(args) } as unknown as FastifyBaseLogger;
    const line = new AccessLine(logger);
    assert.equal(line.direct, false);
    line.write({ reqId: 'r-1', method: 'GET', url: '/x?y=1', route: '/x', status: 204, ms: 0.5 });
    assert.deepEqual(calls, [[{ reqId: 'r-1', method: 'GET', url: '/x?y=1', route: '/x', status: 204, ms: 0.5 }, 'request']]);
  });
});
