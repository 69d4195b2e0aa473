/**
 * `ecat` — the command line. Each command starts what it needs and nothing more; `--help` works on each. An
 * unknown command or flag prints usage and exits with code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, describeConfig, loadConfig } from './config/load-config.js';
import type { Config } from './config/config.schema.js';
import { loadOrCreateDemoSecrets, readDemoSecrets } from './demo-secrets.js';

// Heavy modules (HTTP server, database drivers, job queue) are imported inside the commands that need them, so
// `ecat --help` and `ecat token` start fast.

/** Errors whose message is the whole story for the operator: printed without a stack, exit code 1. */
const OPERATOR_ERRORS = new Set(['ConfigError', 'DataDirLockedError', 'MigrationError']);

/** `pglite://dir` → dir, without loading the database layer. */
function embeddedDataDir(databaseUrl: string): { embedded: boolean; dataDir: string | null } {
  if (databaseUrl.startsWith('memory://')) return { embedded: true, dataDir: null };
  if (databaseUrl.startsWith('pglite://')) return { embedded: true, dataDir: databaseUrl.slice('pglite://'.length) };
  return { embedded: false, dataDir: null };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

function config(overrides: Partial<Config> = {}): Config {
  return loadConfig(process.env, overrides);
}

function portFlag(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${typeof v === 'string' ? v : typeof v}"`);
  return n;
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'serve the HTTP API (and run jobs in-process unless --no-worker)',
    usage: 'ecat serve [--no-worker] [--demo] [--port N] [--host H]',
    options: {
      'no-worker': { type: 'boolean' },
      demo: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
    },
    async run(v) {
      const port = portFlag(v.port);
      const overrides: Partial<Config> = {
        ...(port !== undefined ? { port } : {}),
        ...(typeof v.host === 'string' ? { host: v.host } : {}),
      };
      let cfg = config(overrides);
      const demo = v.demo === true;
      if (demo) {
        const { dataDir, embedded } = embeddedDataDir(cfg.databaseUrl);
        if (embedded && (!cfg.jwtSecret || !cfg.secretKey)) {
          const secrets = loadOrCreateDemoSecrets(dataDir);
          cfg = Object.freeze({ ...cfg, jwtSecret: cfg.jwtSecret ?? secrets.jwtSecret, secretKey: cfg.secretKey ?? secrets.secretKey });
        }
      }
      const [{ demoBanner }, { serve }] = await Promise.all([import('./demo.js'), import('./server.js')]);
      return serve(cfg, { work: v['no-worker'] !== true, ...(demo ? { onListening: (url, app) => demoBanner(cfg, url, app) } : {}) });
    },
  },
  worker: {
    summary: 'run jobs only (no HTTP)',
    usage: 'ecat worker',
    options: {},
    async run() {
      const { runWorker } = await import('./worker.js');
      return runWorker(config());
    },
  },
  migrate: {
    summary: 'apply pending database migrations',
    usage: 'ecat migrate',
    options: {},
    async run() {
      const cfg = config();
      const [{ openDatabase }, { migrateToLatest }] = await Promise.all([import('./db/database.js'), import('./db/migrate.js')]);
      const db = await openDatabase(cfg.databaseUrl);
      try {
        const results = await migrateToLatest(db);
        for (const r of results) out(`${r.direction === 'Up' ? 'applied' : 'reverted'} ${r.migrationName}`);
        if (results.length === 0) out('database is up to date');
        return 0;
      } finally {
        await db.close();
      }
    },
  },
  token: {
    summary: 'print a signed development JWT',
    usage: 'ecat token [--role ROLE]... [--context UUID|*] [--admin] [--ttl 1h] [--username NAME]',
    options: {
      role: { type: 'string', multiple: true },
      context: { type: 'string' },
      admin: { type: 'boolean' },
      ttl: { type: 'string' },
      username: { type: 'string' },
    },
    async run(v) {
      const cfg = config();
      const { parseTtl, signDevToken } = await import('./auth/jwt.js');
      const secret = cfg.jwtSecret ?? readDemoSecrets(embeddedDataDir(cfg.databaseUrl).dataDir)?.jwtSecret ?? null;
      if (!secret) {
        err('ecat token: no signing secret: set ECAT_JWT_SECRET (or run `npm start` once to create demo secrets)');
        return 1;
      }
      const ttl = v.ttl === undefined ? 3600 : parseTtl(String(v.ttl));
      if (ttl === null) throw new UsageError(`--ttl must look like 30s, 15m, 1h or 2d, got "${String(v.ttl)}"`);
      const context = typeof v.context === 'string' ? v.context : '*';
      const roles = ((v.role as string[] | undefined) ?? []).map((r) => `${r}:${context}`);
      out(
        await signDevToken({
          secret,
          roles,
          administrator: v.admin === true,
          ttlSeconds: ttl,
          issuer: cfg.jwtIssuer,
          audience: cfg.jwtAudience,
          ...(typeof v.username === 'string' ? { username: v.username } : {}),
        }),
      );
      return 0;
    },
  },
  refresh: {
    summary: 'refresh catalog content from the content source (one run per distinct query)',
    usage: 'ecat refresh --all | --catalog UUID [--wait]',
    options: {
      all: { type: 'boolean' },
      catalog: { type: 'string' },
      wait: { type: 'boolean' },
    },
    async run(v) {
      const catalog = typeof v.catalog === 'string' ? v.catalog : null;
      if ((v.all === true) === (catalog !== null)) throw new UsageError('give either --all or --catalog UUID');
      const { runRefreshCommand } = await import('./refresh/refresh.command.js');
      return runRefreshCommand(config(), { catalog, wait: v.wait === true });
    },
  },
  transmit: {
    summary: 'send channel content to the LMSs now (every active configuration, or one customer or channel)',
    usage: 'ecat transmit [--customer UUID] [--channel CODE] [--wait]',
    options: {
      customer: { type: 'string' },
      channel: { type: 'string' },
      wait: { type: 'boolean' },
    },
    async run(v) {
      // Checked before loading the engine, so a typo fails fast.
      if (typeof v.customer === 'string' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.customer)) {
        throw new UsageError(`--customer must be a UUID, got "${v.customer}"`);
      }
      const codes = ['GENERIC', 'CSOD', 'SAP', 'DEGREED2', 'CANVAS', 'BLACKBOARD', 'MOODLE'];
      if (typeof v.channel === 'string' && !codes.includes(v.channel.toUpperCase())) {
        throw new UsageError(`--channel must be one of ${codes.join(', ')}, got "${v.channel}"`);
      }
      const { runTransmitCommand } = await import('./channels/transmit.command.js');
      return runTransmitCommand(config(), {
        customer: typeof v.customer === 'string' ? v.customer : null,
        channel: typeof v.channel === 'string' ? v.channel : null,
        wait: v.wait === true,
      });
    },
  },
  dataset: {
    summary: 'write a synthetic course-discovery dataset as JSON',
    usage: 'ecat dataset generate --size S|M|L --out FILE [--seed N]',
    options: { size: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } },
    allowPositionals: true,
    async run(v, positionals) {
      const { runDatasetCommand } = await import('./discovery/dataset.js');
      return runDatasetCommand([...positionals, ...flagArgs(v, ['size', 'out', 'seed'])]);
    },
  },
  'discovery-sim': {
    summary: 'run a local course-discovery simulator over a synthetic dataset',
    usage: 'ecat discovery-sim --size S|M|L [--seed N] [--port P] [--host H] [--dataset FILE]',
    options: { size: { type: 'string' }, seed: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, dataset: { type: 'string' } },
    async run(v) {
      const { runSimulatorCommand } = await import('./discovery/simulator.js');
      return runSimulatorCommand(flagArgs(v, ['size', 'seed', 'port', 'host', 'dataset']));
    },
  },
};

/** Parsed string flags back to `--name value` pairs, for commands that parse their own arguments. */
function flagArgs(values: Record<string, string | boolean | string[] | undefined>, names: readonly string[]): string[] {
  return names.flatMap((n) => {
    const v = values[n];
    return typeof v === 'string' ? [`--${n}`, v] : [];
  });
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `usage: ecat <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nrun 'ecat <command> --help' for a command's options.\n\nenvironment:\n${describeConfig()}`;
}

/** Register further commands (modules that are not part of the core add theirs here). */
export function addCommand(name: string, command: Command): void {
  commands[name] = command;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out)(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    err(`ecat: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    const result = parseArgs({
      args: rest,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
    parsed = { values: result.values, positionals: result.positionals };
  } catch (e) {
    err(`ecat ${name}: ${(e as Error).message}\nusage: ${cmd.usage}`);
    return 2;
  }
  if (parsed.values.help === true) {
    out(`usage: ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  try {
    return await cmd.run(parsed.values, parsed.positionals);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`ecat ${name}: ${e.message}\nusage: ${cmd.usage}`);
      return 2;
    }
    if (e instanceof ConfigError || (e instanceof Error && OPERATOR_ERRORS.has(e.name))) {
      err(`ecat ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

// Run when executed directly (bin/ecat.mjs imports this module).
const code = await main(process.argv.slice(2)).catch((e: unknown) => {
  err(`ecat: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
});
process.exitCode = code;
// Servers resolve only after shutdown; give pending log writes a moment, then make sure nothing keeps us alive.
setTimeout(() => process.exit(code), 200).unref();
