/**
 * What the engine needs to know of each channel code: the push adapters of the registry, and Cornerstone, which
 * pulls. Cornerstone has a mapping and settings like the others but no transmission: its items wait, marked, until
 * Cornerstone polls `/cornerstone/course-updates`.
 */
import { type ChannelAdapter, type ChannelCode, CHANNEL_CODES, PermanentChannelError } from './channel-adapter.js';
import { mapCsodItem } from './csod/csod.mapping.js';
import { CSOD_DEFAULT_CHUNK_SIZE, CSOD_MAX_ITEMS, CSOD_SECRET_FIELDS, type CsodSettings, CsodSettingsSchema } from './csod/csod.settings.js';
import { type AnyChannelAdapter, getAdapter, validateChannelSettings } from './registry.js';

export interface ChannelDefinition {
  readonly code: ChannelCode;
  readonly adapter: AnyChannelAdapter;
  /** True when the LMS pulls (Cornerstone): the engine marks rows and never transmits. */
  readonly pull: boolean;
}

/** Cornerstone as an adapter-shaped channel: settings, mapping, and a transmit that is never called. */
function createCsodPullChannel(): ChannelAdapter<CsodSettings> {
  return {
    code: 'CSOD',
    settingsSchema: CsodSettingsSchema,
    secretFields: CSOD_SECRET_FIELDS,
    maxItemsPerCall: CSOD_MAX_ITEMS,
    defaultChunkSize: CSOD_DEFAULT_CHUNK_SIZE,
    mapItem: (item, _action, ctx) => mapCsodItem(item, ctx),
    transmit: () => Promise.reject(new PermanentChannelError('Cornerstone pulls its items; nothing is pushed')),
  };
}

const CSOD = createCsodPullChannel() as unknown as AnyChannelAdapter;

export type AdapterLookup = (code: string) => AnyChannelAdapter | undefined;

export function isChannelCode(code: string): code is ChannelCode {
  return (CHANNEL_CODES as readonly string[]).includes(code);
}

/** The definition of a channel code; `adapters` replaces the registry (tests with short timeouts). */
export function channelDefinition(code: string, adapters: AdapterLookup = getAdapter): ChannelDefinition | undefined {
  if (!isChannelCode(code)) return undefined;
  if (code === 'CSOD') return { code, adapter: CSOD, pull: true };
  const adapter = adapters(code);
  return adapter ? { code, adapter, pull: false } : undefined;
}

/** `field: problem` messages for a channel's settings (empty when valid). */
export function settingsProblems(def: ChannelDefinition, settings: unknown): string[] {
  return validateChannelSettings(def.adapter, settings);
}
