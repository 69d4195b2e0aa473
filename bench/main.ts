/**
 * `npm run bench [-- --scenario B1[,B2…]] [-- --db pglite|postgres|both] [-- --quick] [-- --keep]`
 *
 * Builds the dataset-L world through the product (see `harness.ts`), starts the real `ecat serve`, and runs the
 * scenarios of issue 7 against it over loopback, each load figure next to a bare `node:http` baseline measured in
 * the same run. Prints a table and writes `bench/results/<scenario>-<db>.json`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Harness, type RefreshOutcome } from './harness.js';
import { startBaseline, type Child } from './processes.js';
import { describeMachine, loadAverage, renderTables, writeResult, type ScenarioResult } from './report.js';
import { B1, B2, B3, B4, B8, b5Body, b7Body, NotAvailable, runScenario, type ScenarioContext } from './scenarios.js';
import { B6 } from './transmission.js';
import { describePlan, WORLD_L, WORLD_QUICK } from './world.js';
import type { DbChoice } from './database.js';

const USAGE = `usage: npm run bench [-- --scenario B1[,B2…]] [-- --db pglite|postgres|both] [-- --quick] [-- --keep]

  --scenario  run only these scenarios (B1…B8; repeatable or comma-separated). Default: all.
  --db        pglite (default), postgres (a fresh database on 127.0.0.1:5432, dropped afterwards) or both.
  --quick     a reduced world (dataset S, a few catalogs, 2 s runs, one repetition) that finishes in under a
              minute; keeps the harness working in CI, its numbers are not judged (results go to bench/results/quick/).
  --keep      keep the temporary directory (server logs, PGlite data; on PostgreSQL the database) for --reuse.
  --reuse DIR run the scenarios on the world a --keep run left in DIR (no world build, so no B5).
  --profile DIR  write V8 CPU profiles of the scenarios' ecat serve (main and PGlite threads) to DIR.
  --node-arg A   pass the Node option A to the scenarios' ecat serve (repeatable; diagnosis, e.g. --node-arg=--trace-gc).
              Recorded in each result file.

ECAT_* variables in the environment reach every ecat process (e.g. ECAT_REFRESH_CONCURRENCY); the ones in effect
are recorded in each result file.`;

const ALL = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'] as const;
type ScenarioId = (typeof ALL)[number];

const TITLES: Record<ScenarioId, string> = {
  B1: 'catalog contains_content_items, 1–3 keys, 64 connections',
  B2: 'customer contains_content_items with catalog list, customers with 20 catalogs, 64 connections',
  B3: 'get_content_metadata page_size 100 on the ~5,300-item catalog, 16 connections; traverse_pagination',
  B4: 'generate_diff POST with 5,000 keys (half present), 16 connections',
  B5: 'refresh of every filter from the simulator over HTTP; then again with no upstream change',
  B6: 'transmission to a signed-webhook receiver: configurations × items, chunk size 100',
  B7: 'server RSS after B1–B4 with the world loaded',
  B8: 'cold start of ecat serve on the loaded database until /health/ is 200 and the index answers',
};

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

interface Options {
  scenarios: Set<ScenarioId>;
  dbs: DbChoice[];
  quick: boolean;
  keep: boolean;
  reuse: string | null;
  profile: string | null;
  nodeArgs: string[];
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      db: { type: 'string' },
      quick: { type: 'boolean' },
      keep: { type: 'boolean' },
      reuse: { type: 'string' },
      profile: { type: 'string' },
      'node-arg': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return null;
  const requested = (values.scenario ?? []).flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase());
  const unknown = requested.filter((s) => !(ALL as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  const scenarios = new Set<ScenarioId>(requested.length > 0 ? (requested as ScenarioId[]) : ALL);
  // B7 is the memory after B1–B4, so it brings them along.
  if (scenarios.has('B7')) for (const s of ['B1', 'B2', 'B3', 'B4'] as const) scenarios.add(s);
  const db = values.db ?? 'pglite';
  if (!['pglite', 'postgres', 'both'].includes(db)) throw new Error(`--db must be pglite, postgres or both, got "${db}"`);
  return {
    scenarios,
    dbs: db === 'both' ? ['pglite', 'postgres'] : [db as DbChoice],
    quick: values.quick === true,
    keep: values.keep === true,
    reuse: values.reuse ? resolve(values.reuse) : null,
    profile: values.profile ? resolve(values.profile) : null,
    nodeArgs: values['node-arg'] ?? [],
  };
}

/** The ECAT_* and LOG_LEVEL settings of the run, secrets left out. */
function ecatSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  const secret = /SECRET|TOKEN|PASSWORD|KEY$/;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if ((k.startsWith('ECAT_') || k === 'LOG_LEVEL') && v !== undefined && !secret.test(k)) out[k] = v;
  }
  return out;
}

const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function benchOne(db: DbChoice, opts: Options, command: string): Promise<ScenarioResult[]> {
  const workDir = opts.reuse ?? mkdtempSync(join(tmpdir(), 'ecat-bench-'));
  const h = new Harness({
    db,
    size: opts.quick ? 'S' : 'L',
    shape: opts.quick ? WORLD_QUICK : WORLD_L,
    workDir,
    reuse: opts.reuse !== null,
    keep: opts.keep,
    // Quick mode only: jobs are picked up every second instead of every two, to stay under a minute.
    env: opts.quick ? { ECAT_JOB_POLL_SECONDS: '1' } : {},
    log,
  });
  let baseline: Child | null = null;
  const results: ScenarioResult[] = [];
  let failed = false;
  const onSignal = () => {
    log('interrupted: stopping the processes of this run');
    void h.teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    await h.setup();
    const world = describePlan(h.plan);

    let created: { ms: number; catalogs: number } | null = null;
    let first: RefreshOutcome | null = null;
    const again: RefreshOutcome[] = [];
    if (!opts.reuse) {
      log('world: creating catalogs through POST /api/v1/enterprise-catalogs/ (ecat serve --no-worker)');
      await h.startServer({ worker: false, label: 'serve-build' });
      created = await h.createCatalogs();
      await h.stopServer();
      log(`world: ${created.catalogs} catalogs in ${(created.ms / 1000).toFixed(1)} s`);

      log('world: ecat refresh --all --wait (content from the simulator over HTTP)');
      first = await h.refreshAll(null);
      log(
        `world: refreshed ${first.after.runs.runs} queries in ${(first.commandMs / 1000).toFixed(1)} s: ${first.after.contentRows} content rows, ` +
          `${first.after.memberships} memberships, ${first.after.runs.upstreamRequests} upstream requests, statuses ${JSON.stringify(first.after.runs.byStatus)}`,
      );
      // One unchanged re-refresh (none in quick mode, which has a minute): on dataset L each takes minutes, and
      // the first refresh cannot be repeated anyway.
      if (opts.scenarios.has('B5') && !opts.quick) {
        const o = await h.refreshAll(first.after);
        log(`B5: unchanged re-refresh: ${(o.commandMs / 1000).toFixed(1)} s, created ${o.after.runs.itemsCreated}, updated ${o.after.runs.itemsUpdated}`);
        again.push(o);
      }
    } else log(`world: reusing the world kept in ${opts.reuse}`);

    const nodeArgs = [...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : []), ...opts.nodeArgs];
    const server = await h.startServer({ worker: true, nodeArgs });
    log(`ecat serve ready in ${(server.readyMs / 1000).toFixed(2)} s (pid ${server.child.pid})`);
    const base = await startBaseline(join(h.logs, 'baseline.log'));
    baseline = base.child;

    const ctx: ScenarioContext = {
      h,
      baselineOrigin: base.origin,
      baselinePid: base.child.pid,
      quick: opts.quick,
      durationS: opts.quick ? 2 : 10,
      reps: opts.quick ? 1 : 3,
      warmupS: opts.quick ? 0 : 2,
      maxRequests: 2_000_000,
      log,
    };
    const want = (id: ScenarioId) => opts.scenarios.has(id);
    if (want('B5')) {
      const b5 = first;
      results.push(
        await runScenario('B5', TITLES.B5, ctx, async (c, r) => {
          if (!b5) throw new NotAvailable('the world was reused (--reuse), so there was no refresh to time');
          await b5Body(b5, again, db)(c, r);
        }),
      );
    }
    if (want('B1')) results.push(await runScenario('B1', TITLES.B1, ctx, B1));
    if (want('B2')) results.push(await runScenario('B2', TITLES.B2, ctx, B2));
    if (want('B3')) results.push(await runScenario('B3', TITLES.B3, ctx, B3));
    if (want('B4')) results.push(await runScenario('B4', TITLES.B4, ctx, B4));
    if (want('B7')) results.push(await runScenario('B7', TITLES.B7, ctx, b7Body(db)));
    if (want('B6')) results.push(await runScenario('B6', TITLES.B6, ctx, B6));
    if (want('B8')) results.push(await runScenario('B8', TITLES.B8, ctx, B8));

    const fileContext = {
      command,
      db,
      dbDescription: h.database.description,
      quick: opts.quick,
      machine: describeMachine(),
      world: { ...world, size: opts.quick ? 'S' : 'L', created: created ? { catalogs: created.catalogs, seconds: Math.round(created.ms / 100) / 10 } : 'reused' },
      server: { command: 'node bin/ecat.mjs serve', readyS: Math.round(server.readyMs / 10) / 100, profiled: opts.profile !== null, nodeArgs: opts.nodeArgs },
      settings: ecatSettings(h.env),
    };
    for (const r of results) log(`wrote ${writeResult(RESULTS_DIR, fileContext, r)}`);
    return results;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    await baseline?.stop();
    await h.teardown();
    if (opts.keep || opts.reuse || failed) log(`kept ${workDir} (server logs in ${h.logs})`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  let opts: Options | null;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const machine = describeMachine();
  log(`${command}`);
  log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${loadAverage().join(' ')}`);
  const started = performance.now();
  const tables: string[] = [];
  let missed = false;
  for (const db of opts.dbs) {
    const results = await benchOne(db, opts, command);
    tables.push(renderTables(db, results));
    missed ||= results.some((r) => r.status === 'failed');
  }
  process.stdout.write(`\n${tables.join('\n\n')}\n\n`);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${loadAverage().join(' ')}${opts.quick ? ' (quick mode: numbers are not judged)' : ''}`);
  return missed ? 1 : 0;
}
