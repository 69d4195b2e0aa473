/**
 * Reads credentials from a request: `Authorization: JWT <token>` or `Bearer <token>`, or the edX JWT cookie pair
 * (`edx-jwt-cookie-header-payload` + `edx-jwt-cookie-signature`) that the LMS sets for browsers.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../shared/errors.js';
import { authContextFromClaims, type AuthContext } from './roles.js';
import type { JwtVerifier } from './jwt.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set lazily by `authenticate`. */
    authContext?: AuthContext;
  }
}

function tokenFromRequest(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header !== '') {
    const m = /^(JWT|Bearer)\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new AppError('unauthenticated', 'invalid_auth_header', 'Invalid Authorization header.');
    return m[2] ?? null;
  }
  const cookie = req.headers.cookie;
  if (typeof cookie === 'string') {
    const jar = new Map(
      cookie.split(';').map((p) => {
        const i = p.indexOf('=');
        return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
      }),
    );
    const hp = jar.get('edx-jwt-cookie-header-payload');
    const sig = jar.get('edx-jwt-cookie-signature');
    if (hp && sig) return `${hp}.${sig}`;
  }
  return null;
}

/**
 * The caller's context per verified payload. A cached token yields the same payload object on every hit
 * (`cachingVerifier`), so the roles claim is parsed once per token rather than once per request.
 */
const contextByClaims = new WeakMap<object, AuthContext>();

function contextOf(claims: Record<string, unknown>): AuthContext {
  let auth = contextByClaims.get(claims);
  if (auth === undefined) {
    auth = authContextFromClaims(claims);
    contextByClaims.set(claims, auth);
  }
  return auth;
}

/**
 * Verify the caller or throw 401; the result is cached on the request. A token the verifier accepted earlier and
 * still accepts (`JwtVerifier.cached`) is answered synchronously, without a promise; otherwise the answer is a
 * promise. Failures (no or malformed credentials) are thrown synchronously; verification failures reject.
 */
export function authenticate(req: FastifyRequest, verify: JwtVerifier): AuthContext | Promise<AuthContext> {
  if (req.authContext) return req.authContext;
  const token = tokenFromRequest(req);
  if (!token) throw new AppError('unauthenticated', 'not_authenticated', 'Authentication credentials were not provided.');
  const known = verify.cached?.(token);
  if (known !== undefined) return (req.authContext = contextOf(known));
  return verify(token).then((claims) => (req.authContext = contextOf(claims)));
}
