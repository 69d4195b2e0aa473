/** Health, metrics and API documentation routes; the embedded-database VACUUM job. */
import { Type } from 'typebox';
import { sql } from 'kysely';
import type { AppModule } from '../app-context.js';

const HealthResponse = Type.Object({ status: Type.String() });

export const systemModule: AppModule = {
  name: 'system',

  async defineJobs(ctx) {
    await ctx.jobs.define('maintenance_vacuum', { policy: 'singleton', timeoutMs: 30 * 60_000 }, async () => {
      // PGlite never runs autovacuum (it has no background workers), so churn-heavy tables need this.
      await sql`vacuum (analyze)`.execute(ctx.db.kysely);
    });
  },

  async start(ctx) {
    if (ctx.isWorker && ctx.db.kind === 'pglite') await ctx.jobs.schedule('maintenance_vacuum', ctx.config.vacuumCron, {});
  },

  routes(app, ctx) {
    app.get(
      '/health/',
      {
        schema: {
          tags: ['system'],
          summary: 'OK when the database answers',
          response: { 200: HealthResponse, 503: HealthResponse },
        },
      },
      async (_req, reply) => {
        const ok = await ctx.db.ping(2000);
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'OK' : 'UNAVAILABLE' });
      },
    );

    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      const { metrics } = ctx;
      const pool = ctx.db.stats();
      metrics.dbPool.set({ state: 'total' }, pool.total);
      metrics.dbPool.set({ state: 'idle' }, pool.idle);
      metrics.dbPool.set({ state: 'waiting' }, pool.waiting);
      metrics.jobsByState.reset();
      try {
        for (const c of await ctx.jobs.counts()) metrics.jobsByState.set({ queue: c.queue, state: c.state }, c.count);
      } catch (err) {
        ctx.logger.warn({ err }, 'could not read job counts for /metrics');
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });

    app.get('/api/schema/', { schema: { hide: true } }, async () => app.swagger());
  },
};
