/**
 * JWT verification as the Open edX services accept it: HS256 with a shared secret, or RS256/ES256 with keys from
 * a JWKS URL; `exp` enforced; `iss` and `aud` enforced when configured.
 */
import { createSecretKey } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../shared/errors.js';

export interface JwtSettings {
  secret: string | null;
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
}

export interface JwtVerifier {
  (token: string): Promise<JWTPayload>;
  /**
   * The payload of a token this verifier accepted earlier and would accept now without checking its signature
   * again (see {@link cachingVerifier}); `undefined` otherwise, and then only a call decides. Synchronous, so that
   * the request hook of an already-verified caller does not wait for a promise.
   */
  cached?(token: string): JWTPayload | undefined;
}

/** Verified tokens are remembered so that a client repeating its token does not pay for HMAC/RSA each call. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the oldest entry is dropped first. 0 disables the cache. */
  maxEntries?: number;
  /**
   * Longest a verification is trusted without checking the signature again, whatever `exp` says; bounds how long a
   * key removed from the JWKS keeps working for a token already seen.
   */
  maxAgeMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const unauthenticated = (message: string) => new AppError('unauthenticated', 'invalid_token', message);

/**
 * Remembers verified payloads by token string until the earlier of the token's `exp` and `maxAgeMs` after the
 * verification. The token string is the signed bytes, so an entry can only be hit by the very token that passed
 * verification; failures are never remembered.
 */
export function cachingVerifier(verify: JwtVerifier, opts: VerifiedTokenCacheOptions = {}): JwtVerifier {
  const maxEntries = opts.maxEntries ?? 10_000;
  const maxAgeMs = opts.maxAgeMs ?? 300_000;
  const now = opts.now ?? Date.now;
  if (maxEntries <= 0) return verify;
  const cache = new Map<string, { payload: JWTPayload; untilMs: number }>();
  const cached = (token: string, t: number): JWTPayload | undefined => {
    const hit = cache.get(token);
    if (hit === undefined) return undefined;
    if (t < hit.untilMs) return hit.payload;
    cache.delete(token);
    return undefined;
  };
  const verifier: JwtVerifier = async (token) => {
    const t = now();
    const hit = cached(token, t);
    if (hit !== undefined) return hit;
    const payload = await verify(token);
    // `exp` is required by the verifier; a payload without a numeric one is simply not remembered.
    if (typeof payload.exp === 'number') {
      const untilMs = Math.min(payload.exp * 1000, t + maxAgeMs);
      if (untilMs > t) {
        if (cache.size >= maxEntries) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(token, { payload, untilMs });
      }
    }
    return payload;
  };
  verifier.cached = (token) => cached(token, now());
  return verifier;
}

export function createJwtVerifier(settings: JwtSettings, cache: VerifiedTokenCacheOptions = {}): JwtVerifier {
  return cachingVerifier(uncachedVerifier(settings), cache);
}

function uncachedVerifier(settings: JwtSettings): JwtVerifier {
  // A KeyObject made once: given raw bytes, jose would import a key on every verification (measurable per request).
  const secret = settings.secret ? createSecretKey(Buffer.from(settings.secret, 'utf8')) : null;
  const jwks: JWTVerifyGetKey | null = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : null;
  const options = {
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
    requiredClaims: ['exp'],
  };
  return async (token) => {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticated('Error decoding token.');
    }
    try {
      if (alg === 'HS256' && secret) return (await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload;
      if ((alg === 'RS256' || alg === 'ES256') && jwks) {
        return (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256'] })).payload;
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw unauthenticated('Signature has expired.');
      if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC') {
        throw new AppError('unavailable', 'jwks_unavailable', 'Token keys are unavailable.', undefined, { cause: err });
      }
      throw unauthenticated('Error decoding token.');
    }
    throw unauthenticated('Error decoding token.');
  };
}

export interface DevTokenOptions {
  secret: string;
  roles: string[];
  administrator?: boolean;
  username?: string;
  ttlSeconds?: number;
  issuer?: string | null;
  audience?: string | null;
}

/** Sign an HS256 token of the shape the LMS issues. For development and tests. */
export async function signDevToken(o: DevTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({
    roles: o.roles,
    administrator: o.administrator ?? false,
    preferred_username: o.username ?? 'ecat-dev',
    scopes: ['user_id', 'email', 'profile'],
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(o.username ?? 'ecat-dev')
    .setIssuedAt(now)
    .setExpirationTime(now + (o.ttlSeconds ?? 3600));
  if (o.issuer) jwt = jwt.setIssuer(o.issuer);
  if (o.audience) jwt = jwt.setAudience(o.audience);
  return jwt.sign(new TextEncoder().encode(o.secret));
}

/** `1h`, `30m`, `45s`, `2d` or plain seconds. */
export function parseTtl(raw: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : m[2] === 'd' ? 86400 : 1;
  return n * unit;
}
