import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchedLogDestination, MAX_PENDING_BYTES } from './log-destination.js';

const dir = mkdtempSync(join(tmpdir(), 'ecat-logdest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let serial = 0;
function fileDestination(): { dest: BatchedLogDestination; read: () => string; close: () => void } {
  const path = join(dir, `${String(++serial)}.log`);
  const fd = openSync(path, 'w');
  return { dest: new BatchedLogDestination(fd), read: () => readFileSync(path, 'utf8'), close: () => closeSync(fd) };
}

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs a script in a child process with this module loaded as `dest` on the file `out`; resolves with its exit. */
function child(script: string, out: string): Promise<{ code: number | null; stderr: string }> {
  const moduleUrl = new URL('./log-destination.ts', import.meta.url).href;
  const source = `import { openSync } from 'node:fs'; const { logDestination } = await import(${JSON.stringify(moduleUrl)});
const dest = logDestination(openSync(${JSON.stringify(out)}, 'w'));\n${script}`;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('BatchedLogDestination', () => {
  test('lines logged in one turn reach the file together at the end of that turn, in order', async () => {
    const { dest, read, close } = fileDestination();
    dest.write('{"n":1}\n');
    dest.write('{"n":2}\n');
    assert.equal(read(), '', 'nothing is written before the turn ends');
    await endOfTurn();
    assert.equal(read(), '{"n":1}\n{"n":2}\n');
    dest.write('{"n":3}\n');
    await endOfTurn();
    assert.equal(read(), '{"n":1}\n{"n":2}\n{"n":3}\n');
    close();
  });

  test('a batch that reaches the size limit is written at once', () => {
    const { dest, read, close } = fileDestination();
    const line = `${'x'.repeat(1023)}\n`;
    const lines = Math.ceil(MAX_PENDING_BYTES / line.length);
    for (let i = 0; i < lines; i++) dest.write(line);
    assert.equal(read().length, lines * line.length);
    close();
  });

  test('text outside ASCII is written as UTF-8, whole', async () => {
    const { dest, read, close } = fileDestination();
    dest.write('{"title":"Économie — 経済学"}\n');
    await endOfTurn();
    assert.equal(read(), '{"title":"Économie — 経済学"}\n');
    close();
  });

  test('flushSync and flush(cb) write what is pending', async () => {
    const { dest, read, close } = fileDestination();
    dest.write('a\n');
    dest.flushSync();
    assert.equal(read(), 'a\n');
    dest.write('b\n');
    await new Promise<void>((resolve, reject) => dest.flush((err) => (err ? reject(err) : resolve())));
    assert.equal(read(), 'a\nb\n');
    close();
  });

  test('lines logged in the turn the process exits in are written (process.exit and an uncaught exception)', async () => {
    const exited = join(dir, 'exit.log');
    const r1 = await child(`dest.write('last words\\n'); process.exit(3);`, exited);
    assert.equal(r1.code, 3);
    assert.equal(readFileSync(exited, 'utf8'), 'last words\n');

    const crashed = join(dir, 'crash.log');
    const r2 = await child(`dest.write('before the crash\\n'); setImmediate(() => {}); throw new Error('boom');`, crashed);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /boom/);
    assert.equal(readFileSync(crashed, 'utf8'), 'before the crash\n');
  });

  test('a reader that went away (EPIPE) stops logging without failing the process', async () => {
    const script = `
      const { BatchedLogDestination } = await import(${JSON.stringify(new URL('./log-destination.ts', import.meta.url).href)});
      const d = new BatchedLogDestination(1);
      const line = 'y'.repeat(4096) + '\\n';
      for (let i = 0; i < 64; i++) d.write(line);
      d.flushSync();
      d.write('after\\n');
      d.flushSync();
      process.stderr.write('still running\\n');`;
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stdout.destroy();
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.on('error', reject);
      proc.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /still running/);
  });
});
