/**
 * Composition root: config → database → jobs → modules → routes → error handler. Tests build the app here and
 * use `inject`; `server.ts`, `worker.ts` and `cli.ts` only start it.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Config } from './config/config.schema.js';
import { openDatabase, type Db } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { PgBossQueue } from './jobs/pg-boss.queue.js';
import type { JobQueue } from './jobs/job-queue.js';
import { createMetrics } from './http/metrics.js';
import { installErrorHandler } from './http/error-handler.js';
import { batchResponseWrites } from './http/write-batching.js';
import { AccessLine } from './http/request-record.js';
import { typeBoxValidatorCompiler } from './http/validator.js';
import { lazyChildLoggerFactory } from './http/request-logger.js';
import { createJwtVerifier } from './auth/jwt.js';
import { authenticate } from './auth/auth.hook.js';
import type { AppContext, AppModule, HttpApp } from './app-context.js';
import { systemModule } from './http/system.module.js';
import { logDestination } from './shared/log-destination.js';
import { refreshModule } from './refresh/refresh.module.js';
import { catalogModule } from './catalog/catalog.module.js';
import { channelsModule } from './channels/channels.module.js';

/** Every module, in registration order. An explicit list: what runs is what is listed here. */
export const MODULES: readonly AppModule[] = [systemModule, catalogModule, refreshModule, channelsModule];

export interface CreateAppOptions {
  /** Run jobs in this process (default true). */
  work?: boolean;
  /** Use this database instead of opening `config.databaseUrl` (tests share one per file). It is not closed by `close()`. */
  db?: Db;
  logger?: FastifyBaseLogger;
  /** Override the module list (tests). */
  modules?: readonly AppModule[];
  /** Run migrations even when `config.autoMigrate` is false. */
  migrate?: boolean;
}

export interface App {
  http: HttpApp;
  ctx: AppContext;
  /** Start modules' background work and, in workers, job polling. Called by `listen` too. */
  start(): Promise<void>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Field names whose values are secrets wherever they appear in a log object. */
const SECRET_FIELDS = ['password', 'client_secret', 'secret', 'signing_secret', 'token', 'access_token', 'refresh_token', 'api_key'];

/** The service logger; `destination` defaults to stdout, written once per event-loop turn (tests pass a sink). */
export function createLogger(config: Config, destination?: DestinationStream): FastifyBaseLogger {
  const options: LoggerOptions = {
    level: config.logLevel,
    // Secrets never reach the log, whatever object carries them.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'settings.*',
        // Each secret name at the top level of a log object and one level down.
        ...SECRET_FIELDS,
        ...SECRET_FIELDS.map((name) => `*.${name}`),
      ],
      censor: '[redacted]',
    },
  };
  return pino(options, destination ?? logDestination(process.stdout.fd));
}

export async function createApp(config: Config, opts: CreateAppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config);
  const work = opts.work ?? true;
  const modules = opts.modules ?? MODULES;
  const ownsDb = !opts.db;
  const db =
    opts.db ??
    (await openDatabase(config.databaseUrl, {
      onWarning: (msg, err) => logger.warn({ err }, msg),
    }));
  try {
    if (config.autoMigrate || opts.migrate) await migrateToLatest(db);
  } catch (err) {
    if (ownsDb) await db.close();
    throw err;
  }

  const metrics = createMetrics();
  const jobs: JobQueue = new PgBossQueue({
    db,
    connectionString: db.connectionString ?? undefined,
    work,
    pollSeconds: config.jobPollSeconds,
    workerId: config.workerId,
    logger,
    onJobEvent: (queue, outcome, ms) => metrics.jobDuration.observe({ queue, outcome }, ms / 1000),
  });

  const verify = createJwtVerifier({
    secret: config.jwtSecret,
    jwksUrl: config.jwtJwksUrl,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });

  const http: HttpApp = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    // `req.log` is made only when a request logs through it (the pino child per request was measurable, bench B1).
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();
  http.setValidatorCompiler(typeBoxValidatorCompiler);

  const ctx: AppContext = {
    config,
    db,
    jobs,
    logger,
    metrics,
    isWorker: work,
    authenticate: (req) => authenticate(req, verify),
  };

  // Hooks in callback style: an async hook costs a promise and a microtask per request (bench B1 profile).
  http.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // One access-log line and one latency observation per request, built lean (`src/http/request-record.ts`). The
  // line holds only the fields below, none of them a secret, so its logger skips the redaction pass (a wildcard
  // redaction of every line was a measurable share of a small request, bench B1 profile).
  const accessLine = new AccessLine(logger.child({}, { redact: [] }));
  http.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    metrics.httpDuration.observe(req.method, route, reply.statusCode, ms / 1000);
    accessLine.write({ reqId: req.id, method: req.method, url: req.url, route, status: reply.statusCode, ms: Math.round(ms * 100) / 100 });
    done();
  });
  batchResponseWrites(http);
  installErrorHandler(http);

  await http.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'enterprise-catalog',
        description: 'Enterprise catalogs and integrated LMS channels; wire-compatible with Open edX enterprise-catalog v1.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          jwt: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'JWT <token> or Bearer <token>' },
        },
      },
      security: [{ jwt: [] }],
    },
  });
  await http.register(swaggerUi, { routePrefix: '/api-docs' });

  await jobs.start();
  try {
    for (const m of modules) await m.defineJobs?.(ctx);
    for (const m of modules) await m.routes?.(http, ctx);
  } catch (err) {
    await jobs.stop({ timeoutMs: 1000 }).catch(() => undefined);
    if (ownsDb) await db.close();
    throw err;
  }

  let started = false;
  let closed = false;
  const app: App = {
    http,
    ctx,
    async start() {
      if (started) return;
      started = true;
      for (const m of modules) await m.start?.(ctx);
      if (work) await jobs.startWorkers();
    },
    async listen() {
      await app.start();
      return http.listen({ port: config.port, host: config.host });
    },
    async close() {
      if (closed) return;
      closed = true;
      // Stop accepting and finish in-flight requests, then running jobs, then close the database.
      await http.close();
      for (const m of [...modules].reverse()) await m.stop?.().catch((err: unknown) => logger.warn({ err, module: m.name }, 'module stop failed'));
      await jobs.stop({ timeoutMs: config.shutdownTimeoutMs });
      if (ownsDb) await db.close();
    },
  };
  return app;
}
