/**
 * End to end through the engine for each LMS adapter (SAP, DEGREED2, CANVAS, BLACKBOARD, MOODLE): the discovery
 * simulator upstream, the refresh pipeline and catalog of one running app, and each LMS's fake server. One small
 * catalog (the courses of one organisation of a dataset-S simulator) feeds one configuration per LMS:
 * 1. the first run leaves each fake holding exactly the catalog's content keys, by the id that LMS uses, with the
 *    title and an LMS-specific field mapped from the catalog's item;
 * 2. an immediate second run makes no LMS call at all;
 * 3. after `advanceDay()` (plus a deterministic change, retirement and arrival in the catalog's organisation) and
 *    a refresh, the next run writes exactly the changed items as updates, the new ones as creates and the retired
 *    ones as deletes, as that LMS models a delete (SAP INACTIVE, Degreed deleted, Canvas concluded, Blackboard
 *    removed, Moodle hidden).
 * The stages run for every LMS before the next stage starts, since all configurations share the one dataset.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from '../../src/app.js';
import { catalogModule } from '../../src/catalog/catalog.module.js';
import { createBlackboardAdapter } from '../../src/channels/blackboard/blackboard.adapter.js';
import { BLACKBOARD_DETAILS_TITLE, blackboardCourseId } from '../../src/channels/blackboard/blackboard.mapping.js';
import { createCanvasAdapter } from '../../src/channels/canvas/canvas.adapter.js';
import type { ChannelAction, ChannelCode } from '../../src/channels/channel-adapter.js';
import { channelServicesOf, createChannelsModule } from '../../src/channels/channels.module.js';
import { createDegreedAdapter } from '../../src/channels/degreed/degreed.adapter.js';
import { EXEC_ED_COURSE_TYPE, EXEC_ED_TITLE_PREFIX } from '../../src/channels/mapping/content.js';
import { escapeHtml } from '../../src/channels/mapping/text.js';
import { createMoodleAdapter } from '../../src/channels/moodle/moodle.adapter.js';
import type { AnyChannelAdapter } from '../../src/channels/registry.js';
import { createSapAdapter } from '../../src/channels/sap/sap.adapter.js';
import type { RunSummary } from '../../src/channels/transmission.service.js';
import type { Db } from '../../src/db/database.js';
import { generateDataset } from '../../src/discovery/dataset.js';
import { startDiscoverySimulator, type DiscoverySimulator } from '../../src/discovery/simulator.js';
import { systemModule } from '../../src/http/system.module.js';
import { createRefreshModule } from '../../src/refresh/refresh.module.js';
import { BlackboardFake } from '../fakes/lms/blackboard.fake.js';
import { CANVAS_SUB_ACCOUNT, CanvasFake } from '../fakes/lms/canvas.fake.js';
import { DegreedFake } from '../fakes/lms/degreed.fake.js';
import type { FakeLmsServer, FakeRequest } from '../fakes/lms/fake-lms-server.js';
import { MoodleFake } from '../fakes/lms/moodle.fake.js';
import { SapFake } from '../fakes/lms/sap.fake.js';
import { authHeader } from '../helpers/auth.js';
import { openTestDb, testConfig, uid } from '../helpers/db.js';
import { simulatorHandle, queryMembersModified, waitForQueryRefresh } from '../helpers/refresh-fixtures.js';

const NEVER = '0 0 1 1 *';
const quiet = { transmitCron: NEVER, refreshCron: NEVER, refreshStaleCron: NEVER } as const;
const TIMEOUT_MS = 10_000;
/** SAP's minimum interval between OCN calls: kept (the engine waits for it) but short. */
const SAP_INTERVAL_MS = 100;

type CatalogItem = Record<string, unknown>;
type Writes = Record<ChannelAction, string[]>;

/** One LMS under test: its fake, its configuration, and how to read the fake in that LMS's own terms. */
interface Lms {
  code: ChannelCode;
  server: FakeLmsServer;
  settings: Record<string, unknown>;
  chunkSize?: number;
  configurationId: number;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Content keys the LMS shows learners (not inactive, concluded, hidden or deleted). */
  live(): string[];
  /** Whether the key is in the LMS's delete form. */
  retired(key: string): boolean;
  /** Remember remote ids → content keys (before a run that may remove records). */
  remember(): void;
  /** Write calls among requests `from`…, as content keys by action. */
  writes(from: number): Writes;
  /** Assert the mapped fields of a live key against the catalog's item. */
  check(key: string, item: CatalogItem): void;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** The title every LMS shows: the catalog's, with upstream's "ExecEd: " prefix for Executive Education courses. */
const titleOf = (item: CatalogItem): string => (item['course_type'] === EXEC_ED_COURSE_TYPE ? EXEC_ED_TITLE_PREFIX : '') + str(item['title']);
const urlOf = (item: CatalogItem): string => str(item['enrollment_url']) || str(item['marketing_url']);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function emptyWrites(): Writes {
  return { create: [], update: [], delete: [] };
}

function sorted(w: Writes): Writes {
  return { create: [...w.create].sort(), update: [...w.update].sort(), delete: [...w.delete].sort() };
}

function sapLms(): Lms {
  const fake = new SapFake();
  const before = new Set<string>();
  return {
    code: 'SAP',
    server: fake.server,
    get settings() {
      return {
        sapsf_base_url: fake.server.url,
        sapsf_company_id: fake.companyId,
        sapsf_user_id: fake.userId,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        additional_locales: ['Spanish'],
      };
    },
    chunkSize: 1000,
    configurationId: 0,
    start: () => fake.start(),
    close: () => fake.close(),
    live: () => [...fake.courses.entries()].filter(([, c]) => c.course['status'] === 'ACTIVE').map(([k]) => k),
    retired: (key) => fake.courses.get(key)?.course['status'] === 'INACTIVE',
    remember() {
      before.clear();
      for (const k of fake.courses.keys()) before.add(k);
    },
    // SAP upserts: an ACTIVE course it did not have is a create, one it had an update; INACTIVE is the delete.
    writes(from) {
      const out = emptyWrites();
      for (const req of fake.server.requests.slice(from)) {
        if (req.route !== 'ocn') continue;
        for (const raw of (obj(req.json)['ocnCourses'] as unknown[] | undefined) ?? []) {
          const c = obj(raw);
          const id = str(c['courseID']);
          out[c['status'] === 'INACTIVE' ? 'delete' : before.has(id) ? 'update' : 'create'].push(id);
        }
      }
      return out;
    },
    check(key, item) {
      const c = fake.courses.get(key)?.course ?? {};
      const title = titleOf(item);
      assert.deepEqual(c['title'], [
        { locale: 'English', value: title },
        { locale: 'Spanish', value: title },
      ]);
      assert.equal(c['status'], 'ACTIVE');
      assert.equal(c['providerID'], 'EDX');
      const content = (c['content'] as unknown[])[0];
      assert.equal(obj(content)['launchURL'], urlOf(item));
      assert.equal(obj(content)['contentID'], key);
    },
  };
}

function degreedLms(): Lms {
  const fake = new DegreedFake();
  const ids = new Map<string, string>();
  return {
    code: 'DEGREED2',
    server: fake.server,
    get settings() {
      return { degreed_base_url: fake.server.url, client_id: fake.clientId, client_secret: fake.clientSecret };
    },
    configurationId: 0,
    start: () => fake.start(),
    close: () => fake.close(),
    live: () => [...fake.courses.values()].map((c) => str(c.attributes['external-id'])),
    retired: (key) => fake.byExternalId(key).length === 0,
    remember() {
      for (const c of fake.courses.values()) ids.set(c.id, str(c.attributes['external-id']));
    },
    writes(from) {
      const out = emptyWrites();
      for (const req of fake.server.requests.slice(from)) {
        const attributes = obj(obj(obj(req.json)['data'])['attributes']);
        if (req.route === 'create') out.create.push(str(attributes['external-id']));
        else if (req.route === 'update') out.update.push(str(attributes['external-id']));
        else if (req.route === 'delete') out.delete.push(ids.get(req.params['id'] ?? '') ?? `unknown id ${req.params['id']}`);
      }
      return out;
    },
    check(key, item) {
      const found = fake.byExternalId(key);
      assert.equal(found.length, 1, `one Degreed course for ${key}`);
      const a = found[0]?.attributes ?? {};
      assert.equal(a['title'], titleOf(item));
      assert.equal(a['url'], urlOf(item));
      assert.equal(a['obsolete'], false);
      assert.equal(a['duration-type'], 'Hours');
    },
  };
}

function canvasLms(): Lms {
  const fake = new CanvasFake();
  return {
    code: 'CANVAS',
    server: fake.server,
    get settings() {
      return {
        canvas_base_url: fake.server.url,
        canvas_account_id: CANVAS_SUB_ACCOUNT,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        refresh_token: fake.refreshToken,
      };
    },
    configurationId: 0,
    start: () => fake.start(),
    close: () => fake.close(),
    live: () => [...fake.courses.values()].filter((c) => c.workflow_state === 'available').map((c) => str(c.integration_id)),
    retired: (key) => fake.byIntegrationId(key).length === 1 && fake.byIntegrationId(key)[0]?.workflow_state === 'completed',
    remember: () => undefined, // a concluded course stays in Canvas
    // A create is POST then a PUT carrying only the publishing event; an update PUTs the whole course.
    writes(from) {
      const out = emptyWrites();
      for (const req of fake.server.requests.slice(from)) {
        const course = obj(obj(req.json)['course']);
        if (req.route === 'create') out.create.push(str(course['integration_id']));
        else if (req.route === 'update' && course['integration_id'] !== undefined) out.update.push(str(course['integration_id']));
        else if (req.route === 'delete') {
          assert.equal(obj(req.json)['event'], 'conclude');
          out.delete.push(str(fake.courses.get(Number(req.params['id']))?.integration_id));
        }
      }
      return out;
    },
    check(key, item) {
      const found = fake.byIntegrationId(key);
      assert.equal(found.length, 1, `one Canvas course for ${key}`);
      const c = found[0];
      assert.ok(c);
      assert.equal(c['name'], titleOf(item) || key);
      assert.equal(c['course_code'], key);
      assert.equal(c.workflow_state, 'available', 'published');
      assert.equal(c.account_id, CANVAS_SUB_ACCOUNT);
      assert.ok(str(c['syllabus_body']).includes(`<a href="${escapeHtml(urlOf(item))}">`), str(c['syllabus_body']));
    },
  };
}

function blackboardLms(): Lms {
  const fake = new BlackboardFake();
  const ids = new Map<string, string>();
  return {
    code: 'BLACKBOARD',
    server: fake.server,
    get settings() {
      return { blackboard_base_url: fake.server.url, client_id: fake.appKey, client_secret: fake.appSecret, refresh_token: fake.currentRefreshToken };
    },
    configurationId: 0,
    start: () => fake.start(),
    close: () => fake.close(),
    live: () => [...fake.courses.values()].map((c) => c.externalId),
    retired: (key) => fake.byExternalId(key).length === 0,
    remember() {
      for (const c of fake.courses.values()) ids.set(c.id, c.externalId);
    },
    // The details folder and document are part of a create or an update; the course calls say which.
    writes(from) {
      const out = emptyWrites();
      for (const req of fake.server.requests.slice(from)) {
        if (req.route === 'create') out.create.push(str(obj(req.json)['externalId']));
        else if (req.route === 'update') out.update.push(ids.get(req.params['id'] ?? '') ?? `unknown id ${req.params['id']}`);
        else if (req.route === 'delete') out.delete.push(ids.get(req.params['id'] ?? '') ?? `unknown id ${req.params['id']}`);
      }
      return out;
    },
    check(key, item) {
      const found = fake.byExternalId(key);
      assert.equal(found.length, 1, `one Blackboard course for ${key}`);
      const c = found[0];
      assert.ok(c);
      const title = titleOf(item);
      assert.equal(c.name, title || key);
      assert.equal(c.courseId, blackboardCourseId(key));
      assert.equal(c.description, `<a href="${escapeHtml(urlOf(item))}" target="_blank">Go to edX course page</a>`);
      assert.equal(c.contents.length, 1, 'one details folder');
      const folder = c.contents[0];
      assert.equal(folder?.title, BLACKBOARD_DETAILS_TITLE);
      assert.deepEqual(folder?.contentHandler, { id: 'resource/x-bb-folder' });
      assert.equal(folder?.children.length, 1, 'one details document');
      const doc = folder?.children[0] ?? {};
      assert.deepEqual(doc['contentHandler'], { id: 'resource/x-bb-document' });
      assert.ok(str(doc['body']).startsWith(`<h1>${escapeHtml(title)}</h1>`), str(doc['body']));
      assert.ok(str(doc['body']).includes(`href="${escapeHtml(urlOf(item))}"`));
    },
  };
}

function moodleLms(): Lms {
  const fake = new MoodleFake();
  const ids = new Map<number, string>();
  const form = (req: FakeRequest, field: string) => req.form.get(`courses[0][${field}]`);
  return {
    code: 'MOODLE',
    server: fake.server,
    get settings() {
      return { moodle_base_url: fake.server.url, service_short_name: fake.serviceShortName, username: fake.username, password: fake.password };
    },
    configurationId: 0,
    start: () => fake.start(),
    close: () => fake.close(),
    live: () => [...fake.courses.values()].filter((c) => c.visible === 1).map((c) => c.idnumber),
    retired: (key) => fake.byIdnumber(key).length === 1 && fake.byIdnumber(key)[0]?.visible === 0,
    remember() {
      for (const c of fake.courses.values()) ids.set(c.id, c.idnumber);
    },
    // Moodle answers 200 to everything; the function and `visible` say what a call did.
    writes(from) {
      const out = emptyWrites();
      for (const req of fake.server.requests.slice(from)) {
        if (req.route !== 'server') continue;
        const fn = req.form.get('wsfunction');
        if (fn === 'core_course_create_courses') out.create.push(form(req, 'idnumber') ?? '');
        else if (fn === 'core_course_update_courses') {
          const key = ids.get(Number(form(req, 'id'))) ?? form(req, 'idnumber') ?? '';
          out[form(req, 'visible') === '0' ? 'delete' : 'update'].push(key);
        }
      }
      return out;
    },
    check(key, item) {
      const found = fake.byIdnumber(key);
      assert.equal(found.length, 1, `one Moodle course for ${key}`);
      const c = found[0];
      assert.ok(c);
      const title = titleOf(item);
      assert.ok(c.fullname.startsWith(`${title} - via edX.org`), c.fullname);
      assert.equal(c.shortname, `${title} (${key})`);
      assert.equal(c.visible, 1);
      assert.equal(c.categoryid, 1);
      assert.ok(c.summary.startsWith(`<a href="${escapeHtml(urlOf(item))}">Go to edX course page</a>`), c.summary);
    },
  };
}

void describe('LMS channels end to end (simulator → catalog → SAP, Degreed, Canvas, Blackboard, Moodle fakes)', () => {
  let db: Db;
  let sim: DiscoverySimulator;
  let server: App;
  const customer = uid();
  let catalogUuid: string;
  let queryId: number;
  let org: string;
  const lmss: Lms[] = [sapLms(), degreedLms(), canvasLms(), blackboardLms(), moodleLms()];
  const adapterList: AnyChannelAdapter[] = [
    createSapAdapter({ timeoutMs: TIMEOUT_MS, minCallIntervalMs: SAP_INTERVAL_MS }),
    createDegreedAdapter({ timeoutMs: TIMEOUT_MS }),
    createCanvasAdapter({ timeoutMs: TIMEOUT_MS }),
    createBlackboardAdapter({ timeoutMs: TIMEOUT_MS }),
    createMoodleAdapter({ timeoutMs: TIMEOUT_MS }),
  ];
  const adapters = (code: string) => adapterList.find((a) => a.code === code);
  const su = () => authHeader({ administrator: true, username: 'root' });

  before(async () => {
    db = await openTestDb();
    const dataset = generateDataset({ size: 'S', seed: 7 });
    // The organisation with the most live courses that still makes a small catalog (10–20 courses).
    const counts = new Map<string, number>();
    for (const c of dataset.courses) if (!c.retired) counts.set(c.org, (counts.get(c.org) ?? 0) + 1);
    const small = [...counts.entries()].filter(([, n]) => n >= 10 && n <= 20).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    assert.ok(small[0], 'an organisation with 10–20 courses');
    org = small[0][0];
    sim = await startDiscoverySimulator({ dataset });
    await Promise.all(lmss.map((l) => l.start()));
    server = await createApp(testConfig(quiet), {
      db,
      work: true,
      modules: [systemModule, catalogModule, createRefreshModule({ source: (ctx) => simulatorHandle(sim, ctx.metrics) }), createChannelsModule({ adapters })],
    });
    await server.listen();

    const created = await server.http.inject({
      method: 'POST',
      url: '/api/v1/enterprise-catalogs/',
      headers: await su(),
      payload: { title: `${org} courses`, enterprise_customer: customer, enterprise_customer_name: 'Acme Learning', content_filter: { content_type: 'course', org, e2e: customer } },
    });
    assert.equal(created.statusCode, 201, created.body);
    catalogUuid = created.json<{ uuid: string }>().uuid;
    const row = await db.kysely.selectFrom('enterprise_catalog').select('catalog_query_id').where('uuid', '=', catalogUuid).executeTakeFirstOrThrow();
    queryId = row.catalog_query_id as number;
    await refreshed(null);

    for (const lms of lmss) {
      const res = await server.http.inject({
        method: 'POST',
        url: '/api/v1/integrated-channels/configurations/',
        headers: await su(),
        payload: {
          enterprise_customer: customer,
          channel_code: lms.code,
          catalogs_to_transmit: [catalogUuid],
          ...(lms.chunkSize !== undefined ? { transmission_chunk_size: lms.chunkSize } : {}),
          settings: lms.settings,
        },
      });
      assert.equal(res.statusCode, 201, `${lms.code}: ${res.body}`);
      lms.configurationId = res.json<{ id: number }>().id;
    }
  });

  after(async () => {
    await server?.close();
    await Promise.all([...lmss.map((l) => l.close()), sim?.close()]);
    await db?.close();
  });

  const refreshed = (since: Date | null) => waitForQueryRefresh(db, server, { queryId, catalogUuid, headers: su }, since);
  const members = () => queryMembersModified(db, queryId);

  /** The catalog's items for `keys`, as its `get_content_metadata` serves them (what the engine maps). */
  async function catalogItems(keys: readonly string[]): Promise<Map<string, CatalogItem>> {
    const res = await server.http.inject({
      method: 'POST',
      url: `/api/v1/enterprise-catalogs/${catalogUuid}/get_content_metadata/?traverse_pagination=true`,
      headers: await su(),
      payload: { content_keys: keys },
    });
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json<{ results: CatalogItem[] }>().results;
    return new Map(items.map((i) => [str(i['key']), i]));
  }

  const run = (lms: Lms): Promise<RunSummary> => channelServicesOf(server.ctx).transmission.run(lms.configurationId, { reason: 'on_demand' });

  function assertHolds(lms: Lms, keys: readonly string[], items: Map<string, CatalogItem>): void {
    assert.deepEqual([...lms.live()].sort(), [...keys].sort(), `${lms.code} holds exactly the catalog's items`);
    for (const key of keys) {
      const item = items.get(key);
      assert.ok(item, `the catalog serves ${key}`);
      lms.check(key, item);
    }
  }

  let initial: Map<string, number>;
  let initialItems: Map<string, CatalogItem>;

  void describe('1. the first run: each LMS holds exactly the catalog, fields mapped', () => {
    before(async () => {
      initial = await members();
      initialItems = await catalogItems([...initial.keys()]);
    });

    for (const lms of lmss) {
      void it(lms.code, async (t) => {
        assert.ok(initial.size >= 8 && initial.size <= 25, `a small catalog of ${org} (${initial.size})`);
        lms.remember();
        const summary = await run(lms);
        assert.equal(summary.status, 'success', summary.detail ?? '');
        assert.equal(summary.transmitted?.succeeded, initial.size);
        assert.equal(summary.transmitted?.failed, 0);
        assert.equal(summary.transmitted?.deferred, 0, 'everything in one run');
        assert.deepEqual(sorted(lms.writes(0)), { create: [...initial.keys()].sort(), update: [], delete: [] });
        assertHolds(lms, [...initial.keys()], initialItems);
        if (lms.code === 'SAP') assert.equal(lms.server.count('ocn'), 1, 'one OCN call carries the whole catalog');
        t.diagnostic(`${lms.code}: ${initial.size} items in ${summary.durationMs} ms, ${lms.server.requests.length} LMS requests`);
      });
    }
  });

  void describe('2. an immediate second run: no LMS call', () => {
    for (const lms of lmss) {
      void it(lms.code, async () => {
        const before = lms.server.requests.length;
        const summary = await run(lms);
        assert.equal(summary.status, 'success', summary.detail ?? '');
        assert.equal(summary.transmitted?.attempted, 0);
        assert.equal(lms.server.requests.length, before, 'no request reached the LMS');
      });
    }
  });

  void describe('3. after advanceDay() and a refresh: exactly the changed, new and retired items', () => {
    let afterDay: Map<string, number>;
    let afterItems: Map<string, CatalogItem>;
    const expected: Writes = emptyWrites();
    const picked = { changed: '', retired: '', added: '' };

    before(async () => {
      const beforeDay = await members();
      const started = new Date();
      const churn = sim.dataset.advanceDay();
      const touched = new Set([...churn.changed, ...churn.added, ...churn.retired].map((k) => k.replace(/^course:/, '')));
      // A day's churn rarely touches a dozen courses: change, retire and bring in one of the catalog's for sure.
      sim.dataset.update((s) => {
        const at = s.asOf - 3_600_000;
        const ours = s.courses.filter((c) => beforeDay.has(c.key) && !c.retired && !touched.has(c.key)).sort((a, b) => a.key.localeCompare(b.key));
        const [changed, retired] = ours;
        const incoming = s.courses.filter((c) => c.org !== org && !c.retired && !touched.has(c.key) && !beforeDay.has(c.key)).sort((a, b) => a.key.localeCompare(b.key))[0];
        assert.ok(changed && retired && incoming, 'courses to change, retire and bring in');
        changed.title = `${changed.title} (Revised)`;
        changed.modified = at;
        retired.retired = true;
        for (const r of retired.runs) r.status = 'unpublished';
        retired.modified = at;
        incoming.org = org;
        incoming.modified = at;
        Object.assign(picked, { changed: changed.key, retired: retired.key, added: incoming.key });
      });
      const refresh = await server.http.inject({ method: 'POST', url: `/api/v1/enterprise-catalogs/${catalogUuid}/refresh_metadata/`, headers: await su() });
      assert.equal(refresh.statusCode, 200, refresh.body);
      await refreshed(started);
      afterDay = await members();
      afterItems = await catalogItems([...afterDay.keys()]);
      expected.create = [...afterDay.keys()].filter((k) => !beforeDay.has(k)).sort();
      expected.update = [...afterDay.keys()].filter((k) => beforeDay.has(k) && beforeDay.get(k) !== afterDay.get(k)).sort();
      expected.delete = [...beforeDay.keys()].filter((k) => !afterDay.has(k)).sort();
    });

    for (const lms of lmss) {
      void it(lms.code, async (t) => {
        assert.ok(expected.create.includes(picked.added), `${picked.added} is new: ${JSON.stringify(expected)}`);
        assert.ok(expected.update.includes(picked.changed), `${picked.changed} changed: ${JSON.stringify(expected)}`);
        assert.ok(expected.delete.includes(picked.retired), `${picked.retired} retired: ${JSON.stringify(expected)}`);
        assert.ok(str(afterItems.get(picked.changed)?.['title']).endsWith(' (Revised)'), 'the catalog serves the new title');
        lms.remember();
        const from = lms.server.requests.length;
        const ocnBefore = lms.server.count('ocn');
        const summary = await run(lms);
        assert.equal(summary.status, 'success', summary.detail ?? '');
        assert.equal(summary.transmitted?.deferred, 0, 'everything in one run');
        assert.deepEqual(summary.transmitted?.byAction, {
          create: { succeeded: expected.create.length, failed: 0 },
          update: { succeeded: expected.update.length, failed: 0 },
          delete: { succeeded: expected.delete.length, failed: 0 },
        });
        assert.deepEqual(sorted(lms.writes(from)), expected, `${lms.code} writes exactly the changes`);
        for (const key of expected.delete) assert.ok(lms.retired(key), `${lms.code}: ${key} is in its delete form`);
        assertHolds(lms, [...afterDay.keys()], afterItems);
        // SAP: one OCN call per action (deletes, creates, updates), at least the minimum interval apart.
        if (lms.code === 'SAP') assert.equal(lms.server.count('ocn') - ocnBefore, 3);
        t.diagnostic(
          `${lms.code}: ${expected.create.length} creates, ${expected.update.length} updates, ${expected.delete.length} deletes in ${summary.durationMs} ms, ` +
            `${lms.server.requests.length - from} LMS requests`,
        );
      });
    }
  });
});
