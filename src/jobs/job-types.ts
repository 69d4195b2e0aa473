/**
 * Job names → payload types. Modules add their jobs by declaration merging, so the jobs module never imports a
 * domain module:
 *
 * ```ts
 * declare module '../jobs/job-types.js' {
 *   interface JobPayloads { refresh_catalog_query: { queryId: number } }
 * }
 * ```
 */
export interface JobPayloads {
  /** VACUUM (ANALYZE) of the embedded database, which has no autovacuum. */
  maintenance_vacuum: Record<string, never>;
  /**
   * Refresh one catalog query from the content source (dedup key: the query id; coalescing queue). `taskId`
   * links the run to an API task record when a caller asked for it; `cycle` names the fan-out it belongs to,
   * whose refreshes share the full items they fetch (`src/refresh/cycle-items.ts`).
   */
  refresh_catalog_query: { queryId: number; reason: 'created' | 'filter_changed' | 'on_demand' | 'daily' | 'stale'; taskId?: string; cycle?: string };
  /** Fan-out: enqueue a refresh for every query (daily schedule, `ecat refresh --all`). */
  refresh_all_queries: { reason: 'daily' | 'on_demand'; taskId?: string };
  /** Transmit one channel configuration's content (dedup key: the configuration id). */
  transmit_content_metadata: { configurationId: number; reason: 'schedule' | 'on_demand'; taskId?: string };
  /** Fan-out: enqueue a transmission for every active configuration. */
  transmit_all_configurations: { reason: 'schedule' | 'on_demand' };
}

export type JobName = Extract<keyof JobPayloads, string>;
