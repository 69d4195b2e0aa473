/**
 * One bench run on one database: the discovery simulator, the database, the `ecat` processes, and building the
 * world through the product's own surfaces — catalogs created with `POST /api/v1/enterprise-catalogs/`, content
 * loaded with `ecat refresh --all --wait` from the simulator over HTTP.
 *
 * Embedded mode holds an exclusive lock on its data directory, so `ecat refresh` (which then runs the refresh jobs
 * itself) runs while no server does. On PostgreSQL the refresh command only queues and waits, and an
 * `ecat worker` process runs the jobs, as in a distributed deployment.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDiscoverySimulator, type DiscoverySimulator } from '../src/discovery/simulator.js';
import { Api, mapPool } from './api.js';
import { createBenchDatabase, snapshot, type BenchDatabase, type DbChoice, type DbSnapshot } from './database.js';
import { ECAT_BIN, freePort, runEcat, startEcat, waitFor200, type Child } from './processes.js';
import pg from 'pg';
import { planWorld, type WorldPlan, type WorldShape } from './world.js';

const run = promisify(execFile);

export interface HarnessOptions {
  db: DbChoice;
  size: 'S' | 'L';
  shape: WorldShape;
  workDir: string;
  /** Extra environment for every ecat process (quick mode shortens the job poll interval). */
  env?: Record<string, string>;
  /** `workDir` holds a world kept by an earlier run (`--keep`): use its database instead of building one. */
  reuse?: boolean;
  /** Keep the database after the run (PostgreSQL: not dropped; its URL is saved in `workDir`). */
  keep?: boolean;
  log(line: string): void;
}

export interface ServerHandle {
  child: Child;
  origin: string;
  /** Milliseconds from spawn to the first 200 of `/health/`. */
  readyMs: number;
}

export interface RefreshOutcome {
  /** Wall time of `ecat refresh --all --wait`, process start included. */
  commandMs: number;
  before: DbSnapshot;
  after: DbSnapshot;
}

export class Harness {
  readonly opts: HarnessOptions;
  sim!: DiscoverySimulator;
  plan!: WorldPlan;
  database!: BenchDatabase;
  env!: NodeJS.ProcessEnv;
  api!: Api;
  server: ServerHandle | null = null;
  private serial = 0;
  readonly logs: string;

  constructor(opts: HarnessOptions) {
    this.opts = opts;
    this.logs = join(opts.workDir, 'logs');
    mkdirSync(this.logs, { recursive: true });
  }

  private logFile(name: string): string {
    this.serial++;
    return join(this.logs, `${String(this.serial).padStart(2, '0')}-${name}.log`);
  }

  async setup(): Promise<void> {
    const t0 = performance.now();
    this.sim = await startDiscoverySimulator({ size: this.opts.size, seed: 1, host: '127.0.0.1', port: 0 });
    this.opts.log(`simulator: dataset ${this.opts.size} at ${this.sim.url} (${Math.round(performance.now() - t0)} ms)`);
    const t1 = performance.now();
    this.plan = planWorld(this.sim.dataset, this.opts.shape);
    this.opts.log(`world plan: ${this.plan.customers.length} customers, ${this.plan.catalogs.length} catalogs, ${this.plan.filters.length} filters (${Math.round(performance.now() - t1)} ms)`);
    const saved = join(this.opts.workDir, 'bench-world.json');
    const kept = this.opts.reuse ? (JSON.parse(readFileSync(saved, 'utf8')) as { url: string; description: string; jwtSecret: string; secretKey: string }) : null;
    // A kept PGlite world lives in workDir itself, so a copied directory (`cp -a`) is reused from where it now is.
    const keptPglite = kept?.url.startsWith('pglite://') === true ? join(this.opts.workDir, 'pglite') : null;
    this.database = kept
      ? {
          kind: this.opts.db,
          url: keptPglite === null ? kept.url : `pglite://${keptPglite}`,
          description: `${keptPglite === null ? kept.description : `PGlite in ${keptPglite}`} (reused)`,
          drop: async () => undefined,
        }
      : await createBenchDatabase(this.opts.db, this.opts.workDir);
    this.opts.log(`database: ${this.database.description}`);
    const jwtSecret = kept?.jwtSecret ?? randomBytes(24).toString('hex');
    const secretKey = kept?.secretKey ?? randomBytes(32).toString('hex');
    if (this.opts.keep && !kept) {
      writeFileSync(saved, JSON.stringify({ url: this.database.url, description: this.database.description, jwtSecret, secretKey }));
      this.database = { ...this.database, drop: async () => undefined };
    }
    this.env = {
      ...process.env,
      DATABASE_URL: this.database.url,
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ECAT_JWT_SECRET: jwtSecret,
      ECAT_SECRET_KEY: secretKey,
      ECAT_DISCOVERY_SOURCE: 'discovery',
      ECAT_DISCOVERY_URL: this.sim.url,
      ECAT_DISCOVERY_TOKEN_URL: this.sim.tokenUrl,
      ECAT_DISCOVERY_CLIENT_ID: 'ecat-bench',
      ECAT_DISCOVERY_CLIENT_SECRET: randomBytes(12).toString('hex'),
      // Scheduled work (the 10-minute transmission of every configuration, the hourly PGlite vacuum and stale
      // sweep, the daily refresh) would otherwise fire inside whichever measurement happens to span its minute.
      // The bench moves it to a time no run reaches; the caller's environment still wins.
      ...Object.fromEntries(
        ['ECAT_TRANSMIT_CRON', 'ECAT_VACUUM_CRON', 'ECAT_REFRESH_STALE_CRON', 'ECAT_REFRESH_CRON']
          .filter((name) => process.env[name] === undefined)
          .map((name) => [name, '0 3 1 1 *']),
      ),
      ...this.opts.env,
    };
    // A service token from the product's own command, as an operator would mint one.
    const { stdout } = await run(process.execPath, [ECAT_BIN, 'token', '--admin', '--ttl', '2d', '--username', 'ecat-bench'], {
      env: this.env,
      timeout: 60_000,
    });
    this.api = new Api('', stdout.trim());
  }

  /** Start `ecat serve` on a fresh port and wait for `/health/`. */
  async startServer(opts: { worker: boolean; label?: string; nodeArgs?: string[] }): Promise<ServerHandle> {
    if (this.server) throw new Error('a server is already running');
    const port = await freePort();
    const args = ['serve', ...(opts.worker ? [] : ['--no-worker'])];
    const started = performance.now();
    const child = startEcat(args, { ...this.env, PORT: String(port) }, this.logFile(opts.label ?? 'serve'), opts.nodeArgs ?? []);
    const origin = `http://127.0.0.1:${port}`;
    await waitFor200(`${origin}/health/`, { timeoutMs: 600_000, child });
    const readyMs = performance.now() - started;
    this.server = { child, origin, readyMs };
    this.api = new Api(origin, this.api.token);
    return this.server;
  }

  async stopServer(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    const code = await s.child.stop();
    if (code !== 0) this.opts.log(`warning: ecat serve exited with ${String(code)} (log ${s.child.logFile})`);
  }

  /** Customers and catalogs through the v1 API (customers are created on first use, as edx-enterprise does). */
  async createCatalogs(concurrency = 8): Promise<{ ms: number; catalogs: number }> {
    const started = performance.now();
    const customerName = new Map(this.plan.customers.map((c) => [c.uuid, c.name]));
    let done = 0;
    await mapPool(this.plan.catalogs, concurrency, async (c) => {
      await this.api.post('/api/v1/enterprise-catalogs/', {
        uuid: c.uuid,
        title: c.title,
        enterprise_customer: c.customer,
        enterprise_customer_name: customerName.get(c.customer),
        content_filter: this.plan.filters[c.filter]?.filter,
      });
      done++;
      if (done % 500 === 0) this.opts.log(`  ${done}/${this.plan.catalogs.length} catalogs created`);
    });
    return { ms: performance.now() - started, catalogs: this.plan.catalogs.length };
  }

  /**
   * `ecat refresh --all --wait`, with database snapshots around it. On PostgreSQL the command queues and waits;
   * the worker starts only once every task is recorded (so no run starts before its task and runs twice), and the
   * time counts from the worker's start.
   */
  async refreshAll(previous: DbSnapshot | null): Promise<RefreshOutcome> {
    if (this.server) throw new Error('refreshAll needs the server stopped (embedded mode locks the data directory)');
    const before = previous ?? (await snapshot(this.database.url, 0));
    if (this.database.kind === 'pglite') {
      const { ms } = await runEcat(['refresh', '--all', '--wait'], this.env, this.logFile('refresh'), 3_600_000);
      return { commandMs: ms, before, after: await snapshot(this.database.url, before.runs.lastRunId) };
    }
    const since = new Date();
    const command = startEcat(['refresh', '--all', '--wait'], this.env, this.logFile('refresh'));
    let worker: Child | null = null;
    try {
      await waitForRows(this.database.url, 'select count(*)::int as n from task where created >= $1', [since], before.queries, command);
      const started = performance.now();
      worker = startEcat(['worker'], this.env, this.logFile('worker'));
      const timer = setTimeout(() => command.child.kill('SIGKILL'), 3_600_000);
      const code = await command.exited.finally(() => clearTimeout(timer));
      const ms = performance.now() - started;
      if (code !== 0) throw new Error(`ecat refresh exited with ${String(code)}:\n${command.tail()}`);
      await worker.stop();
      worker = null;
      return { commandMs: ms, before, after: await snapshot(this.database.url, before.runs.lastRunId) };
    } finally {
      await worker?.stop();
      await command.stop(5_000);
    }
  }

  async teardown(): Promise<void> {
    await this.stopServer().catch(() => undefined);
    await this.sim?.close().catch(() => undefined);
    await this.database?.drop().catch((err: unknown) => this.opts.log(`warning: could not drop the database: ${String(err)}`));
  }
}

/** Poll a count query on PostgreSQL until it reaches `expected` (or the watched process exits). */
async function waitForRows(url: string, text: string, values: unknown[], expected: number, watched: Child): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const n = (await client.query<{ n: number }>(text, values)).rows[0]?.n ?? 0;
      if (n >= expected) return;
      if (watched.child.exitCode !== null) throw new Error(`process exited early:\n${watched.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expected} rows (${n}) of: ${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
}
