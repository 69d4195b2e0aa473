/**
 * The channel services of one app, created once per {@link AppContext}: the catalog client (HTTP when
 * `ECAT_CATALOG_API_URL` is set, else this process's catalog), the transmission engine, configurations and
 * Cornerstone's pull.
 */
import type { AppContext } from '../app-context.js';
import { catalogServicesOf } from '../catalog/catalog-services.js';
import type { AdapterLookup } from './channel-definitions.js';
import type { CatalogClientFactory } from './catalog-client.js';
import { HttpCatalogClient } from './catalog-client.http.js';
import { InProcessCatalogClient } from './catalog-client.in-process.js';
import { channelMetrics } from './channels.metrics.js';
import { ConfigurationService } from './configuration.service.js';
import { CsodPullService } from './csod/csod.service.js';
import { createSecretBox } from './secrets.js';
import { TransmissionService } from './transmission.service.js';

export interface ChannelServices {
  readonly catalog: CatalogClientFactory;
  readonly transmission: TransmissionService;
  readonly configurations: ConfigurationService;
  readonly csod: CsodPullService;
}

/** Test seams: other adapters (short timeouts), another catalog client. */
export interface ChannelServiceOverrides {
  adapters?: AdapterLookup;
  catalog?: CatalogClientFactory;
  unavailableBackoffMs?: number;
}

const byApp = new WeakMap<AppContext, ChannelServices>();
const overridesByApp = new WeakMap<AppContext, ChannelServiceOverrides>();

/** Set test seams for an app before its services are first used. */
export function overrideChannelServices(ctx: AppContext, overrides: ChannelServiceOverrides): void {
  if (byApp.has(ctx)) throw new Error('channel services already created for this app');
  overridesByApp.set(ctx, overrides);
}

export function createCatalogClient(ctx: AppContext): CatalogClientFactory {
  const { config } = ctx;
  const metrics = channelMetrics(ctx.metrics.registry);
  if (config.catalogApiUrl !== null) {
    return new HttpCatalogClient({
      baseUrl: config.catalogApiUrl,
      token: config.catalogApiToken,
      jwtSecret: config.jwtSecret,
      jwtIssuer: config.jwtIssuer,
      jwtAudience: config.jwtAudience,
      timeoutMs: config.catalogApiTimeoutMs,
      onRequest: (kind, status) => metrics.catalogRequests.inc({ client: 'http', kind, status: status === null ? 'error' : String(status) }),
    });
  }
  return new InProcessCatalogClient(() => catalogServicesOf(ctx), ctx.db);
}

export function channelServicesOf(ctx: AppContext): ChannelServices {
  let s = byApp.get(ctx);
  if (s === undefined) {
    const o = overridesByApp.get(ctx) ?? {};
    const { config } = ctx;
    const secrets = createSecretBox(config.secretKey);
    const catalog = o.catalog ?? createCatalogClient(ctx);
    s = {
      catalog,
      transmission: new TransmissionService({
        db: ctx.db,
        catalog,
        logger: ctx.logger,
        secrets,
        budgetMs: config.transmitRunBudgetMs,
        permanentBackoffMs: config.transmitErrorBackoffHours * 3_600_000,
        fullDiffAfterMs: config.transmitFullDiffHours * 3_600_000,
        metrics: channelMetrics(ctx.metrics.registry),
        ...(config.workerId !== null ? { workerId: config.workerId } : {}),
        soleProcess: ctx.db.kind === 'pglite',
        ...(o.adapters ? { adapters: o.adapters } : {}),
        ...(o.unavailableBackoffMs !== undefined ? { unavailableBackoffMs: o.unavailableBackoffMs } : {}),
      }),
      configurations: new ConfigurationService({ db: ctx.db, jobs: ctx.jobs, catalog, secrets, ...(o.adapters ? { adapters: o.adapters } : {}) }),
      csod: new CsodPullService(ctx.db),
    };
    byApp.set(ctx, s);
  }
  return s;
}
