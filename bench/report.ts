/** What a scenario produces, the printed tables, the JSON result files and the machine description. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { join } from 'node:path';
import type { LoadRun, LoadSummary } from './load.js';

/** One judged figure: what was measured against what the issue asks. `met` is null when it cannot be judged. */
export interface Check {
  name: string;
  measured: number | string | null;
  unit: string;
  target: string;
  met: boolean | null;
  note?: string;
}

/** One load scenario's figures: medians over repetitions, with the paired baseline runs. */
export interface LoadFigures {
  connections: number;
  durationS: number;
  summary: LoadSummary;
  baseline: LoadSummary;
  /** Scenario throughput as a percentage of the baseline's (medians). */
  ratioPct: number;
  runs: LoadRun[];
  baselineRuns: LoadRun[];
  serverRssMiB: number | null;
  /** Median CPU time (user + system, all threads) of the server per request, µs, and the same for the baseline. */
  serverCpuUsPerRequest?: number;
  baselineCpuUsPerRequest?: number;
}

export type ScenarioStatus = 'measured' | 'not available' | 'failed' | 'skipped';

export interface ScenarioResult {
  id: string;
  title: string;
  status: ScenarioStatus;
  /** Why it was not measured, or what went wrong. */
  reason?: string;
  load?: LoadFigures;
  checks: Check[];
  /** Everything else worth keeping (raw samples, counts). */
  details: Record<string, unknown>;
  loadAverage: { start: number[]; end: number[] };
  startedAt: string;
  finishedAt: string;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  postgres: string | null;
}

export function describeMachine(): Machine {
  let postgres: string | null = null;
  try {
    postgres = execFileSync('psql', ['--version'], { encoding: 'utf8', timeout: 5_000 }).trim();
  } catch {
    postgres = null;
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    postgres,
  };
}

export const loadAverage = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

const fmt = (v: number | string | null, unit = ''): string => {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit ? ` ${unit}` : ''}`;
};

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The load table (B1–B4) and the checks table (every scenario). */
export function renderTables(db: string, results: readonly ScenarioResult[]): string {
  const loadRows = results
    .filter((r) => r.load)
    .map((r) => {
      const l = r.load as LoadFigures;
      return [
        r.id,
        db,
        String(l.connections),
        fmt(l.summary.p50Ms),
        fmt(l.summary.p99Ms),
        fmt(l.summary.rps),
        fmt(l.baseline.rps),
        `${fmt(l.ratioPct)} %`,
        `${fmt(l.serverCpuUsPerRequest ?? null)} / ${fmt(l.baselineCpuUsPerRequest ?? null)}`,
        fmt(l.serverRssMiB),
        `${l.summary.reps}×${l.durationS}s`,
        r.loadAverage.start[0]?.toFixed(2) ?? '',
      ];
    });
  const checkRows = results.flatMap((r) =>
    r.status !== 'measured'
      ? [[r.id, db, r.title, r.status, '', r.reason ?? '']]
      : r.checks.map((c) => [
          r.id,
          db,
          c.name,
          fmt(c.measured, c.unit),
          c.target,
          c.met === null ? 'n/a' : c.met ? 'met' : 'MISSED',
        ]),
  );
  const parts: string[] = [];
  if (loadRows.length > 0) {
    parts.push(
      table(['id', 'db', 'conns', 'p50 ms', 'p99 ms', 'req/s', 'baseline req/s', 'ratio', 'CPU µs/req (baseline)', 'RSS MiB', 'runs', 'load avg'], loadRows),
    );
  }
  parts.push(table(['id', 'db', 'check', 'measured', 'target', 'verdict'], checkRows));
  return parts.join('\n\n');
}

export interface ResultFileContext {
  command: string;
  db: string;
  dbDescription: string;
  quick: boolean;
  machine: Machine;
  world: Record<string, unknown>;
  server: Record<string, unknown>;
  /** ECAT_* settings in effect (secrets left out). */
  settings: Record<string, string>;
}

/** `bench/results/<id>-<db>.json` (quick runs: `bench/results/quick/…`, not committed). */
export function writeResult(dir: string, ctx: ResultFileContext, result: ScenarioResult): string {
  const target = ctx.quick ? join(dir, 'quick') : dir;
  mkdirSync(target, { recursive: true });
  const file = join(target, `${result.id}-${ctx.db}.json`);
  writeFileSync(file, `${JSON.stringify({ ...result, context: ctx }, null, 2)}\n`);
  return file;
}
