/**
 * Canvas channel. One course per call, each item with its own outcome (P15). Idempotent by `integration_id`:
 * - create: a course Canvas already has is updated and published instead of created again; a new one is created
 *   then published (`event: offer`). A failed publish fails the item, and the resend finds and publishes the course;
 * - update: updates the found course, or creates it when Canvas does not have it;
 * - delete: concludes the course (as upstream; Canvas keeps it read-only); one Canvas does not have, or already
 *   concluded, counts as done;
 * - a course found in Canvas's `deleted` state was deleted by the customer: create and update skip it, answering
 *   success as upstream did, so we do not resurrect it.
 */
import type { ChannelAction, ChannelAdapter, ChannelContext, ItemOutcome, OutboundItem } from '../channel-adapter.js';
import { ChannelHttp, DEFAULT_TIMEOUT_MS, type InboundResponse } from '../http/channel-http.js';
import { transmitChecked } from '../http/per-item.js';
import { checkBaseUrl } from '../http/settings-checks.js';
import { TokenCache } from '../http/token-cache.js';
import { type CheckedItem, checkPayloads } from '../mapping/payload-check.js';
import { CanvasClient } from './canvas.client.js';
import { type CanvasCourse, CanvasCourseSchema, mapCanvasItem } from './canvas.mapping.js';
import { CANVAS_SECRET_FIELDS, type CanvasSettings, CanvasSettingsSchema } from './canvas.settings.js';

export interface CanvasAdapterOptions {
  timeoutMs?: number;
  defaultRetryAfterMs?: number;
}

export const CANVAS_DELETED_SKIP_MESSAGE = 'Course was deleted previously, skipping create/update';

export function createCanvasAdapter(options: CanvasAdapterOptions = {}): ChannelAdapter<CanvasSettings> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 30_000;
  const tokens = new TokenCache();

  return {
    code: 'CANVAS',
    settingsSchema: CanvasSettingsSchema,
    secretFields: CANVAS_SECRET_FIELDS,
    maxItemsPerCall: 1,
    defaultChunkSize: 1,

    validateSettings: (settings) => checkBaseUrl('canvas_base_url', settings.canvas_base_url),

    mapItem: (item, _action, ctx) => mapCanvasItem(item, ctx),

    async transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<CanvasSettings>): Promise<ItemOutcome[]> {
      const { valid, rejected } = checkPayloads(items, CanvasCourseSchema);
      const http = new ChannelHttp(ctx, { timeoutMs, secrets: [ctx.settings.client_secret, ctx.settings.refresh_token] });
      const client = new CanvasClient(http, ctx.settings, tokens, ctx.configurationId, () => ctx.now(), defaultRetryAfterMs);

      const ok = (contentId: string, res: InboundResponse, id: number): ItemOutcome => ({
        contentId,
        ok: true,
        status: res.status,
        body: http.redactor.redactText(res.text),
        externalId: String(id),
      });
      const skipped = (contentId: string, id: number): ItemOutcome => ({
        contentId,
        ok: true,
        status: 200,
        body: CANVAS_DELETED_SKIP_MESSAGE,
        externalId: String(id),
      });

      const createNew = async (contentId: string, course: CanvasCourse): Promise<ItemOutcome> => {
        const { res, id } = await client.create(course);
        client.check(res, 'Canvas create');
        if (id === undefined) return { contentId, ok: true, status: res.status, body: http.redactor.redactText(res.text) };
        const published = await client.update(id, { event: 'offer', ...(course.image_url ? { image_url: course.image_url } : {}) });
        client.check(published, 'Canvas publish');
        return ok(contentId, res, id);
      };

      const upsert = async (contentId: string, course: CanvasCourse, publish: boolean): Promise<ItemOutcome> => {
        const found = await client.findCourse(course.integration_id);
        if (!found) return createNew(contentId, course);
        if (found.workflowState === 'deleted') return skipped(contentId, found.id);
        const res = await client.update(found.id, publish ? { ...course, event: 'offer' } : course);
        client.check(res, 'Canvas update');
        return ok(contentId, res, found.id);
      };

      const conclude = async (contentId: string, course: CanvasCourse): Promise<ItemOutcome> => {
        const found = await client.findCourse(course.integration_id);
        if (!found) return { contentId, ok: true, status: 200, body: `Course ${course.integration_id} is not in Canvas; nothing to delete.` };
        if (found.workflowState === 'deleted' || found.workflowState === 'completed') {
          return { contentId, ok: true, status: 200, body: `Course ${course.integration_id} is already ${found.workflowState}.`, externalId: String(found.id) };
        }
        const res = await client.conclude(found.id);
        client.check(res, 'Canvas conclude');
        return ok(contentId, res, found.id);
      };

      const sendOne = ({ contentId, payload }: CheckedItem<CanvasCourse>): Promise<ItemOutcome> =>
        action === 'delete' ? conclude(contentId, payload) : upsert(contentId, payload, action === 'create');

      return transmitChecked(items, { valid, rejected }, sendOne);
    },
  };
}
