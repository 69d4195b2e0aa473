/**
 * Cornerstone pulls (reference §6.2 and the seed's exceptions). The scheduled run exports a CSOD configuration like
 * any other (rows get their Cornerstone item and an intent) but sends nothing; Cornerstone polls:
 * - `course-list`: the full current state — every item of the customer's transmitted catalogs, live or waiting to
 *   be created or updated (upstream's "force all catalogs" export). Read-only.
 * - `course-updates`: only what changed since the last poll — items created or updated, and deletions as the stored
 *   item with `IsActive: false` — and marks them transmitted, in the same transaction.
 * With `If-Modified-Since`, an item whose `LastModifiedUTC` is older is sent with the header's time (upstream does
 * this so Cornerstone does not drop it).
 */
import { sql } from 'kysely';
import { type AuthContext, hasLearnerAccess } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../shared/errors.js';
import { type AuditOwner, recordOutcomes } from '../audit.repository.js';
import type { ChannelAction } from '../channel-adapter.js';
import { insertRequestLogs } from '../request-log.repository.js';
import type { RecordedOutcome } from '../transmitter.js';
import { csodTimestamp } from './csod.mapping.js';
import { CSOD_MAX_ITEMS } from './csod.settings.js';

const MISSING_CIID = 'Cornerstone course list API expects ciid parameter.';
const UNKNOWN_CIID = 'No enterprise data found for given ciid.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CsodPoll {
  ciid: string | undefined;
  count?: string;
  ifModifiedSince?: string;
  /** For the request log. */
  url: string;
  headers: Record<string, unknown>;
}

/** A date from `If-Modified-Since` (HTTP-date or ISO); undefined when absent or unreadable. */
function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function withSince(item: Record<string, unknown>, since: Date | undefined): Record<string, unknown> {
  if (since === undefined) return item;
  const last = typeof item['LastModifiedUTC'] === 'string' ? Date.parse(item['LastModifiedUTC']) : Number.NaN;
  if (!Number.isNaN(last) && last >= since.getTime()) return item;
  return { ...item, LastModifiedUTC: csodTimestamp(since) };
}

/** Headers for the poll log, without credentials. */
function loggedHeaders(headers: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (!/authorization|cookie|token/i.test(k)) out[k] = v;
  return JSON.stringify(out);
}

export class CsodPullService {
  constructor(private readonly db: Db) {}

  /** 400 without `ciid`; 403 for a caller without access to the customer; 404 without an active CSOD configuration. */
  async #configuration(auth: AuthContext, ciid: string | undefined): Promise<AuditOwner & { id: number }> {
    if (ciid === undefined || ciid.trim() === '') throw new AppError('bad_request', 'missing_ciid', MISSING_CIID, { message: MISSING_CIID });
    if (!hasLearnerAccess(auth, ciid) && !hasLearnerAccess(auth, ciid.toLowerCase())) {
      throw new AppError('forbidden', 'permission_denied', 'MISSING: catalog.has_learner_access');
    }
    const row = UUID.test(ciid)
      ? await this.db.kysely
          .selectFrom('channel_configuration')
          .select(['id', 'enterprise_customer_uuid'])
          .where('enterprise_customer_uuid', '=', ciid.toLowerCase())
          .where('channel_code', '=', 'CSOD')
          .where('active', '=', true)
          .where('deleted_at', 'is', null)
          .orderBy('id')
          .executeTakeFirst()
      : undefined;
    if (row === undefined) throw new AppError('not_found', 'unknown_ciid', UNKNOWN_CIID, { message: UNKNOWN_CIID });
    return { id: row.id, configurationId: row.id, channelCode: 'CSOD', customerUuid: row.enterprise_customer_uuid };
  }

  async #log(owner: AuditOwner, poll: CsodPoll, items: number): Promise<void> {
    await insertRequestLogs(this.db.kysely, owner, [
      { method: 'GET', url: poll.url, status: 200, durationMs: 0, requestBody: loggedHeaders(poll.headers), responseBody: `${items} items` },
    ]);
  }

  /** `GET /cornerstone/course-list`: the full current state. */
  async courseList(auth: AuthContext, poll: CsodPoll): Promise<Record<string, unknown>[]> {
    const owner = await this.#configuration(auth, poll.ciid);
    const since = parseSince(poll.ifModifiedSince);
    const rows = await this.db.kysely
      .selectFrom('content_metadata_transmission')
      .select(['channel_metadata'])
      .where('configuration_id', '=', owner.id)
      .where('channel_metadata', 'is not', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('is_live', '=', true), eb.or([eb('marked_for', 'is', null), eb('marked_for', '<>', 'delete')])]),
          eb('marked_for', 'in', ['create', 'update']),
        ]),
      )
      .orderBy('id')
      .execute();
    await this.db.kysely
      .insertInto('csod_poll_state')
      .values({ configuration_id: owner.id, last_list_at: new Date(), polls: 1 })
      .onConflict((oc) => oc.column('configuration_id').doUpdateSet({ last_list_at: sql`excluded.last_list_at`, polls: sql`csod_poll_state.polls + 1` }))
      .execute();
    await this.#log(owner, poll, rows.length);
    return rows.map((r) => withSince(r.channel_metadata as Record<string, unknown>, since));
  }

  /** `GET /cornerstone/course-updates`: what changed since the last poll, marked transmitted as it is answered. */
  async courseUpdates(auth: AuthContext, poll: CsodPoll): Promise<Record<string, unknown>[]> {
    const owner = await this.#configuration(auth, poll.ciid);
    const since = parseSince(poll.ifModifiedSince);
    const requested = Number.parseInt(poll.count ?? '', 10);
    const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, CSOD_MAX_ITEMS) : CSOD_MAX_ITEMS;
    const now = new Date();
    const items = await this.db.transaction(async (trx) => {
      const rows = await trx
        .selectFrom('content_metadata_transmission')
        .select(['content_id', 'marked_for', 'channel_metadata'])
        .where('configuration_id', '=', owner.id)
        .where('marked_for', 'is not', null)
        .where('channel_metadata', 'is not', null)
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .execute();
      const outcomes: RecordedOutcome[] = rows.map((r) => ({
        item: { contentId: r.content_id, action: r.marked_for as ChannelAction, metadata: r.channel_metadata },
        ok: true,
        status: 200,
        body: '',
      }));
      await recordOutcomes(trx, owner, outcomes, { now, permanentBackoffMs: 0, transientBackoffMs: 0, redact: (t) => t });
      await trx
        .insertInto('csod_poll_state')
        .values({ configuration_id: owner.id, last_updates_at: now, polls: 1 })
        .onConflict((oc) =>
          oc.column('configuration_id').doUpdateSet({ last_updates_at: sql`excluded.last_updates_at`, polls: sql`csod_poll_state.polls + 1` }),
        )
        .execute();
      if (rows.length > 0) {
        await trx
          .updateTable('channel_configuration')
          .set({ last_content_sync_attempted_at: sql`greatest(last_content_sync_attempted_at, ${now}::timestamptz)` })
          .where('id', '=', owner.id)
          .execute();
      }
      return rows.map((r) => {
        const item = { ...(r.channel_metadata as Record<string, unknown>) };
        if (r.marked_for === 'delete') item['IsActive'] = false;
        return withSince(item, since);
      });
    }, 'channels.csod.updates');
    await this.#log(owner, poll, items.length);
    return items;
  }
}
