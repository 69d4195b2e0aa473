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
import { VersionedLru } from './versioned-lru.js';

export class ActiveRefsCache {
  readonly #lists: VersionedLru<Promise<readonly ContentRef[]>>;

  /** Keeps at most `maxRefs` refs over all queries (a ref costs ~120 bytes). */
  constructor(maxRefs: number) {
    this.#lists = new VersionedLru(maxRefs);
  }

  /**
   * The list of `queryId` at index `version`: the cached one, or `load()`'s (one load per query and version, shared
   * by concurrent callers). `version` must be read before `load` runs, so a change during the load is seen next time.
   * A list counts against the budget once loaded; a failed load is forgotten.
   */
  get(queryId: number, version: number, load: () => Promise<ContentRef[]>): Promise<readonly ContentRef[]> {
    const cached = this.#lists.get(queryId, version);
    if (cached !== undefined) return cached;
    const refs: Promise<readonly ContentRef[]> = load();
    this.#lists.set(queryId, version, refs, 0);
    refs.then(
      (list) => this.#lists.resize(queryId, refs, list.length),
      () => this.#lists.delete(queryId, refs),
    );
    return refs;
  }
}
