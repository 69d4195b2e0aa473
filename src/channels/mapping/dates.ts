/** Date parsing and the date formats the LMS payloads use. All formatting is in UTC, whatever the host zone. */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** SAP's stand-ins for a course run without a start or an end (upstream's Unix minimum and maximum dates). */
export const UNIX_MIN_DATE = new Date('1970-01-01T00:00:00Z');
export const UNIX_MAX_DATE = new Date('2038-01-19T03:14:07Z');

/** A date from an ISO string (discovery sends `Z` and sometimes microseconds); undefined if absent or invalid. */
export function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function epochMs(date: Date): number {
  return date.getTime();
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** "January 2024", as in SAP's "Starts: January 2024". */
export function formatMonthYear(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** Python's `%a %b %d %Y %H:%M:%S` in UTC ("Mon Jan 01 2024 09:05:00"), used in Canvas syllabus bodies. */
export function formatCanvasDate(date: Date | undefined): string {
  if (!date) return 'N/A';
  const p = (n: number) => String(n).padStart(2, '0');
  const month = (MONTHS[date.getUTCMonth()] as string).slice(0, 3);
  return `${DAYS[date.getUTCDay()]} ${month} ${p(date.getUTCDate())} ${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

/** Whole days from `start` to `end` (Python's `timedelta.days`: floored). */
export function daysBetween(start: Date, end: Date): number {
  return Math.floor((end.getTime() - start.getTime()) / 86_400_000);
}

/** ISO string without milliseconds noise, or null. */
export function isoOrNull(date: Date | undefined): string | null {
  return date ? date.toISOString() : null;
}
