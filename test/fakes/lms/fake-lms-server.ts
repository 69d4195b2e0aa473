/**
 * Building blocks of the fake LMS servers: a real `node:http` server on 127.0.0.1:0 with named routes, a request
 * log and counters, and fault injection (a status such as 429 with `Retry-After` or 500, or a hang that never
 * answers), plus a token issuer with expiry. Each `<lms>.fake.ts` composes these with its own state.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  route: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or undefined. */
  json: unknown;
  /** Parsed form body (empty unless form-encoded). */
  form: URLSearchParams;
  /** Named groups of the route pattern. */
  params: Record<string, string>;
}

export interface FakeReply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A failure the next matching request(s) get instead of the normal answer. */
export type Fault = FakeReply | { hang: true };

type Handler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  handler: Handler;
}

interface Injection {
  fault: Fault;
  routes: readonly string[] | undefined;
  /** Matching requests still to let through before the fault applies. */
  skip: number;
  remaining: number;
}

export class FakeLmsServer {
  readonly requests: FakeRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly injections: Injection[] = [];
  private server: Server | undefined;
  private base = '';

  /** Base URL (`http://127.0.0.1:<port>`), once started. */
  get url(): string {
    return this.base;
  }

  /** Register a route; `pattern` is matched against the path (no query string) and may have named groups. */
  route(name: string, method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ name, method, pattern, handler });
    return this;
  }

  /**
   * Make the next `times` requests to the named routes (any route when omitted) fail with `fault` instead of being
   * handled, after letting `after` matching requests through.
   */
  inject(fault: Fault, opts: { routes?: readonly string[]; times?: number; after?: number } = {}): void {
    this.injections.push({ fault, routes: opts.routes, skip: opts.after ?? 0, remaining: opts.times ?? 1 });
  }

  /** Drop injected faults that did not fire. */
  clearFaults(): void {
    this.injections.length = 0;
  }

  /** Requests received by the named routes (all routes when none given). */
  count(...routes: string[]): number {
    return routes.length === 0 ? this.requests.length : this.requests.filter((r) => routes.includes(r.route)).length;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.dispatch(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8')).then((reply) => {
          if (reply === 'hang') return; // never answer: the client's timeout must fire
          const headers: Record<string, string> = { ...reply.headers };
          let body = reply.text ?? '';
          if (reply.json !== undefined) {
            body = JSON.stringify(reply.json);
            headers['content-type'] ??= 'application/json';
          }
          res.writeHead(reply.status ?? 200, headers);
          res.end(body);
        });
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async dispatch(method: string, rawUrl: string, headers: IncomingHttpHeaders, rawBody: string): Promise<FakeReply | 'hang'> {
    const url = new URL(rawUrl, 'http://fake');
    const path = decodeURIComponent(url.pathname);
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (m) {
        route = r;
        params = { ...m.groups };
        break;
      }
    }
    const contentType = String(headers['content-type'] ?? '');
    let json: unknown;
    if (contentType.includes('json') && rawBody !== '') {
      try {
        json = JSON.parse(rawBody) as unknown;
      } catch {
        json = undefined;
      }
    }
    const form = contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(rawBody) : new URLSearchParams();
    const request: FakeRequest = { route: route?.name ?? 'unmatched', method, path, query: url.searchParams, headers, rawBody, json, form, params };
    this.requests.push(request);
    if (!route) return { status: 404, json: { error: `no fake route for ${method} ${path}` } };

    const matching = this.injections.filter((i) => i.remaining > 0 && (i.routes === undefined || i.routes.includes(route.name)));
    let injection: Injection | undefined;
    for (const i of matching) {
      if (i.skip > 0) i.skip -= 1;
      else injection ??= i;
    }
    if (injection) {
      injection.remaining -= 1;
      if (injection.remaining === 0) this.injections.splice(this.injections.indexOf(injection), 1);
      return 'hang' in injection.fault ? 'hang' : injection.fault;
    }
    try {
      return await route.handler(request);
    } catch (err) {
      return { status: 500, json: { error: `fake crashed: ${err instanceof Error ? err.message : String(err)}` } };
    }
  }
}

/** Issues opaque access tokens with a lifetime, and can expire them all (what a real LMS does after a while). */
export class TokenIssuer {
  readonly issued: string[] = [];
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly prefix: string,
    /** Lifetime announced in `expires_in`, seconds. */
    public ttlSec = 3600,
  ) {}

  issue(): { access_token: string; token_type: string; expires_in: number } {
    const token = `${this.prefix}-${randomBytes(12).toString('hex')}`;
    this.issued.push(token);
    this.expiries.set(token, Date.now() + this.ttlSec * 1000);
    return { access_token: token, token_type: 'bearer', expires_in: this.ttlSec };
  }

  valid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const exp = this.expiries.get(token);
    return exp !== undefined && exp > Date.now();
  }

  /** Whether the request carries `Authorization: Bearer <valid token>`. */
  bearerValid(req: FakeRequest): boolean {
    const auth = String(req.headers['authorization'] ?? '');
    return auth.startsWith('Bearer ') && this.valid(auth.slice('Bearer '.length));
  }

  /** Every token issued so far stops working (as if its lifetime had passed). */
  expireAll(): void {
    for (const t of this.expiries.keys()) this.expiries.set(t, 0);
  }
}

/** Credentials from an `Authorization: Basic` header. */
export function basicCredentials(req: FakeRequest): { username: string; password: string } | undefined {
  const auth = String(req.headers['authorization'] ?? '');
  if (!auth.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
