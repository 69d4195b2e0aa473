/** `ecat refresh` as a real process on an embedded database, against the discovery simulator over HTTP. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../discovery/simulator.js';
import { generateDataset } from '../discovery/dataset.js';
import { SEARCH_PAGE_SIZE } from '../discovery/content-source.js';
import { SampleContentSource } from '../discovery/sample.source.js';
import { ECAT_BIN } from '../../test/helpers/process.js';
import { createCatalog, createCustomer, createQuery, runsOf } from '../../test/helpers/refresh-fixtures.js';
import { table } from './refresh.command.js';

const dir = mkdtempSync(join(tmpdir(), 'ecat-refresh-cli-'));
const databaseUrl = `pglite://${join(dir, 'db')}`;
let sim: DiscoverySimulator;
const filters = { courses: { content_type: 'course' }, programs: { content_type: 'program' } };
let ids: { courses: number; programs: number; catalog: string };

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseUrl);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function ecat(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ECAT_BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'info',
        ECAT_JOB_POLL_SECONDS: '1',
        ECAT_DISCOVERY_URL: sim.url,
        ECAT_DISCOVERY_TOKEN_URL: sim.tokenUrl,
        ECAT_DISCOVERY_CLIENT_ID: 'ecat-cli-test',
        ECAT_DISCOVERY_CLIENT_SECRET: 'secret',
        ECAT_DISCOVERY_SOURCE: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  sim = await startDiscoverySimulator({ dataset: generateDataset({ size: 'S', seed: 71 }), clients: { 'ecat-cli-test': 'secret' } });
  ids = await withDb(async (db) => {
    await migrateToLatest(db);
    const enterprise = await createCustomer(db);
    const courses = await createQuery(db, filters.courses, { tag: null });
    const programs = await createQuery(db, filters.programs, { tag: null });
    // Two catalogs share the course query; a query no catalog uses is not refreshed.
    const catalog = await createCatalog(db, enterprise, courses, 'Courses A');
    await createCatalog(db, enterprise, courses, 'Courses B');
    await createCatalog(db, enterprise, programs, 'Programs');
    await createQuery(db, { content_type: 'courserun' }, { tag: null });
    return { courses, programs, catalog };
  });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ecat refresh', () => {
  test('without --all or --catalog: usage error, exit 2', async () => {
    const r = await ecat(['refresh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--all or --catalog/);
  });

  test('--all refreshes each distinct query in use once and prints a summary table', async () => {
    sim.resetStats();
    const r = await ecat(['refresh', '--all', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^query\s+catalogs\s+status\s+fetched/);
    const rows = lines.slice(2);
    assert.equal(rows.length, 2, r.stdout);
    assert.match(rows[0] ?? '', new RegExp(`^\\s*${ids.courses}\\s+Courses A \\(\\+1\\)\\s+success\\s`));
    assert.match(rows[1] ?? '', new RegExp(`^\\s*${ids.programs}\\s+Programs\\s+success\\s`));

    const reference = new SampleContentSource({ dataset: sim.dataset });
    const pages = async (f: Record<string, unknown>) => Math.ceil((await reference.searchAll(f)).items.length / SEARCH_PAGE_SIZE);
    assert.equal(sim.stats.requests.searchAll, (await pages(filters.courses)) + (await pages(filters.programs)), 'one fetch per distinct query');
    await withDb(async (db) => {
      assert.deepEqual(
        (await runsOf(db, ids.courses)).map((x) => x.status),
        ['success'],
      );
      assert.deepEqual(
        (await runsOf(db, ids.programs)).map((x) => x.status),
        ['success'],
      );
    });
  });

  test('--catalog refreshes that catalog’s query; an upstream that refuses us is a failure (exit 1)', async () => {
    const refused = await ecat(['refresh', '--catalog', ids.catalog], { ECAT_DISCOVERY_CLIENT_SECRET: 'wrong' });
    assert.equal(refused.code, 1);
    const rows = refused.stdout.trim().split('\n').slice(2);
    assert.equal(rows.length, 1, refused.stdout);
    assert.match(rows[0] ?? '', new RegExp(`^\\s*${ids.courses}\\s+Courses A \\(\\+1\\)\\s+failed\\s.*token request refused`));
    await withDb(async (db) => {
      assert.deepEqual(
        (await runsOf(db, ids.courses)).map((x) => x.status),
        ['success', 'failed'],
      );
    });
  });
});

describe('summary table', () => {
  test('numbers right-aligned, text left-aligned, trailing blanks trimmed', () => {
    assert.equal(
      table(['id', 'name', 'n'], [
        ['7', 'a', '10'],
        ['12', 'bbb', '2'],
      ]),
      ['id  name   n', '--  ----  --', ' 7  a     10', '12  bbb    2'].join('\n'),
    );
  });
});
