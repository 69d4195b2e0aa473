import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMicros, maxMicros, microsToIso } from './catalog-time.js';

describe('catalog timestamps in microseconds', () => {
  test('format exactly, fraction dropped only when zero', () => {
    const us = Date.UTC(2024, 0, 12, 16, 45, 17) * 1000 + 436871;
    assert.equal(microsToIso(us), '2024-01-12T16:45:17.436871Z');
    assert.equal(formatMicros(us), '2024-01-12T16:45:17.436871Z');
    assert.equal(formatMicros(Date.UTC(2024, 0, 12) * 1000), '2024-01-12T00:00:00Z');
    assert.equal(formatMicros(Date.UTC(2024, 0, 12) * 1000 + 5), '2024-01-12T00:00:00.000005Z');
    assert.equal(formatMicros(Date.UTC(1969, 11, 31, 23, 59, 59) * 1000 + 1), '1969-12-31T23:59:59.000001Z');
  });

  test('maxMicros skips missing values', () => {
    assert.equal(maxMicros(3, null, 7, undefined, 5), 7);
    assert.equal(maxMicros(null, undefined), null);
  });
});
