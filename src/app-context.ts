/**
 * What every module receives from the composition root. Modules register their jobs, routes and background
 * work through `AppModule`; nothing reaches for globals.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config/config.schema.js';
import type { Db } from './db/database.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { AppMetrics } from './http/metrics.js';
import type { AuthContext } from './auth/roles.js';

export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface AppContext {
  config: Config;
  db: Db;
  jobs: JobQueue;
  logger: FastifyBaseLogger;
  metrics: AppMetrics;
  /** Whether this process runs jobs. */
  isWorker: boolean;
  /** Verify the caller (401 otherwise). A token verified earlier is answered synchronously (no promise). */
  authenticate(req: FastifyRequest): AuthContext | Promise<AuthContext>;
}

export interface AppModule {
  readonly name: string;
  /** Declare queues and handlers. Runs before workers start, in every process (API processes enqueue). */
  defineJobs?(ctx: AppContext): Promise<void>;
  /** Register HTTP routes. */
  routes?(app: HttpApp, ctx: AppContext): Promise<void> | void;
  /** Background work once the database is ready (warm caches, subscribe to notifications, schedules). */
  start?(ctx: AppContext): Promise<void>;
  stop?(): Promise<void>;
}
