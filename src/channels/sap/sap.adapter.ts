/**
 * SAP SuccessFactors channel: one OCN import call per chunk, carrying up to 1000 courses.
 *
 * SAP allows about one OCN call per five minutes (P4), so the adapter declares `maxChunksPerRun: 1` and a
 * `minCallIntervalMs` the engine honours between calls; the adapter itself never sleeps. A 429 is thrown as
 * `RateLimitedChannelError` with the `Retry-After` wait, or the call interval when SAP gives none. A success
 * answers each item with the part of SAP's response about its own `courseID`.
 */
import type { ChannelAction, ChannelAdapter, ChannelContext, ItemOutcome, OutboundItem } from '../channel-adapter.js';
import { ChannelHttp, DEFAULT_TIMEOUT_MS, errorForStatus, parseJson } from '../http/channel-http.js';
import { chunkWide } from '../http/per-item.js';
import { checkBaseUrl } from '../http/settings-checks.js';
import { TokenCache } from '../http/token-cache.js';
import { checkPayloads, inChunkOrder } from '../mapping/payload-check.js';
import { SapClient } from './sap.client.js';
import { SapOcnCourseSchema, mapSapItem, sapDeleteTransform } from './sap.mapping.js';
import { SAP_SECRET_FIELDS, type SapSettings, SapSettingsSchema } from './sap.settings.js';

export interface SapAdapterOptions {
  timeoutMs?: number;
  /** Minimum interval between OCN calls the engine must keep; default five minutes. */
  minCallIntervalMs?: number;
}

/** SAP's documented ceiling of courses per OCN call. */
export const SAP_MAX_ITEMS_PER_CALL = 1000;
export const SAP_DEFAULT_MIN_CALL_INTERVAL_MS = 5 * 60 * 1000;

/** The part of an OCN response about one course: the `ocnCourses` entries with its `courseID`. */
export function narrowSapResponse(text: string, courseId: string): string {
  const body = parseJson(text);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return text;
  const courses = (body as Record<string, unknown>)['ocnCourses'];
  if (!Array.isArray(courses)) return text;
  const mine = courses.filter((c) => c !== null && typeof c === 'object' && (c as Record<string, unknown>)['courseID'] === courseId);
  return JSON.stringify({ ...(body as Record<string, unknown>), ocnCourses: mine });
}

export function createSapAdapter(options: SapAdapterOptions = {}): ChannelAdapter<SapSettings> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const minCallIntervalMs = options.minCallIntervalMs ?? SAP_DEFAULT_MIN_CALL_INTERVAL_MS;
  const tokens = new TokenCache();

  return {
    code: 'SAP',
    settingsSchema: SapSettingsSchema,
    secretFields: SAP_SECRET_FIELDS,
    maxItemsPerCall: SAP_MAX_ITEMS_PER_CALL,
    // Upstream went from 1000 to 500 to 1 per call; with one call per five minutes, bigger chunks drain faster.
    defaultChunkSize: 500,
    maxChunksPerRun: 1,
    minCallIntervalMs,

    validateSettings: (settings) => checkBaseUrl('sapsf_base_url', settings.sapsf_base_url),

    mapItem: (item, action, ctx) => mapSapItem(item, action, ctx),

    async transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<SapSettings>): Promise<ItemOutcome[]> {
      const { valid, rejected } = checkPayloads(items, SapOcnCourseSchema);
      if (valid.length === 0) return rejected;
      const courses = valid.map(({ payload }) => (action === 'delete' ? sapDeleteTransform(payload) : { ...payload, status: 'ACTIVE' as const }));
      const http = new ChannelHttp(ctx, { timeoutMs, secrets: [ctx.settings.client_secret] });
      const client = new SapClient(http, ctx.settings, tokens, ctx.configurationId, () => ctx.now(), minCallIntervalMs);
      const res = await client.importCourses(courses);
      const error = errorForStatus(res, http, { now: ctx.now(), defaultRetryAfterMs: minCallIntervalMs, what: `SAP OCN ${action}` });
      if (error?.retryable) throw error;
      // Refused for lack of rights (scope, user type): the same for every item.
      if (error && res.status === 403) throw chunkWide(error);
      const outcomes: ItemOutcome[] = valid.map(({ contentId }) =>
        error
          ? { contentId, ok: false, error }
          : { contentId, ok: true, status: res.status, body: http.redactor.redactText(narrowSapResponse(res.text, contentId)), externalId: contentId },
      );
      return inChunkOrder(items, [...outcomes, ...rejected]);
    },
  };
}
