/**
 * Small re-implementations of the Python/Django helpers whose exact output is visible on enterprise-catalog's
 * wire: `urllib.parse` query handling (upstream `update_query_parameters`), Django's `slugify` (the `utm_source`
 * value) and the DRF datetime rendering (`isoformat()` with `+00:00` replaced by `Z`).
 *
 * Written from the documented behaviour of those functions; where a Python input would raise (a lone surrogate,
 * a non-string) we pick a harmless output instead of failing the whole response.
 */
import { compareCodePoints } from './filter-hash.js';

// ---------------------------------------------------------------------------------------------------------------
// urllib.parse

const utf8 = new TextEncoder();
const utf8Replace = new TextDecoder('utf-8', { fatal: false });

/** `urllib.parse.quote_plus(s)`: keep `A-Za-z0-9_.-~`, space → `+`, every other UTF-8 byte → `%XX` (uppercase). */
export function quotePlus(s: string): string {
  let out = '';
  for (const byte of utf8.encode(s)) {
    const safe =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x2d ||
      byte === 0x7e;
    if (safe) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * `urllib.parse.unquote(s, errors='replace')`: `%XX` escapes inside each run of ASCII characters are decoded as
 * UTF-8 bytes (invalid sequences → U+FFFD); a `%` not followed by two hex digits stays as is.
 */
export function unquote(s: string): string {
  if (!s.includes('%')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) >= 0x80) {
      out += s[i];
      i++;
      continue;
    }
    const bytes: number[] = [];
    while (i < s.length && s.charCodeAt(i) < 0x80) {
      const hex = s.slice(i + 1, i + 3);
      if (s[i] === '%' && HEX.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 3;
      } else {
        bytes.push(s.charCodeAt(i));
        i++;
      }
    }
    out += utf8Replace.decode(new Uint8Array(bytes));
  }
  return out;
}

/**
 * `urllib.parse.parse_qs(qs)` with default arguments: `&`-separated fields, blank values and fields without `=`
 * dropped, `+` → space, percent-decoding; values grouped per name in first-seen order.
 */
export function parseQs(qs: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const field of qs.split('&')) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    const rawValue = field.slice(eq + 1);
    if (rawValue.length === 0) continue;
    const name = unquote(field.slice(0, eq).replaceAll('+', ' '));
    const value = unquote(rawValue.replaceAll('+', ' '));
    const list = out.get(name);
    if (list === undefined) out.set(name, [value]);
    else list.push(value);
  }
  return out;
}

/** `urlencode(sorted(params.items()), doseq=True)`: names in code-point order, lists expanded, `quote_plus`. */
export function urlencodeSorted(params: ReadonlyMap<string, string | readonly string[]>): string {
  const pairs: string[] = [];
  for (const name of [...params.keys()].sort(compareCodePoints)) {
    const value = params.get(name) as string | readonly string[];
    for (const v of typeof value === 'string' ? [value] : value) pairs.push(`${quotePlus(name)}=${quotePlus(v)}`);
  }
  return pairs.join('&');
}

// urlsplit drops these before splitting (WHATWG "C0 control or space" from the left, tab/CR/LF anywhere).
// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const LEADING_C0_OR_SPACE = /^[\u0000-\u0020]+/;
const TAB_CR_LF = /[\t\r\n]/g;

/**
 * Upstream `update_query_parameters(url, params)`: `urlsplit`, `parse_qs` of the query, overwrite with `params`,
 * re-encode sorted with `urlencode(doseq=True)`, `urlunsplit`. Scheme, authority, path and fragment are kept as
 * written (the scheme lowercased, as `urlsplit` does).
 */
export function updateQueryParameters(url: string, params: Readonly<Record<string, string>>): string {
  let rest = url.replace(LEADING_C0_OR_SPACE, '').replace(TAB_CR_LF, '');
  let prefix = '';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (scheme !== null) {
    prefix = `${(scheme[1] as string).toLowerCase()}:`;
    rest = rest.slice(scheme[0].length);
  }
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const merged = new Map<string, string | readonly string[]>(parseQs(query));
  for (const [name, value] of Object.entries(params)) merged.set(name, value);
  const encoded = urlencodeSorted(merged);
  // urlunsplit only adds `?`/`#` for non-empty parts.
  return `${prefix}${rest}${encoded ? `?${encoded}` : ''}${fragment ? `#${fragment}` : ''}`;
}

/**
 * Python's `urljoin(base, '/absolute/path?query')`: the base's scheme and authority, then the given path.
 * Upstream builds the exec-ed proxy-login URL this way, so any path in `LMS_BASE_URL` is dropped.
 */
export function joinAbsolutePath(base: string, absolutePath: string): string {
  const origin = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(base);
  return (origin === null ? '' : origin[0]) + absolutePath;
}

// ---------------------------------------------------------------------------------------------------------------
// django.utils.text.slugify

/**
 * Django's `slugify(value)` (allow_unicode=False): NFKD, drop non-ASCII, lowercase, drop everything but
 * word characters, whitespace and hyphens, collapse runs of hyphens/whitespace to `-`, trim `-` and `_`.
 */
export function slugify(value: string): string {
  // \s of Python's re on str also matches the ASCII separators \x1c–\x1f.
  const ws = '\\t\\n\\v\\f\\r \\x1c-\\x1f';
  let ascii = '';
  for (const ch of value.normalize('NFKD')) if (ch.charCodeAt(0) < 0x80) ascii += ch; // encode('ascii', 'ignore')
  return ascii
    .toLowerCase()
    .replace(new RegExp(`[^A-Za-z0-9_${ws}-]`, 'g'), '')
    .replace(new RegExp(`[-${ws}]+`, 'g'), '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Datetimes

/** A timestamp as the DB layer hands it over: a `Date` (millisecond precision) or ISO / PostgreSQL text. */
export type Timestamp = Date | string;

const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Microseconds since the Unix epoch. Text keeps PostgreSQL's microsecond precision, which a `Date` cannot;
 * text without an offset is taken as UTC. (A double holds microsecond timestamps exactly until year 2255.)
 * @throws TypeError on an invalid date or unparseable text
 */
export function toEpochMicros(value: Timestamp): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new TypeError('invalid Date');
    return ms * 1000;
  }
  const m = TIMESTAMP_TEXT.exec(value.trim());
  if (m === null) throw new TypeError(`unparseable timestamp: ${JSON.stringify(value)}`);
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  const micros = frac === undefined ? 0 : Number(frac.slice(0, 6).padEnd(6, '0'));
  let offsetMinutes = 0;
  if (tz !== undefined && tz.toUpperCase() !== 'Z') {
    const digits = tz.slice(1).replace(':', '');
    offsetMinutes = (tz[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}

/**
 * The wire format of every upstream datetime: Python `datetime.isoformat()` in UTC with `+00:00` → `Z`,
 * i.e. `2024-01-12T16:45:17.436871Z`, or `2024-01-12T16:45:17Z` when the microseconds are zero.
 */
export function formatUpstreamDateTime(value: Timestamp): string {
  const micros = toEpochMicros(value);
  const ms = Math.floor(micros / 1000);
  const subSecondMicros = (((ms % 1000) + 1000) % 1000) * 1000 + (micros - ms * 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  return subSecondMicros === 0 ? `${base}Z` : `${base}.${String(subSecondMicros).padStart(6, '0')}Z`;
}

/** The latest of the given timestamps (nulls skipped), or `null` if there are none. */
export function latestTimestamp(...values: ReadonlyArray<Timestamp | null | undefined>): Timestamp | null {
  let best: Timestamp | null = null;
  let bestMicros = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const micros = toEpochMicros(v);
    if (micros > bestMicros) {
      best = v;
      bestMicros = micros;
    }
  }
  return best;
}
