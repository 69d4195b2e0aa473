/**
 * A running `ecat serve` process as the catalog behind `ECAT_CATALOG_API_URL`: the engine in this process reads it
 * only over HTTP (catalog list, detail, generate_diff, POST get_content_metadata) and sends every item once, then an
 * immediate second run makes no diff and no metadata request.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { channelServicesOf } from '../../src/channels/channels.module.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { createConfiguration, startChannelApp } from '../helpers/channels-app.js';
import { QUIET_CRONS, seedCatalog } from '../helpers/channels-process.js';
import { openTestDb, TEST_JWT_SECRET } from '../helpers/db.js';
import { startEcat } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'ecat-catalog-serve-'));
const databaseUrl = `pglite://${join(dir, 'db')}`;

void describe('ecat serve as the catalog of the HTTP client (process)', () => {
  let customer: string;
  let catalogUuid: string;
  const receiver = new GenericFake();

  before(async () => {
    await receiver.start();
    ({ customer, catalogUuid } = await seedCatalog(databaseUrl, 150));
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('a running ecat serve as the catalog (ECAT_CATALOG_API_URL): every item once, then no diff and no metadata request', async () => {
    const serve = startEcat(['serve'], { DATABASE_URL: databaseUrl, PORT: '0', ECAT_JWT_SECRET: TEST_JWT_SECRET, ECAT_JOB_POLL_SECONDS: '1', ...QUIET_CRONS });
    const db = await openTestDb();
    try {
      const url = (await serve.waitFor(/"url":"(http:\/\/[^"]+)"/))[1] as string;
      const t = await startChannelApp(db, { config: { catalogApiUrl: url } });
      try {
        assert.equal(channelServicesOf(t.app.ctx).catalog.kind, 'http');
        const id = await createConfiguration(t.app, {
          enterprise_customer: customer,
          channel_code: 'GENERIC',
          catalogs_to_transmit: [catalogUuid],
          settings: { url: receiver.hookUrl, signing_secret: receiver.signingSecret },
        });
        const first = await t.run(id);
        assert.equal(first.status, 'success', first.detail ?? '');
        assert.equal(receiver.items.size, 150);
        assert.ok([...receiver.items.values()].every((i) => i.writes === 1));
        assert.equal(first.catalogRequests.byKind.get_content_metadata, 2, '150 keys in pages of 100');
        const second = await t.run(id);
        assert.equal(second.transmitted?.attempted, 0);
        assert.equal(second.catalogRequests.byKind.generate_diff, 0);
        assert.equal(second.catalogRequests.byKind.get_content_metadata, 0);
      } finally {
        await t.close();
      }
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
      await db.close();
    }
  });
});
