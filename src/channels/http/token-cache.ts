/**
 * Access tokens shared by the calls of one adapter instance, keyed per configuration and credentials. Upstream
 * fetched a token per client object; keeping them here means a run of many one-item chunks fetches one token, not
 * one per chunk. Concurrent callers for the same key share a single fetch (single flight), which also matters for
 * Blackboard, whose refresh token may be used only once.
 */
import { createHash } from 'node:crypto';

export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds as the LMS reported it; undefined when it did not say. */
  expiresInSec?: number;
}

interface Entry {
  accessToken: string;
  expiresAt: number;
}

/** Used when the LMS does not say how long a token lives. */
const DEFAULT_LIFETIME_SEC = 300;
/** Renew this long before the reported expiry, so a token does not expire in flight. */
const MAX_SKEW_MS = 60_000;

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<string>>();

  /**
   * A valid cached token, or a new one from `fetchToken`. `now` is the caller's clock (the context's, in tests).
   */
  async get(key: string, now: () => Date, fetchToken: () => Promise<IssuedToken>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now().getTime()) return hit.accessToken;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = (async () => {
      try {
        const issued = await fetchToken();
        const lifetimeMs = (issued.expiresInSec ?? DEFAULT_LIFETIME_SEC) * 1000;
        const skew = Math.min(MAX_SKEW_MS, lifetimeMs / 2);
        this.entries.set(key, { accessToken: issued.accessToken, expiresAt: now().getTime() + lifetimeMs - skew });
        return issued.accessToken;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, p);
    return p;
  }

  /** Forget a token the LMS refused; only if it is still the cached one (another caller may have renewed it). */
  invalidate(key: string, token: string): void {
    if (this.entries.get(key)?.accessToken === token) this.entries.delete(key);
  }
}

/**
 * A cache key for a configuration and the credentials in use. The credentials are hashed so they are not kept
 * as map keys in clear.
 */
export function tokenCacheKey(configurationId: number, ...parts: readonly unknown[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  return `${configurationId}:${digest}`;
}
