/**
 * `Retry-After` parsing (RFC 9110 §10.2.3): either a number of seconds or an HTTP-date. Adapters turn the result
 * into `RateLimitedChannelError.retryAfterMs`, which the engine honours before sending to that LMS again.
 */

/** Longest wait we accept from an LMS; a larger value is treated as this (the engine's own back-off takes over). */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Milliseconds to wait before retrying, from a `Retry-After` header value.
 *
 * @param value - the header value, or null/undefined when absent
 * @param now - the current time, used for the HTTP-date form
 * @param fallbackMs - used when the header is absent or unparseable
 */
export function parseRetryAfter(value: string | null | undefined, now: Date, fallbackMs: number): number {
  const raw = value?.trim();
  if (!raw) return clamp(fallbackMs);
  if (/^\d+$/.test(raw)) return clamp(Number(raw) * 1000);
  // Some servers send fractional seconds although the RFC does not allow them; accept them rather than guess.
  if (/^\d+\.\d+$/.test(raw)) return clamp(Math.ceil(Number(raw) * 1000));
  const at = Date.parse(raw);
  // Date.parse also accepts ISO strings; an HTTP-date always names a weekday or month, so require a letter.
  if (Number.isNaN(at) || !/[a-z]/i.test(raw)) return clamp(fallbackMs);
  return clamp(at - now.getTime());
}

function clamp(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return 0;
  return Math.min(Math.round(ms), MAX_RETRY_AFTER_MS);
}
