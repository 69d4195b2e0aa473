/**
 * An app with only the channels module, an in-memory catalog (FakeCatalog) and adapters with short timeouts, for
 * the engine's database tests. Configurations are created through the HTTP API, as an admin would.
 */
import assert from 'node:assert/strict';
import { createApp, type App } from '../../src/app.js';
import type { AdapterLookup } from '../../src/channels/channel-definitions.js';
import { channelServicesOf, createChannelsModule } from '../../src/channels/channels.module.js';
import type { CatalogClientFactory } from '../../src/channels/catalog-client.js';
import { createGenericAdapter } from '../../src/channels/generic/generic.adapter.js';
import { getAdapter } from '../../src/channels/registry.js';
import type { RunOptions, RunSummary } from '../../src/channels/transmission.service.js';
import type { Config } from '../../src/config/config.schema.js';
import type { Db } from '../../src/db/database.js';
import { authHeader } from './auth.js';
import { testConfig } from './db.js';

export interface ChannelTestApp {
  app: App;
  run(configurationId: number, opts?: Partial<RunOptions>): Promise<RunSummary>;
  close(): Promise<void>;
}

export interface ChannelTestAppOptions {
  catalog?: CatalogClientFactory;
  adapters?: AdapterLookup;
  config?: Partial<Config>;
  /** Short by default so fault tests stay fast. */
  timeoutMs?: number;
  work?: boolean;
  logger?: App['ctx']['logger'];
}

export async function startChannelApp(db: Db, opts: ChannelTestAppOptions = {}): Promise<ChannelTestApp> {
  const generic = createGenericAdapter({ timeoutMs: opts.timeoutMs ?? 1_500, defaultRetryAfterMs: 200 });
  const adapters: AdapterLookup = opts.adapters ?? ((code) => (code === 'GENERIC' ? generic : getAdapter(code)));
  const app = await createApp(testConfig(opts.config ?? {}), {
    db,
    work: opts.work ?? false,
    modules: [createChannelsModule({ adapters, unavailableBackoffMs: 50, ...(opts.catalog ? { catalog: opts.catalog } : {}) })],
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  await app.start();
  return {
    app,
    run: (id, o = {}) => channelServicesOf(app.ctx).transmission.run(id, { reason: 'on_demand', ...o }),
    close: () => app.close(),
  };
}

export const SUPERUSER = { administrator: true, username: 'root' } as const;

export async function adminOf(customer: string, username = `admin-${customer.slice(0, 8)}`) {
  return authHeader({ roles: [`enterprise_admin:${customer}`], username });
}

/** Create a configuration through the API as a superuser; returns its id. */
export async function createConfiguration(app: App, body: Record<string, unknown>): Promise<number> {
  const res = await app.http.inject({
    method: 'POST',
    url: '/api/v1/integrated-channels/configurations/',
    headers: await authHeader(SUPERUSER),
    payload: body,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: number }>().id;
}
