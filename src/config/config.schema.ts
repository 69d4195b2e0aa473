/**
 * The one configuration schema. Every setting is read from one environment variable, parsed and checked here;
 * `Config` is inferred from this table, so the shape is written once. Later modules add their variables here.
 */

/** Result of parsing one raw value: the value, or a message saying what is wrong. */
type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface Setting<T> {
  env: string;
  /** Parse a present, non-empty raw value. */
  parse(raw: string): Parsed<T>;
  /** Value when the variable is unset or empty. */
  fallback: T;
  /** One-line description for `ecat --help` and the docs. */
  doc: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

function setting<T>(env: string, fallback: T, parse: (raw: string) => Parsed<T>, doc: string): Setting<T> {
  return { env, fallback, parse, doc };
}

function integer(min: number, max: number) {
  return (raw: string): Parsed<number> => {
    if (!/^-?\d+$/.test(raw.trim())) return bad(`must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) return bad(`must be between ${min} and ${max}, got ${n}`);
    return ok(n);
  };
}

const text = (raw: string): Parsed<string> => ok(raw);
const optionalText = (raw: string): Parsed<string | null> => ok(raw);

function url(protocols: readonly string[]) {
  return (raw: string): Parsed<string | null> => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return bad(`must be a URL, got "${raw}"`);
    }
    if (!protocols.includes(u.protocol)) return bad(`must use ${protocols.join(' or ')}, got "${u.protocol}"`);
    return ok(raw.replace(/\/+$/, ''));
  };
}

function oneOf<const T extends string>(values: readonly T[]) {
  return (raw: string): Parsed<T> =>
    (values as readonly string[]).includes(raw) ? ok(raw as T) : bad(`must be one of ${values.join(', ')}, got "${raw}"`);
}

function boolean(raw: string): Parsed<boolean> {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return ok(true);
  if (['false', '0', 'no', 'off'].includes(v)) return ok(false);
  return bad(`must be true or false, got "${raw}"`);
}

function databaseUrl(raw: string): Parsed<string> {
  if (/^(pglite|memory):\/\//.test(raw) || /^postgres(ql)?:\/\//.test(raw)) return ok(raw);
  return bad(`must start with pglite://, memory:// or postgres://, got "${raw.replace(/\/\/[^@/]*@/, '//***@')}"`);
}

function secretKey(raw: string): Parsed<string | null> {
  // 32 bytes for AES-256-GCM, given as 64 hex characters or base64.
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return ok(raw);
  const b = Buffer.from(raw, 'base64');
  if (b.length === 32) return ok(raw);
  return bad('must be 32 bytes as 64 hex characters or base64');
}

function cron(raw: string): Parsed<string> {
  return raw.trim().split(/\s+/).length === 5 ? ok(raw.trim()) : bad(`must be a 5-field cron expression, got "${raw}"`);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = {
  port: setting('PORT', 8080, integer(0, 65535), 'HTTP port'),
  host: setting('HOST', '127.0.0.1', text, 'HTTP listen address'),
  databaseUrl: setting(
    'DATABASE_URL',
    'pglite://./.ecat/db',
    databaseUrl,
    'pglite://<dir> (embedded, default ./.ecat/db), memory:// (throw-away) or postgres://…',
  ),
  autoMigrate: setting('ECAT_AUTO_MIGRATE', true, boolean, 'run migrations when serve/worker starts'),
  logLevel: setting('LOG_LEVEL', 'info', oneOf(LOG_LEVELS), 'pino log level'),
  jwtSecret: setting<string | null>('ECAT_JWT_SECRET', null, optionalText, 'HS256 secret for JWTs'),
  jwtJwksUrl: setting<string | null>('ECAT_JWT_JWKS_URL', null, url(['http:', 'https:']), 'JWKS URL for RS256/ES256 JWTs'),
  jwtIssuer: setting<string | null>('ECAT_JWT_ISSUER', null, optionalText, 'required JWT iss, when set'),
  jwtAudience: setting<string | null>('ECAT_JWT_AUDIENCE', null, optionalText, 'required JWT aud, when set'),
  secretKey: setting<string | null>('ECAT_SECRET_KEY', null, secretKey, 'key for encrypting stored secrets (32 bytes, hex or base64)'),
  lmsBaseUrl: setting('ECAT_LMS_BASE_URL', 'http://localhost:18000', (r) => url(['http:', 'https:'])(r) as Parsed<string>, 'LMS root for enrollment URLs'),
  learnerPortalBaseUrl: setting(
    'ECAT_LEARNER_PORTAL_BASE_URL',
    'http://localhost:8734',
    (r) => url(['http:', 'https:'])(r) as Parsed<string>,
    'learner portal root for enrollment URLs',
  ),
  ecommerceBaseUrl: setting(
    'ECAT_ECOMMERCE_BASE_URL',
    'http://localhost:18130',
    (r) => url(['http:', 'https:'])(r) as Parsed<string>,
    'ecommerce root for executive-education checkout URLs',
  ),
  contentCacheMb: setting(
    'ECAT_CONTENT_CACHE_MB',
    128,
    integer(0, 64 * 1024),
    'memory for pre-serialised content items of get_content_metadata answers, least recently used out (0 = off)',
  ),
  diffThreadMinKeys: setting(
    'ECAT_DIFF_THREAD_MIN_KEYS',
    1000,
    integer(0, 100_000_000),
    'generate_diff requests with at least this many keys are computed on a separate thread (0 = always in the HTTP thread)',
  ),
  bodyLimitBytes: setting('ECAT_BODY_LIMIT_BYTES', 5 * 1024 * 1024, integer(1024, 512 * 1024 * 1024), 'largest request body accepted'),
  shutdownTimeoutMs: setting('ECAT_SHUTDOWN_TIMEOUT_MS', 15_000, integer(0, 600_000), 'grace period for in-flight work on SIGTERM'),
  vacuumCron: setting('ECAT_VACUUM_CRON', '23 * * * *', cron, 'when the embedded database is vacuumed (PGlite has no autovacuum)'),
  jobPollSeconds: setting('ECAT_JOB_POLL_SECONDS', 2, integer(1, 60), 'how often job workers poll for work'),
  workerId: setting<string | null>('ECAT_WORKER_ID', null, optionalText, 'name of this process in job leases (default: host:pid)'),
  // Content refresh (src/refresh): where content comes from, when it is refreshed, and the association guardrail.
  discoverySource: setting<'sample' | 'discovery' | null>(
    'ECAT_DISCOVERY_SOURCE',
    null,
    oneOf(['sample', 'discovery'] as const),
    'content source: discovery (course-discovery over HTTP) or sample (built-in dataset); default discovery when ECAT_DISCOVERY_URL is set, else sample',
  ),
  discoveryUrl: setting<string | null>('ECAT_DISCOVERY_URL', null, url(['http:', 'https:']), 'course-discovery API base, e.g. https://discovery.example.com/api/v1/'),
  discoveryTokenUrl: setting<string | null>(
    'ECAT_DISCOVERY_TOKEN_URL',
    null,
    url(['http:', 'https:']),
    'OAuth2 token endpoint for discovery (default: ECAT_LMS_BASE_URL/oauth2/access_token)',
  ),
  discoveryClientId: setting<string | null>('ECAT_DISCOVERY_CLIENT_ID', null, optionalText, 'OAuth2 client id for discovery'),
  discoveryClientSecret: setting<string | null>('ECAT_DISCOVERY_CLIENT_SECRET', null, optionalText, 'OAuth2 client secret for discovery'),
  discoveryTimeoutMs: setting('ECAT_DISCOVERY_TIMEOUT_MS', 15_000, integer(100, 600_000), 'timeout of one discovery request'),
  discoveryMaxAttempts: setting('ECAT_DISCOVERY_MAX_ATTEMPTS', 5, integer(1, 20), 'attempts per discovery request (network errors, 5xx, 429 are retried)'),
  discoveryBackoffMs: setting('ECAT_DISCOVERY_BACKOFF_MS', 1_000, integer(0, 60_000), 'base of the exponential back-off between discovery retries'),
  sampleDatasetSize: setting('ECAT_SAMPLE_DATASET_SIZE', 'S', oneOf(['S', 'M', 'L'] as const), 'size of the built-in sample dataset'),
  refreshCron: setting('ECAT_REFRESH_CRON', '0 3 * * *', cron, 'when every catalog query is refreshed (UTC)'),
  refreshStaleCron: setting('ECAT_REFRESH_STALE_CRON', '41 * * * *', cron, 'when queries not refreshed within ECAT_REFRESH_STALE_AFTER_HOURS are refreshed (UTC)'),
  refreshStaleAfterHours: setting('ECAT_REFRESH_STALE_AFTER_HOURS', 20, integer(1, 24 * 30), 'a query whose last successful refresh is older than this is refreshed by the stale sweep'),
  refreshConcurrency: setting('ECAT_REFRESH_CONCURRENCY', 4, integer(1, 32), 'refreshes run at once per worker process (a refresh mostly waits for upstream)'),
  refreshTimeoutMs: setting('ECAT_REFRESH_TIMEOUT_MS', 30 * 60_000, integer(10_000, 24 * 3_600_000), 'a refresh running longer is considered stuck and retried'),
  refreshGuardrailFloor: setting(
    'ECAT_REFRESH_GUARDRAIL_FLOOR',
    50,
    integer(0, 10_000_000),
    'the guardrail applies only to queries with more members than this',
  ),
  refreshGuardrailMaxDeltaPercent: setting(
    'ECAT_REFRESH_GUARDRAIL_MAX_DELTA_PERCENT',
    80,
    integer(0, 1_000_000),
    'a refresh changing membership size by more than this percentage is refused (unless the query was modified today)',
  ),
  // Integrated channels (src/channels): where the catalog is read from, when and how long transmissions run.
  catalogApiUrl: setting<string | null>(
    'ECAT_CATALOG_API_URL',
    null,
    url(['http:', 'https:']),
    'enterprise-catalog root (e.g. https://catalog.example.com) the channels read through HTTP; default: this process\'s own catalog',
  ),
  catalogApiToken: setting<string | null>(
    'ECAT_CATALOG_API_TOKEN',
    null,
    optionalText,
    'service JWT for ECAT_CATALOG_API_URL (default: one minted with ECAT_JWT_SECRET)',
  ),
  catalogApiTimeoutMs: setting('ECAT_CATALOG_API_TIMEOUT_MS', 30_000, integer(100, 600_000), 'timeout of one catalog API request'),
  transmitCron: setting('ECAT_TRANSMIT_CRON', '*/10 * * * *', cron, 'when every active channel configuration is transmitted (UTC)'),
  transmitConcurrency: setting(
    'ECAT_TRANSMIT_CONCURRENCY',
    8,
    integer(1, 32),
    'transmissions run at once per worker process (a run mostly waits for its LMS, so a few slow LMSes must not hold up the rest)',
  ),
  transmitRunBudgetMs: setting(
    'ECAT_TRANSMIT_RUN_BUDGET_MS',
    10 * 60_000,
    integer(1_000, 6 * 3_600_000),
    'longest a transmission run sends (rate-limit waits included); what is left goes out on the next run',
  ),
  transmitErrorBackoffHours: setting(
    'ECAT_TRANSMIT_ERROR_BACKOFF_HOURS',
    24,
    integer(0, 24 * 30),
    'an item the LMS refused is not retried by scheduled runs for this long (on-demand runs retry it)',
  ),
  transmitFullDiffHours: setting(
    'ECAT_TRANSMIT_FULL_DIFF_HOURS',
    24,
    integer(1, 24 * 365),
    'a catalog is diffed at least this often even when its content version says it is unchanged',
  ),
  transmitRequestLogDays: setting('ECAT_TRANSMIT_REQUEST_LOG_DAYS', 30, integer(1, 3650), 'outbound LMS request log entries are kept this long'),
} satisfies Record<string, Setting<unknown>>;

type Schema = typeof configSchema;
export type Config = { readonly [K in keyof Schema]: Schema[K]['fallback'] };
