/** Prometheus metrics: one registry per app instance (tests build several apps in one process). */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestDurations } from './request-record.js';

export interface AppMetrics {
  registry: Registry;
  /** `ecat_http_request_duration_seconds` by method, route and status (see `request-record.ts`). */
  httpDuration: RequestDurations;
  jobDuration: Histogram<'queue' | 'outcome'>;
  jobsByState: Gauge<'queue' | 'state'>;
  dbPool: Gauge<'state'>;
  upstreamRequests: Counter<'source' | 'endpoint' | 'status'>;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new RequestDurations(registry),
    jobDuration: new Histogram({
      name: 'ecat_job_duration_seconds',
      help: 'Job run time by queue and outcome',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers: [registry],
    }),
    jobsByState: new Gauge({
      name: 'ecat_jobs',
      help: 'Jobs by queue and state (read at scrape time)',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    dbPool: new Gauge({
      name: 'ecat_db_pool_connections',
      help: 'Database connections by state (total, idle, waiting)',
      labelNames: ['state'],
      registers: [registry],
    }),
    upstreamRequests: new Counter({
      name: 'ecat_upstream_requests_total',
      help: 'Requests to upstream services',
      labelNames: ['source', 'endpoint', 'status'],
      registers: [registry],
    }),
  };
}
