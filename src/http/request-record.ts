/**
 * What every answered request leaves behind: one observation of `ecat_http_request_duration_seconds` and one
 * access-log line. Both run once per request, so both are built here with the per-request work cut to the bone
 * (bench B1 profile, 64 connections of 1–3-key `contains` requests: prom-client's label hashing and pino's
 * generic object walk were together about 9 % of the server's busy time).
 *
 * - {@link RequestDurations} keeps its series in nested maps keyed by the route pattern, the method and the
 *   status (strings and a number the maps hash once), and renders the same exposition as a prom-client
 *   `Histogram` with the same name, labels and buckets when `/metrics` is scraped (a test compares the two).
 * - {@link AccessLine} writes the line pino would write for the same fields (a test compares the two) straight to
 *   the logger's destination, using the logger's own bindings, and only while the logger's level admits `info`.
 *   Its fields are our own values and the request's URL, none of them a secret, so it skips redaction as before.
 *   With a logger that is not pino it logs through `info` instead.
 */
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Metric, Registry } from 'prom-client';

export const REQUEST_DURATION_NAME = 'ecat_http_request_duration_seconds';
export const REQUEST_DURATION_HELP = 'HTTP request latency by route';
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Label = 'method' | 'route' | 'status';

interface SnapshotValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
}

interface MetricSnapshot {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: SnapshotValue[];
}

interface Series {
  readonly method: string;
  readonly route: string;
  readonly status: string;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** The request-duration histogram, with labels `method`, `route` and `status`. */
export class RequestDurations {
  readonly name = REQUEST_DURATION_NAME;
  readonly help = REQUEST_DURATION_HELP;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #bounds: readonly number[];
  /** route → method → status → series. */
  #series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(registry: Registry, bounds: readonly number[] = REQUEST_DURATION_BUCKETS) {
    this.#bounds = [...bounds].sort((a, b) => a - b);
    // The registry renders any object with prom-client's metric shape (name, help, type, get, reset); the type
    // names only prom-client's own classes.
    registry.registerMetric(this as unknown as Metric<Label>);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#series.get(route);
    if (byMethod === undefined) this.#series.set(route, (byMethod = new Map<string, Map<number, Series>>()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map<number, Series>()));
    let series = byStatus.get(status);
    if (series === undefined) {
      series = { method, route, status: String(status), counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      byStatus.set(status, series);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    (series.counts[i] as number)++;
    series.sum += seconds;
    series.count++;
  }

  /**
   * What prom-client's registry renders as text: per series, cumulative `_bucket` values labelled `le` (the
   * series' labels as shared labels, so `le` comes first, as prom-client writes it), then `_sum` and `_count`.
   */
  async getForPromString(): Promise<MetricSnapshot> {
    return this.#snapshot(false);
  }

  /** The same values with each series' labels merged in (prom-client's `Histogram#get()`, used for JSON). */
  async get(): Promise<MetricSnapshot> {
    return this.#snapshot(true);
  }

  #snapshot(splay: boolean): MetricSnapshot {
    const values: SnapshotValue[] = [];
    const value = (le: number | '+Inf' | null, series: Record<Label, string>, v: number, metricName: string): SnapshotValue => {
      const own: Record<string, string | number> = le === null ? {} : { le };
      return splay ? { labels: { ...own, ...series }, value: v, metricName } : { labels: own, sharedLabels: series, value: v, metricName };
    };
    for (const byMethod of this.#series.values()) {
      for (const byStatus of byMethod.values()) {
        for (const s of byStatus.values()) {
          const labels = { method: s.method, route: s.route, status: s.status };
          let cumulative = 0;
          for (let i = 0; i < this.#bounds.length; i++) {
            cumulative += s.counts[i] as number;
            values.push(value(this.#bounds[i] as number, labels, cumulative, `${this.name}_bucket`));
          }
          values.push(value('+Inf', labels, s.count, `${this.name}_bucket`));
          values.push(value(null, labels, s.sum, `${this.name}_sum`));
          values.push(value(null, labels, s.count, `${this.name}_count`));
        }
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series = new Map();
  }
}

export interface AccessFields {
  reqId: string;
  method: string;
  url: string;
  route: string;
  status: number;
  ms: number;
}

interface PinoInternals {
  chindings: string;
  stream: { write(line: string): unknown };
}

const INFO = 30;

/** Writes one access line per request; see the module comment. */
export class AccessLine {
  readonly #logger: FastifyBaseLogger;
  readonly #pino: PinoInternals | null;
  readonly #quoted = new Map<string, string>();

  /** `logger` should be the child the access lines go through (no redaction; see `app.ts`). */
  constructor(logger: FastifyBaseLogger) {
    this.#logger = logger;
    this.#pino = pinoInternals(logger);
  }

  /** Whether lines go straight to the pino destination (false: through `info`). */
  get direct(): boolean {
    return this.#pino !== null;
  }

  write(f: AccessFields): void {
    const p = this.#pino;
    if (p === null) {
      this.#logger.info({ reqId: f.reqId, method: f.method, url: f.url, route: f.route, status: f.status, ms: f.ms }, 'request');
      return;
    }
    if ((this.#logger as unknown as { levelVal: number }).levelVal > INFO) return;
    p.stream.write(
      `{"level":30,"time":${Date.now()}${p.chindings},"reqId":${JSON.stringify(f.reqId)},"method":${this.#quote(f.method)},` +
        `"url":${JSON.stringify(f.url)},"route":${this.#quote(f.route)},"status":${f.status},"ms":${Number.isFinite(f.ms) ? f.ms : null},"msg":"request"}\n`,
    );
  }

  /** JSON text of a value from a small set (methods, route patterns), computed once each. */
  #quote(value: string): string {
    let q = this.#quoted.get(value);
    if (q === undefined) {
      q = JSON.stringify(value);
      if (this.#quoted.size < 1024) this.#quoted.set(value, q);
    }
    return q;
  }
}

/**
 * The bindings text and destination of a pino logger created by `createLogger` (default time, level and message
 * formatting, which is what the hand-written line reproduces), or null for any other logger.
 */
function pinoInternals(logger: FastifyBaseLogger): PinoInternals | null {
  const l = logger as unknown as Record<symbol, unknown> & { levelVal?: unknown };
  const chindings = l[pino.symbols.chindingsSym];
  const stream = l[pino.symbols.streamSym] as { write?: unknown } | undefined;
  const formatters = l[pino.symbols.formattersSym] as { log?: unknown; bindings?: unknown; level?: unknown } | undefined;
  const time = l[pino.symbols.timeSym];
  const messageKey = l[pino.symbols.messageKeySym];
  const mixin = l[pino.symbols.mixinSym];
  const plain =
    typeof chindings === 'string' &&
    typeof stream?.write === 'function' &&
    typeof l.levelVal === 'number' &&
    time === pino.stdTimeFunctions.epochTime &&
    messageKey === 'msg' &&
    (mixin === undefined || mixin === null) &&
    formatters?.log === undefined;
  return plain ? { chindings, stream: stream as PinoInternals['stream'] } : null;
}
