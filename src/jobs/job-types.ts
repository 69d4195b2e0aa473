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
}

export type JobName = Extract<keyof JobPayloads, string>;
