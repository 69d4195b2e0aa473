/**
 * The transmission audit (`content_metadata_transmission`, reference §4.1): one row per (channel, configuration,
 * content id), never deleted — a deleted item keeps its row with `remote_deleted_at` set. Writes are upserts on that
 * unique key (never check-then-insert).
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { ChannelAction } from './channel-adapter.js';
import { columnMicros, microsToIso } from './channel-time.js';
import type { AuditCatalogSummary, PlanRow, RowWrite } from './exporter.js';
import type { ChannelRequestLogEntry } from './channel-adapter.js';
import { syncAttemptUpdate } from './configuration.repository.js';
import { requestLogsInsert } from './request-log.repository.js';
import type { RecordedOutcome, SendItem } from './transmitter.js';

/** Bodies kept on the row; upstream's limit is 16 MB, but a page of LMS HTML is plenty to diagnose. */
export const MAX_STORED_BODY = 20_000;
const WRITE_BATCH = 500;

export interface AuditOwner {
  configurationId: number;
  channelCode: string;
  customerUuid: string;
}

/** Every row of a configuration, as the exporter needs them (no payloads). */
export async function planRows(executor: Executor, configurationId: number): Promise<PlanRow[]> {
  const rows = await executor
    .selectFrom('content_metadata_transmission as t')
    .select([
      't.content_id as contentId',
      't.enterprise_customer_catalog_uuid as catalogUuid',
      't.marked_for as markedFor',
      't.is_live as isLive',
      columnMicros('t.content_last_changed').as('contentLastChangedUs'),
      't.next_attempt_at as nextAttemptAt',
      't.orphaned_at as orphanedAt',
    ])
    .where('t.configuration_id', '=', configurationId)
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({ ...r, contentLastChangedUs: r.contentLastChangedUs === null ? null : Number(r.contentLastChangedUs) }));
}

/** {@link AuditCatalogSummary} per catalog of a configuration's rows: one aggregate instead of every row. */
export async function auditSummary(executor: Executor, configurationId: number): Promise<AuditCatalogSummary[]> {
  const rows = await executor
    .selectFrom('content_metadata_transmission')
    .select([
      'enterprise_customer_catalog_uuid as catalogUuid',
      sql<number>`count(*) filter (where marked_for is not null)`.as('pending'),
      sql<number>`count(*) filter (where is_live)`.as('live'),
      sql<number>`count(*) filter (where is_live and orphaned_at is null)`.as('liveNotOrphaned'),
      sql<number>`count(*) filter (where is_live and marked_for is distinct from 'delete')`.as('liveNotDeleting'),
    ])
    .where('configuration_id', '=', configurationId)
    .groupBy('enterprise_customer_catalog_uuid')
    .execute();
  return rows.map((r) => ({
    catalogUuid: r.catalogUuid,
    pending: Number(r.pending),
    live: Number(r.live),
    liveNotOrphaned: Number(r.liveNotOrphaned),
    liveNotDeleting: Number(r.liveNotDeleting),
  }));
}

type WriteColumns = {
  marked_for?: ChannelAction | null;
  enterprise_customer_catalog_uuid?: string;
  channel_metadata?: string | null;
  content_title?: string | null;
  content_last_changed?: string | null;
  orphaned_at?: Date | null;
};

function columnsOf(w: RowWrite): WriteColumns {
  const c: WriteColumns = {};
  if (w.markedFor !== undefined) c.marked_for = w.markedFor;
  if (w.catalogUuid !== undefined) c.enterprise_customer_catalog_uuid = w.catalogUuid;
  if (w.channelMetadata !== undefined) c.channel_metadata = JSON.stringify(w.channelMetadata);
  if (w.contentTitle !== undefined) c.content_title = w.contentTitle.slice(0, 255);
  if (w.contentLastChangedUs !== undefined) c.content_last_changed = w.contentLastChangedUs === null ? null : microsToIso(w.contentLastChangedUs);
  if (w.orphanedAt !== undefined) c.orphaned_at = w.orphanedAt;
  return c;
}

/**
 * Apply an export plan: each write is an upsert keyed by (channel, configuration, content id). Writes with the same
 * columns go in one multi-row statement.
 */
export async function applyWrites(executor: Executor, owner: AuditOwner, writes: Iterable<RowWrite>): Promise<number> {
  const groups = new Map<string, Array<{ contentId: string; cols: WriteColumns }>>();
  for (const w of writes) {
    const cols = columnsOf(w);
    const shape = Object.keys(cols).sort().join(',');
    let g = groups.get(shape);
    if (!g) groups.set(shape, (g = []));
    g.push({ contentId: w.contentId, cols });
  }
  let n = 0;
  for (const [shape, group] of groups) {
    const names = shape === '' ? [] : (shape.split(',') as Array<keyof WriteColumns>);
    for (let i = 0; i < group.length; i += WRITE_BATCH) {
      const batch = group.slice(i, i + WRITE_BATCH);
      await executor
        .insertInto('content_metadata_transmission')
        .values(
          batch.map(({ contentId, cols }) => ({
            enterprise_customer_uuid: owner.customerUuid,
            channel_code: owner.channelCode,
            configuration_id: owner.configurationId,
            content_id: contentId,
            ...cols,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['channel_code', 'configuration_id', 'content_id']).doUpdateSet((eb) => {
            const set: Record<string, unknown> = { modified: sql`now()` };
            for (const name of names) set[name] = eb.ref(`excluded.${name}`);
            return set;
          }),
        )
        .execute();
      n += batch.length;
    }
  }
  return n;
}

/** Rows waiting to be sent whose back-off has passed (all of them when `cutoff` is null: a forced run). */
export async function pendingItems(executor: Executor, configurationId: number, cutoff: Date | null): Promise<SendItem[]> {
  const rows = await executor
    .selectFrom('content_metadata_transmission')
    .select(['content_id', 'marked_for', 'channel_metadata'])
    .where('configuration_id', '=', configurationId)
    .where('marked_for', 'is not', null)
    .$if(cutoff !== null, (qb) => qb.where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', cutoff as Date)])))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ contentId: r.content_id, action: r.marked_for as ChannelAction, metadata: r.channel_metadata }));
}

export interface OutcomePolicy {
  now: Date;
  /** Back-off after a permanent refusal. */
  permanentBackoffMs: number;
  /** First back-off after a transient failure; doubles with each consecutive failure, up to `permanentBackoffMs`. */
  transientBackoffMs: number;
  /** Scrub credentials from response bodies. */
  redact(text: string): string;
}

const REMOTE_AT: Record<ChannelAction, 'remote_created_at' | 'remote_updated_at' | 'remote_deleted_at'> = {
  create: 'remote_created_at',
  update: 'remote_updated_at',
  delete: 'remote_deleted_at',
};

/**
 * Write the outcome of one call onto its rows. Success clears the intent and the back-off and sets whether the LMS
 * holds the item; failure keeps the intent, records the error and the time before the next attempt.
 */
export async function recordOutcomes(executor: Executor, owner: AuditOwner, outcomes: readonly RecordedOutcome[], policy: OutcomePolicy): Promise<void> {
  for (const update of outcomeUpdates(executor, owner, outcomes, policy)) await update.execute();
}

/**
 * {@link recordOutcomes}, the request log entries of the call and the configuration's sync-attempt time, all in one
 * statement (its own transaction): one round trip per call instead of five, and still all or nothing.
 */
export async function recordCall(
  executor: Executor,
  owner: AuditOwner,
  outcomes: readonly RecordedOutcome[],
  policy: OutcomePolicy,
  call: { logs: readonly ChannelRequestLogEntry[] },
): Promise<void> {
  // One CTE per outcome group (disjoint rows, so no row is written twice in the statement) and one for the logs.
  const parts = outcomeUpdates(executor, owner, outcomes, policy);
  const logs = requestLogsInsert(executor, owner, call.logs);
  const ctes = [...parts, ...(logs ? [logs] : [])].map((q, i) => sql`${sql.id(`w${i}`)} as (${q})`);
  const attempt = syncAttemptUpdate(executor, owner.configurationId, policy.now, outcomes.some((o) => !o.ok));
  await (ctes.length === 0 ? attempt : sql`with ${sql.join(ctes)} ${attempt}`).execute(executor);
}

function outcomeUpdates(executor: Executor, owner: AuditOwner, outcomes: readonly RecordedOutcome[], policy: OutcomePolicy) {
  const groups = new Map<string, { ids: string[]; o: RecordedOutcome }>();
  for (const o of outcomes) {
    const key = JSON.stringify([o.item.action, o.ok, o.status, o.body, o.ok ? null : [o.kind, o.retryAfterMs]]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ids: [], o }));
    g.ids.push(o.item.contentId);
  }
  const nowIso = policy.now.toISOString();
  return [...groups.values()].map(({ ids, o }) => {
    const body = truncateBody(policy.redact(o.body));
    const base = executor
      .updateTable('content_metadata_transmission')
      .where('configuration_id', '=', owner.configurationId)
      .where('channel_code', '=', owner.channelCode)
      .where('content_id', 'in', ids);
    if (o.ok) {
      return base.set({
        [REMOTE_AT[o.item.action]]: nowIso,
        api_response_status_code: o.status,
        api_response_body: body,
        marked_for: null,
        is_live: o.item.action !== 'delete',
        remote_errored_at: null,
        failure_count: 0,
        next_attempt_at: null,
        modified: sql`now()`,
      });
    }
    const next =
      o.kind === 'permanent'
        ? sql<string>`${nowIso}::timestamptz + ${sql.lit(`${policy.permanentBackoffMs} milliseconds`)}::interval`
        : o.retryAfterMs !== null
          ? sql<string>`${nowIso}::timestamptz + ${sql.lit(`${Math.max(o.retryAfterMs, 1000)} milliseconds`)}::interval`
          : sql<string>`${nowIso}::timestamptz + least(${sql.lit(`${policy.transientBackoffMs} milliseconds`)}::interval * power(2, least(failure_count, 16)), ${sql.lit(`${Math.max(policy.permanentBackoffMs, policy.transientBackoffMs)} milliseconds`)}::interval)`;
    return base.set({
      [REMOTE_AT[o.item.action]]: nowIso,
      api_response_status_code: o.status,
      api_response_body: body,
      remote_errored_at: nowIso,
      failure_count: sql`failure_count + 1`,
      next_attempt_at: next,
      modified: sql`now()`,
    });
  });
}

export function truncateBody(text: string): string {
  return text.length <= MAX_STORED_BODY ? text : `${text.slice(0, MAX_STORED_BODY)}…[truncated ${text.length - MAX_STORED_BODY} chars]`;
}

/** Rows of a configuration attributed to each catalog that wait to be sent (the fast path's "nothing pending"). */
export async function pendingCountByCatalog(executor: Executor, configurationId: number): Promise<Map<string, number>> {
  const rows = await executor
    .selectFrom('content_metadata_transmission')
    .select(['enterprise_customer_catalog_uuid as catalog', (eb) => eb.fn.countAll<number>().as('n')])
    .where('configuration_id', '=', configurationId)
    .where('marked_for', 'is not', null)
    .groupBy('enterprise_customer_catalog_uuid')
    .execute();
  return new Map(rows.map((r) => [String(r.catalog), Number(r.n)]));
}

export interface AuditCounts {
  live: number;
  pending: number;
  failed: number;
  deleted: number;
}

export async function auditCounts(executor: Executor, configurationId: number): Promise<AuditCounts> {
  const row = await executor
    .selectFrom('content_metadata_transmission')
    .select([
      sql<number>`count(*) filter (where is_live)`.as('live'),
      sql<number>`count(*) filter (where marked_for is not null)`.as('pending'),
      sql<number>`count(*) filter (where remote_errored_at is not null)`.as('failed'),
      sql<number>`count(*) filter (where not is_live and remote_deleted_at is not null)`.as('deleted'),
    ])
    .where('configuration_id', '=', configurationId)
    .executeTakeFirstOrThrow();
  return { live: Number(row.live), pending: Number(row.pending), failed: Number(row.failed), deleted: Number(row.deleted) };
}
