/**
 * Main-thread side of the PGlite worker: an RPC client plus the FIFO mutex that makes the single PGlite session
 * behave like a one-connection pool. A transaction holds the mutex from BEGIN to COMMIT, so no other caller's
 * statement can run inside it.
 */
import { Worker } from 'node:worker_threads';

export interface QueryResultRows {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

/** Error raised by the database, with the SQLSTATE fields that callers map (e.g. 23505 unique violation). */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

interface SerialisedError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

type Reply =
  | { id: number; ok: true; result: QueryResultRows }
  | { id: number; ok: false; error: SerialisedError }
  | { type: 'notification'; channel: string; payload: string };

function toError(e: SerialisedError): DatabaseError {
  const err = new DatabaseError(e.message);
  if (e.code !== undefined) err.code = e.code;
  if (e.detail !== undefined) err.detail = e.detail;
  if (e.constraint !== undefined) err.constraint = e.constraint;
  if (e.table !== undefined) err.table = e.table;
  if (e.column !== undefined) err.column = e.column;
  return err;
}

/** A held session: statements sent through it run in order, with nobody else's in between. */
export interface PgliteSession {
  query(sql: string, params: readonly unknown[]): Promise<QueryResultRows>;
  exec(sql: string): Promise<QueryResultRows>;
  release(): void;
}

export class PgliteClient {
  #worker: Worker;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: QueryResultRows) => void; reject: (e: Error) => void }>();
  #tail: Promise<void> = Promise.resolve();
  #closed = false;
  #listeners = new Map<string, Set<(payload: string) => void>>();
  #waiting = 0;
  #held = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (msg: Reply) => {
      if ('type' in msg) {
        for (const h of this.#listeners.get(msg.channel) ?? []) h(msg.payload);
        return;
      }
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(toError(msg.error));
    });
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', (code) => this.#failAll(new Error(`PGlite worker exited with code ${code}`)));
  }

  /** Start the worker and open (or create) the database. `dataDir = null` means in memory. */
  static async open(dataDir: string | null): Promise<PgliteClient> {
    const worker = new Worker(new URL('./pglite.host.mjs', import.meta.url), { workerData: { dataDir } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: { type?: string; error?: SerialisedError }) => {
        if (msg.type === 'ready') {
          cleanup();
          resolve();
        } else if (msg.type === 'init-error') {
          cleanup();
          reject(new Error(`PGlite failed to open ${dataDir ?? 'memory'}: ${msg.error?.message ?? 'unknown error'}`));
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
    return new PgliteClient(worker);
  }

  #failAll(err: Error): void {
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #send(
    op: 'query' | 'exec' | 'close' | 'listen' | 'unlisten',
    sql?: string,
    params?: readonly unknown[],
    channel?: string,
  ): Promise<QueryResultRows> {
    if (this.#closed) return Promise.reject(new Error('database is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, sql, params, channel });
    });
  }

  /** Subscribe to NOTIFY on `channel` (delivered after the sending transaction commits). */
  async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.#listeners.get(channel);
    if (!set) {
      this.#listeners.set(channel, (set = new Set()));
      // Through the session mutex: LISTEN must not land inside somebody else's open transaction.
      await this.run(() => this.#send('listen', undefined, undefined, channel));
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.#listeners.get(channel) === set) {
        this.#listeners.delete(channel);
        if (!this.#closed) await this.run(() => this.#send('unlisten', undefined, undefined, channel));
      }
    };
  }

  /** One session: total 1; idle when nobody holds it; waiting = callers queued for it. */
  stats(): { total: number; idle: number; waiting: number } {
    return { total: 1, idle: this.#held ? 0 : 1, waiting: this.#waiting };
  }

  /** Wait for the session (FIFO), then hold it until `release()`. */
  async acquire(): Promise<PgliteSession> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const prev = this.#tail;
    this.#tail = prev.then(() => held);
    this.#waiting++;
    try {
      await prev;
    } finally {
      this.#waiting--;
    }
    this.#held = true;
    let released = false;
    return {
      query: (sql, params) => this.#send('query', sql, params),
      exec: (sql) => this.#send('exec', sql),
      release: () => {
        if (released) return;
        released = true;
        this.#held = false;
        release();
      },
    };
  }

  /** Run one statement in its own turn of the session. */
  async run<T>(fn: (s: PgliteSession) => Promise<T>): Promise<T> {
    const s = await this.acquire();
    try {
      return await fn(s);
    } finally {
      s.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Wait for everyone holding or waiting for the session, then close the database cleanly.
    await this.run(() => this.#send('close'));
    this.#closed = true;
    await this.#worker.terminate();
  }
}
