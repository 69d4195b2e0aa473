/**
 * The integrated channels module: the transmission queue (one job per configuration, never two at once for one
 * configuration), the fan-out that queues every active configuration on `ECAT_TRANSMIT_CRON`, and the routes.
 */
import type { AppContext, AppModule } from '../app-context.js';
import { type ChannelServiceOverrides, channelServicesOf, overrideChannelServices } from './channel-services.js';
import { channelRoutes } from './channels.routes.js';
import { listConfigurations, type ConfigurationRecord } from './configuration.repository.js';
import { CatalogRequestCounter } from './catalog-client.js';
import { pruneRequestLogs } from './request-log.repository.js';

export { channelServicesOf } from './channel-services.js';

/**
 * The active configurations of active customers, optionally of one customer or channel: what a transmission of
 * "everything" covers. A customer whose status cannot be read counts as active.
 */
export async function transmittableConfigurations(
  ctx: AppContext,
  filter: { customer?: string; channelCode?: string } = {},
): Promise<ConfigurationRecord[]> {
  const configs = await listConfigurations(
    ctx.db.kysely,
    { scope: '*', activeOnly: true, ...(filter.customer ? { customer: filter.customer } : {}), ...(filter.channelCode ? { channelCode: filter.channelCode } : {}) },
    100_000,
    0,
  );
  const client = channelServicesOf(ctx).catalog.forRun(new CatalogRequestCounter());
  const activeByCustomer = new Map<string, boolean>();
  const out: ConfigurationRecord[] = [];
  for (const c of configs) {
    let active = activeByCustomer.get(c.enterpriseCustomerUuid);
    if (active === undefined) {
      active = (await client.customerActive(c.enterpriseCustomerUuid).catch(() => null)) !== false;
      activeByCustomer.set(c.enterpriseCustomerUuid, active);
    }
    if (active) out.push(c);
  }
  return out;
}

/**
 * Queue a transmission of every {@link transmittableConfigurations} entry. Returns the queued configuration ids (a
 * configuration whose job is already queued is coalesced).
 */
export async function enqueueTransmissions(
  ctx: AppContext,
  reason: 'schedule' | 'on_demand',
  filter: { customer?: string; channelCode?: string } = {},
): Promise<number[]> {
  const queued: number[] = [];
  for (const c of await transmittableConfigurations(ctx, filter)) {
    await ctx.jobs.enqueue('transmit_content_metadata', { configurationId: c.id, reason }, { dedupKey: String(c.id) });
    queued.push(c.id);
  }
  return queued;
}

/** The module; `overrides` are test seams (adapters with short timeouts, another catalog client). */
export function createChannelsModule(overrides?: ChannelServiceOverrides): AppModule {
  return {
    name: 'channels',

    async defineJobs(ctx) {
      if (overrides) overrideChannelServices(ctx, overrides);
      const { config } = ctx;
      await ctx.jobs.define(
        'transmit_content_metadata',
        {
          // Keyed by configuration id: at most one queued and one running per configuration.
          policy: 'stately',
          concurrency: config.transmitConcurrency,
          // Longer than a run's budget, so the queue never starts a second run while the first is still sending.
          timeoutMs: config.transmitRunBudgetMs + 10 * 60_000,
          retry: { limit: 3, delayMs: 30_000, backoff: 'exponential' },
        },
        async (job) => {
          const reason = job.data.reason === 'on_demand' ? 'on_demand' : 'schedule';
          return channelServicesOf(ctx).transmission.run(job.data.configurationId, { reason, jobId: job.id, signal: job.signal });
        },
      );
      await ctx.jobs.define('transmit_all_configurations', { policy: 'singleton', timeoutMs: 10 * 60_000 }, async (job) => {
        const queued = await enqueueTransmissions(ctx, job.data.reason);
        const pruned = await pruneRequestLogs(ctx.db.kysely, config.transmitRequestLogDays);
        ctx.logger.info({ queued: queued.length, prunedRequestLogs: pruned }, 'transmissions queued');
        return { queued: queued.length };
      });
    },

    routes(app, ctx) {
      channelRoutes(app, ctx, channelServicesOf(ctx));
    },

    async start(ctx) {
      if (ctx.isWorker) await ctx.jobs.schedule('transmit_all_configurations', ctx.config.transmitCron, { reason: 'schedule' });
    },
  };
}

export const channelsModule: AppModule = createChannelsModule();
