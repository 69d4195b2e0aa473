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
    const problems: string[] = [];
    for (const e of Value.Errors(adapter.settingsSchema, settings)) {
      const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const params = e.params as { requiredProperties?: unknown; additionalProperties?: unknown };
      if (e.keyword === 'required' && Array.isArray(params.requiredProperties)) {
        for (const name of params.requiredProperties) problems.push(`${field ? `${field}.` : ''}${String(name)}: is required`);
      } else if (e.keyword === 'additionalProperties' && Array.isArray(params.additionalProperties)) {
        for (const name of params.additionalProperties) problems.push(`${field ? `${field}.` : ''}${String(name)}: is not a setting of ${adapter.code}`);
      } else if (e.keyword !== 'boolean') {
        // 'boolean' repeats each additional property as "schema is false"; it is reported above.
        problems.push(`${field || '(settings)'}: ${e.message}`);
      }
    }
    return [...new Set(problems)];
  }
  return adapter.validateSettings?.(settings as Record<string, unknown>) ?? [];
}
