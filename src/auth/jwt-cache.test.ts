/**
 * The verified-token cache: a repeated token skips verification, but never outlives its `exp` or `maxAgeMs`, and a
 * failure is never remembered.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JWTPayload } from 'jose';
import { AppError } from '../shared/errors.js';
import type { FastifyRequest } from 'fastify';
import { cachingVerifier, createJwtVerifier, type JwtVerifier } from './jwt.js';
import { authenticate } from './auth.hook.js';
import { token } from '../../test/helpers/auth.js';
import { TEST_JWT_SECRET } from '../../test/helpers/db.js';

/** A verifier stub that accepts `ok-<exp>` tokens and counts its calls. */
function stub(): { verify: JwtVerifier; calls: () => number } {
  let calls = 0;
  const verify: JwtVerifier = async (t) => {
    calls++;
    const m = /^ok-(\d+)$/.exec(t);
    if (!m) throw new AppError('unauthenticated', 'invalid_token', 'Error decoding token.');
    return { sub: t, exp: Number(m[1]) } satisfies JWTPayload;
  };
  return { verify, calls: () => calls };
}

describe('verified-token cache', () => {
  test('a repeated token is verified once', async () => {
    const s = stub();
    let now = 1_000_000;
    const v = cachingVerifier(s.verify, { now: () => now });
    const a = await v('ok-2000');
    now += 10_000;
    const b = await v('ok-2000');
    assert.equal(s.calls(), 1);
    assert.deepEqual(a, b);
  });

  test('an entry ends at exp: the token is verified again (and rejected by the real verifier)', async () => {
    const s = stub();
    let now = 1_000_000; // ms; exp 1,010 s
    const v = cachingVerifier(s.verify, { now: () => now, maxAgeMs: 3_600_000 });
    await v('ok-1010');
    now = 1_009_999;
    await v('ok-1010');
    assert.equal(s.calls(), 1);
    now = 1_010_000;
    await v('ok-1010');
    assert.equal(s.calls(), 2, 'checked again once exp is reached');
  });

  test('an entry ends after maxAgeMs even when exp is far away', async () => {
    const s = stub();
    let now = 0;
    const v = cachingVerifier(s.verify, { now: () => now, maxAgeMs: 1_000 });
    await v('ok-999999');
    now = 999;
    await v('ok-999999');
    now = 1_000;
    await v('ok-999999');
    assert.equal(s.calls(), 2);
  });

  test('failures are not remembered', async () => {
    const s = stub();
    const v = cachingVerifier(s.verify, { now: () => 0 });
    await assert.rejects(v('bad'), AppError);
    await assert.rejects(v('bad'), AppError);
    assert.equal(s.calls(), 2);
  });

  test('the cache holds at most maxEntries tokens, dropping the oldest', async () => {
    const s = stub();
    const v = cachingVerifier(s.verify, { now: () => 0, maxEntries: 2 });
    await v('ok-100');
    await v('ok-101');
    await v('ok-102'); // evicts ok-100
    assert.equal(s.calls(), 3);
    await v('ok-101');
    await v('ok-102');
    assert.equal(s.calls(), 3);
    await v('ok-100');
    assert.equal(s.calls(), 4);
  });

  test('maxEntries 0 turns the cache off', async () => {
    const s = stub();
    const v = cachingVerifier(s.verify, { now: () => 0, maxEntries: 0 });
    await v('ok-100');
    await v('ok-100');
    assert.equal(s.calls(), 2);
  });

  test('with the real verifier: a token signed with another secret is rejected even after a good token was cached', async () => {
    const v = createJwtVerifier({ secret: TEST_JWT_SECRET, jwksUrl: null, issuer: null, audience: null });
    const good = await token({ roles: [] });
    assert.equal((await v(good)).preferred_username, 'tester');
    assert.equal((await v(good)).preferred_username, 'tester');
    const forged = await token({ roles: [], secret: 'another-secret' });
    await assert.rejects(v(forged), AppError);
  });

  test('cached() answers synchronously only for a remembered token, and not after exp or maxAgeMs', async () => {
    const s = stub();
    let now = 1_000_000;
    const v = cachingVerifier(s.verify, { now: () => now, maxAgeMs: 5_000 });
    assert.equal(v.cached?.('ok-1010'), undefined, 'not verified yet');
    const payload = await v('ok-1010');
    assert.equal(v.cached?.('ok-1010'), payload);
    assert.equal(v.cached?.('ok-1011'), undefined, 'another token');
    now = 1_004_999;
    assert.equal(v.cached?.('ok-1010'), payload);
    now = 1_005_000;
    assert.equal(v.cached?.('ok-1010'), undefined, 'maxAgeMs reached');
    await v('ok-1010');
    now = 1_009_999;
    assert.notEqual(v.cached?.('ok-1010'), undefined, 'verified again, remembered until exp');
    now = 1_010_000;
    assert.equal(v.cached?.('ok-1010'), undefined, 'exp reached');
    await assert.rejects(v('bad'), AppError);
    assert.equal(v.cached?.('bad'), undefined, 'failures are not remembered');
  });
});

describe('authenticate', () => {
  const request = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;

  test('a remembered token is answered synchronously, with one context per verified payload', async () => {
    const s = stub();
    const v = cachingVerifier(s.verify, { now: () => 0 });
    const first = authenticate(request('JWT ok-100'), v);
    assert.ok(first instanceof Promise, 'the first sight of a token is verified asynchronously');
    const ctx = await first;
    const again = authenticate(request('Bearer ok-100'), v);
    assert.ok(!(again instanceof Promise), 'then answered without a promise');
    assert.equal(again, ctx, 'the roles claim is not parsed again');
    assert.equal(s.calls(), 1);
  });

  test('missing or malformed credentials throw 401 synchronously; a bad or expired token rejects with 401', async () => {
    const s = stub();
    const v = cachingVerifier(s.verify, { now: () => 0 });
    assert.throws(() => authenticate(request(), v), (e: unknown) => e instanceof AppError && e.kind === 'unauthenticated');
    assert.throws(() => authenticate(request('Basic x'), v), (e: unknown) => e instanceof AppError && e.code === 'invalid_auth_header');
    await assert.rejects(Promise.resolve(authenticate(request('JWT bad'), v)), AppError);

    const real = createJwtVerifier({ secret: TEST_JWT_SECRET, jwksUrl: null, issuer: null, audience: null });
    const expired = await token({ roles: [], ttlSeconds: -10 });
    await assert.rejects(Promise.resolve(authenticate(request(`JWT ${expired}`), real)), /Signature has expired/);
  });
});
