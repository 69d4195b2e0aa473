/**
 * Smoke test of the bench harness (CI-safe, a few seconds): the baseline server in its own process, one bounded
 * autocannon run against it, the statistics, the report, and the world plan on the small dataset. It keeps the
 * harness from rotting; it judges no number.
 *
 * Run: node --import tsx --test bench/bench-harness.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../src/discovery/dataset.js';
import { median, quantile, runLoad, summarize } from './load.js';
import { memoryOf, startBaseline, type Child } from './processes.js';
import { renderTables, type ScenarioResult } from './report.js';
import { planWorld, WORLD_QUICK, zipfCounts } from './world.js';

describe('bench harness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecat-bench-test-'));
  let baseline: { child: Child; origin: string };

  before(async () => {
    baseline = await startBaseline(join(dir, 'baseline.log'));
  });
  after(async () => {
    await baseline?.child.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  });

  test('one bounded load run against the baseline server gives latencies, throughput and the server RSS', async () => {
    const run = await runLoad({ origin: baseline.origin, method: 'GET', paths: ['/a', '/b', '/c'] }, { connections: 4, durationS: 1, maxRequests: 50_000 });
    assert.ok(run.ok > 0, 'some 2xx responses');
    assert.equal(run.non2xx, 0);
    assert.ok(run.ok <= 50_000 + 4, 'bounded by maxRequests');
    assert.ok(run.durationS > 0.5 && run.durationS < 5, `bounded in time (${run.durationS} s)`);
    assert.ok(Number.isFinite(run.p50Ms) && run.p50Ms <= run.p99Ms && run.p99Ms <= run.maxMs);
    assert.ok(run.rps > 0);
    const mem = memoryOf(baseline.child.pid);
    assert.ok(mem === null || mem.rssMiB > 0, 'RSS read from /proc (when there is one)');

    const s = summarize([run, { ...run, rps: run.rps * 2 }, { ...run, rps: 0 }]);
    assert.equal(s.rps, run.rps);
    const table = renderTables('pglite', [fakeResult(s)]);
    assert.match(table, /B1\s+pglite\s+64/);
    assert.match(table, /p99 latency/);
  });

  test('median and quantiles', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantile(sorted, 100, 0.5), 50);
    assert.equal(quantile(sorted, 100, 0.99), 99);
    assert.equal(quantile(sorted, 100, 1), 100);
  });

  test('the world plan: power-law sharing that adds up, a big customer, one catalog per channel configuration', () => {
    const counts = zipfCounts(690, 2_900);
    assert.equal(counts.reduce((a, b) => a + b, 0), 2_900);
    assert.ok((counts[0] ?? 0) > 300 && counts.filter((c) => c === 1).length > 300, 'a few filters shared by hundreds, most by one');

    const plan = planWorld(generateDataset({ size: 'S', seed: 1 }), WORLD_QUICK);
    assert.equal(plan.catalogs.length, WORLD_QUICK.catalogs);
    assert.equal(plan.filters.length, WORLD_QUICK.filters);
    assert.equal(new Set(plan.filters.map((f) => JSON.stringify(f.filter))).size, plan.filters.length, 'filters are distinct');
    assert.ok(plan.filters.every((f) => f.catalogs >= 1 && f.courseKeys.length + f.programUuids.length > 0));
    const big = plan.customers.find((c) => c.uuid === plan.bigCustomers[0]);
    assert.equal(big?.catalogs.length, WORLD_QUICK.bigCustomerCatalogs);
    assert.equal(plan.transmit.length, WORLD_QUICK.transmitConfigs);
    assert.equal(new Set(plan.catalogs.map((c) => c.uuid)).size, plan.catalogs.length);
  });
});

function fakeResult(summary: ReturnType<typeof summarize>): ScenarioResult {
  return {
    id: 'B1',
    title: 'contains',
    status: 'measured',
    load: { connections: 64, durationS: 1, summary, baseline: summary, ratioPct: 100, runs: [], baselineRuns: [], serverRssMiB: 80 },
    checks: [{ name: 'p99 latency', measured: summary.p99Ms, unit: 'ms', target: '≤ 5 ms', met: true }],
    details: {},
    loadAverage: { start: [1, 1, 1], end: [1, 1, 1] },
    startedAt: '',
    finishedAt: '',
  };
}
