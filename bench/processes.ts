/**
 * Child processes of the harness: the real `ecat` command (serve, worker, refresh …) exactly as users start it,
 * and the bare `node:http` baseline. Output goes to log files, not pipes, so the harness never spends CPU
 * draining a server's access log while it generates load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ECAT_BIN = fileURLToPath(new URL('../bin/ecat.mjs', import.meta.url));
export const BASELINE_SERVER = fileURLToPath(new URL('./baseline-server.mjs', import.meta.url));

/** A free TCP port on 127.0.0.1 (bound then released; the tiny race is acceptable on a bench machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface MemorySample {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size since start (VmHWM), MiB. */
  peakMiB: number;
}

/** VmRSS and VmHWM of a process from `/proc/<pid>/status`; null when the process is gone or /proc is absent. */
export function memoryOf(pid: number): MemorySample | null {
  const text = procFile(pid, 'status');
  if (text === null) return null;
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) };
}

/**
 * CPU time (user + system, all threads) a process has used so far, in milliseconds, from `/proc/<pid>/stat`; null
 * when the process is gone or /proc is absent. Resolution is one clock tick (10 ms on Linux).
 */
export function cpuMsOf(pid: number): number | null {
  const text = procFile(pid, 'stat');
  if (text === null) return null;
  // Fields after the parenthesised command name: state is field 3; utime and stime are fields 14 and 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND : null;
}

/** `/proc/<pid>/<name>` as text; null when the process is gone or /proc is absent. */
function procFile(pid: number, name: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return null;
  }
}

/** `getconf CLK_TCK`: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** The last part of the log, for error messages. */
  tail(chars?: number): string;
}

export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): Child {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, [...args], { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
  const pid = child.pid;
  return {
    child,
    pid,
    exited,
    logFile,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    tail(chars = 3000) {
      try {
        return readFileSync(logFile, 'utf8').slice(-chars);
      } catch {
        return '';
      }
    },
  };
}

/** Start an `ecat` command as its own Node process (`node [nodeArgs] bin/ecat.mjs …`). */
export function startEcat(args: readonly string[], env: NodeJS.ProcessEnv, logFile: string, nodeArgs: readonly string[] = []): Child {
  return startChild(process.execPath, [...nodeArgs, ECAT_BIN, ...args], env, logFile);
}

/** Run an `ecat` command to completion; rejects on a non-zero exit or when it outlives `timeoutMs`. */
export async function runEcat(args: readonly string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs: number): Promise<{ ms: number }> {
  const started = performance.now();
  const c = startEcat(args, env, logFile);
  const timer = setTimeout(() => c.child.kill('SIGKILL'), timeoutMs);
  const code = await c.exited.finally(() => clearTimeout(timer));
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`ecat ${args.join(' ')} exited with ${String(code)} after ${Math.round(ms)} ms:\n${c.tail()}`);
  return { ms };
}

/** Poll `url` until it answers 200; resolves with the milliseconds waited. */
export async function waitFor200(url: string, opts: { timeoutMs: number; child?: Child; headers?: Record<string, string> }): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (opts.child && (opts.child.child.exitCode !== null || opts.child.child.signalCode !== null)) {
      throw new Error(`process exited before ${url} answered:\n${opts.child.tail()}`);
    }
    try {
      const res = await fetch(url, { headers: opts.headers ?? {}, signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > opts.timeoutMs) throw new Error(`${url} did not answer 200 within ${opts.timeoutMs} ms${opts.child ? `:\n${opts.child.tail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The baseline server on its own port, in its own process (it must not share the load generator's thread). */
export async function startBaseline(logFile: string): Promise<{ child: Child; origin: string }> {
  const port = await freePort();
  const child = startChild(process.execPath, [BASELINE_SERVER, String(port)], process.env, logFile);
  const origin = `http://127.0.0.1:${port}`;
  await waitFor200(`${origin}/`, { timeoutMs: 10_000, child });
  return { child, origin };
}
