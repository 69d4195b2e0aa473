/**
 * The app a one-shot command (`ecat refresh`, `ecat transmit`) works in: one module, jobs run in-process only on the
 * embedded database (elsewhere the command queues and a worker runs them), job logs kept out of the progress bar
 * unless debugging, and Ctrl-C noted so the command can stop waiting and say what stays queued.
 */
import { createApp, createLogger, type App } from './app.js';
import type { AppModule } from './app-context.js';
import type { Config } from './config/config.schema.js';
import { parseDatabaseUrl } from './db/database.js';

export interface CommandApp {
  readonly app: App;
  /** The embedded database: this process runs the jobs itself (after `app.start()`). */
  readonly embedded: boolean;
  /** True once SIGINT arrived. */
  interrupted(): boolean;
  /** Stops listening for SIGINT and closes the app. */
  close(): Promise<void>;
}

export async function openCommandApp(config: Config, module: AppModule): Promise<CommandApp> {
  const embedded = parseDatabaseUrl(config.databaseUrl).kind === 'pglite';
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  const logger = createLogger(verbose ? config : Object.freeze({ ...config, logLevel: 'error' as const }));
  const app = await createApp(config, { work: embedded, logger, modules: [module] });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  return {
    app,
    embedded,
    interrupted: () => interrupted,
    async close() {
      process.off('SIGINT', onSignal);
      await app.close();
    },
  };
}
