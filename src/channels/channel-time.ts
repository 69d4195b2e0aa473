/**
 * Content timestamps as integer microseconds. `date_updated` (generate_diff) and `content_last_modified`
 * (get_content_metadata) carry microseconds and are compared with what the audit row stored; a `Date` would drop
 * them and make an unchanged item look changed (or the reverse).
 */
import { sql, type RawBuilder } from 'kysely';

/** An ISO 8601 datetime (with `Z` or an offset, up to 6 fractional digits) as microseconds; null if unreadable. */
export function isoToMicros(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  if (Number.isNaN(ms)) return null;
  const fraction = Number((m[2] ?? '').slice(0, 6).padEnd(6, '0'));
  return ms * 1000 + fraction;
}

/** Microseconds → ISO text with six fractional digits (what PostgreSQL stores without loss). */
export function microsToIso(us: number): string {
  const seconds = Math.floor(us / 1_000_000);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(us - seconds * 1_000_000).padStart(6, '0')}Z`;
}

/** A timestamptz column (a trusted `table.column` reference) as integer microseconds. */
export function columnMicros(column: string): RawBuilder<number | null> {
  return sql<number | null>`floor(extract(epoch from ${sql.ref(column)}) * 1000000)::int8`;
}
