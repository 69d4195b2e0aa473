/**
 * The port every LMS channel implements. The engine (exporter, transmitter, audit) owns this interface; adapters
 * live in `src/channels/<lms>/` and are registered explicitly in `src/channels/registry.ts`.
 *
 * No vendor type crosses this port: an adapter receives catalog content items in enterprise-catalog's
 * `get_content_metadata` item shape, maps them to its LMS payload (`channel_metadata`, stored on the audit row),
 * and later transmits stored payloads, answering with one outcome per item.
 */
import type { TSchema } from 'typebox';

export const CHANNEL_CODES = ['GENERIC', 'CSOD', 'SAP', 'DEGREED2', 'CANVAS', 'BLACKBOARD', 'MOODLE'] as const;
export type ChannelCode = (typeof CHANNEL_CODES)[number];

export type ChannelAction = 'create' | 'update' | 'delete';

/**
 * One content item as enterprise-catalog's `get_content_metadata` returns it: the stored discovery JSON plus
 * `content_type`, `key` (or `uuid` for programs/pathways), `parent_content_key`, `content_last_modified`,
 * `enrollment_url`, `marketing_url`, `xapi_activity_id`, `active`, ...
 */
export type CatalogContentItem = Record<string, unknown> & {
  content_type: string;
};

/** What an adapter needs besides the items. */
export interface ChannelContext<S> {
  configurationId: number;
  enterpriseCustomerUuid: string;
  /** Decrypted, validated settings of this configuration. */
  settings: S;
  showCoursePrice: boolean;
  /**
   * Persist changed settings (for example a rotated refresh token) before using them. Secret fields are
   * encrypted by the engine. Resolves once the new values are durable.
   */
  saveSettings(patch: Partial<S>): Promise<void>;
  /** Record one outbound HTTP call. Bodies must already be redacted of credentials. */
  logRequest(entry: ChannelRequestLogEntry): void;
  /** Aborted when the run's time budget is spent or the process shuts down. */
  signal: AbortSignal;
  /** Current time; injectable for tests. */
  now(): Date;
}

/** What `mapItem` may read. `now` is optional so callers that only have settings can still map. */
export type ChannelMapContext<S> = Pick<ChannelContext<S>, 'settings' | 'showCoursePrice' | 'enterpriseCustomerUuid'> &
  Partial<Pick<ChannelContext<S>, 'now'>>;

export interface ChannelRequestLogEntry {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  /** Redacted request body, truncated. */
  requestBody?: string;
  /** Redacted response body, truncated. */
  responseBody?: string;
  error?: string;
}

/** A stored payload ready to send, keyed by the content id it belongs to. */
export interface OutboundItem {
  contentId: string;
  /** The adapter's own payload as produced by `mapItem` (the audit row's `channel_metadata`). */
  metadata: unknown;
}

export type ItemOutcome =
  | { contentId: string; ok: true; status: number; body: string; externalId?: string }
  | { contentId: string; ok: false; error: ChannelError };

export interface ChannelAdapter<S = Record<string, unknown>> {
  readonly code: ChannelCode;
  /** TypeBox schema of `settings`; validated when a configuration is saved. */
  readonly settingsSchema: TSchema;
  /** Names of settings fields that are secrets: encrypted at rest, write-only in the API, redacted in logs. */
  readonly secretFields: readonly string[];
  /** Most items one API call accepts. Transmission chunks never exceed it. */
  readonly maxItemsPerCall: number;
  /** Default `transmission_chunk_size` for new configurations. */
  readonly defaultChunkSize: number;
  /** Optional cap on chunks per action per run (SAP: one OCN call per run). */
  readonly maxChunksPerRun?: number;
  /** Optional minimum interval between calls to the LMS, in ms (SAP allows about one OCN call per 5 minutes). */
  readonly minCallIntervalMs?: number;
  /** Optional extra validation beyond the schema; returns a list of `field: problem` messages. */
  validateSettings?(settings: S): string[];
  /**
   * Build the LMS payload for one item. Pure: no I/O. Some mappings depend on the time (SAP's "Enrollment is
   * closed", the course run closest to now); they read `ctx.now` when given, else the clock.
   */
  mapItem(item: CatalogContentItem, action: ChannelAction, ctx: ChannelMapContext<S>): unknown;
  /**
   * Send one chunk (at most `maxItemsPerCall` items ... or more, for adapters that loop per item) and answer one
   * outcome per item. Throw a `ChannelError` for a failure of the whole chunk (auth, rate limit, outage). Raw HTTP
   * client errors never escape.
   */
  transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<S>): Promise<ItemOutcome[]>;
}

/** Base of the typed failures that decide retries. */
export abstract class ChannelError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly body: string = '',
  ) {
    super(message);
  }
}

/** The LMS refused the item for good (a 4xx other than 429, a validation error). Not retried within the run. */
export class PermanentChannelError extends ChannelError {
  override readonly name = 'PermanentChannelError';
  readonly retryable = false;
}

/** The LMS asked us to slow down. Retry after `retryAfterMs`. */
export class RateLimitedChannelError extends ChannelError {
  override readonly name = 'RateLimitedChannelError';
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    status: number | null = 429,
    body = '',
  ) {
    super(message, status, body);
  }
}

/** The LMS is down, timed out or answered 5xx. Retried with back-off. */
export class UnavailableChannelError extends ChannelError {
  override readonly name = 'UnavailableChannelError';
  readonly retryable = true;
}
