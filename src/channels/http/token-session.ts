/**
 * Calls that carry an access token: take it from the cache (or fetch one), and when the LMS says the token is no
 * longer valid, fetch a new one and repeat the call once. A second refusal is not retried again; it becomes a
 * chunk-wide permanent error (the credentials themselves are wrong).
 */
import { type ChannelError, PermanentChannelError } from '../channel-adapter.js';
import { type ChannelHttp, type InboundResponse, errorForStatus, parseJson } from './channel-http.js';
import { chunkWide } from './per-item.js';
import type { IssuedToken, TokenCache } from './token-cache.js';

export interface TokenSessionOptions {
  http: ChannelHttp;
  cache: TokenCache;
  /** From `tokenCacheKey(configurationId, ...credentials)`. */
  cacheKey: string;
  now: () => Date;
  fetchToken: () => Promise<IssuedToken>;
  /** Names the LMS in error messages, e.g. "Canvas". */
  what: string;
}

export class TokenSession {
  constructor(private readonly opts: TokenSessionOptions) {}

  /** A token for the next call (cached or new); it is registered as a secret for redaction. */
  async token(): Promise<string> {
    const { cache, cacheKey, now, fetchToken, http } = this.opts;
    const token = await cache.get(cacheKey, now, fetchToken);
    http.addSecret(token);
    return token;
  }

  /**
   * Run `call` with a token; if `isAuthFailure` says the token was refused, drop it, get a new one and run `call`
   * once more. A second refusal throws a chunk-wide `PermanentChannelError` (the credentials are wrong, not the
   * token); any other response is answered as is, for the caller to judge.
   */
  async call(
    call: (token: string) => Promise<InboundResponse>,
    isAuthFailure: (res: InboundResponse) => boolean = (res) => res.status === 401,
  ): Promise<InboundResponse> {
    const first = await this.token();
    const res = await call(first);
    if (!isAuthFailure(res)) return res;
    this.opts.cache.invalidate(this.opts.cacheKey, first);
    const second = await this.token();
    const again = await call(second);
    if (!isAuthFailure(again)) return again;
    this.opts.cache.invalidate(this.opts.cacheKey, second);
    throw chunkWide(
      new PermanentChannelError(
        `${this.opts.what}: access refused with a freshly issued token`,
        again.status,
        this.opts.http.redactor.redactText(again.text).slice(0, 2_000),
      ),
    );
  }
}

/**
 * Read an OAuth token endpoint's answer (`{access_token, expires_in, ...}`). A refusal of the credentials
 * (400/401/403) is permanent for the whole chunk; 429 and 5xx keep their usual meaning.
 */
export function readTokenResponse(
  res: InboundResponse,
  http: ChannelHttp,
  what: string,
  now: Date,
  defaultRetryAfterMs: number,
): IssuedToken & { body: Record<string, unknown> } {
  const error = errorForStatus(res, http, { now, defaultRetryAfterMs, what });
  if (error) throw authError(error);
  const body = parseJson(res.text);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw chunkWide(new PermanentChannelError(`${what}: response is not a JSON object`, res.status));
  }
  const record = body as Record<string, unknown>;
  const accessToken = record['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw chunkWide(new PermanentChannelError(`${what}: no access_token in response`, res.status));
  }
  http.addSecret(accessToken);
  http.addSecret(record['refresh_token']);
  const expiresIn = Number(record['expires_in']);
  return {
    accessToken,
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresInSec: expiresIn } : {}),
    body: record,
  };
}

/** Auth failures are permanent for the chunk; rate limits and outages stay as they are. */
function authError(error: ChannelError): ChannelError {
  return error.retryable ? error : chunkWide(error);
}
