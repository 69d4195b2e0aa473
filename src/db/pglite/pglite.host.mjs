// @ts-check
// PGlite runs here, in a worker thread, so that a slow query never blocks the HTTP event loop.
// Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader of the main thread when the
// process was started through the tsx register API, and this file is small enough not to need types.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol } from '@electric-sql/pglite';
import pgUtils from 'pg/lib/utils.js';

if (!parentPort) throw new Error('pglite.host.mjs must run in a worker thread');
const port = parentPort;

/** @type {{ dataDir: string | null }} */
const { dataDir } = workerData;

/** @param {unknown} err */
function serialiseError(err) {
  const e = /** @type {Record<string, unknown>} */ (err ?? {});
  return {
    message: err instanceof Error ? err.message : String(err),
    code: typeof e.code === 'string' ? e.code : undefined,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
    table: typeof e.table === 'string' ? e.table : undefined,
    column: typeof e.column === 'string' ? e.column : undefined,
  };
}

let db;
try {
  db = await PGlite.create(dataDir ?? undefined);
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'init-error', error: serialiseError(err) });
  process.exit(1);
}
const pg = db;

/**
 * Statements are prepared once per SQL text and kept, named, for the most recent {@link MAX_PREPARED} texts (SQL
 * text → name, least recently used first): a repeated statement skips parsing and analysis, and PostgreSQL may keep
 * its plan (its usual rules for prepared statements). Our statements and pg-boss's are a few hundred fixed texts
 * run thousands of times; parsing and planning were about a third of a small statement's time in the worker.
 */
const MAX_PREPARED = 256;
/** @type {Map<string, string>} */
const prepared = new Map();
/** Names to close with the next statement (evicted, or whose Parse may have failed). */
/** @type {string[]} */
const toClose = [];
let nextName = 1;

/**
 * One statement with parameters, in one call into PGlite: (Close of evicted statements,) Parse when not prepared
 * yet, Bind, Describe, Execute and Sync sent as one protocol message, the parameters as text exactly as node-postgres
 * sends them (so the server infers their types from the SQL, as it does for the same statements on PostgreSQL).
 * PGlite's own `query()` sends those messages in six calls and first asks the server to describe the statement to
 * pick its serialisers. Rows are parsed by PGlite's own type parsers, as `query()` does. An error is thrown after
 * the Sync, so the session is ready for the next statement.
 * @param {string} sql
 * @param {unknown[]} params
 * @returns {Promise<{ rows: Record<string, unknown>[], affectedRows: number }>}
 */
async function runQuery(sql, params) {
  const values = params.map((v) => /** @type {string | null} */ (pgUtils.prepareValue(v)));
  let name = prepared.get(sql);
  const fresh = name === undefined;
  if (name === undefined) name = `ecat_${nextName++}`;
  else {
    prepared.delete(sql);
    prepared.set(sql, name);
  }
  const parts = toClose.splice(0).map((n) => protocol.serialize.close({ type: 'S', name: n }));
  if (fresh) parts.push(protocol.serialize.parse({ text: sql, name }));
  parts.push(
    protocol.serialize.bind({ statement: name, values }),
    protocol.serialize.describe({ type: 'P' }),
    protocol.serialize.execute({}),
    protocol.serialize.sync(),
  );
  let messages;
  try {
    ({ messages } = await pg.execProtocol(Buffer.concat(parts)));
  } catch (err) {
    const code = /** @type {{ code?: unknown }} */ (err).code;
    if (fresh) {
      // The Parse may or may not have succeeded; closing a statement that does not exist is no error.
      toClose.push(name);
    } else if (code === '26000' || code === '0A000') {
      // The prepared statement is gone, or a table's columns changed under it ("cached plan must not change result
      // type"): prepare it again, and run it again when no transaction was aborted by the failure.
      prepared.delete(sql);
      toClose.push(name);
      if (!pg.isInTransaction()) return runQuery(sql, params);
    }
    throw err;
  }
  if (fresh) {
    prepared.set(sql, name);
    for (const [oldest, n] of prepared) {
      if (prepared.size <= MAX_PREPARED) break;
      prepared.delete(oldest);
      toClose.push(n);
    }
  }
  const result = parse.parseResults(messages, pg.parsers)[0];
  return { rows: result?.rows ?? [], affectedRows: result?.affectedRows ?? 0 };
}

/** @typedef {{id: number, op: 'query'|'exec'|'close'|'listen'|'unlisten', sql?: string, params?: unknown[], channel?: string}} Request */
/** @type {Map<string, () => Promise<void>>} */
const unsubscribers = new Map();

port.on('message', (/** @type {Request} */ msg) => {
  void handle(msg);
});

/** @param {Request} msg */
async function handle(msg) {
  try {
    if (msg.op === 'listen' || msg.op === 'unlisten') {
      const channel = msg.channel ?? '';
      if (msg.op === 'listen' && !unsubscribers.has(channel)) {
        const unsub = await pg.listen(channel, (payload) => port.postMessage({ type: 'notification', channel, payload }));
        unsubscribers.set(channel, unsub);
      } else if (msg.op === 'unlisten') {
        await unsubscribers.get(channel)?.();
        unsubscribers.delete(channel);
      }
      port.postMessage({ id: msg.id, ok: true, result: { rows: [], affectedRows: 0 } });
      return;
    }
    if (msg.op === 'close') {
      await pg.close();
      port.postMessage({ id: msg.id, ok: true, result: { rows: [], affectedRows: 0 } });
      return;
    }
    if (msg.op === 'exec') {
      // Simple-protocol path: several statements, no parameters (migrations, DDL, pg-boss schema scripts).
      const results = await pg.exec(msg.sql ?? '');
      const last = results[results.length - 1];
      port.postMessage({ id: msg.id, ok: true, result: { rows: last?.rows ?? [], affectedRows: last?.affectedRows ?? 0 } });
      return;
    }
    port.postMessage({ id: msg.id, ok: true, result: await runQuery(msg.sql ?? '', msg.params ?? []) });
  } catch (err) {
    port.postMessage({ id: msg.id, ok: false, error: serialiseError(err) });
  }
}
