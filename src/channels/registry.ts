/**
 * The channel adapters this service can push to, by an explicit import list (house style 9): adding a channel is
 * one import and one entry here. Cornerstone (CSOD) is not listed: it pulls (`course-list`) instead of being pushed
 * to, so it has no adapter.
 */
import { Value } from 'typebox/value';
import { createBlackboardAdapter } from './blackboard/blackboard.adapter.js';
import { createCanvasAdapter } from './canvas/canvas.adapter.js';
import type { ChannelAdapter } from './channel-adapter.js';
import { createDegreedAdapter } from './degreed/degreed.adapter.js';
import { createGenericAdapter } from './generic/generic.adapter.js';
import { createMoodleAdapter } from './moodle/moodle.adapter.js';
import { createSapAdapter } from './sap/sap.adapter.js';

/** An adapter whatever its settings type; callers validate settings with `validateChannelSettings` first. */
export type AnyChannelAdapter = ChannelAdapter<Record<string, unknown>>;

/** One instance per channel for the process: each keeps its token caches across runs. */
const ADAPTERS: readonly AnyChannelAdapter[] = [
  createGenericAdapter(),
  createSapAdapter(),
  createDegreedAdapter(),
  createCanvasAdapter(),
  createBlackboardAdapter(),
  createMoodleAdapter(),
];

const BY_CODE = new Map<string, AnyChannelAdapter>(ADAPTERS.map((a) => [a.code, a]));

/** The adapter of a channel code (`ChannelCode`), or undefined for a code without one (CSOD, unknown codes). */
export function getAdapter(code: string): AnyChannelAdapter | undefined {
  return BY_CODE.get(code);
}

/** Every registered adapter, in registration order. */
export function listAdapters(): readonly AnyChannelAdapter[] {
  return ADAPTERS;
}

/**
 * Problems with a configuration's settings, as `field: problem` messages (empty when valid): the TypeBox schema
 * first, then the adapter's own checks. Used when a configuration is saved, so bad settings are refused then and
 * not discovered at send time.
 */
export function validateChannelSettings(adapter: AnyChannelAdapter, settings: unknown): string[] {
  if (!Value.Check(adapter.settingsSchema, settings)) {
    return [...Value.Errors(adapter.settingsSchema, settings)].map((e) => {
      const extra = (e.params as { additionalProperties?: unknown }).additionalProperties;
      const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || (Array.isArray(extra) ? extra.join(',') : '(settings)');
      return `${field}: ${e.message}`;
    });
  }
  return adapter.validateSettings?.(settings as Record<string, unknown>) ?? [];
}
