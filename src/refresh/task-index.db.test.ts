/**
 * A run finds the open tasks of its query or configuration through an index on the subject (migration
 * 20261126_0001), also under a prepared statement's generic plan (the embedded database prepares every statement),
 * instead of reading every open task of the kind.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDb } from '../../test/helpers/db.js';
import type { Db } from '../db/database.js';

/** The index names in the generic plan of `statement` (parameters $1…), with sequential scans disabled. */
async function indexesOfGenericPlan(db: Db, statement: string, types: string): Promise<string[]> {
  return db.transaction(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
    await sql.raw(`prepare task_index_probe(${types}) as ${statement}`).execute(trx);
    try {
      const args = types.split(',').map((t) => (t.trim() === 'timestamptz' ? `now()` : `'x'`));
      const r = await sql.raw<{ 'QUERY PLAN': string }>(`explain execute task_index_probe(${args.join(', ')})`).execute(trx);
      const plan = r.rows.map((row) => row['QUERY PLAN']).join('\n');
      return [...plan.matchAll(/using (\w+)/g)].map((m) => m[1] as string);
    } finally {
      await sql`deallocate task_index_probe`.execute(trx);
    }
  }, 'test: explain');
}

describe('open tasks of one subject', () => {
  let db: Db;
  before(async () => {
    db = await openTestDb();
  });
  after(async () => {
    await db.close();
  });

  test('a refresh finds its query’s open tasks through task_query_state_idx', async () => {
    const used = await indexesOfGenericPlan(
      db,
      `update task set state = 'STARTED' where kind = $1 and state in ($2, $3) and args->>'queryId' = $4 and created <= $5`,
      'text, text, text, text, timestamptz',
    );
    assert.ok(used.includes('task_query_state_idx'), `plan used ${JSON.stringify(used)}`);
  });

  test('a transmission finds its configuration’s open tasks through task_configuration_state_idx', async () => {
    const used = await indexesOfGenericPlan(
      db,
      `update task set state = 'STARTED' where kind = $1 and state = $2 and args->>'configurationId' = $3 and created <= $4`,
      'text, text, text, timestamptz',
    );
    assert.ok(used.includes('task_configuration_state_idx'), `plan used ${JSON.stringify(used)}`);
  });
});
