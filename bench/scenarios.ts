/**
 * Scenarios B1–B8 of issue 7. Load scenarios (B1–B4) run autocannon over loopback against the running
 * `ecat serve`, each repetition paired with a run against the bare `node:http` baseline at the same settings, so
 * every throughput is a ratio measured minutes apart on the same machine state.
 */
import type { Harness } from './harness.js';
import { median, runLoad, runNodeLoad, summarize, type LoadRun, type LoadSettings, type LoadTarget } from './load.js';
import { cpuMsOf, memoryOf } from './processes.js';
import { loadAverage, type Check, type LoadFigures, type ScenarioResult } from './report.js';
import { createRandom, type PlannedFilter } from './world.js';
import { rowsWritten } from './database.js';
import type { RefreshOutcome } from './harness.js';

export interface ScenarioContext {
  h: Harness;
  baselineOrigin: string;
  /** The baseline server's process, for its CPU time. */
  baselinePid: number;
  quick: boolean;
  /** Seconds per measured run, repetitions, and the unrecorded warm-up before each scenario. */
  durationS: number;
  reps: number;
  warmupS: number;
  maxRequests: number;
  log(line: string): void;
}

export class NotAvailable extends Error {}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const check = (name: string, measured: number | string | null, unit: string, target: string, met: boolean | null, note?: string): Check => ({
  name,
  measured,
  unit,
  target,
  met,
  ...(note ? { note } : {}),
});

/** A scenario body; the wrapper adds timing, load averages and error handling. */
type Body = (ctx: ScenarioContext, r: ScenarioResult) => Promise<void>;

export async function runScenario(id: string, title: string, ctx: ScenarioContext, body: Body): Promise<ScenarioResult> {
  const r: ScenarioResult = {
    id,
    title,
    status: 'measured',
    checks: [],
    details: {},
    loadAverage: { start: loadAverage(), end: [] },
    startedAt: new Date().toISOString(),
    finishedAt: '',
  };
  ctx.log(`${id}: ${title} (load average ${r.loadAverage.start.join(' ')})`);
  try {
    await body(ctx, r);
  } catch (err) {
    if (err instanceof NotAvailable) {
      r.status = 'not available';
      r.reason = err.message;
    } else {
      r.status = 'failed';
      r.reason = err instanceof Error ? err.message : String(err);
      ctx.log(`${id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  r.loadAverage.end = loadAverage();
  r.finishedAt = new Date().toISOString();
  return r;
}

/** First request of a scenario: a 404 means the feature is not in this build (reported, not a crash). */
async function probe(ctx: ScenarioContext, method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> {
  const server = ctx.h.server;
  if (!server) throw new Error('no server running');
  const res = await fetch(`${server.origin}${path}`, {
    method,
    headers: { ...ctx.h.api.authHeader, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  if (res.status === 404) throw new NotAvailable(`${method} ${path.split('?')[0] ?? path} answered 404: ${text.slice(0, 200)}`);
  if (res.status !== 200) throw new Error(`${method} ${path.slice(0, 120)} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

/** The run settings of every measured load: the scenario's connections, the run's duration and request bound. */
function loadSettings(ctx: ScenarioContext, connections: number): LoadSettings {
  return { connections, durationS: ctx.durationS, maxRequests: ctx.maxRequests };
}

/** `target` on the server under test, with the service token. */
function serverTarget(ctx: ScenarioContext, target: Omit<LoadTarget, 'origin'>): LoadTarget {
  const server = ctx.h.server;
  if (!server) throw new Error('no server running');
  return { ...target, origin: server.origin, headers: { ...ctx.h.api.authHeader, ...target.headers } };
}

/** The bare baseline answering a prepared body of `answerBytes` (and receiving the same request body). */
function sameSizeTarget(ctx: ScenarioContext, answerBytes: number, request: { method: 'GET' | 'POST'; body?: string } = { method: 'GET' }): LoadTarget {
  return {
    origin: ctx.baselineOrigin,
    method: request.method,
    paths: [`/bytes/${answerBytes}`],
    ...(request.body === undefined ? {} : { body: request.body, headers: { 'content-type': 'application/json' } }),
  };
}

/** Warm-up, then `reps` × (baseline run, scenario run) at the same settings; medians of each. */
async function measureLoad(ctx: ScenarioContext, target: Omit<LoadTarget, 'origin'>, connections: number): Promise<LoadFigures> {
  const server = ctx.h.server;
  if (!server) throw new Error('no server running');
  const settings = loadSettings(ctx, connections);
  const scenario = serverTarget(ctx, target);
  const baseline: LoadTarget = { origin: ctx.baselineOrigin, method: 'GET', paths: ['/'] };
  if (ctx.warmupS > 0) {
    await runLoad(scenario, { ...settings, durationS: ctx.warmupS });
    await runLoad(baseline, { ...settings, durationS: ctx.warmupS });
  }
  const runs: LoadRun[] = [];
  const baselineRuns: LoadRun[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  const baselineCpu: number[] = [];
  for (let i = 0; i < ctx.reps; i++) {
    const base = await withCpu(ctx.baselinePid, () => runLoad(baseline, settings));
    baselineRuns.push(base.run);
    baselineCpu.push(base.cpuUsPerRequest);
    const { run, cpuUsPerRequest } = await withCpu(server.child.pid, () => runLoad(scenario, settings));
    runs.push(run);
    cpu.push(cpuUsPerRequest);
    rss.push(memoryOf(server.child.pid)?.rssMiB ?? Number.NaN);
    ctx.log(
      `  rep ${i + 1}/${ctx.reps}: ${run.rps} req/s (baseline ${base.run.rps}), p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
        `server CPU ${cpuUsPerRequest} µs/request (baseline ${base.cpuUsPerRequest})` +
        `${run.non2xx + run.errors > 0 ? `, ${run.non2xx} non-2xx, ${run.errors} errors ${JSON.stringify(run.statusCodes)}` : ''}`,
    );
  }
  const summary = summarize(runs);
  const base = summarize(baselineRuns);
  return {
    connections,
    durationS: ctx.durationS,
    summary,
    baseline: base,
    ratioPct: round((summary.rps / base.rps) * 100, 1),
    runs,
    baselineRuns,
    serverRssMiB: Math.max(...rss.filter(Number.isFinite)),
    serverCpuUsPerRequest: round(median(cpu), 1),
    baselineCpuUsPerRequest: round(median(baselineCpu), 1),
  };
}

/**
 * Runs `load` and reports the CPU time (all threads, user and system) process `pid` spent per request during it,
 * in µs: what one answer costs the server, independent of how the machine's cores were shared at the time.
 */
async function withCpu(pid: number, load: () => Promise<LoadRun>): Promise<{ run: LoadRun; cpuUsPerRequest: number }> {
  const before = cpuMsOf(pid);
  const run = await load();
  const after = cpuMsOf(pid);
  const cpuUsPerRequest = before === null || after === null || run.requests === 0 ? Number.NaN : ((after - before) * 1000) / run.requests;
  return { run, cpuUsPerRequest: round(cpuUsPerRequest, 1) };
}

/**
 * The bare node:http baseline's own p99 at the same connection count, in the same run: the latency floor of "an
 * HTTP answer from Node" under this load generator on this machine. Informational; it says whether a p99 target is
 * reachable here at all.
 */
function baselineP99(load: LoadFigures, targetMs: number): Check {
  const floor = load.baseline.p99Ms;
  return check(
    'bare node:http p99 at the same connections (floor)',
    floor,
    'ms',
    `(target ${targetMs} ms)`,
    null,
    floor > targetMs ? 'the baseline itself is above the target in this run' : 'the baseline is within the target',
  );
}

/**
 * The bare baseline answering a prepared body of the scenario's answer size (and receiving the same request body),
 * at the same connections: what sending and receiving these bytes alone costs on this machine. Informational.
 */
async function sameSizeFloor(
  ctx: ScenarioContext,
  r: ScenarioResult,
  answerBytes: number,
  connections: number,
  targetMs: number,
  request: { method: 'GET' | 'POST'; body?: string } = { method: 'GET' },
): Promise<void> {
  const settings = loadSettings(ctx, connections);
  const target = sameSizeTarget(ctx, answerBytes, request);
  const runs: LoadRun[] = [];
  for (let i = 0; i < ctx.reps; i++) runs.push(await runLoad(target, settings));
  const floor = summarize(runs);
  r.details.sameSizeFloor = { answerBytes, connections, p50Ms: floor.p50Ms, p99Ms: floor.p99Ms, rps: floor.rps };
  r.checks.push(
    check(
      `bare node:http sending the same ${round(answerBytes / 1024, 0)} KiB answer, p99 (floor)`,
      floor.p99Ms,
      'ms',
      `(target ${targetMs} ms)`,
      null,
      `${floor.rps} req/s`,
    ),
  );
}

function noErrors(load: Pick<LoadFigures, 'summary'>): Check {
  const bad = load.summary.non2xx + load.summary.errors;
  return check('responses other than 2xx', bad, '', '0', bad === 0);
}

/**
 * The scenario's requests and the same-size floor again, from a Node HTTP client that drops bodies instead of
 * autocannon, which builds a string of each (information; see `runNodeLoad`).
 */
async function nodeClientFigures(
  ctx: ScenarioContext,
  r: ScenarioResult,
  target: Omit<LoadTarget, 'origin'>,
  answerBytes: number,
  connections: number,
): Promise<void> {
  const settings = loadSettings(ctx, connections);
  const scenario = serverTarget(ctx, target);
  const floorTarget = sameSizeTarget(ctx, answerBytes);
  const scenarioRuns: LoadRun[] = [];
  const floorRuns: LoadRun[] = [];
  for (let i = 0; i < ctx.reps; i++) {
    floorRuns.push(await runNodeLoad(floorTarget, settings));
    scenarioRuns.push(await runNodeLoad(scenario, settings));
  }
  const own = summarize(scenarioRuns);
  const floor = summarize(floorRuns);
  r.details.nodeClient = { scenario: own, floor, runs: scenarioRuns, floorRuns };
  r.checks.push(check('p99 with a Node HTTP client that drops bodies (autocannon builds a string of each)', own.p99Ms, 'ms', 'info', null, `${own.rps} answers/s`));
  r.checks.push(check('bare node:http sending the same answer to that client, p99 (floor)', floor.p99Ms, 'ms', 'info', null, `${floor.rps} answers/s`));
  r.checks.push({ ...noErrors({ summary: own }), name: 'responses other than 2xx, Node HTTP client' });
}

const CONTAINS_CONNECTIONS = 64;
const PAGE_CONNECTIONS = 16;

/** Requests of 1–3 keys, about half of them containing a key the catalog holds. */
function containsQueries(seed: number, count: number, members: (i: number) => PlannedFilter[], allCourseKeys: readonly string[]): string[] {
  const rng = createRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const filters = members(i);
    const keys: string[] = [];
    const programs: string[] = [];
    const n = rng.int(1, 3);
    const hit = rng.next() < 0.5;
    for (let k = 0; k < n; k++) {
      const f = rng.pick(filters);
      if (hit && k === 0) {
        if (f.programUuids.length > 0 && rng.next() < 0.2) programs.push(rng.pick(f.programUuids));
        else keys.push(f.courseKeys.length > 0 ? rng.pick(f.courseKeys) : rng.pick(allCourseKeys));
      } else {
        // A miss most of the time: another course of the dataset, or a key that exists nowhere.
        keys.push(rng.next() < 0.7 ? rng.pick(allCourseKeys) : `BenchX+NOPE${rng.int(1, 1e6)}`);
      }
    }
    const q = [...keys.map((k) => `course_run_ids=${encodeURIComponent(k)}`), ...programs.map((p) => `program_uuids=${p}`)];
    out.push(q.join('&'));
  }
  return out;
}

function allCourseKeys(ctx: ScenarioContext): string[] {
  return ctx.h.sim.dataset.courses.filter((c) => !c.retired).map((c) => c.key);
}

/** Share of `true` answers among the first `n` paths (tells the reader the mix of hits and misses). */
async function hitShare(ctx: ScenarioContext, paths: readonly string[], n = 100): Promise<number> {
  let hits = 0;
  const sample = paths.slice(0, n);
  for (const p of sample) {
    const body = (await ctx.h.api.get<{ contains_content_items: boolean }>(p)).contains_content_items;
    if (body) hits++;
  }
  return round(hits / sample.length, 2);
}

export const B1: Body = async (ctx, r) => {
  const { plan } = ctx.h;
  const rng = createRandom(101);
  const catalogs = rng.shuffle([...plan.catalogs]).slice(0, Math.min(300, plan.catalogs.length));
  const queries = containsQueries(102, 2_000, (i) => [plan.filters[(catalogs[i % catalogs.length] as (typeof catalogs)[number]).filter] as PlannedFilter], allCourseKeys(ctx));
  const paths = queries.map((q, i) => `/api/v1/enterprise-catalogs/${(catalogs[i % catalogs.length] as (typeof catalogs)[number]).uuid}/contains_content_items/?${q}`);
  await probe(ctx, 'GET', paths[0] as string);
  r.details.hitShare = await hitShare(ctx, paths);
  r.details.catalogsQueried = catalogs.length;
  r.details.distinctRequests = paths.length;
  const load = await measureLoad(ctx, { method: 'GET', paths }, CONTAINS_CONNECTIONS);
  r.load = load;
  r.checks.push(check('p99 latency', load.summary.p99Ms, 'ms', '≤ 5 ms', load.summary.p99Ms <= 5));
  r.checks.push(baselineP99(load, 5));
  r.checks.push(check('throughput vs bare node:http', load.ratioPct, '%', '≥ 25 %', load.ratioPct >= 25));
  r.checks.push(noErrors(load));
};

export const B2: Body = async (ctx, r) => {
  const { plan } = ctx.h;
  const customers = plan.bigCustomers.map((uuid) => plan.customers.find((c) => c.uuid === uuid)).filter((c) => c !== undefined);
  if (customers.length === 0) throw new Error('the world has no customer with many catalogs');
  const filtersOf = (i: number) => (customers[i % customers.length]?.catalogs ?? []).map((k) => plan.filters[plan.catalogs[k]?.filter ?? 0] as PlannedFilter);
  const queries = containsQueries(202, 2_000, filtersOf, allCourseKeys(ctx));
  const paths = queries.map(
    (q, i) => `/api/v1/enterprise-customer/${customers[i % customers.length]?.uuid}/contains_content_items/?${q}&get_catalogs_containing_specified_content_ids=true`,
  );
  const first = (await probe(ctx, 'GET', paths[0] as string)) as { catalog_list?: unknown };
  if (!Array.isArray(first.catalog_list)) throw new Error(`no catalog_list in the answer: ${JSON.stringify(first).slice(0, 200)}`);
  r.details.hitShare = await hitShare(ctx, paths);
  r.details.customers = customers.length;
  r.details.catalogsPerCustomer = customers.map((c) => c.catalogs.length);
  const load = await measureLoad(ctx, { method: 'GET', paths }, CONTAINS_CONNECTIONS);
  r.load = load;
  r.checks.push(check('p99 latency', load.summary.p99Ms, 'ms', '≤ 10 ms', load.summary.p99Ms <= 10));
  r.checks.push(baselineP99(load, 10));
  r.checks.push(noErrors(load));
};

function largeCatalog(ctx: ScenarioContext): { uuid: string; filter: PlannedFilter } {
  const { plan } = ctx.h;
  const c = plan.catalogs.find((x) => x.filter === plan.largeFilter);
  if (!c) throw new Error('the world has no large catalog');
  return { uuid: c.uuid, filter: plan.filters[plan.largeFilter] as PlannedFilter };
}

export const B3: Body = async (ctx, r) => {
  const { uuid } = largeCatalog(ctx);
  const base = `/api/v1/enterprise-catalogs/${uuid}/get_content_metadata/`;
  const first = (await probe(ctx, 'GET', `${base}?page_size=100`)) as { count: number; num_pages?: number; results: unknown[] };
  const pages = first.num_pages ?? Math.ceil(first.count / 100);
  r.details.catalog = uuid;
  r.details.activeItems = first.count;
  r.details.pages = pages;
  const paths = Array.from({ length: pages }, (_, i) => `${base}?page_size=100&page=${i + 1}`);
  const load = await measureLoad(ctx, { method: 'GET', paths }, PAGE_CONNECTIONS);
  r.load = load;
  r.checks.push(check('p99 latency, page_size 100', load.summary.p99Ms, 'ms', '≤ 50 ms', load.summary.p99Ms <= 50));
  r.checks.push(noErrors(load));
  const answerBytes = Buffer.byteLength(JSON.stringify(first));
  await sameSizeFloor(ctx, r, answerBytes, PAGE_CONNECTIONS, 50);
  await nodeClientFigures(ctx, r, { method: 'GET', paths }, answerBytes, PAGE_CONNECTIONS);

  // traverse_pagination: the whole catalog in one answer, one request at a time.
  const server = ctx.h.server;
  if (!server) throw new Error('no server running');
  const times: number[] = [];
  let bytes = 0;
  let items = 0;
  for (let i = 0; i < Math.max(3, ctx.reps); i++) {
    const t = performance.now();
    const res = await fetch(`${server.origin}${base}?traverse_pagination=1`, { headers: ctx.h.api.authHeader });
    const buf = Buffer.from(await res.arrayBuffer());
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`traverse_pagination answered ${res.status}`);
    bytes = buf.length;
    items = (JSON.parse(buf.toString('utf8')) as { results: unknown[] }).results.length;
  }
  const traverseS = round(median(times) / 1000, 3);
  r.details.traverse = { samplesMs: times.map((t) => round(t, 1)), bytes, items };
  r.checks.push(check(`traverse_pagination (${items} items, ${round(bytes / 2 ** 20, 1)} MiB)`, traverseS, 's', '≤ 1.5 s', traverseS <= 1.5));
};

export const B4: Body = async (ctx, r) => {
  const { uuid, filter } = largeCatalog(ctx);
  const present = createRandom(401).shuffle([...filter.courseKeys]).slice(0, 2_500);
  const missing = Array.from({ length: present.length }, (_, i) => `BenchX+MISS${String(i).padStart(5, '0')}`);
  const keys = createRandom(402).shuffle([...present, ...missing]);
  const body = JSON.stringify({ content_keys: keys });
  const path = `/api/v1/enterprise-catalogs/${uuid}/generate_diff/`;
  const first = (await probe(ctx, 'POST', path, body)) as { items_found: unknown[]; items_not_found: unknown[]; items_not_included: unknown[] };
  r.details.keys = keys.length;
  r.details.bodyBytes = body.length;
  r.details.answer = { found: first.items_found.length, notFound: first.items_not_found.length, notIncluded: first.items_not_included.length };
  if (first.items_found.length !== present.length) {
    r.details.warning = `expected ${present.length} items_found, got ${first.items_found.length}`;
  }
  const load = await measureLoad(ctx, { method: 'POST', paths: [path], headers: { 'content-type': 'application/json' }, body }, PAGE_CONNECTIONS);
  r.load = load;
  r.checks.push(check(`p99 latency, ${keys.length} keys`, load.summary.p99Ms, 'ms', '≤ 100 ms', load.summary.p99Ms <= 100));
  r.checks.push(noErrors(load));
  await sameSizeFloor(ctx, r, Buffer.byteLength(JSON.stringify(first)), PAGE_CONNECTIONS, 100, { method: 'POST', body });
};

/** B5 is measured while the world is built (the first refresh) and right after it (the unchanged ones). */
export function b5Body(first: RefreshOutcome, again: RefreshOutcome[], db: string): Body {
  return async (_ctx, r) => {
    const summary = (o: RefreshOutcome) => ({
      commandS: round(o.commandMs / 1000, 2),
      runsSpanS: o.after.runs.spanS,
      runs: o.after.runs.runs,
      byStatus: o.after.runs.byStatus,
      itemsCreated: o.after.runs.itemsCreated,
      itemsUpdated: o.after.runs.itemsUpdated,
      itemsUnchanged: o.after.runs.itemsUnchanged,
      upstreamRequests: o.after.runs.upstreamRequests,
      contentRows: o.after.contentRows,
      memberships: o.after.memberships,
      rowsPhysicallyWritten: rowsWritten(o.before.rows, o.after.rows),
    });
    const firstS = round(first.commandMs / 1000, 1);
    r.details.first = summary(first);
    r.details.unchanged = again.map(summary);
    const limit = db === 'postgres' ? 60 : 120;
    const ok = first.after.runs.byStatus.success ?? 0;
    r.checks.push(check(`first refresh of ${first.after.queries} filters`, firstS, 's', `≤ ${limit} s`, firstS <= limit));
    r.checks.push(check('first refresh: successful runs', `${ok}/${first.after.runs.runs}`, '', 'all', ok === first.after.runs.runs && ok >= first.after.queries));
    if (again.length === 0) return;
    const againS = round(median(again.map((o) => o.commandMs)) / 1000, 1);
    const pct = round((againS / firstS) * 100, 1);
    const logical = median(again.map((o) => o.after.runs.itemsCreated + o.after.runs.itemsUpdated));
    const physical = median(again.map((o) => rowsWritten(o.before.rows, o.after.rows).rewritten + rowsWritten(o.before.rows, o.after.rows).added));
    r.checks.push(check('unchanged re-refresh time', againS, 's', `≤ 60 % of first (${round(firstS * 0.6, 1)} s)`, pct <= 60, `${pct} % of the first`));
    r.checks.push(check('unchanged re-refresh: content rows created or changed', logical, 'rows', '0', logical === 0));
    r.checks.push(
      check(
        'unchanged re-refresh: content rows physically rewritten',
        physical,
        'rows',
        '0',
        physical === 0,
        'rows whose xmin changed (a new row version was written)',
      ),
    );
  };
}

export function b7Body(db: string): Body {
  return async (ctx, r) => {
    const server = ctx.h.server;
    if (!server) throw new Error('no server running');
    const mem = memoryOf(server.child.pid);
    if (!mem) throw new Error('cannot read /proc/<pid>/status');
    r.details.memory = mem;
    const limit = db === 'postgres' ? 500 : 1.2 * 1024;
    r.checks.push(check('server RSS after B1–B4', mem.rssMiB, 'MiB', db === 'postgres' ? '≤ 500 MiB' : '≤ 1.2 GiB', mem.rssMiB <= limit));
    r.checks.push(check('server peak RSS (VmHWM)', mem.peakMiB, 'MiB', 'info', null));
  };
}

/** Cold start: stop the server, start it again, time `/health/` = 200 and a first warm answer. */
export const B8: Body = async (ctx, r) => {
  const { h } = ctx;
  const catalog = h.plan.catalogs[0];
  const filter = h.plan.filters[catalog?.filter ?? 0];
  if (!catalog || !filter) throw new Error('empty world');
  const key = filter.courseKeys[0] ?? filter.programUuids[0] ?? 'none';
  const path = `/api/v1/enterprise-catalogs/${catalog.uuid}/contains_content_items/?course_run_ids=${encodeURIComponent(key)}`;
  const samples: { healthS: number; firstAnswerS: number; answered: boolean }[] = [];
  for (let i = 0; i < Math.max(ctx.quick ? 1 : 3, ctx.reps); i++) {
    await h.stopServer();
    const server = await h.startServer({ worker: true, label: 'serve-cold' });
    const t = performance.now();
    const answer = await h.api.get<{ contains_content_items: boolean }>(path);
    const firstAnswerS = round((server.readyMs + performance.now() - t) / 1000, 2);
    samples.push({ healthS: round(server.readyMs / 1000, 2), firstAnswerS, answered: answer.contains_content_items });
    ctx.log(`  start ${i + 1}: /health/ 200 after ${samples[i]?.healthS} s, first contains answer after ${firstAnswerS} s`);
  }
  r.details.samples = samples;
  const s = median(samples.map((x) => x.firstAnswerS));
  r.checks.push(check('cold start to /health/ 200 and a warm answer', s, 's', '≤ 10 s', s <= 10));
  if (samples.some((x) => !x.answered)) r.details.warning = 'the first contains answer was false for a key the catalog holds';
};
