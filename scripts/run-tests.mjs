#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and bench/ with node:test through tsx.
// Node 20 has no .ts discovery: a bare `--test` finds nothing and exits 0, so the file list is explicit
// and a run that executed no test is a failure.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyDb = args.includes('--db-only');
const filters = args.filter((a) => !a.startsWith('--'));

/** @param {string} dir @param {string[]} out @returns {string[]} */
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

let files = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), []), ...walk(join(root, 'bench'), [])].sort();
// Database suites are named *.db.test.ts: they run on PGlite always and on PostgreSQL when DATABASE_URL is set.
if (onlyDb) files = files.filter((f) => f.endsWith('.db.test.ts'));
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  // --test-force-exit: a file's process ends once its tests and hooks are done, even if something it started left a
  // timer behind. Seen once on PostgreSQL: after a channels test file had passed and closed everything, a one-second
  // `timers/promises` loop (most likely pg-boss waiting for a worker to report stopped) kept it alive, and the run
  // waited forever.
  ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`, ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
);
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const tests = /ℹ tests (\d+)/.exec(tail);
  const pass = /ℹ pass (\d+)/.exec(tail);
  const fail = /ℹ fail (\d+)/.exec(tail);
  const ran = tests ? Number(tests[1]) : 0;
  if (code === 0 && ran === 0) {
    console.error('run-tests: the runner executed no test; failing on purpose');
    process.exit(1);
  }
  if (pass && fail) console.log(`${pass[1]} passed, ${fail[1]} failed`);
  process.exit(code ?? 1);
});
