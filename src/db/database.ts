/**
 * The database handle every module receives. One interface over two backends: PGlite (embedded, in a worker
 * thread, exclusive lock on its data dir) and PostgreSQL (a `pg` Pool). Queries are written once, in the
 * PostgreSQL 15 subset.
 */
import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { PgliteClient } from './pglite/pglite.client.js';
import { PgliteDialect } from './pglite/pglite.dialect.js';
import { acquireDataDirLock, type DataDirLock } from './lock-file.js';
import { guardDialect, runInTransactionContext } from './tx-guard.js';
import type { DB } from './schema.js';

export type DbKind = 'pglite' | 'postgres';
export type Executor = Kysely<DB> | Transaction<DB>;

export interface Db {
  readonly kind: DbKind;
  readonly kysely: Kysely<DB>;
  /** Embedded data directory (null for memory and PostgreSQL). */
  readonly dataDir: string | null;
  /** Connection description without credentials, for logs. */
  readonly description: string;
  /** PostgreSQL connection URL (with credentials: never log it) for components with their own pool; null on PGlite. */
  readonly connectionString: string | null;
  /**
   * Run `fn` in one transaction. Inside it, every query must go through `trx`; the outer handle throws
   * (`OuterHandleInTransactionError`) instead of deadlocking.
   */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>, label?: string): Promise<T>;
  /** Raw SQL (pg-boss's adapter and maintenance). Several statements are allowed when `values` is empty. */
  executeSql(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** Send a notification; when `executor` is a transaction it is delivered on commit, as PostgreSQL does. */
  notify(channel: string, payload: string, executor?: Executor): Promise<void>;
  /** Receive notifications on `channel`. Returns an unsubscribe function. */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  /** True when the database answers `select 1` within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Pool statistics for /metrics. */
  stats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  poolMax?: number;
  /** Log function for listener reconnects and similar background events. */
  onWarning?: (msg: string, err?: unknown) => void;
}

/** `pglite://./dir` → `./dir`; `memory://` → null. */
export function parseDatabaseUrl(url: string): { kind: DbKind; dataDir: string | null } {
  if (url.startsWith('memory://')) return { kind: 'pglite', dataDir: null };
  if (url.startsWith('pglite://')) {
    const dir = url.slice('pglite://'.length);
    if (dir === '') throw new Error('DATABASE_URL pglite:// needs a directory, e.g. pglite://./.ecat/db');
    return { kind: 'pglite', dataDir: dir };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', dataDir: null };
  throw new Error(`DATABASE_URL must start with pglite://, memory:// or postgres://`);
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

// int8 (count(*), bigserial) as a JS number on both backends: our counts and ids stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export async function openDatabase(url: string, opts: OpenDatabaseOptions = {}): Promise<Db> {
  const { kind, dataDir } = parseDatabaseUrl(url);
  return kind === 'pglite' ? openPglite(dataDir, url) : openPostgres(url, opts);
}

function makeTransaction(kysely: Kysely<DB>) {
  return <T>(fn: (trx: Transaction<DB>) => Promise<T>, label = 'transaction'): Promise<T> =>
    kysely.transaction().execute((trx) => runInTransactionContext(label, () => fn(trx)));
}

async function pingWith(kysely: Kysely<DB>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const query = sql`select 1 as ok`.execute(kysely).then(() => true).catch(() => false);
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function openPglite(dataDir: string | null, url: string): Promise<Db> {
  let lock: DataDirLock | null = null;
  if (dataDir !== null) lock = acquireDataDirLock(dataDir);
  let client: PgliteClient;
  try {
    client = await PgliteClient.open(dataDir);
  } catch (err) {
    lock?.release();
    throw err;
  }
  const kysely = new Kysely<DB>({ dialect: guardDialect(new PgliteDialect(client)) });
  let closed = false;
  return {
    kind: 'pglite',
    kysely,
    dataDir,
    description: url,
    connectionString: null,
    transaction: makeTransaction(kysely),
    async executeSql(text, values = []) {
      const r = await kysely.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [...values]));
      return { rows: r.rows };
    },
    async notify(channel, payload, executor = kysely) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(executor);
    },
    listen: (channel, handler) => {
      assertChannel(channel);
      return client.listen(channel, handler);
    },
    ping: (timeoutMs = 2000) => pingWith(kysely, timeoutMs),
    stats: () => client.stats(),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await kysely.destroy();
        // Kysely creates its driver on the first query, so a handle that never ran one has not closed the client.
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolMax ?? 10, application_name: 'ecat' });
  pool.on('error', (err) => opts.onWarning?.('idle PostgreSQL client error', err));
  const kysely = new Kysely<DB>({ dialect: guardDialect(new PostgresDialect({ pool })) });
  const listener = new PgListener(url, opts.onWarning);
  let closed = false;
  return {
    kind: 'postgres',
    kysely,
    dataDir: null,
    description: redactUrl(url),
    connectionString: url,
    transaction: makeTransaction(kysely),
    async executeSql(text, values = []) {
      const r = await pool.query(text, values as unknown[]);
      return { rows: r.rows as Record<string, unknown>[] };
    },
    async notify(channel, payload, executor = kysely) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(executor);
    },
    listen: (channel, handler) => listener.listen(channel, handler),
    ping: (timeoutMs = 2000) => pingWith(kysely, timeoutMs),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      await kysely.destroy();
    },
  };
}

/**
 * One dedicated connection for LISTEN, reconnecting after failures. Notifications sent while it is down are
 * lost, so subscribers get a `reconnected` call (payload `*`) and must resynchronise.
 */
class PgListener {
  #client: pg.Client | null = null;
  #handlers = new Map<string, Set<(payload: string) => void>>();
  #closed = false;
  #connecting: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly onWarning?: (msg: string, err?: unknown) => void,
  ) {}

  async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    assertChannel(channel);
    let set = this.#handlers.get(channel);
    const first = !set;
    if (!set) this.#handlers.set(channel, (set = new Set()));
    set.add(handler);
    await this.#ensureConnected();
    if (first && this.#client) await this.#client.query(`LISTEN ${channel}`);
    return async () => {
      set.delete(handler);
      if (set.size === 0) {
        this.#handlers.delete(channel);
        await this.#client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
      }
    };
  }

  async #ensureConnected(): Promise<void> {
    if (this.#client || this.#closed) return;
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = null));
    await this.#connecting;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'ecat-listen' });
    client.on('notification', (n) => {
      for (const h of this.#handlers.get(n.channel) ?? []) h(n.payload ?? '');
    });
    client.on('error', (err) => {
      this.onWarning?.('LISTEN connection lost; reconnecting', err);
      this.#client = null;
      void client.end().catch(() => undefined);
      this.#scheduleReconnect();
    });
    await client.connect();
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${channel}`);
    this.#client = client;
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    setTimeout(() => {
      this.#ensureConnected()
        .then(() => {
          // Tell every subscriber that notifications may have been missed.
          for (const set of this.#handlers.values()) for (const h of set) h('*');
        })
        .catch((err: unknown) => {
          this.onWarning?.('LISTEN reconnect failed', err);
          this.#scheduleReconnect();
        });
    }, 1000).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#client;
    this.#client = null;
    await c?.end().catch(() => undefined);
  }
}

function assertChannel(channel: string): void {
  // Channel names are interpolated into LISTEN, which takes no parameters.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel name: ${channel}`);
}
