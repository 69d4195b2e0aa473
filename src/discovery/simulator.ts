/**
 * A local course-discovery: a real `node:http` server with the endpoints enterprise-catalog calls
 * (course-discovery.md §1, §6 checklist), backed by a synthetic dataset, with fault injection.
 *
 * - `POST /oauth2/access_token` — client credentials → `{access_token, token_type: "JWT", expires_in}`.
 * - `POST|GET /api/v1/search/all/` — the content filter as JSON body (merged into the query parameters as discovery
 *   does), page-number pagination with absolute `next`/`previous`, `404 {"detail": "Invalid page."}` past the end,
 *   learner pathways only with `include_learner_pathways=True`, a 500 beyond the 15,000-result window.
 * - `GET /api/v1/courses/?keys=…` and `GET /api/v1/programs/?uuids=…&extended=True` — limit/offset or page pagination.
 * - `POST /__simulator/advance-day`, `GET /__simulator/stats` — not upstream; for driving a running simulator by hand.
 *
 * API calls need `Authorization: JWT <token>` with a token this server issued and that has not expired.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { parseFlags } from './cli-flags.js';
import { generateDataset, isDatasetSize, loadDataset, type DatasetSize, type DiscoveryDataset } from './dataset.js';
import { presentCourse, presentProgram } from './discovery.presenter.js';
import { filterToParams, paramLast, paramValues, type QueryParams } from './filter-evaluator.js';
import { createRng, type Rng } from './prng.js';
import { DEFAULT_MAX_RESULT_WINDOW, searchPage } from './search-index.js';

/** Faults to inject; every field is optional and the defaults inject nothing. */
export interface DiscoveryFaults {
  /** Share (0–1) of API requests answered with a 500. */
  errorRate?: number;
  /** Milliseconds added before every response. */
  latencyMs?: number;
  /** Share (0–1) of API requests answered with a 429 and `Retry-After`. */
  rateLimitRate?: number;
  /** `Retry-After` seconds on injected 429s (default 1; 0 is allowed, for fast tests). */
  retryAfterSeconds?: number;
  /** Share (0–1) of successful API responses whose JSON body is cut in half (status 200, invalid JSON). */
  truncateRate?: number;
  /** `search/all` page numbers that fail every time. */
  failPages?: readonly number[];
  /** Status used for `failPages` (default 500). */
  failPageStatus?: number;
  /** Apply the random faults to the token endpoint too (default false). */
  includeTokenEndpoint?: boolean;
  /** Seed of the fault draws; the same seed and request order give the same faults. */
  seed?: string | number;
}

export interface DiscoverySimulatorOptions {
  /** A dataset to serve (shared, live: churn applied to it shows up at once); otherwise one is generated. */
  dataset?: DiscoveryDataset;
  size?: DatasetSize;
  seed?: string | number;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  faults?: DiscoveryFaults;
  /** Accepted client credentials; by default any non-empty id and secret get a token. */
  clients?: Readonly<Record<string, string>>;
  /** Lifetime of issued tokens (default 3600 s). */
  tokenTtlSeconds?: number;
  /** ES `max_result_window` (default 15,000); `Infinity` turns the window error off. */
  maxResultWindow?: number;
}

export type SimulatorEndpoint = 'token' | 'searchAll' | 'courses' | 'programs' | 'other';

export interface SimulatorStats {
  /** Requests received per endpoint (every attempt, whatever the answer). */
  requests: Record<SimulatorEndpoint, number>;
  total: number;
  /** Responses per status code. */
  statuses: Record<number, number>;
  /** Tokens issued. */
  tokensIssued: number;
  /** Requests rejected for missing, unknown or expired tokens. */
  unauthorized: number;
  /** Faults injected, by kind. */
  faults: { errors: number; rateLimited: number; truncated: number; failedPages: number };
  /** `search/all` requests per page number asked for. */
  searchAllPages: Record<number, number>;
}

export interface DiscoverySimulator {
  /** API base, with trailing slash: `http://127.0.0.1:PORT/api/v1/`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT/oauth2/access_token`. */
  readonly tokenUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly port: number;
  readonly dataset: DiscoveryDataset;
  /** A snapshot of the counters. */
  readonly stats: SimulatorStats;
  resetStats(): void;
  /** Replaces the fault configuration (pass `{}` to stop injecting). */
  setFaults(faults: DiscoveryFaults): void;
  /** Invalidates every issued token, so the next API call gets a 401. */
  revokeTokens(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

function emptyStats(): SimulatorStats {
  return {
    requests: { token: 0, searchAll: 0, courses: 0, programs: 0, other: 0 },
    total: 0,
    statuses: {},
    tokensIssued: 0,
    unauthorized: 0,
    faults: { errors: 0, rateLimited: 0, truncated: 0, failedPages: 0 },
    searchAllPages: {},
  };
}

function cloneStats(s: SimulatorStats): SimulatorStats {
  return {
    requests: { ...s.requests },
    total: s.total,
    statuses: { ...s.statuses },
    tokensIssued: s.tokensIssued,
    unauthorized: s.unauthorized,
    faults: { ...s.faults },
    searchAllPages: { ...s.searchAllPages },
  };
}

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly contentType = 'application/json',
  ) {}
  static json(status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): HttpReply {
    return new HttpReply(status, JSON.stringify(value), headers);
  }
}

const SERVER_ERROR_HTML = '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n';
const serverError = (): HttpReply => new HttpReply(500, SERVER_ERROR_HTML, {}, 'text/html; charset=utf-8');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** DRF's `replace_query_param`: parameters sorted, `page` replaced (or removed for page 1 on `previous`). */
function pageLink(origin: string, path: string, url: URL, name: string, value: number | null): string {
  const entries = [...url.searchParams.entries()].filter(([k]) => k !== name);
  if (value !== null) entries.push([name, String(value)]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(entries).toString();
  return `${origin}${path}${query === '' ? '' : `?${query}`}`;
}

/** Python `int()` on a query flag: surrounding blanks and a sign are fine, anything else raises (a 500 upstream). */
function pythonInt(value: string): number | null {
  return /^\s*[+-]?\d+\s*$/.test(value) ? Number(value.trim()) : null;
}

function splitCsv(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Starts a simulator; resolves once it listens. */
export async function startDiscoverySimulator(options: DiscoverySimulatorOptions = {}): Promise<DiscoverySimulator> {
  const dataset = options.dataset ?? generateDataset({ size: options.size ?? 'S', seed: options.seed ?? 1 });
  const host = options.host ?? '127.0.0.1';
  const tokenTtl = options.tokenTtlSeconds ?? 3600;
  const maxResultWindow = options.maxResultWindow ?? DEFAULT_MAX_RESULT_WINDOW;
  let faults: DiscoveryFaults = { ...options.faults };
  let faultRng: Rng = createRng(`faults:${String(faults.seed ?? options.seed ?? 1)}`);
  let stats = emptyStats();
  const tokens = new Map<string, number>();
  let tokenSerial = 0;
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  let origin = '';

  const issueToken = (clientId: string): string => {
    tokenSerial++;
    const now = Math.floor(Date.now() / 1000);
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
      iss: `${origin}/oauth2`,
      sub: clientId,
      client_id: clientId,
      iat: now,
      exp: now + tokenTtl,
      jti: tokenSerial,
    })}.${faultRng.fork(`token:${tokenSerial}`).hex(43)}`;
    tokens.set(token, Date.now() + tokenTtl * 1000);
    stats.tokensIssued++;
    return token;
  };

  const handleToken = (body: string, req: IncomingMessage): HttpReply => {
    if (req.method !== 'POST') return HttpReply.json(405, { detail: `Method "${req.method ?? ''}" not allowed.` });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return HttpReply.json(400, { error: 'unsupported_grant_type' });
    const clientId = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    const known = options.clients;
    const valid = known === undefined ? clientId !== '' && secret !== '' : Object.hasOwn(known, clientId) && known[clientId] === secret;
    if (!valid) return HttpReply.json(401, { error: 'invalid_client' });
    const jwt = (form.get('token_type') ?? '').toLowerCase() === 'jwt';
    return HttpReply.json(200, {
      access_token: issueToken(clientId),
      token_type: jwt ? 'JWT' : 'Bearer',
      expires_in: tokenTtl,
      scope: 'read write',
    });
  };

  const authenticate = (req: IncomingMessage): HttpReply | null => {
    const header = req.headers.authorization ?? '';
    const challenge = { 'WWW-Authenticate': 'JWT realm="api"' };
    const match = /^JWT\s+(\S+)$/.exec(header);
    if (match === null) {
      stats.unauthorized++;
      return HttpReply.json(401, { detail: 'Authentication credentials were not provided.' }, challenge);
    }
    const expires = tokens.get(match[1] ?? '');
    if (expires === undefined) {
      stats.unauthorized++;
      return HttpReply.json(401, { detail: 'Error decoding token.' }, challenge);
    }
    if (expires <= Date.now()) {
      stats.unauthorized++;
      return HttpReply.json(401, { detail: 'Signature has expired.' }, challenge);
    }
    return null;
  };

  const handleSearch = (req: IncomingMessage, url: URL, body: string): HttpReply => {
    if (req.method !== 'POST' && req.method !== 'GET') return HttpReply.json(405, { detail: `Method "${req.method ?? ''}" not allowed.` });
    const params: [string, string][] = [...url.searchParams.entries()];
    // Only a GET without `partner` is scoped to the site's partner; a POST searches every partner (§2.2).
    if (req.method === 'GET' && !params.some(([k]) => k === 'partner')) params.push(['partner', 'edx']);
    if (req.method === 'POST' && body.trim() !== '') {
      const type = (req.headers['content-type'] ?? '').toLowerCase();
      if (type.includes('application/x-www-form-urlencoded')) {
        params.push(...new URLSearchParams(body).entries());
      } else {
        let data: unknown;
        try {
          data = JSON.parse(body);
        } catch (error) {
          return HttpReply.json(400, { detail: `JSON parse error - ${error instanceof Error ? error.message : 'invalid JSON'}` });
        }
        if (typeof data !== 'object' || data === null || Array.isArray(data)) {
          return HttpReply.json(400, { detail: 'Invalid data. Expected a dictionary.' });
        }
        params.push(...filterToParams(data as Record<string, unknown>));
      }
    }
    const outcome = searchPage(dataset, params, maxResultWindow);
    if (outcome.kind === 'invalid_page') return HttpReply.json(404, { detail: 'Invalid page.' });
    if (outcome.kind === 'window_exceeded') return serverError();
    const path = url.pathname;
    return HttpReply.json(200, {
      count: outcome.count,
      next: outcome.page < outcome.lastPage ? pageLink(origin, path, url, 'page', outcome.page + 1) : null,
      previous: outcome.page > 1 ? pageLink(origin, path, url, 'page', outcome.page === 2 ? null : outcome.page - 1) : null,
      facets: {},
      results: outcome.hits,
    });
  };

  /** DRF `ProxiedPagination`: `page` selects page numbers, otherwise limit/offset (default limit 20). */
  const paginateList = <T>(url: URL, params: QueryParams, items: readonly T[], render: (item: T) => unknown): HttpReply => {
    const count = items.length;
    const path = url.pathname;
    if (paramLast(params, 'page') !== undefined) {
      const sizeRaw = pythonInt(paramLast(params, 'page_size') ?? '');
      const size = sizeRaw !== null && sizeRaw > 0 ? sizeRaw : 20;
      const last = Math.max(1, Math.ceil(count / size));
      const raw = (paramLast(params, 'page') ?? '').trim();
      const page = raw === 'last' ? last : pythonInt(raw);
      if (page === null || page < 1 || page > last) return HttpReply.json(404, { detail: 'Invalid page.' });
      return HttpReply.json(200, {
        count,
        next: page < last ? pageLink(origin, path, url, 'page', page + 1) : null,
        previous: page > 1 ? pageLink(origin, path, url, 'page', page === 2 ? null : page - 1) : null,
        results: items.slice((page - 1) * size, page * size).map(render),
      });
    }
    const limitRaw = pythonInt(paramLast(params, 'limit') ?? '');
    const limit = limitRaw !== null && limitRaw > 0 ? limitRaw : 20;
    const offsetRaw = pythonInt(paramLast(params, 'offset') ?? '');
    const offset = offsetRaw !== null && offsetRaw > 0 ? offsetRaw : 0;
    const withLimit = (u: URL): URL => {
      const copy = new URL(u);
      copy.searchParams.set('limit', String(limit));
      return copy;
    };
    return HttpReply.json(200, {
      count,
      next: offset + limit < count ? pageLink(origin, path, withLimit(url), 'offset', offset + limit) : null,
      previous: offset > 0 ? pageLink(origin, path, withLimit(url), 'offset', offset - limit <= 0 ? null : offset - limit) : null,
      results: items.slice(offset, offset + limit).map(render),
    });
  };

  const handleCourses = (req: IncomingMessage, url: URL): HttpReply => {
    if (req.method !== 'GET') return HttpReply.json(405, { detail: `Method "${req.method ?? ''}" not allowed.` });
    const params: QueryParams = [...url.searchParams.entries()];
    // Integer flags go through int() upstream: "True" raises and the caller gets a 500.
    let includeHidden = false;
    for (const flag of ['include_hidden_course_runs', 'marketable_course_runs_only', 'published_course_runs_only', 'exclude_utm']) {
      const raw = paramLast(params, flag);
      if (raw === undefined) continue;
      const n = pythonInt(raw);
      if (n === null) return serverError();
      if (flag === 'include_hidden_course_runs') includeHidden = n !== 0;
    }
    const keys = splitCsv(paramValues(params, 'keys'));
    const uuids = splitCsv(paramValues(params, 'uuids'));
    let courses = dataset.courses.slice();
    if (keys.length > 0) {
      const wanted = new Set(keys);
      courses = courses.filter((c) => wanted.has(c.key));
    }
    if (uuids.length > 0) {
      const wanted = new Set(uuids);
      courses = courses.filter((c) => wanted.has(c.uuid));
    }
    const ordering = paramLast(params, 'ordering');
    if (ordering === 'key' || ordering === '-key') {
      courses.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      if (ordering === '-key') courses.reverse();
    }
    const includeRestricted = new Set(splitCsv(paramValues(params, 'include_restricted')));
    const now = dataset.asOf;
    return paginateList(url, params, courses, (c) => presentCourse(dataset, c, now, { includeHidden, includeRestricted }));
  };

  const handlePrograms = (req: IncomingMessage, url: URL): HttpReply => {
    if (req.method !== 'GET') return HttpReply.json(405, { detail: `Method "${req.method ?? ''}" not allowed.` });
    const params: QueryParams = [...url.searchParams.entries()];
    const uuids = splitCsv(paramValues(params, 'uuids'));
    const statuses = splitCsv(paramValues(params, 'status'));
    const types = splitCsv(paramValues(params, 'types'));
    let programs = dataset.programs.slice();
    if (uuids.length > 0) {
      const wanted = new Set(uuids);
      programs = programs.filter((p) => wanted.has(p.uuid));
    }
    if (statuses.length > 0) programs = programs.filter((p) => statuses.includes(p.status));
    if (types.length > 0) programs = programs.filter((p) => types.includes(p.type.toLowerCase().replace(/\s+/g, '-')));
    const uuidsOnly = pythonInt(paramLast(params, 'uuids_only') ?? '0');
    if (uuidsOnly !== null && uuidsOnly !== 0) return HttpReply.json(200, programs.map((p) => p.uuid));
    const extended = (paramLast(params, 'extended') ?? '') !== '';
    const now = dataset.asOf;
    return paginateList(url, params, programs, (p) => {
      const full = presentProgram(dataset, p, now);
      if (extended) return full;
      // Without `extended` discovery uses the plainer list serializer: no pricing or learning-item extras.
      const { price_ranges: _p, expected_learning_items: _e, subscription_prices: _s, ...minimal } = full;
      return minimal;
    });
  };

  const endpointOf = (path: string): SimulatorEndpoint => {
    if (path === '/oauth2/access_token' || path === '/oauth2/access_token/') return 'token';
    if (path === '/api/v1/search/all/') return 'searchAll';
    if (path === '/api/v1/courses/') return 'courses';
    if (path === '/api/v1/programs/') return 'programs';
    return 'other';
  };

  const route = async (req: IncomingMessage): Promise<HttpReply> => {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const endpoint = endpointOf(path);
    stats.requests[endpoint]++;
    stats.total++;
    const body = await readBody(req);

    if (faults.latencyMs !== undefined && faults.latencyMs > 0) {
      await delay(faults.latencyMs, undefined, { signal: closing.signal });
    }

    if (endpoint === 'other') {
      if (path === '/__simulator/advance-day' && req.method === 'POST') return HttpReply.json(200, dataset.advanceDay());
      if (path === '/__simulator/stats' && req.method === 'GET') return HttpReply.json(200, { stats: cloneStats(stats), counts: dataset.counts() });
      return HttpReply.json(404, { detail: 'Not found.' });
    }

    // Three draws per request whatever the configuration, so a fault seed replays the same sequence.
    const drawLimit = faultRng.next();
    const drawError = faultRng.next();
    const drawTruncate = faultRng.next();
    const faultable = endpoint !== 'token' || faults.includeTokenEndpoint === true;
    if (endpoint === 'searchAll') {
      const page = pythonInt(url.searchParams.get('page') ?? '1') ?? 1;
      stats.searchAllPages[page] = (stats.searchAllPages[page] ?? 0) + 1;
      if (faults.failPages?.includes(page)) {
        stats.faults.failedPages++;
        const status = faults.failPageStatus ?? 500;
        return status === 500 ? serverError() : HttpReply.json(status, { detail: 'Injected failure.' });
      }
    }
    if (faultable && drawLimit < (faults.rateLimitRate ?? 0)) {
      stats.faults.rateLimited++;
      const wait = faults.retryAfterSeconds ?? 1;
      return HttpReply.json(
        429,
        { detail: `Request was throttled. Expected available in ${wait} seconds.` },
        { 'Retry-After': String(wait) },
      );
    }
    if (faultable && drawError < (faults.errorRate ?? 0)) {
      stats.faults.errors++;
      return serverError();
    }

    let reply: HttpReply;
    if (endpoint === 'token') reply = handleToken(body, req);
    else {
      const denied = authenticate(req);
      if (denied) return denied;
      if (endpoint === 'searchAll') reply = handleSearch(req, url, body);
      else if (endpoint === 'courses') reply = handleCourses(req, url);
      else reply = handlePrograms(req, url);
    }
    if (faultable && reply.status === 200 && drawTruncate < (faults.truncateRate ?? 0)) {
      stats.faults.truncated++;
      return new HttpReply(200, reply.body.slice(0, Math.floor(reply.body.length / 2)), reply.headers, reply.contentType);
    }
    return reply;
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req)
      .catch((error: unknown): HttpReply => {
        if (closing.signal.aborted) return serverError();
        console.error('discovery simulator: request failed', error);
        return serverError();
      })
      .then((reply) => {
        stats.statuses[reply.status] = (stats.statuses[reply.status] ?? 0) + 1;
        if (res.destroyed) return;
        res.writeHead(reply.status, {
          'Content-Type': reply.contentType,
          'Content-Length': Buffer.byteLength(reply.body),
          ...reply.headers,
        });
        res.end(reply.body);
      })
      .catch(() => {
        // The client went away mid-response; nothing left to do.
      });
  };

  const server: Server = createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator: unexpected server address');
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostForUrl}:${address.port}`;

  let closed: Promise<void> | null = null;
  return {
    url: `${origin}/api/v1/`,
    tokenUrl: `${origin}/oauth2/access_token`,
    origin,
    port: address.port,
    dataset,
    get stats() {
      return cloneStats(stats);
    },
    resetStats() {
      stats = emptyStats();
    },
    setFaults(next) {
      faults = { ...next };
      if (next.seed !== undefined) faultRng = createRng(`faults:${String(next.seed)}`);
    },
    revokeTokens() {
      tokens.clear();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

const SIMULATOR_USAGE = 'usage: ecat discovery-sim --size S|M|L [--seed N] [--port P] [--host H] [--dataset FILE]';

/**
 * `ecat discovery-sim`: starts a simulator, prints its URLs, runs until SIGINT/SIGTERM. Returns 0 after a clean
 * stop, 1 when it cannot start, 2 on bad usage.
 */
export async function runSimulatorCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, ['size', 'seed', 'port', 'host', 'dataset', 'help']);
  if (flags?.has('help')) {
    console.log(SIMULATOR_USAGE);
    return 0;
  }
  const size = flags?.get('size') ?? 'S';
  const port = Number(flags?.get('port') ?? '0');
  if (flags === null || !isDatasetSize(size) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(SIMULATOR_USAGE);
    return 2;
  }
  let simulator: DiscoverySimulator;
  try {
    const file = flags.get('dataset');
    const dataset = file === undefined ? generateDataset({ size, seed: flags.get('seed') ?? '1' }) : await loadDataset(file);
    simulator = await startDiscoverySimulator({ dataset, port, host: flags.get('host') ?? '127.0.0.1' });
  } catch (error) {
    console.error(`discovery-sim: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const c = simulator.dataset.counts();
  console.log(
    `discovery simulator (dataset ${simulator.dataset.size}, seed ${simulator.dataset.seed}): ${c.indexedCourses} courses, ` +
      `${c.runs} runs, ${c.programs} programs, ${c.pathways} pathways`,
  );
  console.log(`API   ${simulator.url}`);
  console.log(`token ${simulator.tokenUrl}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await simulator.close();
  console.log('discovery simulator stopped');
  return 0;
}
