/** Refresh metrics: run duration by outcome, and the freshness SLO gauge (age of the stalest query in use). */
import { Gauge, Histogram, type Registry } from 'prom-client';

export interface RefreshMetrics {
  duration: Histogram<'status' | 'source'>;
}

/** Registers the refresh metrics in `registry`; `stalestAgeSeconds` is read at scrape time. */
export function createRefreshMetrics(registry: Registry, stalestAgeSeconds: () => Promise<number | null>): RefreshMetrics {
  new Gauge({
    name: 'ecat_refresh_stalest_query_age_seconds',
    help: 'Seconds since the stalest catalog query in use last refreshed successfully (freshness SLO: at most 86400)',
    registers: [registry],
    async collect() {
      const age = await stalestAgeSeconds();
      if (age === null) this.reset();
      else this.set(age);
    },
  });
  return {
    duration: new Histogram({
      name: 'ecat_refresh_duration_seconds',
      help: 'Catalog query refresh time by outcome (success, refused, failed, interrupted)',
      labelNames: ['status', 'source'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
  };
}
