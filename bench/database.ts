/**
 * The database a bench run gets: a fresh PGlite directory, or a fresh PostgreSQL database made with
 * `CREATE DATABASE` on the machine's server and dropped afterwards. Plus read-only inspection between steps
 * (which content rows a refresh physically rewrote), done while no `ecat` process holds the database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/database.js';

export type DbChoice = 'pglite' | 'postgres';

export interface BenchDatabase {
  kind: DbChoice;
  /** What `DATABASE_URL` is set to for every `ecat` process of the run. */
  url: string;
  /** For the report (no credentials). */
  description: string;
  drop(): Promise<void>;
}

/** Where the PostgreSQL server is; the bench connects as this user to create and drop its own database. */
const PG_ADMIN_URL = process.env.ECAT_BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createBenchDatabase(kind: DbChoice, workDir: string): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const dir = join(workDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    return { kind, url: `pglite://${dir}`, description: `PGlite in ${dir}`, drop: async () => undefined };
  }
  const name = `ecat_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return {
      kind,
      url: url.toString(),
      description: `PostgreSQL ${version} on ${url.host}, database ${name}`,
      async drop() {
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        try {
          await c.query(`drop database if exists ${name} with (force)`);
        } finally {
          await c.end();
        }
      },
    };
  } finally {
    await admin.end();
  }
}

/** Physical row versions of the content table: id → xmin. A row written by a statement gets a new xmin. */
export type RowVersions = Map<number, string>;

export interface RefreshRunTotals {
  runs: number;
  byStatus: Record<string, number>;
  itemsCreated: number;
  itemsUpdated: number;
  itemsUnchanged: number;
  upstreamRequests: number;
  /** First run start to last run finish, seconds. */
  spanS: number;
  lastRunId: number;
}

export interface DbSnapshot {
  rows: RowVersions;
  contentRows: number;
  memberships: number;
  queries: number;
  catalogs: number;
  customers: number;
  runs: RefreshRunTotals;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Read the content row versions and the refresh runs with id > `afterRunId`. Only while no ecat process runs (PGlite). */
export async function snapshot(url: string, afterRunId: number): Promise<DbSnapshot> {
  const db = await openDatabase(url);
  try {
    const versions = await db.executeSql('select id, xmin::text as x from content_metadata');
    const rows: RowVersions = new Map(versions.rows.map((r) => [num(r.id), String(r.x)]));
    const counts = (
      await db.executeSql(
        `select (select count(*) from content_metadata) as content, (select count(*) from catalog_query_membership) as members,
                (select count(*) from catalog_query) as queries, (select count(*) from enterprise_catalog) as catalogs,
                (select count(*) from enterprise_customer) as customers`,
      )
    ).rows[0];
    const runRows = await db.executeSql(
      `select status, count(*) as n, sum(items_created) as created, sum(items_updated) as updated, sum(items_unchanged) as unchanged,
              sum(upstream_requests) as requests, min(started_at) as first_start, max(finished_at) as last_finish, max(id) as last_id
         from refresh_run where id > $1 group by status`,
      [afterRunId],
    );
    const runs: RefreshRunTotals = { runs: 0, byStatus: {}, itemsCreated: 0, itemsUpdated: 0, itemsUnchanged: 0, upstreamRequests: 0, spanS: 0, lastRunId: afterRunId };
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const r of runRows.rows) {
      const n = num(r.n);
      runs.runs += n;
      runs.byStatus[String(r.status)] = n;
      runs.itemsCreated += num(r.created);
      runs.itemsUpdated += num(r.updated);
      runs.itemsUnchanged += num(r.unchanged);
      runs.upstreamRequests += num(r.requests);
      runs.lastRunId = Math.max(runs.lastRunId, num(r.last_id));
      if (r.first_start) first = Math.min(first, new Date(r.first_start as string).getTime());
      if (r.last_finish) last = Math.max(last, new Date(r.last_finish as string).getTime());
    }
    runs.spanS = Number.isFinite(first) && last > 0 ? Math.round((last - first) / 10) / 100 : 0;
    return {
      rows,
      contentRows: num(counts?.content),
      memberships: num(counts?.members),
      queries: num(counts?.queries),
      catalogs: num(counts?.catalogs),
      customers: num(counts?.customers),
      runs,
    };
  } finally {
    await db.close();
  }
}

/** Rows whose physical version changed between two snapshots (rewritten rows), and rows added. */
export function rowsWritten(before: RowVersions, after: RowVersions): { rewritten: number; added: number } {
  let rewritten = 0;
  let added = 0;
  for (const [id, x] of after) {
    const old = before.get(id);
    if (old === undefined) added++;
    else if (old !== x) rewritten++;
  }
  return { rewritten, added };
}
