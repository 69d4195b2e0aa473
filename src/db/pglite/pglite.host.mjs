// @ts-check
// PGlite runs here, in a worker thread, so that a slow query never blocks the HTTP event loop.
// Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader of the main thread when the
// process was started through the tsx register API, and this file is small enough not to need types.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

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
    const r = await pg.query(msg.sql ?? '', msg.params ?? []);
    port.postMessage({ id: msg.id, ok: true, result: { rows: r.rows, affectedRows: r.affectedRows ?? 0 } });
  } catch (err) {
    port.postMessage({ id: msg.id, ok: false, error: serialiseError(err) });
  }
}
