/**
 * The active members of a catalog query, as {@link ContentRef}s (id and version, no JSON), kept per query while
 * the membership index has not changed.
 *
 * Counting and paging a query's active members in SQL joins and sorts every membership row on each request
 * (tens of milliseconds for a 5,000-item catalog on the embedded database, serialised in its single thread), so
 * `get_content_metadata` reads the list once per index version and pages it in memory. The index version grows
 * on every applied change — membership, content (its `modified`, hence its JSON and active flag), catalogs — so a
 * list is as fresh as the index's other answers (`contains_content_items`, `generate_diff`): up to date once the
 * change's event is applied, in this process right after the commit, across processes within the notification
 * delay (architecture §3).
 */
import type { ContentRef } from './content-read.repository.js';

interface Entry {
  readonly version: number;
  readonly refs: Promise<readonly ContentRef[]>;
  size: number;
}

export class ActiveRefsCache {
  readonly #maxRefs: number;
  // Insertion order = least recently used first, as in ContentFragmentCache.
  readonly #lists = new Map<number, Entry>();
  #size = 0;

  /** Keeps at most `maxRefs` refs over all queries (a ref costs ~120 bytes). */
  constructor(maxRefs: number) {
    this.#maxRefs = maxRefs;
  }

  /**
   * The list of `queryId` at index `version`: the cached one, or `load()`'s (one load per query and version, shared
   * by concurrent callers). `version` must be read before `load` runs, so a change during the load is seen next time.
   */
  get(queryId: number, version: number, load: () => Promise<ContentRef[]>): Promise<readonly ContentRef[]> {
    const cached = this.#lists.get(queryId);
    if (cached !== undefined) {
      this.#lists.delete(queryId);
      if (cached.version === version) {
        this.#lists.set(queryId, cached);
        return cached.refs;
      }
      this.#size -= cached.size;
    }
    const entry: Entry = { version, refs: load(), size: 0 };
    this.#lists.set(queryId, entry);
    entry.refs.then(
      (refs) => this.#loaded(queryId, entry, refs.length),
      () => {
        if (this.#lists.get(queryId) === entry) this.#lists.delete(queryId);
      },
    );
    return entry.refs;
  }

  #loaded(queryId: number, entry: Entry, size: number): void {
    if (this.#lists.get(queryId) !== entry) return;
    entry.size = size;
    this.#size += size;
    for (const [id, oldest] of this.#lists) {
      if (this.#size <= this.#maxRefs) break;
      this.#lists.delete(id);
      this.#size -= oldest.size;
    }
  }
}
