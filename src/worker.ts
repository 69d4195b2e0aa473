/** The job process: same wiring as the server, no HTTP listener. */
import type { Config } from './config/config.schema.js';
import { createApp, createLogger } from './app.js';
import { waitForShutdown } from './server.js';

export async function runWorker(config: Config): Promise<number> {
  const logger = createLogger(config);
  const app = await createApp(config, { work: true, logger });
  await app.start();
  logger.info({ database: app.ctx.db.description }, 'worker started');
  return waitForShutdown(app, logger, config.shutdownTimeoutMs);
}
