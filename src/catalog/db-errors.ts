/** Recognising database errors the catalog services turn into 4xx answers (same codes on PGlite and PostgreSQL). */

/** The violated constraint's name when `err` is a unique violation (SQLSTATE 23505), else null. */
export function uniqueViolation(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; constraint?: unknown };
  if (e.code !== '23505') return null;
  return typeof e.constraint === 'string' ? e.constraint : '';
}
