/**
 * The outbound request log (upstream `IntegratedChannelAPIRequestLogs`), with bodies already redacted by the
 * channel HTTP helper and scrubbed again of the configuration's secrets by the engine (P12).
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { ChannelRequestLogEntry } from './channel-adapter.js';

/** Whose calls these are (the audit's owner; declared here so the audit can build these inserts without a cycle). */
export interface RequestLogOwner {
  configurationId: number;
  channelCode: string;
  customerUuid: string;
}

export async function insertRequestLogs(executor: Executor, owner: RequestLogOwner, entries: readonly ChannelRequestLogEntry[]): Promise<void> {
  await requestLogsInsert(executor, owner, entries)?.execute();
}

/** The insert of {@link insertRequestLogs}, unexecuted (to run inside a larger statement); null when there is nothing to log. */
export function requestLogsInsert(executor: Executor, owner: RequestLogOwner, entries: readonly ChannelRequestLogEntry[]) {
  if (entries.length === 0) return null;
  return executor.insertInto('channel_request_log').values(
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
  );
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
