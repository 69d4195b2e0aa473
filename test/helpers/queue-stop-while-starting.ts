/**
 * Run as a child process by `src/jobs/pg-boss.queue.db.test.ts`: a job queue told to stop while it is still
 * starting must leave nothing running behind it (no polling loop, no maintenance timer), so this process ends by
 * itself once it has closed its database. Neither may a start after the stop.
 */
import { openTestDb } from './db.js';
import { PgBossQueue } from '../../src/jobs/pg-boss.queue.js';

const silent = { warn() {}, error() {}, info() {} };
const db = await openTestDb();
const queue = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
const starting = queue.start();
await queue.stop({ timeoutMs: 1_000 });
await starting;
const later = new PgBossQueue({ db, connectionString: db.connectionString ?? undefined, work: true, pollSeconds: 1, logger: silent });
await later.stop({ timeoutMs: 1_000 });
await later.start();
await db.close();
process.stdout.write('closed\n');
