/**
 * `ecat transmit` as a real process on an embedded database (catalog content seeded as rows, a GENERIC webhook
 * receiver in this process): the summary table, and a `kill -9` of the worker in the middle of a run — after a
 * restart every item reaches the receiver, none is created twice, and the audit rows agree with what the receiver
 * holds. Process starts dominate the run time, so the file starts as few as it can.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encryptSecrets, SecretBox } from '../../src/channels/secrets.js';
import { insertConfiguration } from '../../src/channels/configuration.repository.js';
import { GenericFake } from '../fakes/lms/generic.fake.js';
import { ECAT_BIN } from '../helpers/process.js';
import { QUIET_CRONS, seedCatalog, withDb } from '../helpers/channels-process.js';

const SECRET_KEY = 'ab'.repeat(32);
const dir = mkdtempSync(join(tmpdir(), 'ecat-transmit-cli-'));
const databaseUrl = `pglite://${join(dir, 'db')}`;

void describe('ecat transmit (process)', () => {
  const fake = new GenericFake();
  let customer: string;
  let catalogUuid: string;

  function ecat(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
    const child = spawn(process.execPath, [ECAT_BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'info',
        ECAT_JOB_POLL_SECONDS: '1',
        ECAT_SECRET_KEY: SECRET_KEY,
        ...QUIET_CRONS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, done };
  }

  async function addConfiguration(chunkSize: number): Promise<number> {
    return withDb(databaseUrl, async (db) => {
      const settings = encryptSecrets({ url: fake.hookUrl, signing_secret: fake.signingSecret }, ['signing_secret'], new SecretBox(SECRET_KEY));
      const row = await insertConfiguration(db.kysely, {
        enterpriseCustomerUuid: customer,
        channelCode: 'GENERIC',
        displayName: `chunk ${chunkSize}`,
        active: true,
        dryRunModeEnabled: false,
        transmissionChunkSize: chunkSize,
        catalogsToTransmit: [catalogUuid],
        showCoursePrice: false,
        removeOrphanedContent: false,
        settings,
      });
      return row.id;
    });
  }

  before(async () => {
    await fake.start();
    ({ customer, catalogUuid } = await seedCatalog(databaseUrl, 150));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('usage errors exit 2', async () => {
    assert.equal((await ecat(['transmit', '--channel', 'FAX']).done).code, 2);
    assert.equal((await ecat(['transmit', '--customer', 'nope']).done).code, 2);
  });

  void it('sends every item once and prints a summary', async () => {
    const id = await addConfiguration(50);
    const first = await ecat(['transmit', '--channel', 'generic', '--wait']).done;
    assert.equal(first.code, 0, first.stderr);
    assert.equal(fake.items.size, 150);
    assert.ok([...fake.items.values()].every((i) => i.writes === 1));
    const row = first.stdout.split('\n').find((l) => l.trimStart().startsWith(`${id} `));
    assert.ok(row, first.stdout);
    assert.match(row, new RegExp(`GENERIC\\s+${customer.slice(0, 8)}\\s+success\\s+150\\s+0\\s+0\\s+0\\s+0\\s+0/1`));
    await withDb(databaseUrl, async (db) => {
      await db.kysely.updateTable('channel_configuration').set({ active: false }).where('id', '=', id).execute();
    });
  });

  void it('kill -9 of the worker mid-run: after a restart every item arrives once and the audit agrees with the receiver', async () => {
    fake.items.clear();
    const id = await addConfiguration(1);
    const run = ecat(['transmit', '--customer', customer, '--wait']);
    const deadline = Date.now() + 30_000;
    while (fake.items.size < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    assert.equal(killed.signal, 'SIGKILL');
    const sentBeforeKill = fake.items.size;
    const audit = await withDb(databaseUrl, (db) => db.kysely.selectFrom('content_metadata_transmission').select(['content_id', 'is_live', 'marked_for']).where('configuration_id', '=', id).execute());
    assert.ok(audit.some((r) => r.marked_for !== null), 'the run was cut short with items still marked');

    const resumed = await ecat(['transmit', '--customer', customer, '--wait']).done;
    assert.equal(resumed.code, 0, resumed.stderr);
    const rows = await withDb(databaseUrl, (db) =>
      db.kysely.selectFrom('content_metadata_transmission').select(['content_id', 'is_live', 'marked_for', 'api_response_status_code']).where('configuration_id', '=', id).execute(),
    );
    assert.ok(rows.length > sentBeforeKill);
    assert.ok(rows.every((r) => r.is_live && r.marked_for === null && r.api_response_status_code === 200));
    assert.deepEqual([...fake.items.keys()].sort(), rows.map((r) => r.content_id).sort(), 'the receiver holds exactly the audited items');
    const twice = [...fake.items.entries()].filter(([, v]) => v.writes !== 1).map(([k]) => k);
    assert.deepEqual(twice, [], 'none created twice');
  });
});
