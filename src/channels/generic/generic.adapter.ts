/**
 * GENERIC channel: each chunk is one signed JSON POST to the customer's webhook.
 *
 * Body `{"action": "create"|"update"|"delete", "items": [GenericItem, ...]}`. Headers: `Idempotency-Key` (the same
 * for the same items at the same content versions, so a resend after a crash can be dropped by the receiver),
 * `X-Ecat-Timestamp` (Unix seconds) and `X-Ecat-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 * A 2xx acknowledges every item of the chunk; 429 and 5xx/timeouts are thrown for the chunk; any other status is
 * a permanent refusal of every item of the chunk.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  type ChannelAction,
  type ChannelAdapter,
  type ChannelContext,
  type ItemOutcome,
  type OutboundItem,
} from '../channel-adapter.js';
import { ChannelHttp, DEFAULT_TIMEOUT_MS, errorForStatus } from '../http/channel-http.js';
import { checkBaseUrl } from '../http/settings-checks.js';
import { checkPayloads, inChunkOrder } from '../mapping/payload-check.js';
import { type GenericItem, GenericItemSchema, mapGenericItem } from './generic.mapping.js';
import { GENERIC_SECRET_FIELDS, type GenericSettings, GenericSettingsSchema } from './generic.settings.js';

export interface GenericAdapterOptions {
  timeoutMs?: number;
  /** Wait suggested after a 429 without `Retry-After`. */
  defaultRetryAfterMs?: number;
}

export const GENERIC_MAX_ITEMS_PER_CALL = 500;

/** The signature header value for a body sent at `timestamp` (Unix seconds). Exported for receivers and tests. */
export function signGenericBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Stable for the same action, items and content versions, whatever the chunk order. */
export function genericIdempotencyKey(action: ChannelAction, items: readonly GenericItem[]): string {
  const lines = items.map((i) => `${i.content_id}\u0000${i.content_last_modified ?? ''}`).sort();
  return createHash('sha256').update(`${action}\n${lines.join('\n')}`).digest('hex');
}

export function createGenericAdapter(options: GenericAdapterOptions = {}): ChannelAdapter<GenericSettings> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 60_000;

  return {
    code: 'GENERIC',
    settingsSchema: GenericSettingsSchema,
    secretFields: GENERIC_SECRET_FIELDS,
    maxItemsPerCall: GENERIC_MAX_ITEMS_PER_CALL,
    defaultChunkSize: 100,

    validateSettings: (settings) => checkBaseUrl('url', settings.url),

    mapItem: (item, _action, ctx) => mapGenericItem(item, ctx),

    async transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<GenericSettings>): Promise<ItemOutcome[]> {
      const { valid, rejected } = checkPayloads(items, GenericItemSchema);
      if (valid.length === 0) return rejected;
      const http = new ChannelHttp(ctx, { timeoutMs, secrets: [ctx.settings.signing_secret] });
      const payloads = valid.map((v) => v.payload);
      const body = JSON.stringify({ action, items: payloads });
      const timestamp = String(Math.floor(ctx.now().getTime() / 1000));
      const res = await http.send({
        method: 'POST',
        url: ctx.settings.url,
        body,
        contentType: 'application/json',
        headers: {
          'idempotency-key': genericIdempotencyKey(action, payloads),
          'x-ecat-timestamp': timestamp,
          'x-ecat-signature': signGenericBody(ctx.settings.signing_secret, timestamp, body),
        },
      });
      const error = errorForStatus(res, http, { now: ctx.now(), defaultRetryAfterMs, what: `GENERIC ${action}` });
      if (error?.retryable) throw error;
      const responseBody = http.redactor.redactText(res.text);
      const outcomes: ItemOutcome[] = valid.map(({ contentId }) =>
        error ? { contentId, ok: false, error } : { contentId, ok: true, status: res.status, body: responseBody, externalId: contentId },
      );
      return inChunkOrder(items, [...outcomes, ...rejected]);
    },
  };
}
