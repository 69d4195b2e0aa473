/**
 * Redaction of credentials from request-log entries (P12: upstream stored client secrets, passwords and refresh
 * tokens in its API request log). Two independent nets:
 * 1. by name: any JSON key, form field or query parameter whose name looks like a credential;
 * 2. by value: every known secret string (settings secrets, tokens issued during this call) wherever it appears,
 *    raw or URL-encoded, so a secret echoed in an error message or a custom field is caught too.
 */

export const REDACTED = '[REDACTED]';

/** Field names that carry credentials. Deliberately broad: an over-redacted log line costs nothing. */
const SECRET_NAME = /pass(word)?|secret|token|authori[sz]ation|api[-_]?key|credential|signature|assertion|cookie/i;

/** Secret values shorter than this are not replaced by value (they would shred ordinary text). */
const MIN_SECRET_VALUE_LENGTH = 6;

/** Whether a field name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A set of secret values plus the rules above. One per outbound HTTP helper. */
export class Redactor {
  private readonly values = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Remember a secret value (for example a token just issued) so it is replaced wherever it appears. */
  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_VALUE_LENGTH) return;
    this.values.add(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.values.add(encoded);
    const formEncoded = new URLSearchParams({ v: value }).toString().slice(2);
    if (formEncoded !== value) this.values.add(formEncoded);
    const jsonEscaped = JSON.stringify(value).slice(1, -1);
    if (jsonEscaped !== value) this.values.add(jsonEscaped);
  }

  /**
   * Remember as secrets the values sent under credential-like names (a JSON body, form or query), so an echo of
   * them in a response or an error message is hidden too.
   */
  learnFrom(value: unknown): void {
    if (value instanceof URLSearchParams) {
      for (const [k, v] of value) if (isSecretName(k)) this.add(v);
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) this.learnFrom(v);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (isSecretName(k) && typeof v === 'string') this.add(v);
        else this.learnFrom(v);
      }
    }
  }

  /** Replace every known secret value in a string. Longest first, so a secret containing another is fully hidden. */
  scrub(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out;
  }

  /** Deep copy of a JSON value with credential-named keys replaced. */
  redactJson(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.redactJson(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) ? REDACTED : this.redactJson(v);
      return out;
    }
    return value;
  }

  /** Form fields with credential-named fields replaced, serialised like the request was. */
  redactForm(form: URLSearchParams): string {
    const out = new URLSearchParams();
    for (const [k, v] of form) out.append(k, isSecretName(k) ? REDACTED : v);
    return this.scrub(out.toString());
  }

  /** A URL with credential-named query parameters and any user-info removed. */
  redactUrl(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return this.scrub(url);
    }
    parsed.username = '';
    parsed.password = '';
    for (const key of [...new Set(parsed.searchParams.keys())]) {
      if (isSecretName(key)) parsed.searchParams.set(key, REDACTED);
    }
    return this.scrub(parsed.toString());
  }

  /**
   * A body of unknown format (a response): JSON is redacted by key, a form-encoded body by field name, anything
   * else only by value.
   */
  redactText(text: string): string {
    const trimmed = text.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return this.scrub(JSON.stringify(this.redactJson(JSON.parse(trimmed))));
      } catch {
        // Not JSON after all: fall through to value scrubbing.
      }
    }
    if (/^[^\s=&]+=[^\s]*$/.test(trimmed)) return this.redactForm(new URLSearchParams(trimmed));
    return this.scrub(text);
  }
}

/** Cut a logged body to a bounded size, saying how much was dropped. */
export function truncateForLog(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[${text.length - max} more chars]`;
}
