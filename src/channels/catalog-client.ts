/**
 * The channels' only way to the catalog (house style 8): a small port in our terms, with an in-process
 * implementation (this service's own catalog) and an HTTP one speaking enterprise-catalog v1, so the engine can also
 * drive a remote Open edX enterprise-catalog.
 */
import type { CatalogContentItem } from './channel-adapter.js';

/** A customer's catalog, as far as the engine needs it. */
export interface CatalogRef {
  uuid: string;
  title: string;
}

/** `generate_diff` in our terms. */
export interface CatalogDiffResult {
  /** Keys of the catalog that were not sent (upstream `items_not_included`): create candidates. */
  notIncluded: string[];
  /** Keys sent that the catalog does not hold (`items_not_found`): delete candidates. */
  notFound: string[];
  /** Keys sent that the catalog holds, with `date_updated` (`items_found`). */
  found: Array<{ contentKey: string; dateUpdated: string | null }>;
}

/** Kinds of catalog request, for counting. */
export type CatalogRequestKind = 'list_catalogs' | 'content_version' | 'generate_diff' | 'get_content_metadata' | 'customer';

export const METADATA_PAGE_SIZE = 100;

export interface CatalogClient {
  readonly kind: 'in-process' | 'http';
  /** The customer's catalogs, oldest first. */
  listCatalogs(customerUuid: string): Promise<CatalogRef[]>;
  /**
   * One cheap read that changes whenever the catalog's membership, a member's content, the catalog or its customer
   * changes. Null when the catalog does not exist (any more).
   */
  contentVersion(catalogUuid: string): Promise<string | null>;
  /** Compare `keys` (what the caller believes the catalog holds) with the catalog. */
  generateDiff(catalogUuid: string, keys: readonly string[]): Promise<CatalogDiffResult>;
  /**
   * Metadata items for `keys`, in requests of at most {@link METADATA_PAGE_SIZE} keys. Items are in
   * enterprise-catalog's `get_content_metadata` shape; the result may hold related items too (a course asked for
   * by a run key) and lacks keys the catalog does not serve.
   */
  getMetadata(catalogUuid: string, keys: readonly string[]): Promise<CatalogContentItem[]>;
  /** Whether the customer is active; null when the catalog service does not say. */
  customerActive(customerUuid: string): Promise<boolean | null>;
}

/** Counts a client's requests: per run (the engine reads the difference) and into the metrics. */
export class CatalogRequestCounter {
  total = 0;
  readonly byKind: Record<CatalogRequestKind, number> = {
    list_catalogs: 0,
    content_version: 0,
    generate_diff: 0,
    get_content_metadata: 0,
    customer: 0,
  };

  constructor(private readonly onRequest?: (kind: CatalogRequestKind) => void) {}

  count(kind: CatalogRequestKind): void {
    this.total++;
    this.byKind[kind]++;
    this.onRequest?.(kind);
  }

  snapshot(): { total: number; byKind: Record<CatalogRequestKind, number> } {
    return { total: this.total, byKind: { ...this.byKind } };
  }
}

/** What a catalog client did between two snapshots. */
export function requestsSince(
  before: ReturnType<CatalogRequestCounter['snapshot']>,
  after: ReturnType<CatalogRequestCounter['snapshot']>,
): { total: number; byKind: Record<CatalogRequestKind, number> } {
  const byKind = { ...after.byKind };
  for (const k of Object.keys(byKind) as CatalogRequestKind[]) byKind[k] -= before.byKind[k];
  return { total: after.total - before.total, byKind };
}

/**
 * Makes catalog clients that count into a given counter: each transmission run gets its own view, so its summary
 * says how many catalog requests that run made even when runs of other configurations go on at the same time.
 */
export interface CatalogClientFactory {
  readonly kind: CatalogClient['kind'];
  forRun(counter: CatalogRequestCounter): CatalogClient;
}

/** Content id of a metadata item: programs and pathways by uuid, everything else by key (upstream's rule). */
export function metadataContentId(item: CatalogContentItem): string | undefined {
  const byUuid = item.content_type === 'program' || item.content_type === 'learnerpathway';
  const pick = (k: string) => {
    const v = item[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  return byUuid ? (pick('uuid') ?? pick('key')) : (pick('key') ?? pick('uuid'));
}

/** `keys` in batches of `size`. */
export function batches<T>(keys: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < keys.length; i += size) out.push(keys.slice(i, i + size));
  return out;
}
