/**
 * Exclusive lock on an embedded data directory. PGlite has no lock between processes, and two processes on one
 * data dir corrupt it, so the first process to open it writes `<dataDir>.lock` (O_EXCL) with its pid; a second
 * process fails with a message naming the lock and its holder. A lock left by a dead process (kill -9) is taken
 * over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostname } from 'node:os';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly lockPath: string,
    readonly holderPid: number,
  ) {
    super(`the data directory is in use by process ${holderPid}: lock file ${lockPath} is held (stop that process, or use another DATABASE_URL)`);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = `${resolve(dataDir)}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            const held = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
            if (held.pid === process.pid) unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = 0;
      try {
        pid = Number((JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid);
      } catch {
        // Unreadable or half-written lock: treated as stale below.
      }
      // Our own pid means this process already holds it: a second open in one process corrupts just the same.
      if (pid === process.pid || isAlive(pid)) throw new DataDirLockedError(path, pid);
      // Stale lock from a dead process: remove it and race for it again; O_EXCL lets exactly one process win.
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first.
      }
    }
  }
  throw new DataDirLockedError(path, 0);
}
