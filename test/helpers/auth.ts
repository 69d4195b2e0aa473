/** Tokens for tests, signed the way the LMS signs them. */
import { signDevToken } from '../../src/auth/jwt.js';
import { TEST_JWT_SECRET } from './db.js';

export interface TokenSpec {
  roles?: string[];
  administrator?: boolean;
  username?: string;
  ttlSeconds?: number;
  secret?: string;
  issuer?: string | null;
  audience?: string | null;
}

export function token(spec: TokenSpec = {}): Promise<string> {
  return signDevToken({
    secret: spec.secret ?? TEST_JWT_SECRET,
    roles: spec.roles ?? [],
    administrator: spec.administrator ?? false,
    username: spec.username ?? 'tester',
    ttlSeconds: spec.ttlSeconds ?? 600,
    issuer: spec.issuer ?? null,
    audience: spec.audience ?? null,
  });
}

export async function authHeader(spec: TokenSpec = {}): Promise<{ authorization: string }> {
  return { authorization: `JWT ${await token(spec)}` };
}
