/**
 * Timestamps of the catalog API as integer microseconds since the epoch.
 *
 * PostgreSQL keeps microseconds; a JavaScript `Date` keeps milliseconds. `date_updated` (generate_diff) and
 * `content_last_modified` (get_content_metadata) are compared by the channel exporter, so both are read the same
 * way — as exact microseconds — and formatted by one function.
 */
import { sql, type RawBuilder } from 'kysely';
import { formatUpstreamDateTime } from './python-compat.js';

/** `column` (a trusted `table.column` reference) as integer microseconds since the epoch. */
export function epochMicros(column: string): RawBuilder<number> {
  return sql<number>`floor(extract(epoch from ${sql.ref(column)}) * 1000000)::int8`;
}

/** Microseconds → ISO text with six fractional digits (`2025-01-02T03:04:05.123456Z`). */
export function microsToIso(us: number): string {
  const seconds = Math.floor(us / 1_000_000);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  const fraction = us - seconds * 1_000_000;
  return `${base}.${String(fraction).padStart(6, '0')}Z`;
}

/** Microseconds in upstream's wire format (`isoformat()` with `Z`, fraction dropped when zero). */
export function formatMicros(us: number): string {
  return formatUpstreamDateTime(microsToIso(us));
}

/** The largest of the given microsecond values, nulls skipped; null when none. */
export function maxMicros(...values: ReadonlyArray<number | null | undefined>): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && v !== undefined && (best === null || v > best)) best = v;
  return best;
}
