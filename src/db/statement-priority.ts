/**
 * Background work (jobs, the job queue's own polling and bookkeeping, heartbeats) marks itself so that, on a database
 * with one session (PGlite), a waiting statement of an interactive caller (an API request) takes the session before
 * waiting background statements. On PostgreSQL (a pool) the mark changes nothing.
 *
 * Without it a request's few statements each queued behind one statement of every running job: B6 measured about
 * 15 ms per `POST …/transmit/` with eight transmissions running, of which about 3.5 ms were its own statements.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const background = new AsyncLocalStorage<boolean>();

/** Run `fn` (and everything it starts, timers included) as background work. */
export function runInBackground<T>(fn: () => T): T {
  return background.run(true, fn);
}

/** Whether the caller runs as background work. */
export function isBackground(): boolean {
  return background.getStore() === true;
}
