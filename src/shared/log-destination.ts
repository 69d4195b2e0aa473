/**
 * Where the service's log lines go when no other destination is given: a file descriptor (stdout), written once
 * per turn of the event loop with everything logged during that turn.
 *
 * Why not pino's default destination: it writes each line with an asynchronous `fs.write` and, while one is in
 * flight, appends the next lines to a string whose UTF-8 length it measures on every append, which flattens the
 * growing string each time. Under load (bench B1, one access line per request) that was 36 % of all bytes the
 * server allocated, about 8.5 KB per request, and a thread-pool round trip per line.
 *
 * Here a line is kept in an array and the batch is written synchronously in one `write(2)` at the end of the turn
 * (`setImmediate`), or at once when it reaches {@link MAX_PENDING_BYTES}. What was logged before a turn ends is
 * on its way to the file before the next turn starts, and everything pending is written when the process exits
 * (`process.on('exit')`, which also runs after an uncaught exception). A `kill -9` loses at most the current turn's
 * lines, where the asynchronous destination could lose every line still queued behind a slow write.
 */
import { writeSync } from 'node:fs';

/** A batch this large is written without waiting for the end of the turn. */
export const MAX_PENDING_BYTES = 64 * 1024;

/** How long to wait before retrying a write the descriptor refused with EAGAIN (a non-blocking pipe that is full). */
const EAGAIN_WAIT_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class BatchedLogDestination {
  readonly #fd: number;
  #pending: string[] = [];
  #bytes = 0;
  #scheduled = false;
  /** The reader went away (EPIPE): logging stops, as pino's own destination does. */
  #closed = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** Called by pino with one serialised line. */
  write(line: string): boolean {
    if (this.#closed) return true;
    this.#pending.push(line);
    // String length counts UTF-16 units, a fine enough measure of when to write early.
    this.#bytes += line.length;
    if (this.#bytes >= MAX_PENDING_BYTES) this.flushSync();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#endOfTurn);
    }
    return true;
  }

  readonly #endOfTurn = (): void => {
    this.#scheduled = false;
    this.flushSync();
  };

  /** Write everything pending now (pino's `logger.flush()`, exit handlers, tests). */
  readonly flushSync = (): void => {
    if (this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join(''), 'utf8');
    this.#pending = [];
    this.#bytes = 0;
    if (!this.#closed) this.#writeAll(bytes);
  };

  /** pino calls this from `logger.flush(cb)`. */
  flush(cb?: (err?: Error) => void): void {
    try {
      this.flushSync();
    } catch (err) {
      cb?.(err as Error);
      return;
    }
    cb?.();
  }

  #writeAll(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.#fd, bytes, offset, bytes.length - offset);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(sleeper, 0, 0, EAGAIN_WAIT_MS);
          continue;
        }
        if (code === 'EPIPE') {
          this.#closed = true;
          return;
        }
        throw err;
      }
    }
  }
}

const byFd = new Map<number, BatchedLogDestination>();

/** The one destination of a descriptor in this process (several loggers may share stdout); flushed at exit. */
export function logDestination(fd: number): BatchedLogDestination {
  let dest = byFd.get(fd);
  if (dest === undefined) {
    dest = new BatchedLogDestination(fd);
    byFd.set(fd, dest);
    process.on('exit', dest.flushSync);
  }
  return dest;
}
