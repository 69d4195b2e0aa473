/**
 * An in-memory catalog behind the `CatalogClient` port, with enterprise-catalog's semantics: `generate_diff` buckets
 * with `date_updated = max(content, catalog, customer modified)`, metadata items carrying the same value as
 * `content_last_modified`, and a content version that moves with membership, content, catalog and customer. Every
 * call is recorded, so tests can assert "no diff, no metadata request".
 */
import type { CatalogContentItem } from '../../src/channels/channel-adapter.js';
import {
  batches,
  type CatalogClient,
  type CatalogClientFactory,
  type CatalogDiffResult,
  type CatalogRef,
  CatalogRequestCounter,
  METADATA_PAGE_SIZE,
  metadataContentId,
} from '../../src/channels/catalog-client.js';
import { microsToIso } from '../../src/channels/channel-time.js';

interface FakeCatalogEntry {
  uuid: string;
  title: string;
  customer: string;
  created: number;
  modifiedUs: number;
  items: Map<string, { item: CatalogContentItem; modifiedUs: number }>;
}

export interface FakeCall {
  kind: 'list' | 'version' | 'diff' | 'metadata' | 'customer';
  catalog?: string;
  keys?: string[];
}

export class FakeCatalog implements CatalogClientFactory {
  readonly kind = 'in-process' as const;
  readonly catalogs = new Map<string, FakeCatalogEntry>();
  readonly customers = new Map<string, { active: boolean; modifiedUs: number }>();
  readonly calls: FakeCall[] = [];
  /** Keys the metadata endpoint pretends not to know (P7). */
  readonly metadataOmits = new Set<string>();
  /** Make every call fail (catalog outage). */
  failing = false;
  #clock = Date.UTC(2025, 0, 1) * 1000;
  #created = 0;

  /** A strictly increasing "now" in microseconds. */
  tick(): number {
    this.#clock += 1_000_123;
    return this.#clock;
  }

  addCatalog(uuid: string, customer: string, items: CatalogContentItem[] = [], title = `Catalog ${uuid.slice(0, 8)}`): void {
    if (!this.customers.has(customer)) this.customers.set(customer, { active: true, modifiedUs: this.tick() });
    const entry: FakeCatalogEntry = { uuid, title, customer, created: this.#created++, modifiedUs: this.tick(), items: new Map() };
    this.catalogs.set(uuid, entry);
    for (const item of items) this.put(uuid, item);
  }

  removeCatalog(uuid: string): void {
    this.catalogs.delete(uuid);
  }

  /** Add or change an item (its content modified moves). */
  put(catalog: string, item: CatalogContentItem): void {
    const entry = this.#catalog(catalog);
    entry.items.set(metadataContentId(item) as string, { item: structuredClone(item), modifiedUs: this.tick() });
  }

  remove(catalog: string, key: string): void {
    this.#catalog(catalog).items.delete(key);
  }

  touchCatalog(catalog: string): void {
    this.#catalog(catalog).modifiedUs = this.tick();
  }

  touchCustomer(customer: string): void {
    const c = this.customers.get(customer);
    if (c) c.modifiedUs = this.tick();
  }

  count(kind: FakeCall['kind']): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  #catalog(uuid: string): FakeCatalogEntry {
    const entry = this.catalogs.get(uuid);
    if (!entry) throw new Error(`no fake catalog ${uuid}`);
    return entry;
  }

  #dateUpdated(entry: FakeCatalogEntry, modifiedUs: number): number {
    return Math.max(modifiedUs, entry.modifiedUs, this.customers.get(entry.customer)?.modifiedUs ?? 0);
  }

  forRun(counter: CatalogRequestCounter = new CatalogRequestCounter()): CatalogClient {
    const call = (c: FakeCall) => {
      if (this.failing) throw new Error('catalog unavailable');
      this.calls.push(c);
    };
    return {
      kind: 'in-process',
      listCatalogs: async (customer): Promise<CatalogRef[]> => {
        call({ kind: 'list' });
        counter.count('list_catalogs');
        return [...this.catalogs.values()]
          .filter((c) => c.customer === customer)
          .sort((a, b) => a.created - b.created)
          .map((c) => ({ uuid: c.uuid, title: c.title }));
      },
      contentVersion: async (uuid) => {
        call({ kind: 'version', catalog: uuid });
        counter.count('content_version');
        const entry = this.catalogs.get(uuid);
        if (!entry) return null;
        const parts = [...entry.items.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}@${v.modifiedUs}`);
        return `${parts.join(',')}|${entry.modifiedUs}|${this.customers.get(entry.customer)?.modifiedUs ?? 0}`;
      },
      generateDiff: async (uuid, keys): Promise<CatalogDiffResult> => {
        call({ kind: 'diff', catalog: uuid, keys: [...keys] });
        counter.count('generate_diff');
        const entry = this.#catalog(uuid);
        const sent = new Set(keys);
        return {
          notFound: [...sent].filter((k) => !entry.items.has(k)),
          notIncluded: [...entry.items.keys()].filter((k) => !sent.has(k)),
          found: [...sent]
            .filter((k) => entry.items.has(k))
            .map((k) => ({ contentKey: k, dateUpdated: microsToIso(this.#dateUpdated(entry, entry.items.get(k)?.modifiedUs ?? 0)) })),
        };
      },
      getMetadata: async (uuid, keys) => {
        const entry = this.#catalog(uuid);
        const out: CatalogContentItem[] = [];
        for (const batch of batches(keys, METADATA_PAGE_SIZE)) {
          call({ kind: 'metadata', catalog: uuid, keys: batch });
          counter.count('get_content_metadata');
          for (const k of batch) {
            const found = entry.items.get(k);
            if (!found || this.metadataOmits.has(k)) continue;
            out.push({ ...structuredClone(found.item), content_last_modified: microsToIso(this.#dateUpdated(entry, found.modifiedUs)) });
          }
        }
        return out;
      },
      customerActive: async (customer) => {
        call({ kind: 'customer' });
        counter.count('customer');
        return this.customers.get(customer)?.active ?? null;
      },
    };
  }
}
