/**
 * A stand-in for the engine around one adapter in tests: it keeps the configuration's durable settings (applying
 * `saveSettings` patches as the engine would), records every `logRequest` entry and the order of saves and calls,
 * and builds a fresh context per run, like the engine does for each transmission.
 */
import type {
  CatalogContentItem,
  ChannelAction,
  ChannelAdapter,
  ChannelContext,
  ChannelRequestLogEntry,
  ItemOutcome,
  OutboundItem,
} from '../../src/channels/channel-adapter.js';

export interface HarnessOptions {
  showCoursePrice?: boolean;
  configurationId?: number;
  now?: () => Date;
  /** Make `saveSettings` fail (the database is down). */
  failSave?: boolean;
}

export class ChannelHarness<S extends Record<string, unknown>> {
  readonly logs: ChannelRequestLogEntry[] = [];
  /** `save <fields>` and `request <METHOD> <url>`, in the order they happened. */
  readonly events: string[] = [];
  readonly saved: Partial<S>[] = [];
  /** Everything `send` answered or threw, for checks that no credential leaks into outcomes and errors. */
  readonly results: unknown[] = [];
  failSave: boolean;
  private readonly now: () => Date;

  constructor(
    readonly adapter: ChannelAdapter<S>,
    /** The durable settings; replaced (not mutated) on each save. */
    public settings: S,
    readonly options: HarnessOptions = {},
  ) {
    this.failSave = options.failSave ?? false;
    this.now = options.now ?? (() => new Date());
  }

  /** A context for one run. Its `settings` is a snapshot: a save during the run does not change it. */
  context(signal: AbortSignal = new AbortController().signal): ChannelContext<S> {
    return {
      configurationId: this.options.configurationId ?? 1,
      enterpriseCustomerUuid: '6ae013d4-c5c4-474d-8da9-0e559b2448e2',
      settings: structuredClone(this.settings),
      showCoursePrice: this.options.showCoursePrice ?? false,
      saveSettings: async (patch) => {
        if (this.failSave) throw new Error('database unavailable');
        this.saved.push(patch);
        this.events.push(`save ${Object.keys(patch).sort().join(',')}`);
        this.settings = { ...this.settings, ...patch };
      },
      logRequest: (entry) => {
        this.logs.push(entry);
        this.events.push(`request ${entry.method} ${entry.url}`);
      },
      signal,
      now: this.now,
    };
  }

  /** Map items as the exporter would and store the payloads as the audit rows would (JSON round trip). */
  map(items: readonly CatalogContentItem[], action: ChannelAction): OutboundItem[] {
    const ctx = this.context();
    return items.map((item) => {
      const metadata = this.adapter.mapItem(item, action, ctx);
      return { contentId: contentKey(item), metadata: JSON.parse(JSON.stringify(metadata)) as unknown };
    });
  }

  /** Map then transmit one chunk. */
  async send(action: ChannelAction, items: readonly CatalogContentItem[], signal?: AbortSignal): Promise<ItemOutcome[]> {
    try {
      const outcomes = await this.adapter.transmit(action, this.map(items, action), this.context(signal));
      this.results.push(outcomes);
      return outcomes;
    } catch (err) {
      this.results.push(err);
      throw err;
    }
  }
}

function contentKey(item: CatalogContentItem): string {
  const id = item.content_type === 'program' ? item['uuid'] : item['key'];
  if (typeof id !== 'string') throw new Error('test item without key/uuid');
  return id;
}

/** JSON of anything, errors included (their message is not enumerable, so plain JSON.stringify drops it). */
export function dump(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { ...v, name: v.name, message: v.message } : v));
}

/** Run `fn` and answer what it threw (fails the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
