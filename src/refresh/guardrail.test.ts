import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UPSTREAM_GUARDRAIL, judgeMembershipChange } from './guardrail.js';

const now = new Date('2026-03-10T12:00:00Z');
const yesterday = new Date('2026-03-09T23:59:59Z');
const earlyToday = new Date('2026-03-10T00:00:00Z');

const judge = (before: number, after: number, queryModified = yesterday, settings = UPSTREAM_GUARDRAIL) =>
  judgeMembershipChange({ before, after, queryModified, now }, settings);

describe('membership guardrail (upstream ADR 0009 cases)', () => {
  test('100 → 1 is refused', () => {
    const v = judge(100, 1);
    assert.equal(v.apply, false);
    assert.equal(v.apply ? null : v.reason, 'guardrail');
    assert.match(v.apply ? '' : v.detail, /100 → 1 members/);
  });

  test('100 → 120 is allowed', () => assert.equal(judge(100, 120).apply, true));

  test('120 → 240 (growth of 100 %) is refused', () => assert.equal(judge(120, 240).apply, false));

  test('after the query was saved today, 120 → 1 is allowed', () => assert.equal(judge(120, 1, earlyToday).apply, true));

  test('at or below the floor any change is allowed', () => {
    assert.equal(judge(50, 1).apply, true);
    assert.equal(judge(51, 1).apply, false);
  });

  test('exactly the allowed delta passes; one more member does not', () => {
    assert.equal(judge(100, 180).apply, true);
    assert.equal(judge(100, 181).apply, false);
    assert.equal(judge(100, 20).apply, true);
    assert.equal(judge(100, 19).apply, false);
  });

  test('a change above 50 % is applied with a warning', () => {
    const v = judge(100, 160);
    assert.equal(v.apply, true);
    assert.match(v.apply ? (v.warning ?? '') : '', /100 → 160 members \(\+60 %\)/);
    const quiet = judge(100, 140);
    assert.equal(quiet.apply ? quiet.warning : 'x', null);
  });

  test('settings are honoured', () => {
    assert.equal(judge(20, 2, yesterday, { floor: 10, maxDeltaPercent: 50 }).apply, false);
    assert.equal(judge(20, 12, yesterday, { floor: 10, maxDeltaPercent: 50 }).apply, true);
  });
});

describe('empty results', () => {
  test('an empty result never replaces members, even on a query modified today or below the floor', () => {
    for (const [before, modified] of [
      [100, yesterday],
      [100, earlyToday],
      [3, yesterday],
    ] as const) {
      const v = judge(before, 0, modified);
      assert.equal(v.apply, false);
      assert.equal(v.apply ? null : v.reason, 'empty_result');
    }
  });

  test('an empty result for a query with no members changes nothing and is not a refusal', () => {
    assert.equal(judge(0, 0).apply, true);
  });
});
