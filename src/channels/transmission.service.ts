/**
 * One transmission run of one configuration: lease → export plan → intent saved → transmit → outcomes saved.
 *
 * - At most one run per configuration at a time: the job queue already coalesces by configuration id, and the run
 *   also holds a short lease on the configuration row (renewed while it runs), so nothing else — another queue
 *   policy, a CLI, a second worker — can overlap it. A run killed with `kill -9` leaves a lease that expires within
 *   `leaseTtlMs`; the job it was running is put back by the job leases and waits for it.
 * - The whole run has a time budget; waits for `Retry-After` and for the channel's call interval count against it.
 * - A dry run computes the plan and lists what would be sent, and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/database.js';
import type { ChannelRunStatus } from '../db/schema.js';
import { applyWrites, auditSummary, type AuditOwner, pendingItems, planRows, recordCall } from './audit.repository.js';
import type { ChannelContext, ChannelRequestLogEntry } from './channel-adapter.js';
import { type AdapterLookup, channelDefinition } from './channel-definitions.js';
import { type CatalogClientFactory, CatalogRequestCounter } from './catalog-client.js';
import {
  acquireRunLease,
  type ConfigurationRecord,
  findConfiguration,
  readLastCallAt,
  releaseRunLease,
  replaceSettings,
  setLastCallAt,
} from './configuration.repository.js';
import type { ChannelMetrics } from './channels.metrics.js';
import { type ExportCounts, exportContent, type RowWrite } from './exporter.js';
import { Redactor } from './http/redact.js';
import { insertRequestLogs } from './request-log.repository.js';
import { beginRun, endRun, finishTransmitTasks } from './run.repository.js';
import { decryptSecrets, encryptSecrets, type SecretBox, secretValues } from './secrets.js';
import { loadSyncStates, saveSyncStates, type SyncStateUpdate } from './sync-state.repository.js';
import { type RecordedOutcome, type SendItem, type TransmitResult, transmitItems } from './transmitter.js';

export type RunReason = 'schedule' | 'on_demand' | 'cli';

export interface RunOptions {
  reason: RunReason;
  jobId?: string | null;
  /** Aborted on shutdown. */
  signal?: AbortSignal;
  /** Ignore the error back-off (default: on-demand and CLI runs). */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface RunSummary {
  configurationId: number;
  status: ChannelRunStatus;
  detail: string | null;
  dryRun: boolean;
  durationMs: number;
  catalogs: { total: number; skipped: number; diffed: number };
  planned: Partial<ExportCounts>;
  transmitted: Omit<TransmitResult, 'stopped'> | null;
  catalogRequests: { total: number; byKind: Record<string, number> };
  /** Dry runs: what would be sent, by action. */
  wouldSend?: Record<string, number>;
}

export interface TransmissionLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TransmissionDeps {
  db: Db;
  catalog: CatalogClientFactory;
  logger: TransmissionLogger;
  secrets: SecretBox | null;
  budgetMs: number;
  permanentBackoffMs: number;
  fullDiffAfterMs: number;
  /** First back-off after a transient failure (5xx, timeout). */
  transientBackoffMs?: number;
  adapters?: AdapterLookup;
  metrics?: ChannelMetrics;
  workerId?: string;
  /**
   * This process is the only one on the database (embedded mode's exclusive lock): a lease held by another process
   * belongs to one that died (`kill -9`) and is taken at once instead of after its expiry.
   */
  soleProcess?: boolean;
  leaseTtlMs?: number;
  /** Longest wait for a lease held by another run before giving up. */
  leaseWaitMs?: number;
  unavailableAttempts?: number;
  unavailableBackoffMs?: number;
  now?: () => Date;
}

/** Leases name their process, so embedded mode can tell a dead process's lease from a live one of its own. */
const PROCESS_PREFIX = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}/`;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class TransmissionService {
  readonly #d: TransmissionDeps;
  readonly #workerId: string;

  constructor(deps: TransmissionDeps) {
    this.#d = deps;
    this.#workerId = deps.workerId ?? 'run';
  }

  #now(): Date {
    return this.#d.now?.() ?? new Date();
  }

  /** Run one configuration. Never throws for channel or catalog failures: they end up in the summary. */
  async run(configurationId: number, opts: RunOptions): Promise<RunSummary> {
    const started = this.#now();
    const base = (status: ChannelRunStatus, detail: string | null, dryRun = false): RunSummary => ({
      configurationId,
      status,
      detail,
      dryRun,
      durationMs: this.#now().getTime() - started.getTime(),
      catalogs: { total: 0, skipped: 0, diffed: 0 },
      planned: {},
      transmitted: null,
      catalogRequests: { total: 0, byKind: {} },
    });
    const db = this.#d.db.kysely;
    const ttl = this.#d.leaseTtlMs ?? 15_000;
    const owner = `${PROCESS_PREFIX}${this.#workerId}:${randomUUID().slice(0, 8)}`;
    // The lease comes with the configuration as it is under it (it may have changed while we waited).
    const current = await this.#acquire(configurationId, owner, ttl, opts.signal);
    if (current === undefined) {
      if ((await findConfiguration(db, configurationId)) === undefined) {
        await finishTransmitTasks(db, configurationId, started, 'FAILURE', { detail: 'configuration not found' });
        return base('skipped', 'configuration not found');
      }
      this.#d.logger.info({ configurationId }, 'another transmission of this configuration is running; not starting a second one');
      return base('skipped', 'another transmission of this configuration is running');
    }
    const renew = setInterval(() => {
      acquireRunLease(this.#d.db.kysely, configurationId, owner, ttl).catch((err: unknown) =>
        this.#d.logger.warn({ err, configurationId }, 'could not renew the transmission lease'),
      );
    }, Math.max(1_000, Math.floor(ttl / 3)));
    renew.unref();

    let runId: number | null = null;
    let summary: RunSummary;
    try {
      runId = await beginRun(db, { configurationId, jobId: opts.jobId ?? null, reason: opts.reason, dryRun: current.dryRunModeEnabled, tasksUntil: started });
      summary = await this.#runLocked(current, opts, started, base);
    } catch (err) {
      this.#d.logger.error({ err, configurationId }, 'transmission failed');
      summary = base('failed', err instanceof Error ? err.message : String(err));
    } finally {
      clearInterval(renew);
    }
    summary.durationMs = this.#now().getTime() - started.getTime();
    try {
      await endRun(db, {
        runId,
        configurationId,
        owner,
        status: summary.status,
        summary: summary as unknown as Record<string, unknown>,
        detail: summary.detail,
        tasksUntil: started,
        taskState: summary.status === 'failed' ? 'FAILURE' : 'SUCCESS',
      });
    } catch (err) {
      await releaseRunLease(db, configurationId, owner).catch(() => undefined);
      throw err;
    }
    this.#d.metrics?.runs.inc({ channel: current.channelCode, status: summary.status });
    this.#d.metrics?.runDuration.observe({ channel: current.channelCode }, summary.durationMs / 1000);
    this.#d.logger.info({ transmission: summary }, 'transmission finished');
    return summary;
  }

  async #acquire(configurationId: number, owner: string, ttl: number, signal?: AbortSignal): Promise<ConfigurationRecord | undefined> {
    const waitUntil = Date.now() + (this.#d.leaseWaitMs ?? ttl + 5_000);
    for (;;) {
      const config = await acquireRunLease(this.#d.db.kysely, configurationId, owner, ttl, this.#d.soleProcess ? PROCESS_PREFIX : undefined);
      if (config !== undefined) return config;
      // A configuration that is gone will not come back: no point waiting for its lease.
      if (Date.now() >= waitUntil || signal?.aborted || (await findConfiguration(this.#d.db.kysely, configurationId)) === undefined) return undefined;
      await sleep(Math.min(1_000, ttl / 4), signal);
    }
  }

  async #runLocked(
    config: ConfigurationRecord,
    opts: RunOptions,
    started: Date,
    base: (status: ChannelRunStatus, detail: string | null, dryRun?: boolean) => RunSummary,
  ): Promise<RunSummary> {
    const d = this.#d;
    const db = d.db.kysely;
    const def = channelDefinition(config.channelCode, d.adapters);
    if (def === undefined) return base('failed', `no channel for code ${config.channelCode}`);
    const dryRun = config.dryRunModeEnabled;
    if (!config.active) return base('skipped', 'configuration is not active', dryRun);

    // The HTTP client reports each request with its status itself; in-process calls are counted here.
    const counter = new CatalogRequestCounter((kind) => {
      if (d.catalog.kind === 'in-process') d.metrics?.catalogRequests.inc({ client: 'in-process', kind, status: 'ok' });
    });
    const client = d.catalog.forRun(counter);
    const withRequests = (s: RunSummary): RunSummary => ({ ...s, catalogRequests: counter.snapshot() });

    if ((await client.customerActive(config.enterpriseCustomerUuid)) === false) {
      return withRequests(base('skipped', 'the customer is not active', dryRun));
    }

    const force = opts.force ?? opts.reason !== 'schedule';
    const deadline = started.getTime() + d.budgetMs;
    const budget = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    const signal = opts.signal ? AbortSignal.any([opts.signal, budget]) : budget;

    let settings = decryptSecrets(config.settings, def.adapter.secretFields, d.secrets);
    const redactor = new Redactor(secretValues(settings, def.adapter.secretFields));
    const mapCtx = { settings, showCoursePrice: config.showCoursePrice, enterpriseCustomerUuid: config.enterpriseCustomerUuid, now: () => this.#now() };
    const owner: AuditOwner = { configurationId: config.id, channelCode: config.channelCode, customerUuid: config.enterpriseCustomerUuid };

    // 1. What must change.
    const plan = await exportContent({
      configuration: {
        id: config.id,
        customerUuid: config.enterpriseCustomerUuid,
        catalogsToTransmit: config.catalogsToTransmit,
        removeOrphanedContent: config.removeOrphanedContent,
      },
      rows: { summary: await auditSummary(db, config.id), load: () => planRows(db, config.id) },
      syncStates: await loadSyncStates(db, config.id),
      client,
      map: (item, action) => def.adapter.mapItem(item, action, mapCtx),
      now: started,
      force,
      fullDiffAfterMs: d.fullDiffAfterMs,
      logger: d.logger,
    });
    const catalogs = {
      total: plan.catalogs.length,
      skipped: plan.catalogs.filter((c) => c.skipped).length,
      diffed: plan.catalogs.filter((c) => c.diffed).length,
    };
    const cutoff = force ? null : started;

    if (dryRun) {
      const wouldSend = dryRunItems(await pendingItems(db, config.id, cutoff), plan.writes);
      const byAction: Record<string, number> = { delete: 0, create: 0, update: 0 };
      for (const item of wouldSend) {
        byAction[item.action] = (byAction[item.action] ?? 0) + 1;
        d.logger.info({ configurationId: config.id, action: item.action, contentId: item.contentId }, 'dry run: would send');
      }
      return { ...withRequests(base('success', 'dry run: nothing was sent or changed', true)), catalogs, planned: plan.counts, wouldSend: byAction };
    }

    // 2. The intent, before any call.
    const stateUpdates: SyncStateUpdate[] = plan.catalogs
      .filter((c) => c.diffed)
      .map((c) => ({ catalogUuid: c.uuid, diffedAt: started, ...(c.complete ? { syncedVersion: c.version } : {}) }));
    if (plan.writes.size > 0 || stateUpdates.length > 0) {
      await d.db.transaction(async (trx) => {
        await applyWrites(trx, owner, plan.writes.values());
        await saveSyncStates(trx, config.id, stateUpdates, started);
      }, 'channels.export');
    }

    if (def.pull) {
      return { ...withRequests(base('success', 'Cornerstone pulls its items; they wait for its next poll')), catalogs, planned: plan.counts };
    }

    // 3. Send what is marked, and record each outcome.
    // Nothing was pending before the plan and the plan marked nothing: no row to read back.
    const nothingMarked = plan.pendingBefore === 0 && ![...plan.writes.values()].some((w) => w.markedFor != null);
    const items = nothingMarked ? [] : await pendingItems(db, config.id, cutoff);
    const logs: ChannelRequestLogEntry[] = [];
    let lastCallAt: Date | null | undefined;
    const minInterval = def.adapter.minCallIntervalMs ?? 0;
    const context = (): ChannelContext<Record<string, unknown>> => ({
      configurationId: config.id,
      enterpriseCustomerUuid: config.enterpriseCustomerUuid,
      settings: structuredClone(settings),
      showCoursePrice: config.showCoursePrice,
      saveSettings: async (patch) => {
        const merged = { ...settings, ...patch };
        for (const v of secretValues(merged, def.adapter.secretFields)) redactor.add(v);
        await replaceSettings(d.db.kysely, config.id, encryptSecrets(merged, def.adapter.secretFields, d.secrets));
        settings = merged;
      },
      logRequest: (entry) => logs.push(scrubEntry(entry, redactor)),
      signal,
      now: () => this.#now(),
    });

    const result = await transmitItems(items, {
      adapter: def.adapter,
      chunkSize: config.transmissionChunkSize,
      dryRun: false,
      deadline,
      signal,
      context,
      now: () => this.#now().getTime(),
      sleep,
      unavailableAttempts: d.unavailableAttempts,
      unavailableBackoffMs: d.unavailableBackoffMs,
      waitForCallSlot: async () => {
        if (minInterval <= 0) return true;
        if (lastCallAt === undefined) lastCallAt = await readLastCallAt(db, config.id);
        const wait = lastCallAt === null ? 0 : lastCallAt.getTime() + minInterval - this.#now().getTime();
        if (wait > 0) {
          if (this.#now().getTime() + wait >= deadline) return false;
          await sleep(wait, signal);
          if (signal.aborted) return false;
        }
        lastCallAt = this.#now();
        await setLastCallAt(db, config.id, lastCallAt);
        return true;
      },
      record: async (outcomes: RecordedOutcome[]) => {
        const now = this.#now();
        const entries = logs.splice(0);
        await recordCall(
          db,
          owner,
          outcomes,
          {
            now,
            permanentBackoffMs: d.permanentBackoffMs,
            transientBackoffMs: d.transientBackoffMs ?? 60_000,
            redact: (t) => redactor.redactText(t),
          },
          { logs: entries },
        );
        for (const o of outcomes) {
          d.metrics?.items.inc({ channel: config.channelCode, action: o.item.action, outcome: o.ok ? 'success' : o.kind });
        }
      },
      onProgress: opts.onProgress,
    });
    if (logs.length > 0) await insertRequestLogs(db, owner, logs.splice(0));

    const { stopped, ...transmitted } = result;
    const status: ChannelRunStatus = stopped !== null || result.failed > 0 || result.deferred > 0 ? 'partial' : 'success';
    return { ...withRequests(base(status, stopped)), catalogs, planned: plan.counts, transmitted };
  }
}

/** The pending rows with the plan applied in memory: what a run would send. */
function dryRunItems(pending: readonly SendItem[], writes: ReadonlyMap<string, RowWrite>): SendItem[] {
  const byId = new Map(pending.map((p) => [p.contentId, p]));
  for (const w of writes.values()) {
    if (w.markedFor === null) byId.delete(w.contentId);
    else if (w.markedFor !== undefined) {
      byId.set(w.contentId, { contentId: w.contentId, action: w.markedFor, metadata: w.channelMetadata ?? byId.get(w.contentId)?.metadata ?? null });
    }
  }
  return [...byId.values()];
}

function scrubEntry(entry: ChannelRequestLogEntry, redactor: Redactor): ChannelRequestLogEntry {
  return {
    ...entry,
    url: redactor.scrub(entry.url),
    ...(entry.requestBody !== undefined ? { requestBody: redactor.scrub(entry.requestBody) } : {}),
    ...(entry.responseBody !== undefined ? { responseBody: redactor.scrub(entry.responseBody) } : {}),
    ...(entry.error !== undefined ? { error: redactor.scrub(entry.error) } : {}),
  };
}
