/**
 * Main-thread side of the PGlite worker: an RPC client plus the mutex that makes the single PGlite session behave
 * like a one-connection pool. A transaction holds the mutex from BEGIN to COMMIT, so no other caller's statement can
 * run inside it.
 *
 * Waiting callers are served first come, first served within two classes: interactive callers before background
 * work ({@link runInBackground}: jobs and the job queue). A request's statements then wait for the statement that
 * holds the session, not for one statement of every running job. So that background work always progresses, a
 * background waiter is served after at most {@link MAX_INTERACTIVE_STREAK} interactive turns in a row.
 */
import { Worker } from 'node:worker_threads';
import { isBackground } from '../statement-priority.js';

/** Interactive turns in a row while background work waits; then one background turn. */
export const MAX_INTERACTIVE_STREAK = 16;

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
  /** Callers waiting for the session, by class; each is resumed holding it. */
  readonly #interactive: Array<() => void> = [];
  readonly #background: Array<() => void> = [];
  #interactiveStreak = 0;
  #closed = false;
  #listeners = new Map<string, Set<(payload: string) => void>>();
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
    return { total: 1, idle: this.#held ? 0 : 1, waiting: this.#interactive.length + this.#background.length };
  }

  /** Wait for the session (in turn within the caller's class, see above), then hold it until `release()`. */
  async acquire(priority: 'interactive' | 'background' = isBackground() ? 'background' : 'interactive'): Promise<PgliteSession> {
    if (this.#held) await new Promise<void>((resolve) => (priority === 'background' ? this.#background : this.#interactive).push(resolve));
    else this.#held = true;
    let released = false;
    return {
      query: (sql, params) => this.#send('query', sql, params),
      exec: (sql) => this.#send('exec', sql),
      release: () => {
        if (released) return;
        released = true;
        this.#handOver();
      },
    };
  }

  /** The session passes to the next waiter (it stays held), or becomes idle. */
  #handOver(): void {
    let next: (() => void) | undefined;
    const backgroundWaits = this.#background.length > 0;
    if (this.#interactive.length > 0 && (!backgroundWaits || this.#interactiveStreak < MAX_INTERACTIVE_STREAK)) {
      if (backgroundWaits) this.#interactiveStreak++;
      next = this.#interactive.shift();
    } else {
      this.#interactiveStreak = 0;
      next = this.#background.shift();
    }
    if (next === undefined) this.#held = false;
    else next();
  }

  /** Run one statement in its own turn of the session. */
  async run<T>(fn: (s: PgliteSession) => Promise<T>, priority?: 'interactive' | 'background'): Promise<T> {
    const s = await this.acquire(priority);
    try {
      return await fn(s);
    } finally {
      s.release();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Wait for everyone holding or waiting for the session (queued last, as background work), then close the
    // database cleanly.
    await this.run(() => this.#send('close'), 'background');
    this.#closed = true;
    await this.#worker.terminate();
  }
}
