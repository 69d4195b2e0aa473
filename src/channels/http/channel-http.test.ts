import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type ChannelRequestLogEntry,
  PermanentChannelError,
  RateLimitedChannelError,
  UnavailableChannelError,
} from '../channel-adapter.js';
import { ChannelHttp, type InboundResponse, errorForStatus, joinUrl } from './channel-http.js';
import { REDACTED, Redactor, isSecretName, truncateForLog } from './redact.js';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after.js';
import { TokenCache, tokenCacheKey } from './token-cache.js';

const NOW = new Date('2025-03-01T12:00:00Z');

void describe('parseRetryAfter', () => {
  void it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', NOW, 5), 120_000);
    assert.equal(parseRetryAfter(' 0 ', NOW, 5), 0);
  });
  void it('reads an HTTP-date relative to now', () => {
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', NOW, 5), 30_000);
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', NOW, 5), 0, 'a date in the past means now');
  });
  void it('falls back when absent or garbage, and caps huge values', () => {
    assert.equal(parseRetryAfter(null, NOW, 4000), 4000);
    assert.equal(parseRetryAfter('', NOW, 4000), 4000);
    assert.equal(parseRetryAfter('soon', NOW, 4000), 4000);
    assert.equal(parseRetryAfter('-5', NOW, 4000), 4000);
    assert.equal(parseRetryAfter('2025-03-01', NOW, 4000), 4000, 'ISO dates are not HTTP-dates');
    assert.equal(parseRetryAfter('999999999', NOW, 4000), MAX_RETRY_AFTER_MS);
    assert.equal(parseRetryAfter('1.5', NOW, 4000), 1500);
  });
});

void describe('Redactor', () => {
  const r = new Redactor(['s3cr3t-value', 'p@ss word/+']);
  void it('redacts credential-named JSON keys at any depth', () => {
    const out = r.redactJson({ client_id: 'abc', client_secret: 'x', nested: [{ refresh_token: 'y', Authorization: 'z', title: 'ok' }] });
    assert.deepEqual(out, { client_id: 'abc', client_secret: REDACTED, nested: [{ refresh_token: REDACTED, Authorization: REDACTED, title: 'ok' }] });
  });
  void it('redacts form fields and query parameters by name', () => {
    assert.equal(r.redactForm(new URLSearchParams({ username: 'u', password: 'p', wstoken: 't' })), `username=u&password=${encodeURIComponent(REDACTED)}&wstoken=${encodeURIComponent(REDACTED)}`);
    const url = r.redactUrl('https://user:pw@lms.example/api?wstoken=abc&value=k');
    assert.ok(!url.includes('abc') && !url.includes('pw') && url.includes('value=k'));
  });
  void it('redacts known secret values, raw and encoded, wherever they appear', () => {
    assert.equal(r.scrub('error: token s3cr3t-value refused'), `error: token ${REDACTED} refused`);
    assert.ok(!r.redactText(`x=${encodeURIComponent('p@ss word/+')}`).includes('p%40ss'));
    assert.ok(!r.redactText(new URLSearchParams({ note: 'p@ss word/+' }).toString()).includes('p%40ss+word'));
    assert.ok(!r.redactText('{"note":"s3cr3t-value"}').includes('s3cr3t'));
  });
  void it('ignores secrets too short to replace safely, and names credential fields broadly', () => {
    const short = new Redactor(['abc']);
    assert.equal(short.scrub('abcdef'), 'abcdef');
    for (const n of ['password', 'client_secret', 'access_token', 'X-Api-Key', 'signing_secret', 'x-ecat-signature']) assert.ok(isSecretName(n), n);
    for (const n of ['title', 'courseID', 'username', 'client_id']) assert.ok(!isSecretName(n), n);
  });
  void it('truncates long bodies and says so', () => {
    assert.equal(truncateForLog('abcdef', 3), 'abc…[3 more chars]');
    assert.equal(truncateForLog('abc', 3), 'abc');
  });
});

function res(status: number, headers: Record<string, string> = {}, text = ''): InboundResponse {
  return { status, headers: new Headers(headers), text, durationMs: 1 };
}

void describe('errorForStatus', () => {
  const http = new ChannelHttp({ logRequest: () => {}, signal: new AbortController().signal, now: () => NOW }, { timeoutMs: 100, secrets: ['leaky-secret'] });
  const opts = { now: NOW, defaultRetryAfterMs: 9000, what: 'test' };
  void it('maps statuses to typed errors', () => {
    assert.equal(errorForStatus(res(200), http, opts), undefined);
    assert.equal(errorForStatus(res(204), http, opts), undefined);
    const limited = errorForStatus(res(429, { 'retry-after': '12' }), http, opts);
    assert.ok(limited instanceof RateLimitedChannelError);
    assert.equal(limited.retryAfterMs, 12_000);
    const noHeader = errorForStatus(res(429), http, opts);
    assert.ok(noHeader instanceof RateLimitedChannelError && noHeader.retryAfterMs === 9000);
    for (const s of [500, 502, 503, 504, 408]) assert.ok(errorForStatus(res(s), http, opts) instanceof UnavailableChannelError, String(s));
    for (const s of [301, 400, 401, 403, 404, 409, 422]) assert.ok(errorForStatus(res(s), http, opts) instanceof PermanentChannelError, String(s));
  });
  void it('keeps a redacted body on the error', () => {
    const e = errorForStatus(res(400, {}, '{"error":"bad leaky-secret","password":"x"}'), http, opts);
    assert.ok(e && !e.body.includes('leaky-secret') && !e.body.includes('"x"'));
    assert.equal(e?.status, 400);
  });
});

void describe('ChannelHttp', () => {
  let base = '';
  const server = createServer((req, resp) => {
    if (req.url === '/hang') return; // never answers
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      resp.writeHead(req.url === '/redirect' ? 302 : 200, { 'content-type': 'application/json', ...(req.url === '/redirect' ? { location: 'http://example.invalid/' } : {}) });
      resp.end(JSON.stringify({ echo: body, auth: req.headers['authorization'] ?? null, ct: req.headers['content-type'] ?? null, access_token: 'issued-token-123' }));
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  function make(logs: ChannelRequestLogEntry[], signal = new AbortController().signal) {
    return new ChannelHttp({ logRequest: (e) => logs.push(e), signal, now: () => NOW }, { timeoutMs: 10_000, secrets: ['client-secret-xyz'] });
  }

  void it('sends JSON and form bodies and logs each call, redacted', async () => {
    const logs: ChannelRequestLogEntry[] = [];
    const http = make(logs);
    const a = await http.send({ method: 'POST', url: `${base}/a`, json: { client_secret: 'client-secret-xyz', title: 'T' }, bearer: 'bearer-token-abc' });
    assert.equal(a.status, 200);
    assert.match(a.text, /bearer-token-abc/, 'the real response is untouched');
    const b = await http.send({ method: 'POST', url: `${base}/b`, form: { grant_type: 'refresh_token', refresh_token: 'rt-0123456789' }, query: { 'state[]': ['all'], skip: undefined } });
    assert.match((JSON.parse(b.text) as { ct: string }).ct, /x-www-form-urlencoded/);
    assert.equal(logs.length, 2);
    const text = JSON.stringify(logs);
    for (const secret of ['client-secret-xyz', 'bearer-token-abc', 'rt-0123456789', 'issued-token-123']) assert.ok(!text.includes(secret), secret);
    assert.equal(logs[1]?.url, `${base}/b?state%5B%5D=all`);
    assert.ok(logs.every((l) => l.status === 200 && l.durationMs >= 0));
  });

  void it('sends HTTP Basic and keeps it out of the log', async () => {
    const logs: ChannelRequestLogEntry[] = [];
    const r = await make(logs).send({ method: 'GET', url: `${base}/c`, basic: { username: 'key', password: 'basic-password-1' } });
    assert.match(r.text, /Basic /);
    assert.ok(!JSON.stringify(logs).includes(Buffer.from('key:basic-password-1').toString('base64')));
  });

  void it('turns a timeout into UnavailableChannelError and logs it', async () => {
    const logs: ChannelRequestLogEntry[] = [];
    await assert.rejects(
      make(logs).send({ method: 'GET', url: `${base}/hang`, timeoutMs: 200 }),
      (e: unknown) => e instanceof UnavailableChannelError && /timed out after 200 ms/.test(e.message),
    );
    assert.equal(logs[0]?.status, null);
    assert.match(logs[0]?.error ?? '', /timed out/);
  });

  void it('turns a refused connection and an aborted run into UnavailableChannelError', async () => {
    const logs: ChannelRequestLogEntry[] = [];
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(make(logs).send({ method: 'GET', url: `http://127.0.0.1:${port}/` }), (e: unknown) => e instanceof UnavailableChannelError && /network error/.test(e.message));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(make(logs, ac.signal).send({ method: 'GET', url: `${base}/a` }), (e: unknown) => e instanceof UnavailableChannelError && /aborted/.test(e.message));
  });

  void it('does not follow redirects', async () => {
    const r = await make([]).send({ method: 'GET', url: `${base}/redirect` });
    assert.equal(r.status, 302);
  });

  void it('joins base URLs and paths', () => {
    assert.equal(joinUrl('https://x.test/', '/a/b'), 'https://x.test/a/b');
    assert.equal(joinUrl('https://x.test/sub', 'a'), 'https://x.test/sub/a');
  });
});

void describe('TokenCache', () => {
  void it('reuses a token until shortly before it expires, and shares one fetch between concurrent callers', async () => {
    const cache = new TokenCache();
    let t = NOW.getTime();
    const now = () => new Date(t);
    let fetches = 0;
    const fetchToken = async () => ({ accessToken: `t${++fetches}`, expiresInSec: 600 });
    const key = tokenCacheKey(1, 'secret');
    const [a, b] = await Promise.all([cache.get(key, now, fetchToken), cache.get(key, now, fetchToken)]);
    assert.equal(a, 't1');
    assert.equal(b, 't1');
    t += 500_000;
    assert.equal(await cache.get(key, now, fetchToken), 't1');
    t += 50_000; // within the 60 s renewal margin
    assert.equal(await cache.get(key, now, fetchToken), 't2');
    cache.invalidate(key, 'stale');
    assert.equal(await cache.get(key, now, fetchToken), 't2', 'invalidating another token keeps the current one');
    cache.invalidate(key, 't2');
    assert.equal(await cache.get(key, now, fetchToken), 't3');
    assert.ok(!key.includes('secret'));
  });
  void it('does not cache a failed fetch', async () => {
    const cache = new TokenCache();
    await assert.rejects(cache.get('k', () => NOW, () => Promise.reject(new Error('down'))));
    assert.equal(await cache.get('k', () => NOW, async () => ({ accessToken: 'ok' })), 'ok');
  });
});
