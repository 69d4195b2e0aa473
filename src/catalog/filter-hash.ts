/**
 * Content-filter hashing, byte-compatible with enterprise-catalog's `content_filter_hash`
 * (`md5(json.dumps(filter, sort_keys=True))`, reference §4.4, architecture invariant 3).
 *
 * The hash is the dedupe key of catalog queries, and edx-enterprise looks queries up by it
 * (`get_query_by_hash`), so the serialisation has to match CPython's `json.dumps` defaults exactly:
 * keys sorted recursively by code point, list order kept, separators `", "` and `": "`, `ensure_ascii=True`
 * (every code unit outside printable ASCII becomes a lowercase `\uXXXX`; astral characters therefore come out
 * as surrogate pairs, as in Python), and Python's number formatting.
 *
 * Numbers — the one place JavaScript cannot be exact: `JSON.parse` turns `1` and `1.0` into the same value,
 * while Python keeps `int` 1 (`1`) apart from `float` 1.0 (`1.0`). We choose: **a number with an integral value
 * is written as a Python int** (`1.0` in the request text hashes like `1`), because filters in the wild carry
 * integers (`page_size`-like values) or numeric *strings* (`first_enrollable_paid_seat_price__lte: "100"`),
 * never integral floats. Callers that parsed the raw text themselves can wrap a value in {@link PythonFloat}
 * to force float formatting. Integers beyond 2^53 have already lost precision in `JSON.parse`; pass a `bigint`
 * to keep them exact. Non-integral numbers use Python's `repr(float)` (shortest round-trip digits, exponent
 * form when the decimal exponent is < -4 or >= 16, e.g. `1e-05`, `1e+16`).
 */
import { createHash } from 'node:crypto';

/** A JSON value as produced by `JSON.parse`, plus the two opt-in number forms described above. */
export type PythonJsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PythonFloat
  | readonly PythonJsonValue[]
  | { readonly [key: string]: PythonJsonValue };

/** Marks a number that Python holds as a `float`, so an integral value is written as `1.0`, not `1`. */
export class PythonFloat {
  constructor(readonly value: number) {}
}

/** Compares two strings by Unicode code point, as Python's `sorted()` does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Only surrogates (0xD800–0xDFFF) sort differently: as code points they stand for values above 0xFFFF,
    // so they must rank above every other BMP unit, including 0xE000–0xFFFF.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
};

/** Python's `encode_basestring_ascii`: printable ASCII as is, everything else escaped per UTF-16 code unit. */
function encodeString(s: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(runStart, i);
    out += SHORT_ESCAPES[c] ?? '\\u' + c.toString(16).padStart(4, '0');
    runStart = i + 1;
  }
  return out + s.slice(runStart) + '"';
}

/** Python's `float.__repr__` for a finite or non-finite double (json.dumps uses `float.__repr__`). */
export function pythonFloatRepr(x: number): string {
  // json.dumps(allow_nan=True) writes these JavaScript-style literals.
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // JS and Python both produce the shortest digit string that round-trips; only the layout differs.
  const [mantissa = '', expPart] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp10 = Number(expPart); // x = d.ddd × 10^exp10
  const decpt = exp10 + 1; // position of the decimal point relative to the digit string
  const sign = x < 0 ? '-' : '';
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp10).toString().padStart(2, '0');
    return `${sign}${m}e${exp10 < 0 ? '-' : '+'}${e}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

function encodeNumber(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString(); // Python int: plain digits, never an exponent
  return pythonFloatRepr(n);
}

/**
 * Serialises `value` exactly like CPython's `json.dumps(value, sort_keys=True)` with default arguments.
 * Throws a `TypeError` for values JSON cannot hold (undefined, functions, symbols), as Python would.
 */
export function pythonJsonDumps(value: PythonJsonValue): string {
  const parts: string[] = [];
  const write = (v: PythonJsonValue): void => {
    if (v === null) parts.push('null');
    else if (v === true) parts.push('true');
    else if (v === false) parts.push('false');
    else if (typeof v === 'string') parts.push(encodeString(v));
    else if (typeof v === 'number') parts.push(encodeNumber(v));
    else if (typeof v === 'bigint') parts.push(v.toString());
    else if (v instanceof PythonFloat) parts.push(pythonFloatRepr(v.value));
    else if (Array.isArray(v)) {
      const arr = v as readonly PythonJsonValue[];
      parts.push('[');
      arr.forEach((item, i) => {
        if (i > 0) parts.push(', ');
        write(item);
      });
      parts.push(']');
    } else if (typeof v === 'object') {
      const obj = v as { readonly [key: string]: PythonJsonValue };
      const keys = Object.keys(obj).sort(compareCodePoints);
      parts.push('{');
      keys.forEach((k, i) => {
        if (i > 0) parts.push(', ');
        parts.push(encodeString(k), ': ');
        write(obj[k] as PythonJsonValue);
      });
      parts.push('}');
    } else {
      throw new TypeError(`Object of type ${typeof v} is not JSON serializable`);
    }
  };
  write(value);
  return parts.join('');
}

/**
 * `content_filter_hash` of a catalog query: MD5 (hex) of {@link pythonJsonDumps}, UTF-8 encoded.
 * `ensure_ascii` output is pure ASCII, so the encoding only matters for lone surrogates, which are escaped too.
 */
export function contentFilterHash(filter: PythonJsonValue): string {
  return createHash('md5').update(pythonJsonDumps(filter), 'utf8').digest('hex');
}
