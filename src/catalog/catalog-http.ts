/**
 * HTTP plumbing shared by the catalog routes: the authenticated scope, the request URL for pagination links,
 * 405 answers where upstream has them, the raw body of `get_content_filter_hash` (a body on a GET), and bodies
 * serialised in advance.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext, HttpApp } from '../app-context.js';
import type { AuthContext } from '../auth/roles.js';
import { AppError } from '../shared/errors.js';
import type { RequestUrl } from './pagination.js';

/** The caller, set by the scope's `onRequest` hook before any parsing or validation (so 401 comes first). */
export function authOf(req: FastifyRequest): AuthContext {
  const auth = req.authContext;
  if (auth === undefined) throw new AppError('unauthenticated', 'not_authenticated', 'Authentication credentials were not provided.');
  return auth;
}

/**
 * Registers `register` in a child scope where every route requires a valid JWT and an empty JSON body reads as
 * `null` (upstream treats an empty `generate_diff` body as no keys).
 */
export async function authenticatedScope(app: HttpApp, ctx: AppContext, register: (scope: HttpApp) => void): Promise<void> {
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // Callback style: a caller whose token was verified earlier passes without a promise or a microtask (bench B1).
    scope.addHook('onRequest', (req, _reply, done) => {
      let pending;
      try {
        pending = ctx.authenticate(req);
      } catch (err) {
        done(err as Error);
        return;
      }
      if (pending instanceof Promise) pending.then(() => done(), done);
      else done();
    });
    const json = scope.getDefaultJsonParser('error', 'error');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      if (body === '') done(null, null);
      else void json(req, body as string, done);
    });
    register(scope);
  });
}

/** The URL the client used, for DRF-style absolute `next`/`previous` links (`build_absolute_uri`). */
export function requestUrl(req: FastifyRequest): RequestUrl {
  const q = req.url.indexOf('?');
  return {
    origin: `${req.protocol}://${req.host}`,
    path: q < 0 ? req.url : req.url.slice(0, q),
    query: q < 0 ? '' : req.url.slice(q + 1),
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Answer every method of `url` not in `allowed` with DRF's 405 `{"detail": "Method \"POST\" not allowed."}` and an
 * `Allow` header, after authentication as DRF does. Hidden from the API documentation.
 */
export function methodNotAllowed(scope: HttpApp, url: string, allowed: ReadonlyArray<(typeof METHODS)[number]>): void {
  const others = METHODS.filter((m) => !allowed.includes(m));
  if (others.length === 0) return;
  scope.route({
    method: others,
    url,
    schema: { hide: true },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      reply.header('allow', [...allowed, 'OPTIONS'].join(', '));
      throw new AppError('method_not_allowed', 'method_not_allowed', `Method "${req.method}" not allowed.`);
    },
  });
}

/** Read the request body as text (Fastify does not parse bodies of GET requests). */
export async function rawBody(req: FastifyRequest, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.raw) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limitBytes) throw new AppError('payload_too_large', 'body_too_large', 'Request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sends a body the service already serialised (see `CatalogContentService.contentMetadataJson`). Fastify sends a
 * buffer or a stream as it is, so the route's response schema documents the shape without serialising it again.
 */
export function sendJson(reply: FastifyReply, payload: Buffer | NodeJS.ReadableStream): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(payload);
}
