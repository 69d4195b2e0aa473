/**
 * Degreed (API v2) channel. Degreed takes one course per call, so every item is sent on its own with its own
 * outcome (P15). Idempotent by external id:
 * - create: POST; a 409 (the course exists) becomes an update of the existing course;
 * - update: look the course up by `filter[external_id]` and PATCH it; a course Degreed does not have is created;
 * - delete: look it up and DELETE it; a course Degreed does not have counts as deleted.
 * Skills are sent after a create or update and their failure never fails the item. A 429 is thrown (or recorded
 * on the items not yet sent) as `RateLimitedChannelError`; the adapter does not sleep.
 */
import type { ChannelAction, ChannelAdapter, ChannelContext, ItemOutcome, OutboundItem } from '../channel-adapter.js';
import { ChannelHttp, DEFAULT_TIMEOUT_MS, type InboundResponse } from '../http/channel-http.js';
import { transmitChecked } from '../http/per-item.js';
import { checkBaseUrl } from '../http/settings-checks.js';
import { TokenCache } from '../http/token-cache.js';
import { type CheckedItem, checkPayloads } from '../mapping/payload-check.js';
import { DegreedClient } from './degreed.client.js';
import { type DegreedPayload, DegreedPayloadSchema, mapDegreedItem } from './degreed.mapping.js';
import { DEGREED_SECRET_FIELDS, type DegreedSettings, DegreedSettingsSchema } from './degreed.settings.js';

export interface DegreedAdapterOptions {
  timeoutMs?: number;
  defaultRetryAfterMs?: number;
}

/** Degreed ids by external id are stable; upstream cached them for a day. */
const ID_TTL_MS = 24 * 60 * 60 * 1000;

export function createDegreedAdapter(options: DegreedAdapterOptions = {}): ChannelAdapter<DegreedSettings> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 30_000;
  const tokens = new TokenCache();
  const ids = new Map<string, { id: string; until: number }>();

  return {
    code: 'DEGREED2',
    settingsSchema: DegreedSettingsSchema,
    secretFields: DEGREED_SECRET_FIELDS,
    maxItemsPerCall: 1,
    defaultChunkSize: 1,

    validateSettings: (settings) => [
      ...checkBaseUrl('degreed_base_url', settings.degreed_base_url),
      ...(settings.degreed_token_fetch_base_url ? checkBaseUrl('degreed_token_fetch_base_url', settings.degreed_token_fetch_base_url) : []),
    ],

    mapItem: (item, _action, ctx) => mapDegreedItem(item, ctx),

    async transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<DegreedSettings>): Promise<ItemOutcome[]> {
      const { valid, rejected } = checkPayloads(items, DegreedPayloadSchema);
      const http = new ChannelHttp(ctx, { timeoutMs, secrets: [ctx.settings.client_secret] });
      const client = new DegreedClient(http, ctx.settings, tokens, ctx.configurationId, () => ctx.now(), defaultRetryAfterMs);
      const idKey = (externalId: string) => `${ctx.configurationId}:${externalId}`;

      const lookUp = async (externalId: string): Promise<string | undefined> => {
        const hit = ids.get(idKey(externalId));
        if (hit && hit.until > ctx.now().getTime()) return hit.id;
        const id = await client.findId(externalId);
        if (id !== undefined) ids.set(idKey(externalId), { id, until: ctx.now().getTime() + ID_TTL_MS });
        else ids.delete(idKey(externalId));
        return id;
      };

      const ok = (contentId: string, res: InboundResponse, id: string): ItemOutcome => ({
        contentId,
        ok: true,
        status: res.status,
        body: http.redactor.redactText(res.text),
        externalId: id,
      });

      const sendSkills = async (id: string, payload: DegreedPayload) => {
        if (payload.skills.length === 0) return;
        try {
          await client.setSkills(id, payload.skills);
        } catch {
          // Best effort, as upstream: the course itself is in Degreed; the call is in the request log.
        }
      };

      const update = async (contentId: string, payload: DegreedPayload, knownId?: string): Promise<ItemOutcome> => {
        const externalId = payload.attributes['external-id'];
        const id = knownId ?? (await lookUp(externalId));
        if (id === undefined) return create(contentId, payload, false);
        const res = await client.update(id, { ...payload.attributes, obsolete: false });
        if (res.status === 404) {
          // Deleted in Degreed since we cached its id: forget it and create the course again.
          ids.delete(idKey(externalId));
          return create(contentId, payload, false);
        }
        client.check(res, 'Degreed update');
        await sendSkills(id, payload);
        return ok(contentId, res, id);
      };

      const create = async (contentId: string, payload: DegreedPayload, allowUpdate = true): Promise<ItemOutcome> => {
        const res = await client.create(payload.attributes);
        if (res.status === 409 && allowUpdate) return update(contentId, payload);
        client.check(res, 'Degreed create');
        const id = DegreedClient.idFrom(res) ?? (await lookUp(payload.attributes['external-id']));
        if (id === undefined) return ok(contentId, res, '');
        ids.set(idKey(payload.attributes['external-id']), { id, until: ctx.now().getTime() + ID_TTL_MS });
        await sendSkills(id, payload);
        return ok(contentId, res, id);
      };

      const remove = async (contentId: string, payload: DegreedPayload): Promise<ItemOutcome> => {
        const externalId = payload.attributes['external-id'];
        const id = await lookUp(externalId);
        if (id === undefined) return { contentId, ok: true, status: 200, body: `Course ${externalId} is not in Degreed; nothing to delete.` };
        const res = await client.delete(id);
        ids.delete(idKey(externalId));
        if (res.status !== 404) client.check(res, 'Degreed delete');
        return ok(contentId, res, id);
      };

      const sendOne = ({ contentId, payload }: CheckedItem<DegreedPayload>): Promise<ItemOutcome> =>
        action === 'create' ? create(contentId, payload) : action === 'update' ? update(contentId, payload) : remove(contentId, payload);

      return transmitChecked(items, { valid, rejected }, sendOne);
    },
  };
}
