/**
 * The catalog services of one app, created once per {@link AppContext}. Other modules reach the catalog through
 * {@link catalogServicesOf} (for example an in-process `CatalogClient` adapter calls `content.generateDiff`,
 * `content.contentMetadataJson` and `content.catalogContentVersion` with `SYSTEM_ACTOR`).
 */
import type { AppContext } from '../app-context.js';
import { CatalogContentService } from './catalog-content.service.js';
import { ContentFragmentCache, registerContentCacheMetrics } from './content-fragment-cache.js';
import { CatalogQueryService } from './catalog-query.service.js';
import { CatalogService } from './catalog.service.js';
import { CustomerService } from './customer.service.js';
import { MembershipIndexService } from './membership-index.service.js';

export interface CatalogServices {
  /** The in-memory membership index, kept in step with the database. */
  readonly index: MembershipIndexService;
  /** Catalog CRUD and the refresh trigger. */
  readonly catalogs: CatalogService;
  /** contains / filter / diff / content metadata reads. */
  readonly content: CatalogContentService;
  /** catalog-queries. */
  readonly queries: CatalogQueryService;
  /** enterprise-customers. */
  readonly customers: CustomerService;
}

const servicesByApp = new WeakMap<AppContext, CatalogServices>();

/** This app's catalog services (created on first use). */
export function catalogServicesOf(ctx: AppContext): CatalogServices {
  let services = servicesByApp.get(ctx);
  if (services === undefined) {
    const { db, jobs, config } = ctx;
    const index = new MembershipIndexService(db, ctx.logger);
    const cache = new ContentFragmentCache(config.contentCacheMb * 1024 * 1024);
    registerContentCacheMetrics(ctx.metrics.registry, cache);
    services = {
      index,
      catalogs: new CatalogService({ db, index, jobs }),
      content: new CatalogContentService({
        db,
        index,
        urls: { lmsBaseUrl: config.lmsBaseUrl, learnerPortalBaseUrl: config.learnerPortalBaseUrl, ecommerceBaseUrl: config.ecommerceBaseUrl },
        cache,
        diffThreadMinKeys: config.diffThreadMinKeys,
      }),
      queries: new CatalogQueryService({ db }),
      customers: new CustomerService({ db, index }),
    };
    servicesByApp.set(ctx, services);
  }
  return services;
}
