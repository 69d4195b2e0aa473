/**
 * Channel configurations. One query per function; the caller passes the executor and owns the transaction.
 * Soft-deleted rows (`deleted_at`) are invisible to every read except `findConfiguration(..., {withDeleted})`.
 */
import { sql, type SqlBool } from 'kysely';
import type { Executor } from '../db/database.js';

export interface ConfigurationRecord {
  id: number;
  enterpriseCustomerUuid: string;
  channelCode: string;
  displayName: string;
  active: boolean;
  dryRunModeEnabled: boolean;
  transmissionChunkSize: number;
  catalogsToTransmit: string[];
  showCoursePrice: boolean;
  removeOrphanedContent: boolean;
  /** As stored: secret fields encrypted. */
  settings: Record<string, unknown>;
  lastContentSyncAttemptedAt: Date | null;
  lastContentSyncErroredAt: Date | null;
  lastCallAt: Date | null;
  created: Date;
  modified: Date;
  deletedAt: Date | null;
}

export interface ConfigurationValues {
  enterpriseCustomerUuid: string;
  channelCode: string;
  displayName: string;
  active: boolean;
  dryRunModeEnabled: boolean;
  transmissionChunkSize: number;
  catalogsToTransmit: readonly string[];
  showCoursePrice: boolean;
  removeOrphanedContent: boolean;
  settings: Record<string, unknown>;
}

export type CustomerScope = '*' | readonly string[];

const COLUMNS = [
  'c.id',
  'c.enterprise_customer_uuid as enterpriseCustomerUuid',
  'c.channel_code as channelCode',
  'c.display_name as displayName',
  'c.active',
  'c.dry_run_mode_enabled as dryRunModeEnabled',
  'c.transmission_chunk_size as transmissionChunkSize',
  'c.catalogs_to_transmit as catalogsToTransmit',
  'c.show_course_price as showCoursePrice',
  'c.remove_orphaned_content as removeOrphanedContent',
  'c.settings',
  'c.last_content_sync_attempted_at as lastContentSyncAttemptedAt',
  'c.last_content_sync_errored_at as lastContentSyncErroredAt',
  'c.last_call_at as lastCallAt',
  'c.created',
  'c.modified',
  'c.deleted_at as deletedAt',
] as const;

function select(executor: Executor) {
  return executor.selectFrom('channel_configuration as c').select(COLUMNS);
}

function inScope(scope: CustomerScope) {
  return sql<boolean>`c.enterprise_customer_uuid = any(${sql.val(scope === '*' ? [] : [...scope])}::uuid[])`;
}

export function findConfiguration(executor: Executor, id: number, opts: { withDeleted?: boolean } = {}): Promise<ConfigurationRecord | undefined> {
  return select(executor)
    .where('c.id', '=', id)
    .$if(opts.withDeleted !== true, (qb) => qb.where('c.deleted_at', 'is', null))
    .executeTakeFirst();
}

export interface ConfigurationFilter {
  scope: CustomerScope;
  customer?: string;
  channelCode?: string;
  /** Only active configurations (the scheduler, the CLI). */
  activeOnly?: boolean;
}

function filtered(executor: Executor, f: ConfigurationFilter) {
  return select(executor)
    .where('c.deleted_at', 'is', null)
    .$if(f.scope !== '*', (qb) => qb.where(inScope(f.scope)))
    .$if(f.customer !== undefined, (qb) => qb.where('c.enterprise_customer_uuid', '=', f.customer as string))
    .$if(f.channelCode !== undefined, (qb) => qb.where('c.channel_code', '=', f.channelCode as string))
    .$if(f.activeOnly === true, (qb) => qb.where('c.active', '=', true));
}

export async function countConfigurations(executor: Executor, f: ConfigurationFilter): Promise<number> {
  const row = await executor
    .selectFrom('channel_configuration as c')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('c.deleted_at', 'is', null)
    .$if(f.scope !== '*', (qb) => qb.where(inScope(f.scope)))
    .$if(f.customer !== undefined, (qb) => qb.where('c.enterprise_customer_uuid', '=', f.customer as string))
    .$if(f.channelCode !== undefined, (qb) => qb.where('c.channel_code', '=', f.channelCode as string))
    .$if(f.activeOnly === true, (qb) => qb.where('c.active', '=', true))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listConfigurations(executor: Executor, f: ConfigurationFilter, limit: number, offset: number): Promise<ConfigurationRecord[]> {
  return filtered(executor, f).orderBy('c.id').limit(limit).offset(offset).execute();
}

export async function insertConfiguration(executor: Executor, v: ConfigurationValues): Promise<ConfigurationRecord> {
  const { id } = await executor
    .insertInto('channel_configuration')
    .values({
      enterprise_customer_uuid: v.enterpriseCustomerUuid,
      channel_code: v.channelCode,
      display_name: v.displayName,
      active: v.active,
      dry_run_mode_enabled: v.dryRunModeEnabled,
      transmission_chunk_size: v.transmissionChunkSize,
      catalogs_to_transmit: JSON.stringify(v.catalogsToTransmit),
      show_course_price: v.showCoursePrice,
      remove_orphaned_content: v.removeOrphanedContent,
      settings: JSON.stringify(v.settings),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await findConfiguration(executor, id)) as ConfigurationRecord;
}

/** Upstream's post-save default: a configuration without a name is called "<CODE> <id>". */
export async function nameIfUnnamed(executor: Executor, id: number, name: string): Promise<void> {
  await executor.updateTable('channel_configuration').set({ display_name: name }).where('id', '=', id).where('display_name', '=', '').execute();
}

export async function updateConfiguration(executor: Executor, id: number, v: Omit<ConfigurationValues, 'enterpriseCustomerUuid' | 'channelCode'>): Promise<void> {
  await executor
    .updateTable('channel_configuration')
    .set({
      display_name: v.displayName,
      active: v.active,
      dry_run_mode_enabled: v.dryRunModeEnabled,
      transmission_chunk_size: v.transmissionChunkSize,
      catalogs_to_transmit: JSON.stringify(v.catalogsToTransmit),
      show_course_price: v.showCoursePrice,
      remove_orphaned_content: v.removeOrphanedContent,
      settings: JSON.stringify(v.settings),
      modified: sql`now()`,
    })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Lock the row for a read-modify-write in the caller's transaction; false when it does not exist. */
export async function lockConfiguration(executor: Executor, id: number): Promise<boolean> {
  const row = await executor.selectFrom('channel_configuration').select('id').where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function softDeleteConfiguration(executor: Executor, id: number): Promise<boolean> {
  const r = await executor
    .updateTable('channel_configuration')
    .set({ deleted_at: sql`now()`, active: false, modified: sql`now()` })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Replace the stored settings (already encrypted) — adapters' `saveSettings`, e.g. a rotated refresh token. */
export async function replaceSettings(executor: Executor, id: number, stored: Record<string, unknown>): Promise<void> {
  await executor.updateTable('channel_configuration').set({ settings: JSON.stringify(stored) }).where('id', '=', id).execute();
}

/**
 * Take (or renew) the configuration's run lease for `owner` until now + `ttlMs`. False when another live run holds
 * it: at most one transmission per configuration runs at a time, whatever the queue does.
 */
/**
 * Take (or renew) the run lease of a configuration that is not deleted; returns the configuration as it is under the
 * lease, or undefined when another live run holds it or the configuration is gone.
 */
export async function acquireRunLease(
  executor: Executor,
  id: number,
  owner: string,
  ttlMs: number,
  /** Embedded mode: this process is the only one, so a lease of any other process is a dead one's. */
  soleProcessPrefix?: string,
): Promise<ConfigurationRecord | undefined> {
  return executor
    .updateTable('channel_configuration as c')
    .set({ run_owner: owner, run_lease_until: sql`now() + ${sql.lit(`${Math.ceil(ttlMs)} milliseconds`)}::interval` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('run_lease_until', 'is', null),
        eb('run_lease_until', '<', sql<Date>`now()`),
        eb('run_owner', '=', owner),
        ...(soleProcessPrefix !== undefined ? [sql<SqlBool>`position(${soleProcessPrefix} in coalesce(run_owner, '')) <> 1`] : []),
      ]),
    )
    .where('deleted_at', 'is', null)
    .returning(COLUMNS)
    .executeTakeFirst();
}

export async function releaseRunLease(executor: Executor, id: number, owner: string): Promise<void> {
  await executor
    .updateTable('channel_configuration')
    .set({ run_owner: null, run_lease_until: null })
    .where('id', '=', id)
    .where('run_owner', '=', owner)
    .execute();
}

/**
 * Move the sync timestamps forward only (upstream `update_content_synced_at`); unexecuted, to run inside the
 * statement that records a call.
 */
export function syncAttemptUpdate(executor: Executor, id: number, at: Date, errored: boolean) {
  return executor
    .updateTable('channel_configuration')
    .set({
      last_content_sync_attempted_at: sql`greatest(last_content_sync_attempted_at, ${at}::timestamptz)`,
      ...(errored ? { last_content_sync_errored_at: sql`greatest(last_content_sync_errored_at, ${at}::timestamptz)` } : {}),
    })
    .where('id', '=', id);
}

export async function readLastCallAt(executor: Executor, id: number): Promise<Date | null> {
  const row = await executor.selectFrom('channel_configuration').select('last_call_at').where('id', '=', id).executeTakeFirst();
  return row?.last_call_at ?? null;
}

export async function setLastCallAt(executor: Executor, id: number, at: Date): Promise<void> {
  await executor.updateTable('channel_configuration').set({ last_call_at: at }).where('id', '=', id).execute();
}
