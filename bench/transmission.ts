/**
 * B6: transmission to a local signed-webhook receiver (the GENERIC channel of issue 5), driven only through the
 * documented API: `POST /api/v1/integrated-channels/configurations/`, `POST …/{id}/transmit/` and
 * `GET /api/v1/tasks/{id}/`. Catalog requests are read from the server's `/metrics`
 * (`ecat_channel_catalog_requests_total{kind}`), what was sent from the receiver itself.
 *
 * Three runs over every configuration: the first sync (everything is a create), a run with no change (nothing may
 * be sent, no diff and no metadata request), and a run after one simulated day of upstream churn and a refresh of
 * the affected queries (exactly the items whose `date_updated` moved are sent).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApiError } from './api.js';
import { median } from './load.js';
import { NotAvailable, type ScenarioContext } from './scenarios.js';
import type { Check, ScenarioResult } from './report.js';

interface HookLog {
  requests: number;
  badSignatures: number;
  items: { create: Set<string>; update: Set<string>; delete: Set<string> };
  deliveries: number;
}

const emptyLog = (): HookLog => ({ requests: 0, badSignatures: 0, items: { create: new Set(), update: new Set(), delete: new Set() }, deliveries: 0 });

/** A lean receiver: verifies the signature, records content ids per action and per hook, answers 200. */
export class WebhookReceiver {
  readonly secret = `whsec-${randomBytes(16).toString('hex')}`;
  readonly hooks = new Map<string, HookLog>();
  private server: Server | null = null;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const hook = (req.url ?? '/').split('?')[0] ?? '/';
        let log = this.hooks.get(hook);
        if (!log) this.hooks.set(hook, (log = emptyLog()));
        log.requests++;
        const ts = String(req.headers['x-ecat-timestamp'] ?? '');
        const sig = String(req.headers['x-ecat-signature'] ?? '');
        const expected = `sha256=${createHmac('sha256', this.secret).update(`${ts}.${raw}`).digest('hex')}`;
        if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
          log.badSignatures++;
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
          return;
        }
        let body: { action?: string; items?: { content_id?: string }[] };
        try {
          body = JSON.parse(raw) as typeof body;
        } catch {
          res.writeHead(400).end();
          return;
        }
        const action = body.action;
        if ((action === 'create' || action === 'update' || action === 'delete') && Array.isArray(body.items)) {
          for (const item of body.items) {
            if (typeof item.content_id === 'string') log.items[action].add(item.content_id);
            log.deliveries++;
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: body.items?.length ?? 0 }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  reset(): void {
    this.hooks.clear();
  }

  totals(): { requests: number; deliveries: number; badSignatures: number } {
    let requests = 0;
    let deliveries = 0;
    let badSignatures = 0;
    for (const l of this.hooks.values()) {
      requests += l.requests;
      deliveries += l.deliveries;
      badSignatures += l.badSignatures;
    }
    return { requests, deliveries, badSignatures };
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** `ecat_channel_catalog_requests_total` summed by `kind`, from the server's Prometheus endpoint. */
async function catalogRequests(origin: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('ecat_channel_catalog_requests_total{')) continue;
    const kind = /kind="([^"]*)"/.exec(line)?.[1] ?? 'unknown';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    out[kind] = (out[kind] ?? 0) + value;
  }
  return out;
}

const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(after), ...Object.keys(before)])) out[k] = (after[k] ?? 0) - (before[k] ?? 0);
  return out;
};

interface TaskView {
  task_id: string;
  state: string;
  result: unknown;
}

/** Ask for the tasks and poll them until every one finished; resolves with the wall time and the tasks. */
async function runTasks(ctx: ScenarioContext, start: () => Promise<string[]>): Promise<{ ms: number; tasks: TaskView[] }> {
  const t = performance.now();
  const ids = await start();
  const done = new Map<string, TaskView>();
  const deadline = Date.now() + (ctx.quick ? 120_000 : 1_800_000);
  while (done.size < ids.length) {
    for (const id of ids) {
      if (done.has(id)) continue;
      const view = await ctx.h.api.get<TaskView>(`/api/v1/tasks/${id}/`);
      if (view.state === 'SUCCESS' || view.state === 'FAILURE') done.set(id, view);
    }
    if (done.size === ids.length) break;
    if (Date.now() > deadline) throw new Error(`${ids.length - done.size} of ${ids.length} tasks still unfinished`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ms: performance.now() - t, tasks: [...done.values()] };
}

interface Config {
  id: number | string;
  hook: string;
  catalog: string;
}

type DiffAnswer = { items_found: { content_key: string; date_updated: string }[]; items_not_found: unknown[]; items_not_included: { content_key: string }[] };

/** The catalog's keys and their `date_updated`, through `generate_diff` with no keys (everything is "not included"), then with all. */
async function catalogState(ctx: ScenarioContext, catalog: string): Promise<Map<string, string>> {
  const path = `/api/v1/enterprise-catalogs/${catalog}/generate_diff/`;
  const all = await ctx.h.api.post<DiffAnswer>(path, { content_keys: [] });
  const keys = all.items_not_included.map((i) => i.content_key);
  const found = await ctx.h.api.post<DiffAnswer>(path, { content_keys: keys });
  return new Map(found.items_found.map((i) => [i.content_key, i.date_updated]));
}

/** Diff and metadata requests (kinds `generate_diff`, `get_content_metadata`); version and list reads are not counted. */
const diffOrMetadata = (requests: Record<string, number>): number =>
  Object.entries(requests)
    .filter(([k]) => /diff|metadata/.test(k))
    .reduce((a, [, v]) => a + v, 0);

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function B6(ctx: ScenarioContext, r: ScenarioResult): Promise<void> {
  const { h } = ctx;
  const server = h.server;
  if (!server) throw new Error('no server running');
  const chunk = 100;
  const receiver = new WebhookReceiver();
  await receiver.start();
  try {
    const configs: Config[] = [];
    for (const [i, t] of h.plan.transmit.entries()) {
      const hook = `/hooks/${i}`;
      let created: { id: number | string };
      try {
        created = await h.api.post<{ id: number | string }>('/api/v1/integrated-channels/configurations/', {
          enterprise_customer: t.customer,
          channel_code: 'GENERIC',
          display_name: `bench webhook ${i}`,
          active: true,
          dry_run_mode_enabled: false,
          transmission_chunk_size: chunk,
          catalogs_to_transmit: [t.catalog],
          show_course_price: true,
          settings: { url: `${receiver.origin}${hook}`, signing_secret: receiver.secret },
        });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          throw new NotAvailable(`POST /api/v1/integrated-channels/configurations/ answered 404 (the channels API is not in this build)`);
        }
        throw err;
      }
      configs.push({ id: created.id, hook, catalog: t.catalog });
    }
    r.details.configurations = configs.length;
    const transmitAll = () =>
      runTasks(ctx, async () => {
        const ids: string[] = [];
        for (const c of configs) ids.push((await h.api.post<{ async_task_id: string }>(`/api/v1/integrated-channels/configurations/${c.id}/transmit/`)).async_task_id);
        return ids;
      });
    const failures = (tasks: TaskView[]) => tasks.filter((t) => t.state !== 'SUCCESS').length;

    // 1. First sync: every item of every configuration's catalog is a create.
    const expectedFirst = new Map<string, Map<string, string>>();
    for (const c of configs) expectedFirst.set(c.hook, await catalogState(ctx, c.catalog));
    const expectedItems = [...expectedFirst.values()].reduce((a, m) => a + m.size, 0);
    let before = await catalogRequests(server.origin);
    const first = await transmitAll();
    const firstRequests = delta(await catalogRequests(server.origin), before);
    const firstTotals = receiver.totals();
    const itemsPerS = round(firstTotals.deliveries / (first.ms / 1000), 0);
    const missingFirst = configs.reduce((a, c) => {
      const got = receiver.hooks.get(c.hook)?.items.create ?? new Set<string>();
      return a + [...(expectedFirst.get(c.hook)?.keys() ?? [])].filter((k) => !got.has(k)).length;
    }, 0);
    r.details.first = { seconds: round(first.ms / 1000), failedTasks: failures(first.tasks), expectedItems, ...firstTotals, catalogRequests: firstRequests, missingItems: missingFirst };
    ctx.log(`  first sync: ${firstTotals.deliveries} items in ${round(first.ms / 1000)} s (${itemsPerS}/s), ${firstTotals.requests} webhook requests`);
    r.checks.push(check('first sync throughput', itemsPerS, 'items/s', '≥ 2,000 items/s', itemsPerS >= 2000));
    r.checks.push(check('first sync: items missing at the receiver', missingFirst, '', '0', missingFirst === 0 && failures(first.tasks) === 0));

    // 2. No change: nothing sent, no diff, no metadata request.
    receiver.reset();
    before = await catalogRequests(server.origin);
    const noChange: number[] = [];
    const second = await transmitAll();
    noChange.push(second.ms);
    const secondRequests = delta(await catalogRequests(server.origin), before);
    const secondTotals = receiver.totals();
    const diffAndMetadata = diffOrMetadata(secondRequests);
    r.details.noChange = { seconds: round(median(noChange) / 1000), failedTasks: failures(second.tasks), ...secondTotals, catalogRequests: secondRequests };
    ctx.log(`  no-change run: ${round(second.ms / 1000)} s, ${secondTotals.requests} webhook requests, catalog requests ${JSON.stringify(secondRequests)}`);
    r.checks.push(check(`no-change run of all ${configs.length} configurations`, round(second.ms / 1000), 's', '≤ 2 s', second.ms <= 2000));
    r.checks.push(check('no-change run: webhook requests', secondTotals.requests, '', '0', secondTotals.requests === 0));
    r.checks.push(check('no-change run: diff and metadata requests', diffAndMetadata, '', '0', diffAndMetadata === 0));

    // 3. One day of upstream churn (~1 % of items), a refresh of the affected queries, then a run.
    const churn = h.sim.dataset.advanceDay();
    const refreshes = await runTasks(ctx, async () => {
      const seen = new Set<number>();
      const ids: string[] = [];
      for (const t of h.plan.transmit) {
        if (seen.has(t.filter)) continue;
        seen.add(t.filter);
        ids.push((await h.api.post<{ async_task_id: string }>(`/api/v1/enterprise-catalogs/${t.catalog}/refresh_metadata/`)).async_task_id);
      }
      return ids;
    });
    const expected = new Map<string, { create: Set<string>; update: Set<string>; delete: Set<string> }>();
    let changedTotal = 0;
    let allowedRequests = 0;
    for (const c of configs) {
      const old = expectedFirst.get(c.hook) ?? new Map<string, string>();
      const now = await catalogState(ctx, c.catalog);
      const e = { create: new Set<string>(), update: new Set<string>(), delete: new Set<string>() };
      for (const [k, d] of now) {
        if (!old.has(k)) e.create.add(k);
        else if (old.get(k) !== d) e.update.add(k);
      }
      for (const k of old.keys()) if (!now.has(k)) e.delete.add(k);
      expected.set(c.hook, e);
      const changed = e.create.size + e.update.size;
      changedTotal += changed + e.delete.size;
      allowedRequests += 1 + Math.ceil(changed / chunk);
    }
    receiver.reset();
    before = await catalogRequests(server.origin);
    const third = await transmitAll();
    const thirdRequests = delta(await catalogRequests(server.origin), before);
    let exact = 0;
    let wrong = 0;
    for (const c of configs) {
      const e = expected.get(c.hook);
      const got = receiver.hooks.get(c.hook)?.items ?? emptyLog().items;
      const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
      if (e && same(e.create, got.create) && same(e.update, got.update) && same(e.delete, got.delete)) exact++;
      else wrong++;
    }
    const thirdDiffMeta = diffOrMetadata(thirdRequests);
    r.details.afterChange = {
      churn: { changed: churn.changed.length, added: churn.added.length, retired: churn.retired.length },
      refreshSeconds: round(refreshes.ms / 1000),
      changedItemsInCatalogs: changedTotal,
      seconds: round(third.ms / 1000),
      failedTasks: failures(third.tasks),
      ...receiver.totals(),
      catalogRequests: thirdRequests,
      allowedCatalogRequests: allowedRequests,
      configurationsExact: exact,
      configurationsWrong: wrong,
    };
    ctx.log(`  after 1 % change: ${changedTotal} changed items, ${receiver.totals().deliveries} sent, ${exact}/${configs.length} configurations exact`);
    r.checks.push(check('after change: configurations sent exactly the changed items', `${exact}/${configs.length}`, '', 'all', wrong === 0));
    r.checks.push(
      check('after change: diff and metadata requests', thirdDiffMeta, '', `≤ Σ(1 + ⌈changed/100⌉) = ${allowedRequests}`, thirdDiffMeta <= allowedRequests, 'total over all catalogs (the metric has no catalog label)'),
    );
  } finally {
    await receiver.close();
  }
}

function check(name: string, measured: number | string | null, unit: string, target: string, met: boolean | null, note?: string): Check {
  return { name, measured, unit, target, met, ...(note ? { note } : {}) };
}
