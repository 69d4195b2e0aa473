/**
 * The refresh pipeline against the discovery simulator over real HTTP (127.0.0.1:0), on a real database:
 * requests per query, change detection across re-fetches and daily churn, faults, refusals.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../discovery/simulator.js';
import { generateDataset } from '../discovery/dataset.js';
import { SampleContentSource } from '../discovery/sample.source.js';
import { KEY_BATCH_SIZE, SEARCH_PAGE_SIZE, type DiscoveryHit } from '../discovery/content-source.js';
import { createMetrics } from '../http/metrics.js';
import { openTestDb } from '../../test/helpers/db.js';
import {
  createCatalog,
  createCustomer,
  createQuery,
  members,
  queryRow,
  refreshDeps,
  runsOf,
  setQueryModified,
  simulatorHandle,
} from '../../test/helpers/refresh-fixtures.js';
import { COURSE_FIELDS_TO_PLUCK_FROM_SEARCH_ALL, mapSearchHit } from './content-mapping.js';
import { refreshQuery, type RefreshDeps } from './refresh.pipeline.js';
import { CycleItems } from './cycle-items.js';
import { enqueueQueriesInUse } from './refresh.service.js';
import { queriesInUse } from './refresh.repository.js';
import type { JobQueue, QueuedJob } from '../jobs/job-queue.js';

let db: Db;
let customer: string;
const sims: DiscoverySimulator[] = [];

async function simulator(seed: number): Promise<DiscoverySimulator> {
  const sim = await startDiscoverySimulator({ dataset: generateDataset({ size: 'S', seed }) });
  sims.push(sim);
  return sim;
}

before(async () => {
  db = await openTestDb();
  customer = await createCustomer(db);
});
after(async () => {
  for (const s of sims) await s.close();
  await db.close();
});

const admitted = (items: readonly DiscoveryHit[]) => items.filter((h) => mapSearchHit(h).ok);

/** Content id → row version (`xmin`) of a query's membership rows. */
async function membershipVersions(queryId: number): Promise<Map<number, string>> {
  const { rows } = await sql<{ id: number; xmin: string }>`
    select content_metadata_id as id, xmin::text as xmin from catalog_query_membership where catalog_query_id = ${queryId}
  `.execute(db.kysely);
  return new Map(rows.map((r) => [r.id, r.xmin]));
}
const yesterday = () => new Date(Date.now() - 36 * 3_600_000);

describe('a refresh against the simulator', () => {
  let sim: DiscoverySimulator;
  let deps: RefreshDeps;
  let queryId: number;
  const filter = { content_type: ['course', 'program'] };

  before(async () => {
    sim = await simulator(11);
    deps = refreshDeps(db, simulatorHandle(sim));
    queryId = await createQuery(db, filter);
    await createCatalog(db, customer, queryId);
  });

  test('stores every admitted item as a member; requests = ceil(results/100) search pages + one per 50 keys', async () => {
    const reference = new SampleContentSource({ dataset: sim.dataset });
    const expected = await reference.searchAll(filter);
    const ok = admitted(expected.items);
    const courses = ok.filter((h) => h.content_type === 'course').length;
    const programs = ok.filter((h) => h.content_type === 'program').length;
    sim.resetStats();

    const outcome = await refreshQuery(deps, { queryId, reason: 'created' });

    assert.equal(outcome.status, 'success');
    const pages = Math.ceil(expected.items.length / SEARCH_PAGE_SIZE);
    const stats = sim.stats;
    assert.equal(stats.requests.searchAll, pages);
    assert.equal(stats.requests.courses, Math.ceil(courses / KEY_BATCH_SIZE));
    assert.equal(stats.requests.programs, Math.ceil(programs / KEY_BATCH_SIZE));
    assert.equal(stats.requests.token, 1);
    assert.equal(outcome.counts.pages, pages);
    assert.equal(outcome.counts.upstream_requests, stats.requests.searchAll + stats.requests.courses + stats.requests.programs);
    assert.equal(outcome.counts.items_fetched, expected.items.length);
    assert.equal(outcome.counts.items_rejected, expected.items.length - ok.length);
    assert.equal(outcome.counts.items_created, ok.length);
    assert.equal(outcome.counts.members_added, ok.length);

    const rows = await members(db, queryId);
    assert.equal(rows.size, ok.length);
    const course = [...rows.values()].find((r) => r.content_type === 'course');
    assert.ok(course);
    // The full-metadata pass ran: /courses/ fields and the normalized metadata are stored.
    assert.ok(Array.isArray(course.json_metadata.owners));
    assert.ok(course.json_metadata.normalized_metadata);
    assert.ok(course.json_metadata.normalized_metadata_by_run);
    const program = [...rows.values()].find((r) => r.content_type === 'program');
    assert.ok(program && 'price_ranges' in program.json_metadata, 'the extended /programs/ item was merged');

    const q = await queryRow(db, queryId);
    assert.ok(q.membership_modified && q.last_refresh_success_at && q.content_modified);
    const [run] = await runsOf(db, queryId);
    assert.equal(run?.status, 'success');
    assert.equal(run?.pages, pages);
    assert.equal(run?.members_after, ok.length);
    assert.ok(run?.fetched_at && run.finished_at);
  });

  test('a second refresh of unchanged data writes no content or membership row; only the query records the sync', async () => {
    const before = await members(db, queryId);
    const memberships0 = await membershipVersions(queryId);
    const q0 = await queryRow(db, queryId);
    const outcome = await refreshQuery(deps, { queryId, reason: 'daily' });
    assert.equal(outcome.status, 'success');
    assert.equal(outcome.counts.items_created, 0);
    assert.equal(outcome.counts.items_updated, 0);
    assert.equal(outcome.counts.items_unchanged, before.size);
    assert.equal(outcome.counts.members_added + outcome.counts.members_removed, 0);
    const after = await members(db, queryId);
    assert.equal(after.size, before.size);
    for (const [key, row] of after) {
      const old = before.get(key);
      assert.ok(old, key);
      assert.equal(row.modified.getTime(), old.modified.getTime(), `${key} modified moved`);
      assert.equal(row.xmin, old.xmin, `${key} was written (its row version changed)`);
      assert.ok(row.source_hash, `${key} has a source hash`);
    }
    assert.deepEqual(await membershipVersions(queryId), memberships0, 'no membership row was written');
    const q1 = await queryRow(db, queryId);
    assert.equal(q1.membership_modified?.getTime(), q0.membership_modified?.getTime());
    assert.equal(q1.content_modified?.getTime(), q0.content_modified?.getTime());
    // The sync is recorded once, on the query: every member was confirmed against upstream at this time.
    assert.ok(q1.last_refresh_success_at && q0.last_refresh_success_at && q1.last_refresh_success_at > q0.last_refresh_success_at);
  });

  test('another query over the same content writes none of the rows the first one stored', async () => {
    const stored = await members(db, queryId);
    const other = await createQuery(db, { content_type: 'course' });
    await createCatalog(db, customer, other);
    const outcome = await refreshQuery(deps, { queryId: other, reason: 'created' });
    assert.equal(outcome.status, 'success');
    assert.equal(outcome.counts.items_created + outcome.counts.items_updated, 0, 'every course was already stored from the same input');
    const rows = await members(db, other);
    assert.ok(rows.size > 0);
    for (const [key, row] of rows) assert.equal(row.xmin, stored.get(key)?.xmin, `${key} was written`);
  });

  test('rows without a source hash (stored before there were any) get one, once, and keep their modified', async () => {
    await db.kysely
      .updateTable('content_metadata')
      .set({ source_hash: null })
      .where('id', 'in', (eb) => eb.selectFrom('catalog_query_membership').select('content_metadata_id').where('catalog_query_id', '=', queryId))
      .execute();
    const before = await members(db, queryId);
    const first = await refreshQuery(deps, { queryId, reason: 'daily' });
    assert.equal(first.counts.items_created + first.counts.items_updated, 0);
    const backfilled = await members(db, queryId);
    for (const [key, row] of backfilled) {
      assert.ok(row.source_hash, `${key} got its source hash`);
      assert.equal(row.modified.getTime(), before.get(key)?.modified.getTime(), `${key} modified moved`);
    }
    await refreshQuery(deps, { queryId, reason: 'daily' });
    for (const [key, row] of await members(db, queryId)) assert.equal(row.xmin, backfilled.get(key)?.xmin, `${key} was written again`);
  });

  test('content is kept fresh by the query time: the stale sweep takes queries by their last success, not by row times', async () => {
    // The rows of this query were last written days ago (`modified`), yet it was confirmed against upstream just
    // now, so a sweep for queries older than 24 h leaves it alone …
    const dayAgo = new Date(Date.now() - 86_400_000);
    const stale = (await queriesInUse(db.kysely, dayAgo)).map((q) => q.id);
    assert.equal(stale.includes(queryId), false);
    // … and takes it once its last success is older than that, whatever its rows say.
    await db.kysely.updateTable('catalog_query').set({ last_refresh_success_at: new Date(Date.now() - 25 * 3_600_000) }).where('id', '=', queryId).execute();
    assert.ok((await queriesInUse(db.kysely, dayAgo)).some((q) => q.id === queryId));
    const outcome = await refreshQuery(deps, { queryId, reason: 'stale' });
    assert.equal(outcome.counts.items_created + outcome.counts.items_updated, 0);
    assert.equal((await queriesInUse(db.kysely, dayAgo)).some((q) => q.id === queryId), false, 'the unchanged refresh counts as a sync');
  });
});

describe('a refresh cycle', () => {
  test('its refreshes fetch each full item once and store exactly what separate refreshes store', async () => {
    const sim = await simulator(51);
    const deps: RefreshDeps = { ...refreshDeps(db, simulatorHandle(sim)), cycleItems: new CycleItems() };
    const courses = await createQuery(db, { content_type: 'course' });
    const both = await createQuery(db, { content_type: ['course', 'program'] });
    for (const q of [courses, both]) await createCatalog(db, customer, q);
    try {
      assert.equal((await refreshQuery(deps, { queryId: courses, reason: 'daily', cycle: 'c1' })).status, 'success');
      sim.resetStats();
      const second = await refreshQuery(deps, { queryId: both, reason: 'daily', cycle: 'c1' });
      assert.equal(second.status, 'success');
      assert.equal(sim.stats.requests.courses, 0, 'every course was fetched by the first refresh of the cycle');
      assert.ok(sim.stats.requests.programs > 0 && sim.stats.requests.searchAll > 0, 'search/all and the new programs are fetched');
      assert.ok(second.counts.items_created > 0, 'the programs are new');

      // The same refreshes outside a cycle, each fetching everything itself, find nothing to change.
      sim.resetStats();
      for (const q of [courses, both]) {
        const alone = await refreshQuery(deps, { queryId: q, reason: 'on_demand' });
        assert.equal(alone.counts.items_created + alone.counts.items_updated, 0);
      }
      assert.ok(sim.stats.requests.courses > 0, 'outside a cycle, full items are fetched');
    } finally {
      deps.cycleItems?.clear();
    }
  });
});

describe('daily churn', () => {
  test('after advanceDay exactly the changed items get a new modified; added ones appear, retired ones leave', async () => {
    const sim = await simulator(21);
    const deps = refreshDeps(db, simulatorHandle(sim));
    const filter = { content_type: ['course', 'courserun', 'program', 'learnerpathway'] };
    const queryId = await createQuery(db, filter);
    await createCatalog(db, customer, queryId);
    const reference = new SampleContentSource({ dataset: sim.dataset });

    /** What we store of each admitted item, in upstream terms: plucked hit fields + /courses/ for courses, hit + /programs/ else. */
    const upstreamView = async () => {
      const { items } = await reference.searchAll(filter);
      const ok = admitted(items);
      const keyOf = (h: DiscoveryHit) => String(h.key ?? h.uuid);
      const courses = new Map((await reference.fetchCourses(ok.filter((h) => h.content_type === 'course').map(keyOf))).map((c) => [c.key, c]));
      const programs = new Map((await reference.fetchPrograms(ok.filter((h) => h.content_type === 'program').map(keyOf))).map((p) => [p.uuid, p]));
      const view = new Map<string, string>();
      for (const h of ok) {
        const key = keyOf(h);
        const shape =
          h.content_type === 'course'
            ? [Object.fromEntries(COURSE_FIELDS_TO_PLUCK_FROM_SEARCH_ALL.map((f) => [f, h[f]])), courses.get(key)]
            : [h, programs.get(key) ?? null];
        view.set(key, JSON.stringify(shape));
      }
      return view;
    };

    await refreshQuery(deps, { queryId, reason: 'created' });
    const before = await members(db, queryId);
    const viewBefore = await upstreamView();
    assert.equal(before.size, viewBefore.size);

    // Two days of churn, so the query surely sees changes, additions and retirements.
    const churn = { changed: [] as string[], added: [] as string[], retired: [] as string[] };
    for (let day = 0; day < 2; day++) {
      const c = sim.dataset.advanceDay();
      churn.changed.push(...c.changed);
      churn.added.push(...c.added);
      churn.retired.push(...c.retired);
    }
    const viewAfter = await upstreamView();
    const outcome = await refreshQuery(deps, { queryId, reason: 'daily' });
    assert.equal(outcome.status, 'success');
    const after = await members(db, queryId);

    const changed = new Set([...viewAfter.keys()].filter((k) => viewBefore.has(k) && viewBefore.get(k) !== viewAfter.get(k)));
    const moved = new Set([...after.keys()].filter((k) => before.has(k) && after.get(k)?.modified.getTime() !== before.get(k)?.modified.getTime()));
    assert.ok(changed.size > 0, 'the churn changed something in this query');
    assert.deepEqual([...moved].sort(), [...changed].sort(), 'modified moved for exactly the items whose upstream data changed');
    assert.equal(outcome.counts.items_updated, changed.size);
    for (const agg of churn.changed) {
      const key = agg.slice(agg.indexOf(':') + 1);
      if (before.has(key) && after.has(key)) assert.ok(moved.has(key), `churned ${agg} got a new modified`);
    }

    const added = [...viewAfter.keys()].filter((k) => !viewBefore.has(k));
    const removed = [...viewBefore.keys()].filter((k) => !viewAfter.has(k));
    assert.deepEqual([...after.keys()].filter((k) => !before.has(k)).sort(), added.sort(), 'new upstream items became members');
    assert.deepEqual([...before.keys()].filter((k) => !after.has(k)).sort(), removed.sort(), 'vanished items left membership');
    assert.equal(outcome.counts.members_added, added.length);
    assert.equal(outcome.counts.members_removed, removed.length);
    for (const agg of churn.retired) assert.equal(after.has(agg.slice(agg.indexOf(':') + 1)), false, `${agg} retired`);
    for (const agg of churn.added.filter((a) => a.startsWith('course:'))) {
      const key = agg.slice('course:'.length);
      if (viewAfter.has(key)) assert.ok(after.has(key), `${agg} added`);
    }
    // Rows that left membership still exist (content is never deleted).
    for (const key of removed) {
      const row = await db.kysely.selectFrom('content_metadata').select('id').where('content_key', '=', key).executeTakeFirst();
      assert.ok(row, `${key} row kept`);
    }
  });
});

describe('faults', () => {
  let sim: DiscoverySimulator;
  let deps: RefreshDeps;
  const filter = { content_type: 'course' };

  before(async () => {
    sim = await simulator(31);
    deps = refreshDeps(db, simulatorHandle(sim, createMetrics()));
  });

  test('5xx, 429 and truncated pages are retried and the refresh succeeds', async () => {
    const queryId = await createQuery(db, filter);
    sim.setFaults({ errorRate: 0.25, rateLimitRate: 0.2, retryAfterSeconds: 0, truncateRate: 0.1, seed: 5 });
    sim.resetStats();
    try {
      const outcome = await refreshQuery(deps, { queryId, reason: 'created' });
      assert.equal(outcome.status, 'success');
      const f = sim.stats.faults;
      assert.ok(f.errors > 0 && f.rateLimited > 0, `faults were injected: ${JSON.stringify(f)}`);
      assert.ok(outcome.counts.upstream_requests > outcome.counts.pages + 1, 'retries are counted as requests');
      assert.equal((await members(db, queryId)).size, outcome.counts.members_added);
    } finally {
      sim.setFaults({});
    }
  });

  test('a page that keeps failing commits nothing, and the failure is recorded', async () => {
    const queryId = await createQuery(db, filter);
    await refreshQuery(deps, { queryId, reason: 'created' });
    const before = await members(db, queryId);
    const totals = async () => (await sql<{ id: number; xmin: string }>`select id, xmin::text as xmin from content_metadata order by id`.execute(db.kysely)).rows;
    const totalsBefore = await totals();
    const q0 = await queryRow(db, queryId);

    sim.setFaults({ failPages: [2] });
    try {
      await assert.rejects(refreshQuery(deps, { queryId, reason: 'daily', finalAttempt: true }), /search\/all page 2/);
    } finally {
      sim.setFaults({});
    }
    assert.deepEqual(await totals(), totalsBefore, 'no content row written or touched');
    const after = await members(db, queryId);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    const q1 = await queryRow(db, queryId);
    assert.equal(q1.last_refresh_success_at?.getTime(), q0.last_refresh_success_at?.getTime());
    assert.ok(q1.last_refresh_attempt_at && q0.last_refresh_attempt_at && q1.last_refresh_attempt_at > q0.last_refresh_attempt_at);
    const runs = await runsOf(db, queryId);
    const failed = runs.at(-1);
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.detail ?? '', /page 2/);
    assert.ok((failed?.upstream_requests ?? 0) >= 2, 'the requests made before the failure are recorded');
  });
});

describe('refusals', () => {
  let sim: DiscoverySimulator;
  let deps: RefreshDeps;

  before(async () => {
    sim = await simulator(41);
    deps = refreshDeps(db, simulatorHandle(sim));
  });

  /** A query over `n` specific courses (by aggregation key), refreshed once, last modified yesterday. */
  async function queryOver(n: number, offset: number) {
    const keys = sim.dataset.courses
      .filter((c) => !c.retired && mapSearchHit({ aggregation_key: `course:${c.key}`, content_type: 'course', key: c.key, course_type: c.courseType, product_source: c.productSource }).ok)
      .slice(offset, offset + n)
      .map((c) => c.key);
    const queryId = await createQuery(db, { content_type: 'course', aggregation_key: keys.map((k) => `course:${k}`) }, { modified: yesterday() });
    const first = await refreshQuery(deps, { queryId, reason: 'created' });
    assert.equal(first.status, 'success');
    assert.equal((await members(db, queryId)).size, n);
    return { queryId, keys };
  }

  const retire = (keys: readonly string[]) =>
    sim.dataset.update((state) => {
      const set = new Set(keys);
      for (const c of state.courses) if (set.has(c.key)) c.retired = true;
    });

  test('an empty result is refused and recorded; the membership stays', async () => {
    const { queryId, keys } = await queryOver(10, 0);
    const q0 = await queryRow(db, queryId);
    retire(keys);
    const outcome = await refreshQuery(deps, { queryId, reason: 'daily' });
    assert.equal(outcome.status, 'refused');
    assert.equal(outcome.refusalReason, 'empty_result');
    assert.equal((await members(db, queryId)).size, 10);
    const run = (await runsOf(db, queryId)).at(-1);
    assert.equal(run?.status, 'refused');
    assert.equal(run?.refusal_reason, 'empty_result');
    assert.equal(run?.members_before, 10);
    assert.equal(run?.members_after, 10);
    const q1 = await queryRow(db, queryId);
    assert.equal(q1.last_refresh_success_at?.getTime(), q0.last_refresh_success_at?.getTime(), 'a refusal is not a success');
    assert.equal(q1.membership_modified?.getTime(), q0.membership_modified?.getTime());
  });

  test('a 90 % shrink is refused and recorded; saving the query today lets it through', async () => {
    const { queryId, keys } = await queryOver(60, 20);
    retire(keys.slice(6));
    const refused = await refreshQuery(deps, { queryId, reason: 'daily' });
    assert.equal(refused.status, 'refused');
    assert.equal(refused.refusalReason, 'guardrail');
    assert.match(refused.detail ?? '', /60 → 6 members/);
    assert.equal((await members(db, queryId)).size, 60);
    const run = (await runsOf(db, queryId)).at(-1);
    assert.equal(run?.refusal_reason, 'guardrail');
    assert.equal(run?.items_fetched, 6);

    await setQueryModified(db, queryId, new Date());
    const applied = await refreshQuery(deps, { queryId, reason: 'filter_changed' });
    assert.equal(applied.status, 'success');
    assert.equal(applied.counts.members_removed, 54);
    assert.deepEqual([...(await members(db, queryId)).keys()].sort(), keys.slice(0, 6).sort());
  });
});

describe('which queries a full refresh covers', () => {
  test('only queries used by a catalog, never-refreshed and stalest first, each queued once', async () => {
    const used = await createQuery(db, { content_type: 'program' });
    const shared = await createQuery(db, { content_type: 'learnerpathway' });
    const unused = await createQuery(db, { content_type: 'courserun' });
    await createCatalog(db, customer, used);
    for (let i = 0; i < 3; i++) await createCatalog(db, customer, shared, `Shared ${i}`);
    const old = new Date(Date.now() - 3 * 86_400_000);
    const recent = new Date(Date.now() - 3_600_000);
    await db.kysely.updateTable('catalog_query').set({ last_refresh_success_at: recent }).where('id', '=', used).execute();
    await db.kysely.updateTable('catalog_query').set({ last_refresh_success_at: old }).where('id', '=', shared).execute();

    const order = (await queriesInUse(db.kysely)).map((q) => q.id);
    assert.equal(order.includes(unused), false);
    assert.ok(order.indexOf(shared) < order.indexOf(used), 'the stale query goes first');
    assert.deepEqual(
      (await queriesInUse(db.kysely, new Date(Date.now() - 86_400_000))).map((q) => q.id).filter((id) => id === used || id === shared),
      [shared],
    );

    // The fan-out is one call of `enqueueMany`, inside a transaction; `enqueue` (one statement per job) is not used.
    const calls: { jobs: QueuedJob<{ queryId: number; reason: string; cycle?: string }>[]; inTransaction: boolean }[] = [];
    const jobs = {
      async enqueueMany(_name: string, list: QueuedJob<{ queryId: number; reason: string; cycle?: string }>[], opts?: { executor?: unknown }) {
        calls.push({ jobs: [...list], inTransaction: opts?.executor !== undefined && opts.executor !== db.kysely });
        return list.length - 1;
      },
    } as unknown as JobQueue;
    const result = await enqueueQueriesInUse(db, jobs, 'daily');
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.ok(call?.inTransaction, 'queued in a transaction');
    assert.deepEqual(result, { queries: call.jobs.length, queued: call.jobs.length - 1 }, 'the count is what enqueueMany queued');
    const cycles = new Set(call.jobs.map((j) => j.data.cycle));
    assert.equal(cycles.size, 1, 'one cycle for the whole fan-out');
    assert.ok(call.jobs.every((j) => j.coalesceData?.cycle === j.data.cycle), 'a refresh already queued joins the cycle');
    const queued = call.jobs.map((j) => ({ queryId: j.data.queryId, reason: j.data.reason, dedupKey: j.dedupKey }));
    assert.deepEqual(
      queued.filter((q) => q.queryId === used || q.queryId === shared),
      [
        { queryId: shared, reason: 'stale', dedupKey: String(shared) },
        { queryId: used, reason: 'daily', dedupKey: String(used) },
      ],
      'three catalogs sharing a query cause one refresh of it',
    );
  });
});
