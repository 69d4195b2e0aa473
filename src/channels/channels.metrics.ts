/** Channel metrics: items sent by outcome, runs by status, run duration, catalog requests. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ChannelMetrics {
  items: Counter<'channel' | 'action' | 'outcome'>;
  runs: Counter<'channel' | 'status'>;
  runDuration: Histogram<'channel'>;
  catalogRequests: Counter<'client' | 'kind' | 'status'>;
}

const byRegistry = new WeakMap<Registry, ChannelMetrics>();

/** The channel metrics of a registry (registered on first use; tests build several apps in one process). */
export function channelMetrics(registry: Registry): ChannelMetrics {
  let m = byRegistry.get(registry);
  if (m === undefined) {
    m = {
      items: new Counter({
        name: 'ecat_channel_items_total',
        help: 'Content items sent to LMS channels, by channel, action and outcome (success, permanent, transient)',
        labelNames: ['channel', 'action', 'outcome'],
        registers: [registry],
      }),
      runs: new Counter({
        name: 'ecat_channel_runs_total',
        help: 'Transmission runs by channel and status',
        labelNames: ['channel', 'status'],
        registers: [registry],
      }),
      runDuration: new Histogram({
        name: 'ecat_channel_run_duration_seconds',
        help: 'Transmission run time by channel',
        labelNames: ['channel'],
        buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600],
        registers: [registry],
      }),
      catalogRequests: new Counter({
        name: 'ecat_channel_catalog_requests_total',
        help: 'Requests of the channels to the catalog (in-process calls or HTTP requests), by kind',
        labelNames: ['client', 'kind', 'status'],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, m);
  }
  return m;
}
