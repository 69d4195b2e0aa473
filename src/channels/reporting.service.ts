/**
 * The admin portal's content sync status (reference §4.2): one line per audit row of a configuration, paginated,
 * filterable (`?<field>=` as "contains", case-insensitive) and sortable (`sort_by=<field>` or `-<field>`).
 * `sync_status` is `error` when the row's last attempt failed, `pending` while it waits to be sent, else `okay`.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { type AuthContext, hasAdminAccess, hasProvisioningAdminAccess } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { AppError, badRequest, notFound } from '../shared/errors.js';
import { findConfiguration } from './configuration.repository.js';

/** Messages an admin can act on, by response status (upstream derives them from a status table too). */
export const FRIENDLY_STATUS: ReadonlyArray<[number, string]> = [
  [400, 'The LMS rejected the content as invalid.'],
  [401, 'The LMS refused the credentials; check the configuration.'],
  [403, 'The LMS refused access; check the permissions of the configured account.'],
  [404, 'The LMS could not find this content.'],
  [408, 'The LMS took too long to answer; it will be retried.'],
  [409, 'The LMS reported a conflict with existing content.'],
  [429, 'The LMS asked us to slow down; it will be retried.'],
  [555, 'The LMS could not be reached or the error is unknown; it will be retried.'],
];
const SERVER_ERROR_MESSAGE = 'The LMS had an internal error; it will be retried.';
const OTHER_ERROR_MESSAGE = 'The LMS refused the content.';

// `remote_errored_at` is set exactly when the last attempt failed: an acknowledged call may carry a non-2xx status
// the adapter judged a success (Blackboard's 404 on deleting a course that is already gone).
const statusExpr = sql<string>`case
  when t.remote_errored_at is not null then 'error'
  when t.marked_for is not null or t.api_response_status_code is null then 'pending'
  else 'okay' end`;

const friendlyExpr = sql<string | null>`case
  when t.remote_errored_at is null then null
  ${sql.join(
    FRIENDLY_STATUS.map(([code, msg]) => sql`when t.api_response_status_code = ${sql.lit(code)} then ${sql.lit(msg)}`),
    sql` `,
  )}
  when t.api_response_status_code >= 500 then ${sql.lit(SERVER_ERROR_MESSAGE)}
  else ${sql.lit(OTHER_ERROR_MESSAGE)} end`;

const lastAttemptExpr = sql<Date | null>`greatest(t.remote_created_at, t.remote_updated_at, t.remote_deleted_at)`;

const SORTABLE = {
  content_title: sql`t.content_title`,
  content_id: sql`t.content_id`,
  sync_status: statusExpr,
  sync_last_attempted_at: lastAttemptExpr,
  friendly_status_message: friendlyExpr,
} as const;
type Field = keyof typeof SORTABLE;

export interface SyncStatusQuery {
  page?: string;
  page_size?: string;
  sort_by?: string;
  [field: string]: unknown;
}

export async function contentSyncStatus(db: Db, auth: AuthContext, params: { customerUuid: string; channelCode: string; configurationId: string }, query: SyncStatusQuery, url: URL) {
  const id = /^\d{1,9}$/.test(params.configurationId) ? Number(params.configurationId) : null;
  const config = id === null ? undefined : await findConfiguration(db.kysely, id);
  const customer = params.customerUuid.toLowerCase();
  if (!hasProvisioningAdminAccess(auth) && !hasAdminAccess(auth, params.customerUuid) && !hasAdminAccess(auth, customer)) {
    throw new AppError('forbidden', 'permission_denied', 'MISSING: catalog.has_admin_access');
  }
  if (config === undefined || config.enterpriseCustomerUuid !== customer || config.channelCode !== params.channelCode.toUpperCase()) {
    throw notFound('configuration_not_found');
  }

  const filters: Expression<SqlBool>[] = [];
  for (const field of Object.keys(SORTABLE) as Field[]) {
    const v = query[field];
    if (typeof v !== 'string' || v === '') continue;
    filters.push(sql<SqlBool>`coalesce(${SORTABLE[field]}::text, '') ilike ${`%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  }
  let order = sql`t.id`;
  if (query.sort_by !== undefined && query.sort_by !== '') {
    const desc = query.sort_by.startsWith('-');
    const name = query.sort_by.replace(/^-/, '');
    if (!(name in SORTABLE)) throw badRequest('invalid_sort', `sort_by must be one of ${Object.keys(SORTABLE).join(', ')}.`, { sort_by: ['Unknown field.'] });
    order = sql`${SORTABLE[name as Field]} ${sql.raw(desc ? 'desc nulls last' : 'asc nulls first')}, t.id`;
  }

  const where = (qb: ReturnType<typeof base>) => filters.reduce((q, f) => q.where(f), qb);
  const base = () => db.kysely.selectFrom('content_metadata_transmission as t').where('t.configuration_id', '=', config.id);
  const { n } = await where(base()).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const count = Number(n);
  const pageSize = Math.min(100, Math.max(1, Number.parseInt(query.page_size ?? '', 10) || 10));
  const numPages = Math.max(1, Math.ceil(count / pageSize));
  const page = Number.parseInt(query.page ?? '1', 10);
  if (!Number.isInteger(page) || page < 1 || page > numPages) throw notFound('invalid_page', 'Invalid page.');
  const rows = await where(base())
    .select([
      't.content_title',
      't.content_id',
      statusExpr.as('sync_status'),
      lastAttemptExpr.as('sync_last_attempted_at'),
      friendlyExpr.as('friendly_status_message'),
      't.marked_for',
      't.remote_deleted_at',
    ])
    .orderBy(order)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const link = (p: number) => {
    const u = new URL(url);
    u.searchParams.set('page', String(p));
    return u.toString();
  };
  return {
    count,
    num_pages: numPages,
    current_page: page,
    next: page < numPages ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
    results: rows.map((r) => ({
      content_title: r.content_title,
      content_id: r.content_id,
      sync_status: r.sync_status as 'pending' | 'okay' | 'error',
      sync_last_attempted_at: r.sync_last_attempted_at === null ? null : new Date(r.sync_last_attempted_at).toISOString(),
      friendly_status_message: r.friendly_status_message,
      marked_for: r.marked_for,
      remote_deleted_at: r.remote_deleted_at === null ? null : r.remote_deleted_at.toISOString(),
    })),
  };
}
