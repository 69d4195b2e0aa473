/**
 * One bounded load run with autocannon over loopback, and the statistics the report needs.
 *
 * Latency percentiles are computed here from every 2xx response time autocannon reports (floating-point
 * milliseconds), not from autocannon's own histogram, which rounds to whole milliseconds — too coarse for a
 * "p99 ≤ 5 ms" target. Throughput is 2xx responses over the measured wall time.
 */
import { Agent, request as httpRequest } from 'node:http';
import autocannon, { type Options, type Result } from 'autocannon';

export interface LoadSettings {
  connections: number;
  /** Seconds; the run stops at this time… */
  durationS: number;
  /** …or after this many requests, whichever comes first. */
  maxRequests: number;
}

export interface LoadTarget {
  /** Origin, e.g. `http://127.0.0.1:8080`. */
  origin: string;
  method: 'GET' | 'POST';
  /** One path, or several used in turn (one per request, round-robin). */
  paths: readonly string[];
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

export interface LoadRun {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  /** 2xx responses per second. */
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  statusCodes: Record<string, number>;
}

/** The q-quantile (0 < q ≤ 1) of the first `n` values of `sorted` (nearest rank). */
export function quantile(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n === 0) return Number.NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Median of a list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

/** Runs one bounded load; resolves when autocannon is done (or the safety timer stopped it). */
export async function runLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadRun> {
  const { paths } = target;
  if (paths.length === 0) throw new Error('runLoad: no paths');
  const capacity = settings.maxRequests + settings.connections;
  const latencies = new Float64Array(capacity);
  let n = 0;
  let next = 0;
  const single = paths.length === 1;
  const url = `${target.origin}${single ? (paths[0] as string) : '/'}`;
  const options: Options = {
    url,
    connections: settings.connections,
    pipelining: 1,
    duration: settings.durationS,
    maxOverallRequests: Math.max(settings.maxRequests, settings.connections),
    timeout: 10,
    method: target.method,
    ...(target.headers ? { headers: { ...target.headers } } : {}),
    ...(target.body !== undefined ? { body: target.body } : {}),
  };
  if (!single) {
    options.requests = [
      {
        setupRequest: (req) => {
          req.path = paths[next++ % paths.length];
          return req;
        },
      },
    ];
  }
  const result = await new Promise<Result>((resolve, reject) => {
    // A safety net: autocannon stops itself at `duration`; this catches a run that would not.
    const timer: { id?: NodeJS.Timeout } = {};
    const instance = autocannon(options, (err, res) => {
      clearTimeout(timer.id);
      if (err) reject(err);
      else resolve(res);
    });
    timer.id = setTimeout(() => instance.stop(), (settings.durationS + 15) * 1000);
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300 && n < capacity) latencies[n++] = responseTime;
    });
  });
  const sorted = latencies.subarray(0, n).sort();
  const durationS = (result.finish.getTime() - result.start.getTime()) / 1000 || result.duration;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  const counts = { requests: Object.values(statusCodes).reduce((a, b) => a + b, 0), non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
  return runFigures(sorted, durationS, counts, statusCodes);
}

/** A run's figures from its sorted 2xx latencies (ms), its wall time and its counts. */
function runFigures(
  sorted: Float64Array,
  durationS: number,
  counts: Pick<LoadRun, 'requests' | 'non2xx' | 'errors' | 'timeouts'>,
  statusCodes: Record<string, number>,
): LoadRun {
  const n = sorted.length;
  return {
    ...counts,
    ok: n,
    durationS: round(durationS, 3),
    rps: round(n / durationS, 1),
    p50Ms: round(quantile(sorted, n, 0.5), 3),
    p90Ms: round(quantile(sorted, n, 0.9), 3),
    p99Ms: round(quantile(sorted, n, 0.99), 3),
    maxMs: round(quantile(sorted, n, 1), 3),
    statusCodes,
  };
}

/** Medians over repetitions of the figures the report shows. */
export interface LoadSummary {
  reps: number;
  p50Ms: number;
  p99Ms: number;
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
}

export function summarize(runs: readonly LoadRun[]): LoadSummary {
  return {
    reps: runs.length,
    p50Ms: round(median(runs.map((r) => r.p50Ms)), 3),
    p99Ms: round(median(runs.map((r) => r.p99Ms)), 3),
    rps: round(median(runs.map((r) => r.rps)), 1),
    ok: runs.reduce((a, r) => a + r.ok, 0),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  };
}

/**
 * The same bounded, closed-loop load as {@link runLoad}, from Node's own HTTP client, which drops response bodies
 * after counting them. autocannon appends every body chunk to a string (`req.body += data`), which costs the load
 * generator about as much as the server's work once answers are megabytes long; this client does not, so the two
 * together tell the load generator's share from the server's. Information only: the targets are judged with
 * autocannon.
 */
export async function runNodeLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadRun> {
  const { paths } = target;
  if (paths.length === 0) throw new Error('runNodeLoad: no paths');
  const origin = new URL(target.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let timeouts = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + settings.durationS * 1000;
  const one = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: origin.hostname, port: origin.port, path, method: target.method, agent, headers: { ...target.headers }, timeout: 10_000 },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { timeout: true })));
      req.on('error', reject);
      req.end(target.body);
    });
  const loop = async () => {
    while (performance.now() < deadline && requests < settings.maxRequests) {
      requests++;
      const t = performance.now();
      try {
        const status = await one(paths[next++ % paths.length] as string);
        statusCodes[String(status)] = (statusCodes[String(status)] ?? 0) + 1;
        if (status >= 200 && status < 300) latencies.push(performance.now() - t);
      } catch (err) {
        if ((err as { timeout?: boolean }).timeout === true) timeouts++;
        else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: settings.connections }, loop));
  agent.destroy();
  const durationS = (performance.now() - started) / 1000;
  const non2xx = Object.entries(statusCodes).reduce((a, [code, count]) => a + (code.startsWith('2') ? 0 : count), 0);
  return runFigures(Float64Array.from(latencies).sort(), durationS, { requests, non2xx, errors, timeouts }, statusCodes);
}
