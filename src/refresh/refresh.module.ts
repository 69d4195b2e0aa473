/**
 * The refresh module: the `refresh_catalog_query` queue (stately per query: at most one queued and one running,
 * so requests during a run coalesce into exactly one more run), the fan-out jobs of the daily schedule and the
 * stale sweep, the refresh routes, and the refresh metrics.
 *
 * Other modules trigger refreshes by enqueuing `refresh_catalog_query` with `dedupKey: String(queryId)` (the
 * catalog module does so in the transaction that creates a catalog or changes its filter); see `enqueueRefresh`.
 */
import type { AppContext, AppModule } from '../app-context.js';
import { CycleItems } from './cycle-items.js';
import { createRefreshMetrics } from './refresh.metrics.js';
import { refreshQuery, taskResult, type RefreshDeps } from './refresh.pipeline.js';
import { stalestQueryAgeSeconds, setTaskState } from './refresh.repository.js';
import { registerRefreshRoutes } from './refresh.routes.js';
import { enqueueQueriesInUse } from './refresh.service.js';
import { createSourceHandle, type SourceHandle } from './refresh-source.js';

declare module '../jobs/job-types.js' {
  interface JobPayloads {
    /** Hourly sweep: refresh queries whose last success is older than `ECAT_REFRESH_STALE_AFTER_HOURS`. */
    refresh_stale_queries: Record<string, never>;
  }
}

/** Retries of a failed refresh (the source already retried each request): 30 s, then 60 s. */
export const REFRESH_RETRY = { limit: 2, delayMs: 30_000, backoff: 'exponential' } as const;

export interface RefreshModuleOptions {
  /** Build the source instead of using the configured one (tests; `handleFor(source)` wraps any `ContentSource`). */
  source?: (ctx: AppContext) => SourceHandle;
}

const runtimes = new WeakMap<AppContext, RefreshDeps>();

/** The refresh dependencies of an app whose modules include the refresh module (demo seeding, CLI). */
export function refreshDepsOf(ctx: AppContext): RefreshDeps {
  const deps = runtimes.get(ctx);
  if (!deps) throw new Error('the refresh module is not part of this app');
  return deps;
}

export function createRefreshModule(options: RefreshModuleOptions = {}): AppModule {
  return {
    name: 'refresh',

    async defineJobs(ctx) {
      const { config, jobs, db } = ctx;
      const source = options.source ? options.source(ctx) : createSourceHandle(config, ctx.metrics);
      const deps: RefreshDeps = {
        db,
        source,
        logger: ctx.logger,
        guardrail: { floor: config.refreshGuardrailFloor, maxDeltaPercent: config.refreshGuardrailMaxDeltaPercent },
        metrics: createRefreshMetrics(ctx.metrics.registry, () => stalestQueryAgeSeconds(db.kysely)),
        cycleItems: new CycleItems(),
      };
      runtimes.set(ctx, deps);

      await jobs.define(
        'refresh_catalog_query',
        { policy: 'stately', concurrency: config.refreshConcurrency, timeoutMs: config.refreshTimeoutMs, retry: REFRESH_RETRY },
        async (job) => {
          const outcome = await refreshQuery(deps, {
            queryId: job.data.queryId,
            reason: job.data.reason,
            ...(job.data.cycle !== undefined ? { cycle: job.data.cycle } : {}),
            jobId: job.id,
            attempt: job.attempt,
            finalAttempt: job.attempt >= REFRESH_RETRY.limit,
            signal: job.signal,
          });
          return taskResult(outcome);
        },
      );
      await jobs.define('refresh_all_queries', { policy: 'singleton', timeoutMs: 10 * 60_000 }, async (job) => {
        if (job.data.taskId) await setTaskState(db.kysely, job.data.taskId, 'STARTED');
        const result = await enqueueQueriesInUse(db, jobs, job.data.reason);
        if (job.data.taskId) await setTaskState(db.kysely, job.data.taskId, 'SUCCESS', result);
        ctx.logger.info({ reason: job.data.reason, ...result }, 'queued refreshes of every catalog query');
        return result;
      });
      await jobs.define('refresh_stale_queries', { policy: 'singleton', timeoutMs: 10 * 60_000 }, async () => {
        const olderThan = new Date(Date.now() - config.refreshStaleAfterHours * 3_600_000);
        const result = await enqueueQueriesInUse(db, jobs, 'stale', { olderThan });
        if (result.queries > 0) ctx.logger.info({ ...result, olderThan }, 'queued refreshes of stale catalog queries');
        return result;
      });
    },

    async start(ctx) {
      if (!ctx.isWorker) return;
      await ctx.jobs.schedule('refresh_all_queries', ctx.config.refreshCron, { reason: 'daily' });
      await ctx.jobs.schedule('refresh_stale_queries', ctx.config.refreshStaleCron, {});
    },

    routes: registerRefreshRoutes,
  };
}

/** The module as the app registers it: the configured content source. */
export const refreshModule = createRefreshModule();
