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

/** Verify the caller or throw 401. The result is cached on the request. */
export async function authenticate(req: FastifyRequest, verify: JwtVerifier): Promise<AuthContext> {
  if (req.authContext) return req.authContext;
  const token = tokenFromRequest(req);
  if (!token) throw new AppError('unauthenticated', 'not_authenticated', 'Authentication credentials were not provided.');
  const claims = await verify(token);
  req.authContext = authContextFromClaims(claims);
  return req.authContext;
}
