/**
 * The outbound request log (upstream `IntegratedChannelAPIRequestLogs`), with bodies already redacted by the
 * channel HTTP helper and scrubbed again of the configuration's secrets by the engine (P12).
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { ChannelRequestLogEntry } from './channel-adapter.js';
import type { AuditOwner } from './audit.repository.js';

export async function insertRequestLogs(executor: Executor, owner: AuditOwner, entries: readonly ChannelRequestLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await executor
    .insertInto('channel_request_log')
    .values(
      entries.map((e) => ({
        configuration_id: owner.configurationId,
        channel_code: owner.channelCode,
        enterprise_customer_uuid: owner.customerUuid,
        method: e.method.slice(0, 10),
        url: e.url,
        status: e.status,
        duration_ms: Math.max(0, Math.round(e.durationMs)),
        request_body: e.requestBody ?? null,
        response_body: e.responseBody ?? null,
        error: e.error ?? null,
      })),
    )
    .execute();
}

/** Drop entries older than `days`; returns how many. */
export async function pruneRequestLogs(executor: Executor, days: number): Promise<number> {
  const r = await executor
    .deleteFrom('channel_request_log')
    .where('created', '<', sql<Date>`now() - ${sql.lit(`${days} days`)}::interval`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function requestLogsOf(executor: Executor, configurationId: number): Promise<Array<{ method: string; url: string; status: number | null; request_body: string | null; response_body: string | null; error: string | null }>> {
  return executor
    .selectFrom('channel_request_log')
    .select(['method', 'url', 'status', 'request_body', 'response_body', 'error'])
    .where('configuration_id', '=', configurationId)
    .orderBy('id')
    .execute();
}
