import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderedUuids } from './ordered-ids.js';

test('orderedUuids are version-7 UUIDs, strictly ascending in the order made, across the 4,096 ids of one millisecond', () => {
  const now = Date.UTC(2026, 10, 23, 4, 30);
  const ids = orderedUuids(10_000, now);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // PostgreSQL compares uuids byte by byte, which for lower-case hex is the strings' order.
  for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `ids ${i - 1} and ${i} out of order`);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(parseInt((ids[0] as string).replace(/-/g, '').slice(0, 12), 16), now, 'the first 48 bits are the time in ms');
  assert.equal(parseInt((ids[4096] as string).replace(/-/g, '').slice(0, 12), 16), now + 1, 'the 4,097th id moves to the next millisecond');
});
