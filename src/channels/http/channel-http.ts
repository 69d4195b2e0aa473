/**
 * The one outbound HTTP helper every adapter uses. It adds what each adapter would otherwise get wrong on its own:
 * a timeout tied to the run's abort signal, JSON and form bodies, a request-log entry for every call with
 * credentials redacted, and the mapping of transport failures to `UnavailableChannelError`. It never throws for an
 * HTTP status: adapters look at the status (Moodle, for one, answers 200 with an error body) and use
 * `errorForStatus` for the common rules.
 */
import { performance } from 'node:perf_hooks';
import {
  type ChannelContext,
  type ChannelError,
  PermanentChannelError,
  RateLimitedChannelError,
  UnavailableChannelError,
} from '../channel-adapter.js';
import { Redactor, truncateForLog } from './redact.js';
import { parseRetryAfter } from './retry-after.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One outbound request. At most one of `json`, `form`, `body`. */
export interface OutboundRequest {
  method: HttpMethod;
  url: string;
  /** Appended to the URL's query string; `undefined` values are skipped, arrays repeat the parameter. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  /** Form-encoded body (`application/x-www-form-urlencoded`). */
  form?: URLSearchParams | Record<string, string>;
  /** A pre-serialised body (for example one that was signed); sent byte for byte. */
  body?: string;
  /** Content type of `body`. */
  contentType?: string;
  /** Sets `Authorization: Bearer <token>` and treats the token as a secret. */
  bearer?: string;
  /** Sets HTTP Basic authorization and treats the password as a secret. */
  basic?: { username: string; password: string };
  /** Overrides the helper's default timeout for this call. */
  timeoutMs?: number;
}

/** A received response, body already read. */
export interface InboundResponse {
  status: number;
  headers: Headers;
  text: string;
  durationMs: number;
}

export interface ChannelHttpOptions {
  /** Per-call timeout, including reading the body. */
  timeoutMs: number;
  /** Secret values never to be logged (settings secrets); tokens can be added later with `addSecret`. */
  secrets?: Iterable<string>;
  /** Longest body kept in a request-log entry. */
  maxLoggedBodyChars?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_LOGGED_BODY = 4_000;

/** The parts of a channel context the helper needs. */
export type HttpContext = Pick<ChannelContext<unknown>, 'logRequest' | 'signal' | 'now'>;

export class ChannelHttp {
  readonly redactor: Redactor;
  private readonly timeoutMs: number;
  private readonly maxLogged: number;

  constructor(
    private readonly ctx: HttpContext,
    options: ChannelHttpOptions,
  ) {
    this.redactor = new Redactor(options.secrets);
    this.timeoutMs = options.timeoutMs;
    this.maxLogged = options.maxLoggedBodyChars ?? DEFAULT_MAX_LOGGED_BODY;
  }

  /** Never log this value (a token just obtained, a password sent in a body). */
  addSecret(value: unknown): void {
    this.redactor.add(value);
  }

  /**
   * Send one request and log it. Resolves with any HTTP status; rejects only with `UnavailableChannelError` (network
   * failure, timeout, run aborted).
   */
  async send(req: OutboundRequest): Promise<InboundResponse> {
    const url = buildUrl(req.url, req.query);
    this.redactor.learnFrom(new URL(url).searchParams);
    const headers = new Headers({ accept: 'application/json', ...req.headers });
    let body: string | undefined;
    let loggedBody: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers.set('content-type', 'application/json');
      this.redactor.learnFrom(req.json);
      loggedBody = JSON.stringify(this.redactor.redactJson(req.json));
    } else if (req.form !== undefined) {
      const form = req.form instanceof URLSearchParams ? req.form : new URLSearchParams(req.form);
      body = form.toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
      this.redactor.learnFrom(form);
      loggedBody = this.redactor.redactForm(form);
    } else if (req.body !== undefined) {
      body = req.body;
      headers.set('content-type', req.contentType ?? 'application/octet-stream');
      loggedBody = this.redactor.redactText(req.body);
    }
    if (req.bearer !== undefined) {
      this.addSecret(req.bearer);
      headers.set('authorization', `Bearer ${req.bearer}`);
    }
    if (req.basic !== undefined) {
      this.addSecret(req.basic.password);
      const basic = Buffer.from(`${req.basic.username}:${req.basic.password}`).toString('base64');
      this.addSecret(basic);
      headers.set('authorization', `Basic ${basic}`);
    }

    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([this.ctx.signal, timeout]);
    const started = performance.now();
    const logged = {
      method: req.method,
      url: this.redactor.redactUrl(url),
      ...(loggedBody !== undefined ? { requestBody: truncateForLog(this.redactor.scrub(loggedBody), this.maxLogged) } : {}),
    };
    try {
      // Redirects are not followed: an LMS API that redirects is misconfigured, and following could carry the
      // Authorization header somewhere we did not intend to send it.
      const res = await fetch(url, { method: req.method, headers, body, signal, redirect: 'manual' });
      const text = await res.text();
      const durationMs = Math.round(performance.now() - started);
      this.ctx.logRequest({
        ...logged,
        status: res.status,
        durationMs,
        responseBody: truncateForLog(this.redactor.redactText(text), this.maxLogged),
      });
      return { status: res.status, headers: res.headers, text, durationMs };
    } catch (err) {
      const durationMs = Math.round(performance.now() - started);
      const reason = this.ctx.signal.aborted
        ? 'run aborted'
        : timeout.aborted
          ? `timed out after ${timeoutMs} ms`
          : `network error: ${describeNetworkError(err)}`;
      this.ctx.logRequest({ ...logged, status: null, durationMs, error: this.redactor.scrub(reason) });
      throw new UnavailableChannelError(`${req.method} ${logged.url}: ${reason}`);
    }
  }
}

/** Options for `errorForStatus`. */
export interface StatusErrorOptions {
  now: Date;
  /** Wait to suggest when a 429 carries no usable `Retry-After`. */
  defaultRetryAfterMs: number;
  /** Prefix of the error message, e.g. "Degreed create". */
  what: string;
}

/**
 * The common status rules: 2xx → no error; 429 → rate limited (Retry-After in seconds or as an HTTP-date); 408,
 * 425 and 5xx → unavailable; any other status (3xx, 4xx) → permanent. Bodies in errors are redacted and truncated.
 */
export function errorForStatus(res: InboundResponse, http: ChannelHttp, opts: StatusErrorOptions): ChannelError | undefined {
  const { status } = res;
  if (status >= 200 && status < 300) return undefined;
  const body = truncateForLog(http.redactor.redactText(res.text), 2_000);
  const message = `${opts.what}: HTTP ${status}`;
  if (status === 429) {
    const wait = parseRetryAfter(res.headers.get('retry-after'), opts.now, opts.defaultRetryAfterMs);
    return new RateLimitedChannelError(message, wait, status, body);
  }
  if (status === 408 || status === 425 || status >= 500) return new UnavailableChannelError(message, status, body);
  return new PermanentChannelError(message, status, body);
}

/** Parse a JSON body; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function buildUrl(base: string, query: OutboundRequest['query']): string {
  if (!query) return base;
  const url = new URL(base);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) url.searchParams.append(k, item);
    else url.searchParams.append(k, String(v));
  }
  return url.toString();
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: unknown }).code;
      return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
    }
    return err.message;
  }
  return String(err);
}

/** Join a base URL and a path without doubling or losing slashes; the base's own path is kept. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
