/**
 * The session mutex of the PGlite client: first come, first served within a class, interactive callers before
 * background work, and background work never starved.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runInBackground } from '../statement-priority.js';
import { MAX_INTERACTIVE_STREAK, PgliteClient } from './pglite.client.js';

let client: PgliteClient;
before(async () => {
  client = await PgliteClient.open(null);
});
after(async () => {
  await client.close();
});

/** Queues one turn per label while the session is held, then releases it; resolves with the order of the turns. */
async function turnOrder(queue: (turn: (label: string) => Promise<void>) => Promise<void>[]): Promise<string[]> {
  const order: string[] = [];
  const held = await client.acquire('interactive');
  const turns = queue((label) => Promise.resolve(void order.push(label)));
  held.release();
  await Promise.all(turns);
  return order;
}

test('waiting interactive callers take the session before waiting background work', async () => {
  const order = await turnOrder((turn) => [
    client.run(() => turn('b1'), 'background'),
    // The class comes from the caller's context when not given.
    runInBackground(() => client.run(() => turn('b2'))),
    client.run(() => turn('i1')),
    client.run(() => turn('b3'), 'background'),
    client.run(() => turn('i2'), 'interactive'),
  ]);
  assert.deepEqual(order, ['i1', 'i2', 'b1', 'b2', 'b3']);
});

test(`background work gets a turn after at most ${MAX_INTERACTIVE_STREAK} interactive turns in a row`, async () => {
  const order = await turnOrder((turn) => [
    client.run(() => turn('b'), 'background'),
    ...Array.from({ length: MAX_INTERACTIVE_STREAK + 3 }, (_, i) => client.run(() => turn(`i${i}`))),
  ]);
  assert.equal(order.indexOf('b'), MAX_INTERACTIVE_STREAK);
  assert.equal(order.length, MAX_INTERACTIVE_STREAK + 4);
});

test('statements still run one at a time and in order within a turn', async () => {
  const results = await Promise.all([
    client.run(async (s) => (await s.query('select $1::int as n', [1])).rows[0], 'background'),
    client.run(async (s) => {
      await s.exec('begin');
      await s.exec('create temp table t (n int)');
      await s.query('insert into t values ($1)', [2]);
      const r = await s.query('select n from t', []);
      await s.exec('commit');
      return r.rows[0];
    }),
  ]);
  assert.deepEqual(results, [{ n: 1 }, { n: 2 }]);
  assert.deepEqual(client.stats(), { total: 1, idle: 1, waiting: 0 });
});
