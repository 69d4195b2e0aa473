/**
 * The exporter against an in-memory catalog (FakeCatalog) and an in-memory audit store that applies plans and
 * acknowledgements the way the engine does. Numbers in test names refer to the behaviours of
 * `shared/reference/integrated-channels.md` §9 and the pain points of §10.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogContentItem, ChannelAction } from '../../src/channels/channel-adapter.js';
import { type CatalogSyncState, type ExportPlan, exportContent, type PlanRow } from '../../src/channels/exporter.js';
import { numberedCourse, sampleExecEdCourse } from '../fakes/content-items.js';
import { FakeCatalog } from '../helpers/channels-fake-catalog.js';

const CUSTOMER = '11111111-1111-4111-8111-111111111111';
const CAT_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const CAT_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const DAY = 86_400_000;

interface StoredRow extends PlanRow {
  metadata?: unknown;
  title?: string;
}

class Store {
  readonly rows = new Map<string, StoredRow>();
  readonly sync = new Map<string, CatalogSyncState>();
  readonly logs: Array<{ msg: string; obj: object }> = [];

  apply(plan: ExportPlan, now: Date): void {
    for (const w of plan.writes.values()) {
      const row: StoredRow = this.rows.get(w.contentId) ?? {
        contentId: w.contentId,
        catalogUuid: null,
        markedFor: null,
        isLive: false,
        contentLastChangedUs: null,
        nextAttemptAt: null,
        orphanedAt: null,
      };
      if (w.markedFor !== undefined) row.markedFor = w.markedFor;
      if (w.catalogUuid !== undefined) row.catalogUuid = w.catalogUuid;
      if (w.channelMetadata !== undefined) row.metadata = w.channelMetadata;
      if (w.contentTitle !== undefined) row.title = w.contentTitle;
      if (w.contentLastChangedUs !== undefined) row.contentLastChangedUs = w.contentLastChangedUs;
      if (w.orphanedAt !== undefined) row.orphanedAt = w.orphanedAt;
      this.rows.set(w.contentId, row);
    }
    for (const c of plan.catalogs) {
      if (!c.diffed) continue;
      const prev = this.sync.get(c.uuid) ?? { syncedVersion: null, lastDiffAt: null };
      this.sync.set(c.uuid, { syncedVersion: c.complete ? c.version : prev.syncedVersion, lastDiffAt: now });
    }
  }

  marked(action?: ChannelAction): string[] {
    return [...this.rows.values()].filter((r) => r.markedFor !== null && (action === undefined || r.markedFor === action)).map((r) => r.contentId).sort();
  }

  /** The LMS acknowledged every marked row (or only `keys`). */
  ack(keys?: string[]): void {
    for (const row of this.rows.values()) {
      if (row.markedFor === null || (keys && !keys.includes(row.contentId))) continue;
      row.isLive = row.markedFor !== 'delete';
      row.markedFor = null;
      row.nextAttemptAt = null;
    }
  }

  /** The LMS refused `key`; it may be retried at `retryAt`. */
  fail(key: string, retryAt: Date): void {
    const row = this.rows.get(key);
    assert.ok(row);
    row.nextAttemptAt = retryAt;
  }

  logger = {
    info: (obj: object, msg: string) => this.logs.push({ obj, msg }),
    warn: (obj: object, msg: string) => this.logs.push({ obj, msg }),
  };
}

interface Setup {
  catalog: FakeCatalog;
  store: Store;
  run: (opts?: { now?: Date; force?: boolean; catalogs?: string[]; removeOrphans?: boolean; fullDiffAfterMs?: number; map?: (item: CatalogContentItem) => unknown }) => Promise<ExportPlan>;
}

function setup(): Setup {
  const catalog = new FakeCatalog();
  const store = new Store();
  return {
    catalog,
    store,
    async run(opts = {}) {
      const now = opts.now ?? new Date('2025-06-01T00:00:00Z');
      const plan = await exportContent({
        configuration: { id: 7, customerUuid: CUSTOMER, catalogsToTransmit: opts.catalogs ?? [], removeOrphanedContent: opts.removeOrphans ?? false },
        rows: [...store.rows.values()].map((r) => ({ ...r })),
        syncStates: store.sync,
        client: catalog.forRun(),
        map: (item, action) => (opts.map ? opts.map(item) : { id: item['key'], action, title: item['title'] }),
        now,
        force: opts.force ?? false,
        fullDiffAfterMs: opts.fullDiffAfterMs ?? DAY,
        logger: store.logger,
      });
      store.apply(plan, now);
      return plan;
    },
  };
}

const key = (n: number) => `edX+Demo${n}X`;

void describe('exporter', () => {
  void it('1. creates what the diff reports as new, with titles', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    const plan = await run();
    assert.deepEqual(plan.counts.create, 2);
    assert.deepEqual(store.marked('create'), [key(1), key(2)]);
    assert.equal(store.rows.get(key(1))?.title, 'Demo course 1');
    assert.equal(store.marked('update').length + store.marked('delete').length, 0);
  });

  void it('2. prefixes Executive Education titles', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [sampleExecEdCourse(), numberedCourse(1)]);
    await run();
    const execEd = [...store.rows.values()].find((r) => r.contentId !== key(1));
    assert.match(execEd?.title ?? '', /^ExecEd: /);
    assert.equal(store.rows.get(key(1))?.title, 'Demo course 1');
  });

  void it('3. does not create again what is live under another catalog of the configuration', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    catalog.addCatalog(CAT_B, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    const plan = await run();
    assert.equal(plan.counts.create, 2, 'key 1 once (first catalog), key 2 once');
    assert.equal(store.rows.get(key(1))?.catalogUuid, CAT_A);
    store.ack();
    catalog.put(CAT_B, numberedCourse(3));
    const second = await run();
    assert.equal(second.counts.create, 1);
    assert.deepEqual(store.marked('create'), [key(3)]);
  });

  void it('4/8. deletes what the catalog no longer holds, without fetching metadata', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    await run();
    store.ack();
    catalog.remove(CAT_A, key(2));
    catalog.resetCalls();
    const plan = await run();
    assert.equal(plan.counts.delete, 1);
    assert.deepEqual(store.marked('delete'), [key(2)]);
    assert.equal(catalog.count('metadata'), 0);
  });

  void it('5. a create never acknowledged stays on the same row; it is refreshed only when the content changes', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    await run();
    catalog.resetCalls();
    let plan = await run({ force: true });
    assert.deepEqual(catalog.calls.find((c) => c.kind === 'diff')?.keys, [key(1)], 'the pending create is compared by date');
    assert.equal(catalog.count('metadata'), 0, 'unchanged: no metadata request');
    assert.equal(plan.counts.create, 0);
    assert.deepEqual(store.marked('create'), [key(1)], 'still waiting to be sent');
    catalog.put(CAT_A, numberedCourse(1, 2));
    plan = await run({ force: true });
    assert.equal(plan.counts.create, 1);
    assert.equal((store.rows.get(key(1))?.metadata as { title: string }).title, 'Demo course 1 (v2)');
    assert.equal(store.rows.size, 1);
  });

  void it('6/7. sends an update only when the content changed; unchanged content gets no metadata request', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    await run();
    store.ack();
    catalog.put(CAT_A, numberedCourse(1, 2));
    catalog.resetCalls();
    const plan = await run({ now: new Date('2025-06-03T00:00:00Z') });
    assert.equal(plan.counts.update, 1);
    assert.deepEqual(store.marked('update'), [key(1)]);
    assert.equal((store.rows.get(key(1))?.metadata as { title: string }).title, 'Demo course 1 (v2)');
    assert.equal(catalog.count('diff'), 1);
    assert.equal(catalog.count('metadata'), 1);
    assert.deepEqual(catalog.calls.find((c) => c.kind === 'metadata')?.keys, [key(1)]);
    store.ack();
    catalog.resetCalls();
    // Force a diff (sync state says synced): equal dates → nothing, and no metadata request.
    const again = await run({ now: new Date('2025-06-05T00:00:00Z'), fullDiffAfterMs: 1 });
    assert.equal(catalog.count('diff'), 1);
    assert.equal(catalog.count('metadata'), 0);
    assert.equal(again.writes.size, 0);
  });

  void it('fast path: an unchanged, fully synced catalog is skipped with one version read', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    await run();
    // Pending rows: no skip.
    catalog.resetCalls();
    await run();
    assert.equal(catalog.count('diff'), 1, 'rows still pending: diffed again');
    store.ack();
    catalog.resetCalls();
    const plan = await run();
    assert.deepEqual(plan.catalogs.map((c) => c.skipped), [true]);
    assert.equal(catalog.count('version'), 1);
    assert.equal(catalog.count('diff') + catalog.count('metadata'), 0);
    // Any change (content, membership, catalog, customer) moves the version.
    for (const change of [
      () => catalog.put(CAT_A, numberedCourse(1, 3)),
      () => catalog.put(CAT_A, numberedCourse(9)),
      () => catalog.remove(CAT_A, key(9)),
      () => catalog.touchCatalog(CAT_A),
      () => catalog.touchCustomer(CUSTOMER),
    ]) {
      change();
      catalog.resetCalls();
      await run();
      store.ack();
      assert.equal(catalog.count('diff'), 1);
    }
    // The full-diff interval forces a diff even when the version did not move.
    catalog.resetCalls();
    await run({ now: new Date('2025-06-09T00:00:00Z') });
    assert.equal(catalog.count('diff'), 1);
  });

  void it('9. a row still marked for update is sent again; an unmarked one with newer content is not', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2), numberedCourse(3)]);
    await run();
    store.ack();
    for (const k of [key(1), key(2)]) {
      const row = store.rows.get(k);
      assert.ok(row);
      row.contentLastChangedUs = Date.UTC(2030, 0, 1) * 1000;
    }
    (store.rows.get(key(1)) as StoredRow).markedFor = 'update';
    catalog.touchCatalog(CAT_A);
    const plan = await run();
    assert.deepEqual(store.marked('update'), [key(1), key(3)].sort(), 'key 1 stays marked, key 3 changed');
    assert.equal(plan.counts.update, 1, 'only key 3 needs a new payload');
  });

  void it('10/11/12. failed updates and deletes count as live; failed creates do not; back-off is honoured per run (P9)', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2), numberedCourse(3), numberedCourse(4)]);
    const t0 = new Date('2025-06-01T00:00:00Z');
    await run({ now: t0 });
    store.ack([key(1), key(2), key(3)]);
    store.fail(key(4), new Date(t0.getTime() + DAY)); // failed create
    // key 1: failed update; key 2: failed delete; key 3: deleted fine.
    const r1 = store.rows.get(key(1)) as StoredRow;
    r1.markedFor = 'update';
    r1.nextAttemptAt = new Date(t0.getTime() + DAY);
    const r2 = store.rows.get(key(2)) as StoredRow;
    r2.markedFor = 'delete';
    r2.nextAttemptAt = new Date(t0.getTime() + DAY);
    const r3 = store.rows.get(key(3)) as StoredRow;
    r3.isLive = false;

    catalog.resetCalls();
    const within = await run({ now: new Date(t0.getTime() + DAY / 2) });
    const sent = catalog.calls.find((c) => c.kind === 'diff')?.keys?.sort();
    // Upstream leaves failed creates out of the diff; here they are sent too (compared by date, not fetched again),
    // and a failed create the catalog no longer holds is cancelled instead of deleted.
    assert.deepEqual(sent, [key(1), key(2), key(4)], 'failed update, failed delete and pending create; not the deleted row');
    assert.equal(within.counts.backedOff, 3, 'keys 1, 2 and 4 wait for their back-off');
    assert.equal(within.counts.create, 1, 'key 3 (deleted, still in the catalog) is recreated');
    assert.deepEqual(store.marked('create'), [key(3), key(4)]);

    const after = await run({ now: new Date(t0.getTime() + DAY + 1) });
    assert.equal(after.counts.backedOff, 0);
    assert.deepEqual(store.marked('update'), [key(1)], 'the failed update goes again as an update');
    assert.deepEqual(store.marked('create'), [key(2), key(3), key(4)], 'the failed delete of content still in the catalog is recreated (P14)');
  });

  void it('14. a forced run ignores the back-off', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    const t0 = new Date('2025-06-01T00:00:00Z');
    await run({ now: t0 });
    store.fail(key(1), new Date(t0.getTime() + DAY));
    catalog.put(CAT_A, numberedCourse(1, 2));
    const scheduled = await run({ now: new Date(t0.getTime() + 1000) });
    assert.equal(scheduled.counts.backedOff, 1);
    assert.equal(scheduled.counts.create, 0);
    const forced = await run({ now: new Date(t0.getTime() + 2000), force: true });
    assert.equal(forced.counts.backedOff, 0);
    assert.equal(forced.counts.create, 1);
  });

  void it('P14. content re-added after a failed delete is recreated', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    await run();
    store.ack();
    catalog.remove(CAT_A, key(1));
    await run();
    assert.deepEqual(store.marked('delete'), [key(1)]);
    // The delete fails (row stays live and marked), then the content comes back.
    catalog.put(CAT_A, numberedCourse(1));
    const plan = await run({ force: true });
    assert.equal(plan.counts.create, 1);
    assert.deepEqual(store.marked('create'), [key(1)]);
  });

  void it('a key that moves to another transmitted catalog is not deleted', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    catalog.addCatalog(CAT_B, CUSTOMER, [numberedCourse(1)]);
    await run();
    store.ack();
    assert.equal(store.rows.get(key(1))?.catalogUuid, CAT_A);
    catalog.remove(CAT_A, key(1));
    const plan = await run();
    assert.equal(plan.counts.delete, 0);
    assert.equal(store.rows.get(key(1))?.catalogUuid, CAT_B);
    assert.equal(plan.counts.readopted, 1);
  });

  void it('15/16. orphans: re-adopted without a create, deleted only when the configuration removes orphans', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    catalog.addCatalog(CAT_B, CUSTOMER, [numberedCourse(3)]);
    await run();
    store.ack();
    // Catalog A leaves the configuration: its rows are orphans, tracked, not deleted.
    let plan = await run({ catalogs: [CAT_B] });
    assert.equal(plan.counts.orphans, 2);
    assert.equal(plan.counts.delete, 0);
    assert.ok(store.rows.get(key(1))?.orphanedAt);
    // Key 1 appears in catalog B: re-adopted, no create.
    catalog.put(CAT_B, numberedCourse(1));
    plan = await run({ catalogs: [CAT_B] });
    assert.equal(plan.counts.create, 0);
    assert.equal(plan.counts.readopted, 1);
    assert.equal(store.rows.get(key(1))?.catalogUuid, CAT_B);
    assert.equal(store.rows.get(key(1))?.orphanedAt, null);
    // With removal on, the remaining orphan is deleted.
    plan = await run({ catalogs: [CAT_B], removeOrphans: true });
    assert.equal(plan.counts.delete, 1);
    assert.deepEqual(store.marked('delete'), [key(2)]);
  });

  void it('a catalog that is deleted leaves orphans; an orphan held by a skipped catalog is found there', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    catalog.addCatalog(CAT_B, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    await run();
    store.ack();
    await run(); // both synced and skipped from now on
    catalog.removeCatalog(CAT_A);
    catalog.resetCalls();
    const plan = await run({ removeOrphans: true });
    assert.equal(plan.counts.delete, 0, 'key 1 is still in catalog B');
    assert.equal(store.rows.get(key(1))?.catalogUuid, CAT_B);
    assert.equal(catalog.count('diff'), 1, 'one diff of the skipped catalog, for the orphan only');
    assert.deepEqual(catalog.calls.find((c) => c.kind === 'diff')?.keys, [key(1)]);
  });

  void it('17. a mapping error is logged with the customer and the export goes on', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    const plan = await run({
      map: (item) => {
        if (item['key'] === key(1)) throw new Error('no title field');
        return { ok: true };
      },
    });
    assert.equal(plan.counts.mappingErrors, 1);
    assert.deepEqual(store.marked('create'), [key(2)]);
    const logged = store.logs.find((l) => l.msg.includes('could not be mapped'));
    assert.ok(logged);
    assert.equal((logged.obj as { customer: string }).customer, CUSTOMER);
    assert.equal(plan.catalogs[0]?.complete, false, 'not recorded as synced');
  });

  void it('18/P7. a key the diff names but the metadata lacks is skipped, and the catalog is not marked synced', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    catalog.metadataOmits.add(key(2));
    const plan = await run();
    assert.equal(plan.counts.missingMetadata, 1);
    assert.deepEqual(store.marked(), [key(1)]);
    assert.equal(store.rows.has(key(2)), false);
    store.ack();
    catalog.metadataOmits.clear();
    catalog.resetCalls();
    const next = await run();
    assert.equal(catalog.count('diff'), 1, 'the catalog is diffed again');
    assert.equal(next.counts.create, 1);
  });

  void it('metadata requests carry at most 100 keys', async () => {
    const { catalog, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, Array.from({ length: 250 }, (_, i) => numberedCourse(i + 1)));
    await run();
    const sizes = catalog.calls.filter((c) => c.kind === 'metadata').map((c) => c.keys?.length);
    assert.deepEqual(sizes, [100, 100, 50]);
  });

  void it('only the listed catalogs of the customer are transmitted', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1)]);
    catalog.addCatalog(CAT_B, CUSTOMER, [numberedCourse(2)]);
    catalog.addCatalog('cccccccc-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', [numberedCourse(3)]);
    await run({ catalogs: [CAT_B, 'cccccccc-0000-4000-8000-000000000003'] });
    assert.deepEqual(store.marked(), [key(2)]);
  });

  void it('a pending create for content that left the catalog is cancelled, not deleted', async () => {
    const { catalog, store, run } = setup();
    catalog.addCatalog(CAT_A, CUSTOMER, [numberedCourse(1), numberedCourse(2)]);
    await run();
    catalog.remove(CAT_A, key(2));
    const plan = await run();
    assert.deepEqual(store.marked(), [key(1)]);
    assert.equal(plan.counts.delete, 0);
  });
});
