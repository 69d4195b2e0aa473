/**
 * Blackboard Learn channel. One course per call, each item with its own outcome (P15). Idempotent by `externalId`:
 * - create: a course Blackboard already has (found, or a 409 on create) is updated instead; a new course gets the
 *   "edX Course Details" folder and document. If the contents fail, the item fails and the course stays: the
 *   resend finds it and rebuilds its contents (upstream deleted it again);
 * - update: PATCH the course, delete every "edX Course Details" folder and create it anew; a course Blackboard does
 *   not have is created;
 * - delete: removes the course; one Blackboard does not have counts as removed.
 * Refresh tokens rotate; see `BlackboardClient`.
 */
import type { ChannelAction, ChannelAdapter, ChannelContext, ItemOutcome, OutboundItem } from '../channel-adapter.js';
import { ChannelHttp, DEFAULT_TIMEOUT_MS, type InboundResponse } from '../http/channel-http.js';
import { transmitChecked } from '../http/per-item.js';
import { checkBaseUrl } from '../http/settings-checks.js';
import { TokenCache } from '../http/token-cache.js';
import { type CheckedItem, checkPayloads } from '../mapping/payload-check.js';
import { BlackboardClient, RefreshTokenRotations } from './blackboard.client.js';
import { BLACKBOARD_DETAILS_TITLE, type BlackboardPayload, BlackboardPayloadSchema, mapBlackboardItem } from './blackboard.mapping.js';
import { BLACKBOARD_SECRET_FIELDS, type BlackboardSettings, BlackboardSettingsSchema } from './blackboard.settings.js';

export interface BlackboardAdapterOptions {
  timeoutMs?: number;
  defaultRetryAfterMs?: number;
}

export function createBlackboardAdapter(options: BlackboardAdapterOptions = {}): ChannelAdapter<BlackboardSettings> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 30_000;
  const tokens = new TokenCache();
  const rotations = new RefreshTokenRotations();

  return {
    code: 'BLACKBOARD',
    settingsSchema: BlackboardSettingsSchema,
    secretFields: BLACKBOARD_SECRET_FIELDS,
    maxItemsPerCall: 1,
    defaultChunkSize: 1,

    validateSettings: (settings) => checkBaseUrl('blackboard_base_url', settings.blackboard_base_url),

    mapItem: (item, _action, ctx) => mapBlackboardItem(item, ctx),

    async transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<BlackboardSettings>): Promise<ItemOutcome[]> {
      const { valid, rejected } = checkPayloads(items, BlackboardPayloadSchema);
      const http = new ChannelHttp(ctx, { timeoutMs, secrets: [ctx.settings.client_secret, ctx.settings.refresh_token] });
      const client = new BlackboardClient(http, ctx, tokens, rotations, defaultRetryAfterMs);

      const ok = (contentId: string, res: InboundResponse, id: string): ItemOutcome => ({
        contentId,
        ok: true,
        status: res.status,
        body: http.redactor.redactText(res.text),
        externalId: id,
      });

      /** Replace the details folder: delete every folder with that title (a half-built earlier try included). */
      const rebuildDetails = async (courseId: string, payload: BlackboardPayload, dropExisting: boolean) => {
        if (dropExisting) {
          for (const content of await client.listContents(courseId)) {
            if (content.title !== BLACKBOARD_DETAILS_TITLE) continue;
            const res = await client.deleteContent(courseId, content.id);
            if (res.status !== 404) client.check(res, 'Blackboard delete details');
          }
        }
        const folder = await client.createContent(courseId, payload.course_content_metadata);
        client.check(folder, 'Blackboard create details folder');
        const folderId = BlackboardClient.idFrom(folder);
        if (folderId === undefined) throw new Error('Blackboard answered a created folder without an id');
        const doc = await client.createChild(courseId, folderId, payload.course_child_content_metadata);
        client.check(doc, 'Blackboard create details document');
      };

      const update = async (contentId: string, payload: BlackboardPayload, knownId?: string): Promise<ItemOutcome> => {
        const id = knownId ?? (await client.findCourse(payload.externalId));
        if (id === undefined) return create(contentId, payload, false);
        const { courseId: _courseId, ...course } = payload.course_metadata;
        const res = await client.updateCourse(id, course);
        client.check(res, 'Blackboard update');
        await rebuildDetails(id, payload, true);
        return ok(contentId, res, id);
      };

      const create = async (contentId: string, payload: BlackboardPayload, lookFirst = true): Promise<ItemOutcome> => {
        if (lookFirst) {
          const existing = await client.findCourse(payload.externalId);
          if (existing !== undefined) return update(contentId, payload, existing);
        }
        const res = await client.createCourse(payload.course_metadata);
        if (res.status === 409 && lookFirst) return update(contentId, payload);
        client.check(res, 'Blackboard create');
        const id = BlackboardClient.idFrom(res) ?? (await client.findCourse(payload.externalId));
        if (id === undefined) throw new Error('Blackboard answered a created course without an id');
        await rebuildDetails(id, payload, false);
        return ok(contentId, res, id);
      };

      const remove = async (contentId: string, payload: BlackboardPayload): Promise<ItemOutcome> => {
        const id = await client.findCourse(payload.externalId);
        if (id === undefined) return { contentId, ok: true, status: 200, body: `Course:${payload.externalId} already removed.` };
        const res = await client.deleteCourse(id);
        if (res.status !== 404) client.check(res, 'Blackboard delete');
        return ok(contentId, res, id);
      };

      const sendOne = ({ contentId, payload }: CheckedItem<BlackboardPayload>): Promise<ItemOutcome> =>
        action === 'create' ? create(contentId, payload) : action === 'update' ? update(contentId, payload) : remove(contentId, payload);

      return transmitChecked(items, { valid, rejected }, sendOne);
    },
  };
}
