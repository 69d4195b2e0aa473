/**
 * The catalog service module: enterprise-catalog v1 endpoints and the in-memory membership index.
 * The index loads when the app starts (or on first use) and follows `ecat_catalog_changes` until the app closes.
 * The `refresh_catalog_query` queue it enqueues into is defined by the refresh module.
 */
import type { AppModule } from '../app-context.js';
import { authenticatedScope } from './catalog-http.js';
import { catalogQueryRoutes } from './catalog-query.routes.js';
import { catalogRoutes } from './catalog.routes.js';
import { catalogServicesOf } from './catalog-services.js';
import { contentMetadataRoutes } from './content-metadata.routes.js';
import { customerRoutes } from './customer.routes.js';

export { catalogServicesOf, type CatalogServices } from './catalog-services.js';

export const catalogModule: AppModule = {
  name: 'catalog',

  async routes(app, ctx) {
    const services = catalogServicesOf(ctx);
    // Per app, not in `stop()` (which has no context): the index stops listening and the diff thread ends when the
    // HTTP app closes.
    app.addHook('onClose', async () => {
      await services.index.stop();
      await services.content.close();
    });
    await authenticatedScope(app, ctx, (scope) => {
      catalogRoutes(scope, services);
      customerRoutes(scope, services);
      catalogQueryRoutes(scope, services, ctx);
      contentMetadataRoutes(scope, services);
    });
  },

  async start(ctx) {
    await catalogServicesOf(ctx).index.start();
  },
};
