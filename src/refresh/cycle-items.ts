/**
 * Full `/courses/` and `/programs/` items shared by the refreshes of one cycle.
 *
 * A cycle is one fan-out over many queries: the daily refresh, the stale sweep, `ecat refresh --all`. Filters
 * overlap (on dataset L, 700 filters hold 45,000 course memberships over 6,000 courses), and a course's full
 * item does not depend on the filter that found it, so within a cycle each worker process fetches it once and the
 * cycle's other queries reuse it. This is the shape of upstream's cycle too, which fetches full metadata once
 * for the keys of every query.
 *
 * What stays per query: `search/all`, so membership is always what upstream answers now, and all-or-nothing
 * (invariant 2): a query writes only after it has every page and every full item, and an item enters the shared
 * set only from a request that succeeded completely. A full item a query reuses is at most `maxAgeMs` older than
 * its own search; a refresh outside a cycle (catalog created, filter changed, one catalog on demand) fetches
 * everything itself.
 *
 * Refreshes of a cycle run several at once (`ECAT_REFRESH_CONCURRENCY`), so an item another refresh is fetching
 * right now is waited for rather than fetched again; if that request fails, the waiting refresh fetches the item
 * itself, and the failure stays the other refresh's.
 *
 * Items are kept as their JSON text plus its md5 — the text is parsed again only for an item whose row must be
 * merged, so an unchanged refresh never builds the object — and a cycle's items are dropped once no refresh of
 * it has run for `idleMs`.
 */
import { createHash } from 'node:crypto';

/** A full item as the refresh uses it: the md5 of its JSON (part of the row's source hash) and the item itself. */
export interface FullItem<T> {
  readonly hash: string;
  value(): T;
}

/** An item fetched for this query only: the object is kept as it is. */
export function ownItem<T>(value: T): FullItem<T> {
  const hash = createHash('md5').update(JSON.stringify(value)).digest('hex');
  return { hash, value: () => value };
}

function sharedItem<T>(value: T, at: number): FullItem<T> & { at: number; chars: number } {
  const text = JSON.stringify(value);
  return { hash: createHash('md5').update(text).digest('hex'), value: () => JSON.parse(text) as T, at, chars: text.length };
}

type SharedItem = FullItem<unknown> & { at: number; chars: number };

interface Cycle {
  items: Map<string, SharedItem>;
  /**
   * Items another refresh of the cycle is fetching now: the item once its request succeeded, `null` when that
   * request succeeded without it, `undefined` when it failed (the waiting refresh then fetches it itself).
   */
  pending: Map<string, Promise<SharedItem | null | undefined>>;
  /** JSON characters held by `items`. */
  chars: number;
  timer: NodeJS.Timeout | null;
}

export interface CycleItemsOptions {
  /** A shared item older than this is fetched again (default 15 minutes). */
  maxAgeMs?: number;
  /** A cycle none of whose refreshes ran for this long is forgotten, freeing its items (default 2 minutes). */
  idleMs?: number;
  /** Cycles remembered at once, the least recently used forgotten first (default 2). */
  maxCycles?: number;
  /**
   * JSON characters a cycle may hold (default 256 Mi, about 11,000 courses of dataset L's ~23 KB). Beyond it,
   * further items are used by the query that fetched them but not shared: memory stays bounded, only the saving
   * shrinks.
   */
  maxChars?: number;
  now?: () => number;
}

/** The full items of one cycle, as seen by one refresh. */
export interface CycleScope {
  /**
   * The items of `keys` (`kind` keeps course keys and program uuids apart): shared ones still fresh, the others
   * fetched with `fetch`, which must resolve with complete results or throw (then nothing is shared).
   */
  get<T>(kind: 'course' | 'program', keys: readonly string[], fetch: (keys: string[]) => Promise<T[]>, keyOf: (item: T) => string): Promise<Map<string, FullItem<T>>>;
}

export class CycleItems {
  readonly #cycles = new Map<string, Cycle>();
  readonly #maxAgeMs: number;
  readonly #idleMs: number;
  readonly #maxCycles: number;
  readonly #maxChars: number;
  readonly #now: () => number;

  constructor(options: CycleItemsOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.#idleMs = options.idleMs ?? 2 * 60_000;
    this.#maxCycles = Math.max(1, options.maxCycles ?? 2);
    this.#maxChars = options.maxChars ?? 256 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  /** Cycles currently remembered (tests, diagnostics). */
  get size(): number {
    return this.#cycles.size;
  }

  /** The scope of cycle `id`, for one refresh. */
  scope(id: string): CycleScope {
    let cycle = this.#cycles.get(id);
    if (cycle) this.#cycles.delete(id);
    else cycle = { items: new Map(), pending: new Map(), chars: 0, timer: null };
    this.#cycles.set(id, cycle);
    for (const [old, c] of this.#cycles) {
      if (this.#cycles.size <= this.#maxCycles) break;
      this.#forget(old, c);
    }
    this.#touch(id, cycle);
    const c = cycle;
    return {
      get: async <T>(kind: 'course' | 'program', keys: readonly string[], fetch: (keys: string[]) => Promise<T[]>, keyOf: (item: T) => string) => {
        const out = new Map<string, FullItem<T>>();
        const missing: string[] = [];
        const waiting: Array<[string, Promise<SharedItem | null | undefined>]> = [];
        const fresh = this.#now() - this.#maxAgeMs;
        for (const key of keys) {
          const id = `${kind}:${key}`;
          const hit = c.items.get(id);
          if (hit && hit.at >= fresh) out.set(key, hit as FullItem<T>);
          else {
            const inFlight = c.pending.get(id);
            if (inFlight) waiting.push([key, inFlight]);
            else missing.push(key);
          }
        }
        // Fetches `wanted` for this refresh and the cycle. Other refreshes of the cycle that need these items meanwhile
        // wait for this request instead of repeating it.
        const fetchShared = async (wanted: string[]): Promise<void> => {
          let settle!: (got: Map<string, SharedItem> | undefined) => void;
          const request = new Promise<Map<string, SharedItem> | undefined>((resolve) => (settle = resolve));
          const ids = wanted.map((key) => `${kind}:${key}`);
          const promises = wanted.map((key) => request.then((got) => (got === undefined ? undefined : (got.get(key) ?? null))));
          ids.forEach((id, i) => c.pending.set(id, promises[i] as Promise<SharedItem | null | undefined>));
          const got = new Map<string, SharedItem>();
          try {
            const at = this.#now();
            for (const value of await fetch(wanted)) {
              const item = sharedItem(value, at);
              out.set(keyOf(value), item);
              got.set(keyOf(value), item);
              this.#share(c, `${kind}:${keyOf(value)}`, item);
            }
            settle(got);
          } catch (err) {
            settle(undefined);
            throw err;
          } finally {
            ids.forEach((id, i) => {
              if (c.pending.get(id) === promises[i]) c.pending.delete(id);
            });
          }
        };
        if (missing.length > 0) await fetchShared(missing);
        if (waiting.length > 0) {
          // Items of a request that failed are fetched again by this refresh.
          const again: string[] = [];
          for (const [key, inFlight] of waiting) {
            const item = await inFlight;
            if (item) out.set(key, item as FullItem<T>);
            else if (item === undefined) again.push(key);
          }
          if (again.length > 0) await fetchShared(again);
        }
        this.#touch(id, c);
        return out;
      },
    };
  }

  /** Keep `item` for the cycle's other refreshes, unless that would exceed the cycle's character budget. */
  #share(c: Cycle, id: string, item: SharedItem): void {
    const replaced = c.items.get(id);
    const chars = c.chars - (replaced?.chars ?? 0) + item.chars;
    if (chars > this.#maxChars) return;
    c.items.set(id, item);
    c.chars = chars;
  }

  /** Forget every cycle (process shutdown, tests). */
  clear(): void {
    for (const [id, c] of this.#cycles) this.#forget(id, c);
  }

  #touch(id: string, cycle: Cycle): void {
    if (cycle.timer) clearTimeout(cycle.timer);
    cycle.timer = setTimeout(() => this.#forget(id, cycle), this.#idleMs);
    // Forgetting is housekeeping: it must never keep the process alive.
    cycle.timer.unref();
  }

  #forget(id: string, cycle: Cycle): void {
    if (cycle.timer) clearTimeout(cycle.timer);
    cycle.items.clear();
    cycle.pending.clear();
    cycle.chars = 0;
    if (this.#cycles.get(id) === cycle) this.#cycles.delete(id);
  }
}
