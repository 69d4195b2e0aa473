/**
 * `CatalogClient` on this process's own catalog services (the default): the same service calls the v1 API makes,
 * as `SYSTEM_ACTOR`, without HTTP. Membership questions (version, diff) are answered from the in-memory membership
 * index; metadata is read one page of 100 keys at a time. Each service call counts as one request.
 *
 * Metadata pages are the JSON the HTTP answer would carry, parsed here: they are built from the catalog's cached
 * pre-serialised items, so the many configurations that send the same catalogs read each item's JSON from the
 * database once while it stays cached, instead of once per configuration (on PGlite that read, jsonb → text in the
 * database thread, was most of a first transmission's time).
 *
 * A run asks whether the customer is active, then lists its catalogs: both come from one read at the first of the two
 * calls, kept for the run (each call still counts as a request).
 */
import { SYSTEM_ACTOR } from '../catalog/catalog-access.js';
import type { JsonPayload, MetadataPage } from '../catalog/catalog-content.service.js';
import type { CatalogServices } from '../catalog/catalog-services.js';
import { customerCatalogs, type CustomerCatalogs } from '../catalog/catalog-client.repository.js';
import { parseUuid } from '../catalog/membership-index.js';
import type { Db } from '../db/database.js';
import { AppError } from '../shared/errors.js';
import type { CatalogContentItem } from './channel-adapter.js';
import {
  batches,
  type CatalogClient,
  type CatalogClientFactory,
  type CatalogDiffResult,
  type CatalogRef,
  type CatalogRequestCounter,
  METADATA_PAGE_SIZE,
} from './catalog-client.js';

/** A page is one buffer (only `traverse_pagination`, which this client never asks for, streams). */
function parsePage(payload: JsonPayload): MetadataPage {
  if (!Buffer.isBuffer(payload)) throw new Error('get_content_metadata answered a stream to a paged request');
  return JSON.parse(payload.toString('utf8')) as MetadataPage;
}

function isNotFound(err: unknown): boolean {
  return err instanceof AppError && err.kind === 'not_found';
}

export class InProcessCatalogClient implements CatalogClientFactory {
  readonly kind = 'in-process' as const;

  /** `services` is read lazily: the catalog module creates them per app. */
  constructor(
    private readonly services: () => CatalogServices,
    private readonly db: Db,
  ) {}

  forRun(counter: CatalogRequestCounter): CatalogClient {
    const s = this.services;
    const db = this.db;
    /** The customer and its catalogs, read once per run: customer uuid → read (undefined: no such customer). */
    const customers = new Map<string, Promise<CustomerCatalogs | undefined>>();
    const customer = (uuid: string) => {
      const id = parseUuid(uuid);
      if (id === null) return Promise.resolve(undefined);
      let read = customers.get(id);
      if (read === undefined) customers.set(id, (read = customerCatalogs(db.kysely, id)));
      return read;
    };
    return {
      kind: 'in-process',

      async listCatalogs(customerUuid: string): Promise<CatalogRef[]> {
        counter.count('list_catalogs');
        return (await customer(customerUuid))?.catalogs.map((c) => ({ uuid: c.uuid, title: c.title })) ?? [];
      },

      async contentVersion(catalogUuid: string): Promise<string | null> {
        counter.count('content_version');
        try {
          return await s().content.catalogContentVersion(SYSTEM_ACTOR, catalogUuid);
        } catch (err) {
          if (isNotFound(err)) return null;
          throw err;
        }
      },

      async generateDiff(catalogUuid: string, keys: readonly string[]): Promise<CatalogDiffResult> {
        counter.count('generate_diff');
        const diff = await s().content.generateDiff(SYSTEM_ACTOR, catalogUuid, keys, 'body');
        return {
          notFound: diff.items_not_found.map((i) => i.content_key),
          notIncluded: diff.items_not_included.map((i) => i.content_key),
          found: diff.items_found.map((i) => ({ contentKey: i.content_key, dateUpdated: i.date_updated })),
        };
      },

      async getMetadata(catalogUuid: string, keys: readonly string[]): Promise<CatalogContentItem[]> {
        const out: CatalogContentItem[] = [];
        for (const batch of batches(keys, METADATA_PAGE_SIZE)) {
          for (let page = 1, seen = 0; ; page++) {
            counter.count('get_content_metadata');
            const res = parsePage(
              await s().content.contentMetadataJson(SYSTEM_ACTOR, catalogUuid, {
                contentKeys: batch,
                via: 'body',
                page: String(page),
                pageSize: String(METADATA_PAGE_SIZE),
                url: null,
              }),
            );
            for (const item of res.results) out.push(item as unknown as CatalogContentItem);
            seen += res.results.length;
            if (res.next === null || res.results.length === 0 || seen >= res.count) break;
          }
        }
        return out;
      },

      async customerActive(customerUuid: string): Promise<boolean | null> {
        counter.count('customer');
        return (await customer(customerUuid))?.active ?? null;
      },
    };
  }
}
