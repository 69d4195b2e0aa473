/**
 * The content source a refresh reads from, chosen by configuration, plus request accounting: every HTTP exchange
 * with discovery is counted in `ecat_upstream_requests_total{source, endpoint, status}` and in the tally of the
 * refresh that made it (an `AsyncLocalStorage` scope), so concurrent refreshes sharing one source (and one cached
 * token) still record their own request counts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Config } from '../config/config.schema.js';
import { ConfigError } from '../config/load-config.js';
import type { AppMetrics } from '../http/metrics.js';
import type { ContentSource } from '../discovery/content-source.js';
import { DiscoveryHttpSource } from '../discovery/discovery-http.source.js';
import { SampleContentSource } from '../discovery/sample.source.js';

export interface SourceHandle {
  readonly source: ContentSource;
  /**
   * Runs `fn`, adding to `tally.requests` the upstream content requests it makes (token requests excluded) — also
   * when `fn` fails, so a failed refresh still records what it asked for.
   */
  measure<T>(tally: { requests: number }, fn: () => Promise<T>): Promise<T>;
}

type UpstreamEndpoint = 'token' | 'search_all' | 'courses' | 'programs' | 'other';

function endpointOf(url: string, tokenUrl: string): UpstreamEndpoint {
  if (url.startsWith(tokenUrl)) return 'token';
  const path = new URL(url).pathname;
  if (path.endsWith('/search/all/')) return 'search_all';
  if (path.endsWith('/courses/')) return 'courses';
  if (path.endsWith('/programs/')) return 'programs';
  return 'other';
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * Wraps any source: requests are counted by the source's own counters around `fn`. Exact when one refresh at a
 * time uses the source (tests, the sample source).
 */
export function handleFor(source: ContentSource): SourceHandle {
  return {
    source,
    async measure(tally, fn) {
      const before = source.stats().requests;
      try {
        return await fn();
      } finally {
        tally.requests += source.stats().requests - before;
      }
    },
  };
}

/** The discovery source over HTTP, counting each exchange for metrics and for the refresh that made it. */
export function discoveryHandle(
  options: { baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string; timeoutMs: number; maxAttempts: number; backoffBaseMs?: number },
  metrics: Pick<AppMetrics, 'upstreamRequests'>,
): SourceHandle {
  const tally = new AsyncLocalStorage<{ requests: number }>();
  const tokenUrl = options.tokenUrl;
  const countingFetch: typeof fetch = async (input, init) => {
    const url = requestUrl(input);
    const endpoint = endpointOf(url, tokenUrl);
    const scope = tally.getStore();
    if (scope && endpoint !== 'token') scope.requests++;
    try {
      const response = await fetch(input, init);
      metrics.upstreamRequests.inc({ source: 'discovery', endpoint, status: String(response.status) });
      return response;
    } catch (err) {
      metrics.upstreamRequests.inc({ source: 'discovery', endpoint, status: 'error' });
      throw err;
    }
  };
  const source = new DiscoveryHttpSource({ ...options, fetch: countingFetch });
  return {
    source,
    measure: (scope, fn) => tally.run(scope, fn),
  };
}

/** A handle whose source is built on first use (the sample dataset takes a moment to generate). */
export function lazyHandle(create: () => SourceHandle): SourceHandle {
  let handle: SourceHandle | null = null;
  const get = (): SourceHandle => (handle ??= create());
  return {
    get source() {
      return get().source;
    },
    measure: (tally, fn) => get().measure(tally, fn),
  };
}

/**
 * The source configuration asks for: discovery over HTTP when `ECAT_DISCOVERY_SOURCE=discovery` (the default when
 * `ECAT_DISCOVERY_URL` is set), else the built-in sample dataset. Throws `ConfigError` listing what is missing.
 */
export function createSourceHandle(config: Config, metrics: Pick<AppMetrics, 'upstreamRequests'>): SourceHandle {
  const kind = config.discoverySource ?? (config.discoveryUrl ? 'discovery' : 'sample');
  if (kind === 'sample') return lazyHandle(() => handleFor(new SampleContentSource({ size: config.sampleDatasetSize })));
  const { discoveryUrl: baseUrl, discoveryClientId: clientId, discoveryClientSecret: clientSecret } = config;
  if (!baseUrl || !clientId || !clientSecret) {
    const missing = [
      ...(baseUrl ? [] : ['ECAT_DISCOVERY_URL']),
      ...(clientId ? [] : ['ECAT_DISCOVERY_CLIENT_ID']),
      ...(clientSecret ? [] : ['ECAT_DISCOVERY_CLIENT_SECRET']),
    ];
    throw new ConfigError(missing.map((name) => `${name} must be set when the content source is discovery`));
  }
  return discoveryHandle(
    {
      baseUrl,
      tokenUrl: config.discoveryTokenUrl ?? `${config.lmsBaseUrl}/oauth2/access_token`,
      clientId,
      clientSecret,
      timeoutMs: config.discoveryTimeoutMs,
      maxAttempts: config.discoveryMaxAttempts,
      backoffBaseMs: config.discoveryBackoffMs,
    },
    metrics,
  );
}
