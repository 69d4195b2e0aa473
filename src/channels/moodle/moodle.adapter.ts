/**
 * Moodle channel. One course per call, each item with its own outcome (P15): Moodle's batch functions fail as a
 * whole with one error code that does not say which course caused it. Idempotent by `idnumber` (the content id):
 * - create: a course Moodle already has is made visible and updated; `shortnametaken` / `courseidnumbertaken` on
 *   create (a course made by an earlier, unrecorded attempt) also becomes an update of that course;
 * - update: a course Moodle does not have is created;
 * - delete: hides the course (`visible = 0`); one Moodle does not have counts as done.
 * Moodle's 200-with-`errorcode` answers become typed errors; `invalidtoken` is retried once with a new token.
 */
import type { ChannelAction, ChannelAdapter, ChannelContext, ItemOutcome, OutboundItem } from '../channel-adapter.js';
import { ChannelError } from '../channel-adapter.js';
import { ChannelHttp, DEFAULT_TIMEOUT_MS } from '../http/channel-http.js';
import { transmitChecked } from '../http/per-item.js';
import { checkBaseUrl } from '../http/settings-checks.js';
import { TokenCache } from '../http/token-cache.js';
import { type CheckedItem, checkPayloads } from '../mapping/payload-check.js';
import { MoodleClient } from './moodle.client.js';
import { type MoodleCourse, MoodleCourseSchema, mapMoodleItem } from './moodle.mapping.js';
import { MOODLE_SECRET_FIELDS, type MoodleSettings, MoodleSettingsSchema } from './moodle.settings.js';

export interface MoodleAdapterOptions {
  timeoutMs?: number;
  defaultRetryAfterMs?: number;
}

export function createMoodleAdapter(options: MoodleAdapterOptions = {}): ChannelAdapter<MoodleSettings> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? 30_000;
  const tokens = new TokenCache();
  const refusedStaticTokens = new Set<string>();

  return {
    code: 'MOODLE',
    settingsSchema: MoodleSettingsSchema,
    secretFields: MOODLE_SECRET_FIELDS,
    maxItemsPerCall: 1,
    defaultChunkSize: 1,

    validateSettings(settings) {
      const problems = checkBaseUrl('moodle_base_url', settings.moodle_base_url);
      const hasLogin = settings.username !== undefined && settings.password !== undefined;
      if (settings.token === undefined && !hasLogin) problems.push('token: a token, or a username and a password, is required');
      if ((settings.username === undefined) !== (settings.password === undefined)) {
        problems.push('password: username and password go together');
      }
      return problems;
    },

    mapItem: (item, action, ctx) => mapMoodleItem(item, action, ctx),

    async transmit(action: ChannelAction, items: readonly OutboundItem[], ctx: ChannelContext<MoodleSettings>): Promise<ItemOutcome[]> {
      const { valid, rejected } = checkPayloads(items, MoodleCourseSchema);
      const s = ctx.settings;
      const http = new ChannelHttp(ctx, { timeoutMs, secrets: [s.token, s.username, s.password].filter((v): v is string => v !== undefined) });
      const client = new MoodleClient(http, s, tokens, ctx.configurationId, () => ctx.now(), defaultRetryAfterMs, refusedStaticTokens);

      const ok = (contentId: string, body: unknown, id: number | undefined): ItemOutcome => ({
        contentId,
        ok: true,
        status: 200,
        body: http.redactor.redactText(JSON.stringify(body ?? null)),
        ...(id !== undefined ? { externalId: String(id) } : {}),
      });

      const update = async (contentId: string, course: MoodleCourse, id: number): Promise<ItemOutcome> =>
        ok(contentId, await client.updateCourse(id, course), id);

      const create = async (contentId: string, course: MoodleCourse, lookFirst: boolean): Promise<ItemOutcome> => {
        if (lookFirst) {
          const existing = await client.findCourse('idnumber', course.idnumber);
          if (existing) return update(contentId, { ...course, visible: 1 }, existing.id);
        }
        try {
          const { id, body } = await client.createCourse(course);
          return ok(contentId, body, id);
        } catch (err) {
          if (!(err instanceof ChannelError) || err.status !== 409) throw err;
          // Taken by a course an earlier attempt created: adopt it (by idnumber, else by shortname).
          const existing = (await client.findCourse('idnumber', course.idnumber)) ?? (await client.findCourse('shortname', course.shortname));
          if (!existing) throw err;
          return update(contentId, { ...course, visible: 1 }, existing.id);
        }
      };

      const sendOne = async ({ contentId, payload }: CheckedItem<MoodleCourse>): Promise<ItemOutcome> => {
        if (action === 'create') return create(contentId, { ...payload, visible: 1 }, true);
        const existing = await client.findCourse('idnumber', payload.idnumber);
        if (action === 'update') return existing ? update(contentId, { ...payload, visible: 1 }, existing.id) : create(contentId, payload, false);
        if (!existing) return { contentId, ok: true, status: 200, body: `Course ${payload.idnumber} is not in Moodle; nothing to hide.` };
        return update(contentId, { ...payload, visible: 0 }, existing.id);
      };

      return transmitChecked(items, { valid, rejected }, sendOne);
    },
  };
}
