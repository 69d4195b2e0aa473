/**
 * A bounded, in-memory cache of {@link ContentFragment}s, one per content row, least recently used first out.
 *
 * An entry is valid for one version of its row: `modified` and `content_hash` as read together with the page.
 * A refresh rewrites a row's JSON only when its hash changes and then moves `modified` too (architecture
 * invariant 1, `upsertContent`), so a row that changed never matches its old entry — no invalidation messages
 * are needed, in one process or many. The bound is on the fragments' bytes (`ECAT_CONTENT_CACHE_MB`).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ContentFragment } from './content-fragment.js';

/** The version of a content row an entry was built from. */
export interface ContentVersion {
  readonly modifiedUs: number;
  readonly contentHash: string;
}

interface Entry extends ContentVersion {
  readonly fragment: ContentFragment;
}

/** Hit, miss and eviction counts, and the current size. */
export interface ContentCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
}

export class ContentFragmentCache {
  readonly #maxBytes: number;
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used entry first.
  readonly #entries = new Map<number, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  /** `maxBytes` 0 disables the cache (every lookup misses, nothing is kept). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The fragment of content row `id` at this version, if cached; a cached older version is dropped. */
  get(id: number, version: ContentVersion): ContentFragment | undefined {
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      this.#entries.delete(id);
      if (entry.modifiedUs === version.modifiedUs && entry.contentHash === version.contentHash) {
        this.#entries.set(id, entry);
        this.#hits++;
        return entry.fragment;
      }
      this.#bytes -= entry.fragment.bytes;
    }
    this.#misses++;
    return undefined;
  }

  /** Keeps `fragment` for row `id` at `version`, evicting the least recently used entries beyond the bound. */
  set(id: number, version: ContentVersion, fragment: ContentFragment): void {
    const old = this.#entries.get(id);
    if (old !== undefined) {
      this.#entries.delete(id);
      this.#bytes -= old.fragment.bytes;
    }
    if (fragment.bytes > this.#maxBytes) return;
    this.#entries.set(id, { modifiedUs: version.modifiedUs, contentHash: version.contentHash, fragment });
    this.#bytes += fragment.bytes;
    for (const [oldestId, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldestId);
      this.#bytes -= oldest.fragment.bytes;
      this.#evictions++;
    }
  }

  stats(): ContentCacheStats {
    return { hits: this.#hits, misses: this.#misses, evictions: this.#evictions, entries: this.#entries.size, bytes: this.#bytes };
  }
}

/**
 * Exposes the cache's counters in `registry` (read at scrape time): `ecat_content_cache_{hits,misses,evictions}_total`,
 * `ecat_content_cache_entries` and `ecat_content_cache_bytes`.
 */
export function registerContentCacheMetrics(registry: Registry, cache: ContentFragmentCache): void {
  const counter = (name: keyof ContentCacheStats, help: string) =>
    new Counter({
      name: `ecat_content_cache_${name}_total`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(cache.stats()[name]);
      },
    });
  const gauge = (name: keyof ContentCacheStats, help: string) =>
    new Gauge({
      name: `ecat_content_cache_${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(cache.stats()[name]);
      },
    });
  counter('hits', 'Content items served from the pre-serialised item cache');
  counter('misses', 'Content items whose JSON was read from the database (not cached, or changed)');
  counter('evictions', 'Cached content items dropped to stay within ECAT_CONTENT_CACHE_MB');
  gauge('entries', 'Content items in the pre-serialised item cache');
  gauge('bytes', 'Approximate bytes held by the pre-serialised item cache');
}
