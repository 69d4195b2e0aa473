/**
 * Safe readers for catalog items, which are untyped JSON (`Record<string, unknown>`): each returns a value of the
 * expected type or `undefined`, never throws.
 */

export type JsonRecord = Record<string, unknown>;

export function asRecord(value: unknown): JsonRecord | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

/** A non-empty string field. */
export function str(obj: JsonRecord | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A number field; numeric strings ("299.00", discovery's decimal prices) count. */
export function num(obj: JsonRecord | undefined, key: string): number | undefined {
  const v = obj?.[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function bool(obj: JsonRecord | undefined, key: string): boolean | undefined {
  const v = obj?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** The object elements of an array field. */
export function records(obj: JsonRecord | undefined, key: string): JsonRecord[] {
  const v = obj?.[key];
  if (!Array.isArray(v)) return [];
  return v.map(asRecord).filter((r): r is JsonRecord => r !== undefined);
}

/** The non-empty string elements of an array field. */
export function strings(obj: JsonRecord | undefined, key: string): string[] {
  const v = obj?.[key];
  if (!Array.isArray(v)) return [];
  return v.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
}
