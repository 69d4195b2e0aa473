/**
 * 401/403 through HTTP: a small app with the real error handler, verifier and permission helpers.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installErrorHandler } from '../http/error-handler.js';
import { createJwtVerifier, type JwtSettings } from './jwt.js';
import { authenticate } from './auth.hook.js';
import { hasAdminAccess, hasLearnerAccess } from './roles.js';
import { forbidden } from '../shared/errors.js';
import { token } from '../../test/helpers/auth.js';
import { TEST_JWT_SECRET } from '../../test/helpers/db.js';

const E1 = '11111111-1111-4111-8111-111111111111';
const E2 = '22222222-2222-4222-8222-222222222222';

function buildApp(settings: Partial<JwtSettings> = {}): FastifyInstance {
  const verify = createJwtVerifier({ secret: TEST_JWT_SECRET, jwksUrl: null, issuer: null, audience: null, ...settings });
  const app = Fastify();
  installErrorHandler(app);
  app.get<{ Params: { e: string } }>('/admin/:e/', async (req) => {
    const ctx = await authenticate(req, verify);
    if (!hasAdminAccess(ctx, req.params.e)) throw forbidden('missing_admin_access');
    return { ok: true, user: ctx.username };
  });
  app.get<{ Params: { e: string } }>('/learner/:e/', async (req) => {
    const ctx = await authenticate(req, verify);
    if (!hasLearnerAccess(ctx, req.params.e)) throw forbidden('missing_learner_access', 'MISSING: catalog.has_learner_access');
    return { ok: true };
  });
  return app;
}

describe('HTTP authentication and authorisation', () => {
  const app = buildApp();
  after(() => app.close());

  const call = async (path: string, authorization?: string) =>
    app.inject({ method: 'GET', url: path, headers: authorization ? { authorization } : {} });

  test('no credentials → 401 with the DRF body', async () => {
    const r = await call(`/admin/${E1}/`);
    assert.equal(r.statusCode, 401);
    assert.deepEqual(r.json(), { detail: 'Authentication credentials were not provided.' });
  });

  test('both header schemes are accepted', async () => {
    const t = await token({ roles: [`enterprise_admin:${E1}`] });
    assert.equal((await call(`/admin/${E1}/`, `JWT ${t}`)).statusCode, 200);
    assert.equal((await call(`/admin/${E1}/`, `Bearer ${t}`)).statusCode, 200);
  });

  test('the edX JWT cookie pair is accepted', async () => {
    const t = await token({ roles: [`enterprise_admin:${E1}`] });
    const [h, p, s] = t.split('.');
    const r = await app.inject({
      method: 'GET',
      url: `/admin/${E1}/`,
      headers: { cookie: `edx-jwt-cookie-header-payload=${h}.${p}; edx-jwt-cookie-signature=${s}` },
    });
    assert.equal(r.statusCode, 200);
  });

  const rejected: [string, () => Promise<string>][] = [
    ['expired token', async () => `JWT ${await token({ roles: [`enterprise_admin:${E1}`], ttlSeconds: -60 })}`],
    ['wrong signature', async () => `JWT ${await token({ roles: [`enterprise_admin:${E1}`], secret: 'another-secret' })}`],
    ['garbage token', async () => 'JWT not.a.token'],
    ['unknown scheme', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    [
      'alg none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `JWT ${enc({ alg: 'none' })}.${enc({ roles: [`enterprise_admin:${E1}`], exp: 9999999999 })}.`;
      },
    ],
  ];
  for (const [name, make] of rejected) {
    test(`${name} → 401`, async () => {
      const r = await call(`/admin/${E1}/`, await make());
      assert.equal(r.statusCode, 401);
      assert.ok(typeof r.json<{ detail: unknown }>().detail === 'string');
    });
  }

  const permission: [string, string[], boolean, string, number][] = [
    ['admin of E1 on E1', [`enterprise_admin:${E1}`], false, `/admin/${E1}/`, 200],
    ['admin of E1 on E2', [`enterprise_admin:${E1}`], false, `/admin/${E2}/`, 403],
    ['learner on admin route', [`enterprise_learner:${E1}`], false, `/admin/${E1}/`, 403],
    ['learner on learner route', [`enterprise_learner:${E1}`], false, `/learner/${E1}/`, 200],
    ['admin implies learner', [`enterprise_admin:${E1}`], false, `/learner/${E1}/`, 200],
    ['* context', ['enterprise_catalog_admin:*'], false, `/admin/${E2}/`, 200],
    ['learner * context', ['enterprise_learner:*'], false, `/learner/${E2}/`, 200],
    ['learner * on admin route', ['enterprise_learner:*'], false, `/admin/${E2}/`, 403],
    ['superuser', [], true, `/admin/${E2}/`, 200],
    ['unrelated role', [`other_role:${E1}`], false, `/learner/${E1}/`, 403],
  ];
  for (const [name, roles, administrator, path, status] of permission) {
    test(`${name} → ${status}`, async () => {
      const r = await call(path, `JWT ${await token({ roles, administrator })}`);
      assert.equal(r.statusCode, status);
    });
  }

  test('403 carries the upstream message', async () => {
    const r = await call(`/learner/${E2}/`, `JWT ${await token({ roles: [`enterprise_learner:${E1}`] })}`);
    assert.deepEqual(r.json(), { detail: 'MISSING: catalog.has_learner_access' });
  });
});

describe('issuer and audience', () => {
  const app = buildApp({ issuer: 'https://lms.example/oauth2', audience: 'ecat' });
  after(() => app.close());
  const roles = [`enterprise_admin:${E1}`];
  const cases: [string, string | null, string | null, number][] = [
    ['right issuer and audience', 'https://lms.example/oauth2', 'ecat', 200],
    ['wrong issuer', 'https://evil.example', 'ecat', 401],
    ['wrong audience', 'https://lms.example/oauth2', 'other', 401],
    ['missing issuer', null, 'ecat', 401],
  ];
  for (const [name, issuer, audience, status] of cases) {
    test(`${name} → ${status}`, async () => {
      const t = await token({ roles, issuer, audience });
      const r = await app.inject({ method: 'GET', url: `/admin/${E1}/`, headers: { authorization: `JWT ${t}` } });
      assert.equal(r.statusCode, status);
    });
  }
});

describe('RS256 through JWKS', () => {
  let jwksServer: Server;
  let app: FastifyInstance;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  before(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const { port } = jwksServer.address() as AddressInfo;
    app = buildApp({ secret: null, jwksUrl: `http://127.0.0.1:${port}/jwks` });
  });
  after(async () => {
    await app.close();
    await new Promise((r) => jwksServer.close(r));
  });

  test('a token signed with the JWKS key passes; HS256 does not when no secret is configured', async () => {
    const rs = await new SignJWT({ roles: [`enterprise_admin:${E1}`] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const ok = await app.inject({ method: 'GET', url: `/admin/${E1}/`, headers: { authorization: `JWT ${rs}` } });
    assert.equal(ok.statusCode, 200);
    const hs = await token({ roles: [`enterprise_admin:${E1}`] });
    const no = await app.inject({ method: 'GET', url: `/admin/${E1}/`, headers: { authorization: `JWT ${hs}` } });
    assert.equal(no.statusCode, 401);
  });
});
