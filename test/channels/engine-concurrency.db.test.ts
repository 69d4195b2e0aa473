/**
 * Transmissions of different configurations run at the same time in one worker process, with the default settings:
 * most of a run is waiting for the LMS, so a few slow LMSes must not hold up every other customer.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/database.js';
import { createGenericAdapter } from '../../src/channels/generic/generic.adapter.js';
import { getAdapter } from '../../src/channels/registry.js';
import { numberedCourse } from '../fakes/content-items.js';
import { authHeader } from '../helpers/auth.js';
import { createConfiguration, SUPERUSER, startChannelApp, type ChannelTestApp } from '../helpers/channels-app.js';
import { FakeCatalog } from '../helpers/channels-fake-catalog.js';
import { openTestDb, uid } from '../helpers/db.js';

/** A webhook receiver that holds each delivery until `gather` are waiting (or `maxHoldMs` passed), counting them. */
class GatheringReceiver {
  inFlight = 0;
  maxInFlight = 0;
  #held: ServerResponse[] = [];
  readonly #server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      this.#held.push(res);
      if (this.#held.length >= this.gather) this.#releaseAll();
      else setTimeout(() => this.#release(res), this.maxHoldMs).unref();
    });
  });

  constructor(
    private readonly gather: number,
    private readonly maxHoldMs: number,
  ) {}

  #release(res: ServerResponse): void {
    const i = this.#held.indexOf(res);
    if (i < 0) return;
    this.#held.splice(i, 1);
    this.inFlight--;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }

  #releaseAll(): void {
    for (const res of [...this.#held]) this.#release(res);
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  }

  async close(): Promise<void> {
    this.#releaseAll();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

void describe('transmission concurrency (database)', () => {
  let db: Db;
  let t: ChannelTestApp;
  const catalog = new FakeCatalog();
  const configurations = 6;
  const receiver = new GatheringReceiver(configurations, 3_000);
  let hookUrl = '';
  const generic = createGenericAdapter({ timeoutMs: 10_000 });

  before(async () => {
    db = await openTestDb();
    hookUrl = await receiver.start();
    // The default configuration, with a worker: only the adapter (no short timeout) and the catalog are test seams.
    t = await startChannelApp(db, { catalog, work: true, adapters: (code) => (code === 'GENERIC' ? generic : getAdapter(code)) });
  });
  after(async () => {
    await t.close();
    await receiver.close();
    await db.close();
  });

  void it('several configurations are transmitted at once by default, not two at a time', async () => {
    const ids: number[] = [];
    for (let i = 0; i < configurations; i++) {
      const customer = uid();
      const cat = uid();
      catalog.addCatalog(cat, customer, [{ ...numberedCourse(i + 1), key: `${customer.slice(0, 8)}+course${i}` }]);
      ids.push(await createConfiguration(t.app, { enterprise_customer: customer, channel_code: 'GENERIC', settings: { url: hookUrl, signing_secret: 'whsec-0123456789abcdef' } }));
    }
    const headers = await authHeader(SUPERUSER);
    for (const id of ids) {
      const res = await t.app.http.inject({ method: 'POST', url: `/api/v1/integrated-channels/configurations/${id}/transmit/`, headers });
      assert.equal(res.statusCode, 200, res.body);
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const runs = await db.kysely.selectFrom('channel_transmission_run').select(['status']).where('configuration_id', 'in', ids).where('status', '<>', 'running').execute();
      if (runs.length === ids.length) {
        assert.ok(runs.every((r) => r.status === 'success'), JSON.stringify(runs));
        break;
      }
      assert.ok(Date.now() < deadline, 'the transmissions did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    // With two slots, only two deliveries could ever wait at the receiver together.
    assert.ok(receiver.maxInFlight >= 4, `at most ${receiver.maxInFlight} deliveries were in flight together`);
  });
});
