/**
 * Values kept per catalog query, each valid for one membership-index version, within a size budget; the least
 * recently used go first. Both per-query caches of the catalog service sit on it: the active member lists of
 * `get_content_metadata` ({@link ActiveRefsCache}, sized in refs once loaded) and the encoded members of
 * `generate_diff` (`MemberEntriesCache`, sized in bytes).
 */
interface Entry<V> {
  readonly version: number;
  readonly value: V;
  size: number;
}

export class VersionedLru<V> {
  readonly #maxSize: number;
  // Insertion order = least recently used first.
  readonly #entries = new Map<number, Entry<V>>();
  #size = 0;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
  }

  /** The value of `key` at `version`, now the most recently used; a value of another version is dropped. */
  get(key: number, version: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.version === version) {
      this.#entries.set(key, entry);
      return entry.value;
    }
    this.#size -= entry.size;
    return undefined;
  }

  /**
   * Keeps `value` as `key`'s (replacing any other), counting `size` against the budget; the least recently used
   * entries go while it is exceeded. A value larger than the whole budget is not kept.
   */
  set(key: number, version: number, value: V, size: number): void {
    if (size > this.#maxSize) return;
    this.#remove(key);
    this.#entries.set(key, { version, value, size });
    this.#size += size;
    this.#evict();
  }

  /** Sets the size of `key`'s entry, if it still holds `value` (a value loaded after it was kept), and evicts. */
  resize(key: number, value: V, size: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.value !== value) return;
    this.#size += size - entry.size;
    entry.size = size;
    this.#evict();
  }

  /** Drops `key`'s entry, if it still holds `value`. */
  delete(key: number, value: V): void {
    if (this.#entries.get(key)?.value === value) this.#remove(key);
  }

  /** The sizes of the entries kept. */
  get size(): number {
    return this.#size;
  }

  #remove(key: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#size -= entry.size;
  }

  #evict(): void {
    for (const [key, oldest] of this.#entries) {
      if (this.#size <= this.#maxSize) break;
      this.#entries.delete(key);
      this.#size -= oldest.size;
    }
  }
}
