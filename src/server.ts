/** The HTTP process: serves the API and, unless told otherwise, runs jobs in-process. */
import type { Config } from './config/config.schema.js';
import { createApp, createLogger, type App } from './app.js';
import type { AppModule } from './app-context.js';

export interface ServeOptions {
  work: boolean;
  /** Printed once the server listens (demo banner). */
  onListening?: (url: string, app: App) => Promise<void> | void;
  modules?: readonly AppModule[];
}

/** Start serving; resolves when the process should exit (after SIGTERM/SIGINT and a graceful shutdown). */
export async function serve(config: Config, opts: ServeOptions): Promise<number> {
  const logger = createLogger(config);
  const app = await createApp(config, { work: opts.work, logger, ...(opts.modules ? { modules: opts.modules } : {}) });
  const url = await app.listen();
  logger.info({ url, worker: opts.work, database: app.ctx.db.description }, 'listening');
  await opts.onListening?.(url, app);
  return waitForShutdown(app, logger, config.shutdownTimeoutMs);
}

/** Resolve with an exit code after a signal and a graceful close; a second signal exits at once. */
export function waitForShutdown(
  app: { close(): Promise<void> },
  logger: { info(o: unknown, m: string): void; error(o: unknown, m: string): void },
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.info({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.error({ timeoutMs }, 'graceful shutdown timed out');
        resolve(1);
      }, timeoutMs + 5_000);
      force.unref();
      app.close().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'error during shutdown');
          clearTimeout(force);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
