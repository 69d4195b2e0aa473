/**
 * Table types for Kysely, written by hand next to the migrations that create them. Each module's tables are
 * declared in a block of its own; keep the block in step with its migration.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted by the database. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

// ---- jobs (src/jobs) -------------------------------------------------------------------------------------------

/** A process that runs jobs; its heartbeat tells the others it is alive. */
export interface JobWorkerTable {
  worker_id: string;
  host: string;
  pid: number;
  started_at: DefaultedTimestamp;
  last_seen_at: DefaultedTimestamp;
}

/** A job a worker has started and not finished; reaped when the worker's heartbeat stops. */
export interface JobLeaseTable {
  job_id: string;
  queue: string;
  worker_id: string;
  started_at: DefaultedTimestamp;
}

/** State of an asynchronous task started through the API (`GET /api/v1/tasks/{id}/`). */
export interface TaskTable {
  id: string;
  kind: string;
  state: ColumnType<'PENDING' | 'STARTED' | 'SUCCESS' | 'FAILURE', string | undefined, string>;
  /** Who started it: JWT subject or username, checked when the task is read. */
  requested_by: string | null;
  enterprise_uuid: string | null;
  args: ColumnType<unknown, string, string>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
}

// ---- catalog (src/catalog) -------------------------------------------------------------------------------------

/** jsonb: read as parsed JSON, written as a JSON string (both drivers accept text for jsonb parameters). */
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface EnterpriseCustomerTable {
  uuid: string;
  name: ColumnType<string, string | undefined, string>;
  slug: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  enable_learner_portal: ColumnType<boolean, boolean | undefined, boolean>;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
}

export interface CatalogQueryTable {
  id: Generated<number>;
  uuid: string;
  title: string | null;
  content_filter: Json<Record<string, unknown>>;
  content_filter_hash: string;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
  /** Moves only when the set of members changes. */
  membership_modified: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Moves when membership changes or a member's content really changes (hash). */
  content_modified: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /**
   * The last refresh that applied: every member was confirmed against upstream then (content rows carry no sync
   * time, so an unchanged refresh writes none). The stale sweep and the 24-hour guarantee rest on it.
   */
  last_refresh_success_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_refresh_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface EnterpriseCatalogTable {
  uuid: string;
  title: string;
  enterprise_uuid: string;
  enterprise_name: ColumnType<string, string | undefined, string>;
  catalog_query_id: number | null;
  enabled_course_modes: ColumnType<unknown, string | undefined, string>;
  publish_audit_enrollment_urls: ColumnType<boolean, boolean | undefined, boolean>;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
}

export type ContentType = 'course' | 'courserun' | 'program' | 'learnerpathway';

export interface ContentMetadataTable {
  id: Generated<number>;
  content_key: string;
  content_uuid: string | null;
  content_type: ContentType;
  parent_content_key: string | null;
  json_metadata: Json<Record<string, unknown>>;
  content_hash: string;
  /**
   * md5 of the upstream input that last produced `json_metadata` (migration 20261125_0001); null when unknown. An
   * equal hash on the next refresh means the merge would change nothing, so the row is neither read nor written.
   */
  source_hash: ColumnType<string | null, string | null | undefined, string | null>;
  created: DefaultedTimestamp;
  /** Moves only when `content_hash` changes; with `created`, the only per-row time (sync times are per query). */
  modified: DefaultedTimestamp;
  /** The §2.4 active rule, kept by a trigger (migration 20261123_0002); never written by the application. */
  is_active: ColumnType<boolean, never, never>;
}

export interface CatalogQueryMembershipTable {
  catalog_query_id: number;
  content_metadata_id: number;
}

// ---- refresh (src/refresh) -------------------------------------------------------------------------------------

export type RefreshRunStatus = 'running' | 'success' | 'refused' | 'failed' | 'interrupted';
export type RefreshRefusalReason = 'empty_result' | 'guardrail';
type Count = ColumnType<number, number | undefined, number>;
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
type OptionalTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** One attempt to refresh a catalog query from the content source. */
export interface RefreshRunTable {
  id: Generated<number>;
  catalog_query_id: number;
  job_id: Optional<string>;
  attempt: Count;
  reason: string;
  source: string;
  status: ColumnType<RefreshRunStatus, RefreshRunStatus | undefined, RefreshRunStatus>;
  refusal_reason: Optional<RefreshRefusalReason>;
  detail: Optional<string>;
  started_at: DefaultedTimestamp;
  fetched_at: OptionalTimestamp;
  finished_at: OptionalTimestamp;
  pages: Count;
  upstream_requests: Count;
  items_fetched: Count;
  items_rejected: Count;
  items_created: Count;
  items_updated: Count;
  items_unchanged: Count;
  members_before: Optional<number>;
  members_after: Optional<number>;
  members_added: Count;
  members_removed: Count;
}

// ---- channels (src/channels) -----------------------------------------------------------------------------------

type ChannelTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type ChannelOptional<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** One integrated channel configuration of a customer. Soft-deleted (`deleted_at`). */
export interface ChannelConfigurationTable {
  id: Generated<number>;
  enterprise_customer_uuid: string;
  channel_code: string;
  display_name: ColumnType<string, string | undefined, string>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  dry_run_mode_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  transmission_chunk_size: number;
  /** jsonb array of catalog uuids. */
  catalogs_to_transmit: ColumnType<string[], string | undefined, string>;
  show_course_price: ColumnType<boolean, boolean | undefined, boolean>;
  remove_orphaned_content: ColumnType<boolean, boolean | undefined, boolean>;
  /** jsonb; secret fields encrypted (`enc:v1:…`). */
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  last_content_sync_attempted_at: ChannelTimestamp;
  last_content_sync_errored_at: ChannelTimestamp;
  last_call_at: ChannelTimestamp;
  run_owner: ChannelOptional<string>;
  run_lease_until: ChannelTimestamp;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
  deleted_at: ChannelTimestamp;
}

/** The audit row of one content item for one configuration (upstream `ContentMetadataItemTransmission`). */
export interface ContentMetadataTransmissionTable {
  id: Generated<number>;
  enterprise_customer_uuid: string;
  channel_code: string;
  configuration_id: number;
  content_id: string;
  content_title: ChannelOptional<string>;
  channel_metadata: ColumnType<unknown, string | null | undefined, string | null>;
  content_last_changed: ChannelTimestamp;
  enterprise_customer_catalog_uuid: ChannelOptional<string>;
  remote_created_at: ChannelTimestamp;
  remote_updated_at: ChannelTimestamp;
  remote_deleted_at: ChannelTimestamp;
  remote_errored_at: ChannelTimestamp;
  api_response_status_code: ChannelOptional<number>;
  api_response_body: ChannelOptional<string>;
  marked_for: ChannelOptional<'create' | 'update' | 'delete'>;
  is_live: ColumnType<boolean, boolean | undefined, boolean>;
  failure_count: ColumnType<number, number | undefined, number>;
  next_attempt_at: ChannelTimestamp;
  orphaned_at: ChannelTimestamp;
  created: DefaultedTimestamp;
  modified: DefaultedTimestamp;
}

/** What a configuration last fully exported of one catalog. */
export interface ChannelCatalogSyncTable {
  configuration_id: number;
  catalog_uuid: string;
  synced_version: ChannelOptional<string>;
  synced_at: ChannelTimestamp;
  last_diff_at: ChannelTimestamp;
}

export type ChannelRunStatus = 'running' | 'success' | 'partial' | 'failed' | 'skipped' | 'interrupted';

/** One transmission run of a configuration. */
export interface ChannelTransmissionRunTable {
  id: Generated<number>;
  configuration_id: number;
  job_id: ChannelOptional<string>;
  reason: string;
  status: ColumnType<ChannelRunStatus, ChannelRunStatus | undefined, ChannelRunStatus>;
  dry_run: ColumnType<boolean, boolean | undefined, boolean>;
  started_at: DefaultedTimestamp;
  finished_at: ChannelTimestamp;
  summary: ColumnType<Record<string, unknown>, string | undefined, string>;
  detail: ChannelOptional<string>;
}

/** One outbound LMS call (bodies redacted and truncated). */
export interface ChannelRequestLogTable {
  id: Generated<number>;
  configuration_id: number;
  channel_code: string;
  enterprise_customer_uuid: string;
  method: string;
  url: string;
  status: ChannelOptional<number>;
  duration_ms: ColumnType<number, number | undefined, number>;
  request_body: ChannelOptional<string>;
  response_body: ChannelOptional<string>;
  error: ChannelOptional<string>;
  created: DefaultedTimestamp;
}

/** When a Cornerstone configuration was last polled. */
export interface CsodPollStateTable {
  configuration_id: number;
  last_list_at: ChannelTimestamp;
  last_updates_at: ChannelTimestamp;
  polls: ColumnType<number, number | undefined, number>;
}

export interface DB {
  job_worker: JobWorkerTable;
  job_lease: JobLeaseTable;
  task: TaskTable;
  enterprise_customer: EnterpriseCustomerTable;
  catalog_query: CatalogQueryTable;
  enterprise_catalog: EnterpriseCatalogTable;
  content_metadata: ContentMetadataTable;
  catalog_query_membership: CatalogQueryMembershipTable;
  refresh_run: RefreshRunTable;
  channel_configuration: ChannelConfigurationTable;
  content_metadata_transmission: ContentMetadataTransmissionTable;
  channel_catalog_sync: ChannelCatalogSyncTable;
  channel_transmission_run: ChannelTransmissionRunTable;
  channel_request_log: ChannelRequestLogTable;
  csod_poll_state: CsodPollStateTable;
}
