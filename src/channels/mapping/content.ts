/**
 * Rules shared by the LMS mappings, read from enterprise-catalog's `get_content_metadata` item shape: the content
 * id, the Executive Education prefixes, which course run stands for a course, enrollment URL, image, price, effort
 * and organizations.
 */
import type { CatalogContentItem } from '../channel-adapter.js';
import { parseDate } from './dates.js';
import { type JsonRecord, asRecord, num, records, str, strings } from './fields.js';

export const EXEC_ED_COURSE_TYPE = 'executive-education-2u';
export const EXEC_ED_TITLE_PREFIX = 'ExecEd: ';
export const EXEC_ED_DESCRIPTION_PREFIX =
  'This instructor-led Executive Education course is presented by GetSmarter, an edX partner. ';

/** Discovery availabilities of runs learners can still join. */
const ACTIVE_AVAILABILITIES = new Set(['Current', 'Starting Soon', 'Upcoming']);

/** Programs and pathways have no `key`; enterprise-catalog identifies them by `uuid`. */
export function contentIdOf(item: CatalogContentItem): string {
  const byUuid = item.content_type === 'program' || item.content_type === 'learnerpathway';
  const id = byUuid ? (str(item, 'uuid') ?? str(item, 'key')) : (str(item, 'key') ?? str(item, 'uuid'));
  if (id === undefined) throw new Error(`content item of type ${item.content_type} has neither key nor uuid`);
  return id;
}

export function isExecEd(item: CatalogContentItem): boolean {
  return item.content_type === 'course' && item['course_type'] === EXEC_ED_COURSE_TYPE;
}

/**
 * The item with upstream's Executive Education prefixes: the title gets "ExecEd: " and the description the
 * GetSmarter sentence. Returns a new object (mapping is pure) and is idempotent, so it is harmless if the engine
 * already applied it.
 */
export function withExecEdPrefix(item: CatalogContentItem): CatalogContentItem {
  if (!isExecEd(item)) return item;
  const title = str(item, 'title') ?? '';
  const description = str(item, 'full_description') ?? str(item, 'short_description') ?? '';
  return {
    ...item,
    title: title.startsWith(EXEC_ED_TITLE_PREFIX) ? title : `${EXEC_ED_TITLE_PREFIX}${title}`,
    full_description: description.startsWith(EXEC_ED_DESCRIPTION_PREFIX) ? description : `${EXEC_ED_DESCRIPTION_PREFIX}${description}`,
  };
}

export function titleOf(item: CatalogContentItem): string {
  return str(item, 'title') ?? '';
}

/** First of full description, short description (programs: overview, subtitle), title. May contain HTML. */
export function descriptionOf(item: CatalogContentItem): string {
  return (
    str(item, 'full_description') ??
    str(item, 'short_description') ??
    str(item, 'overview') ??
    str(item, 'subtitle') ??
    titleOf(item)
  );
}

/** Programs carry `card_image_url`; courses and runs `image_url` (or the `/courses/` `image.src`). */
export function imageUrlOf(item: CatalogContentItem): string | undefined {
  if (item.content_type === 'program') return str(item, 'card_image_url') ?? str(asRecord(item['banner_image']), 'url');
  return str(item, 'image_url') ?? str(asRecord(item['image']), 'src') ?? str(item, 'card_image_url');
}

/** Where a learner enrolls: the item's `enrollment_url`, or its `marketing_url` (programs have no enrollment URL). */
export function enrollmentUrlOf(item: CatalogContentItem): string | undefined {
  return str(item, 'enrollment_url') ?? str(item, 'marketing_url');
}

/**
 * Organization labels as discovery shows them: search/all's `organizations` ("MITx: Massachusetts Institute of
 * Technology"), else the owners' names, else a program's authoring organizations.
 */
export function organizationLabels(item: CatalogContentItem): string[] {
  const labels = strings(item, 'organizations');
  if (labels.length > 0) return labels;
  return ownerNames(item);
}

/** Owner (course) or authoring organization (program) names. */
export function ownerNames(item: CatalogContentItem): string[] {
  const owners = records(item, 'owners');
  const orgs = owners.length > 0 ? owners : records(item, 'authoring_organizations');
  return orgs.map((o) => str(o, 'name') ?? str(o, 'key')).filter((n): n is string => n !== undefined);
}

export function courseRuns(item: CatalogContentItem): JsonRecord[] {
  return records(item, 'course_runs');
}

/**
 * The run that stands for the item: a course run is its own run; a course uses its advertised run, else the run
 * whose start is closest to now (upstream's rule); programs have none.
 */
export function representativeRun(item: CatalogContentItem, now: Date): JsonRecord | undefined {
  if (item.content_type === 'courserun') return item;
  if (item.content_type !== 'course') return undefined;
  const runs = courseRuns(item);
  const advertised = str(item, 'advertised_course_run_uuid');
  const byUuid = advertised ? runs.find((r) => r['uuid'] === advertised) : undefined;
  if (byUuid) return byUuid;
  if (runs.length === 1) return runs[0];
  let best: JsonRecord | undefined;
  let bestDistance = Infinity;
  for (const run of runs) {
    const start = parseDate(run['start']);
    if (!start) continue;
    const distance = Math.abs(start.getTime() - now.getTime());
    if (distance < bestDistance) {
      best = run;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Whether learners can enroll in a run now: not ended, inside its enrollment window, not archived and not flagged
 * unenrollable by discovery.
 */
export function isRunOpenForEnrollment(run: JsonRecord, now: Date): boolean {
  const t = now.getTime();
  const end = parseDate(run['end']);
  if (end && end.getTime() <= t) return false;
  const enrollStart = parseDate(run['enrollment_start']);
  if (enrollStart && enrollStart.getTime() > t) return false;
  const enrollEnd = parseDate(run['enrollment_end']);
  if (enrollEnd && enrollEnd.getTime() < t) return false;
  const availability = str(run, 'availability');
  if (availability !== undefined && !ACTIVE_AVAILABILITIES.has(availability)) return false;
  return run['is_enrollable'] !== false;
}

/** Start and end of the item's representative run (`start`/`end`), or of a program, none. */
export function itemDates(item: CatalogContentItem, now: Date): { start?: Date; end?: Date } {
  const run = representativeRun(item, now);
  const start = parseDate(run?.['start']);
  const end = parseDate(run?.['end']);
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/**
 * The price a learner pays, in USD. A run: its `first_enrollable_paid_seat_price`. A course: that of its advertised
 * run, else of its first run open for enrollment (upstream's rule), else enterprise-catalog's normalized
 * `content_price` (which covers Executive Education entitlements). A program: its USD price range total.
 */
export function itemPrice(item: CatalogContentItem, now: Date): number {
  if (item.content_type === 'courserun') return num(item, 'first_enrollable_paid_seat_price') ?? 0;
  if (item.content_type === 'course') {
    const runs = courseRuns(item);
    const advertised = str(item, 'advertised_course_run_uuid');
    const run = (advertised ? runs.find((r) => r['uuid'] === advertised) : undefined) ?? runs.find((r) => isRunOpenForEnrollment(r, now));
    const runPrice = num(run, 'first_enrollable_paid_seat_price');
    if (runPrice !== undefined && runPrice > 0) return runPrice;
    return num(asRecord(item['normalized_metadata']), 'content_price') ?? runPrice ?? 0;
  }
  if (item.content_type === 'program') {
    const usd = records(item, 'price_ranges').find((r) => r['currency'] === 'USD');
    return num(usd, 'total') ?? num(usd, 'min') ?? 0;
  }
  return 0;
}

/** The price to publish: the item's price when the configuration shows prices, else 0 (upstream SAP/Degreed). */
export function shownPrice(item: CatalogContentItem, showCoursePrice: boolean, now: Date): number {
  return showCoursePrice ? itemPrice(item, now) : 0;
}

/** Weekly effort (hours) and length (weeks) of the representative run, or of a program. */
export function effortOf(item: CatalogContentItem, now: Date): { minEffort?: number; maxEffort?: number; weeks?: number } {
  const src = item.content_type === 'program' ? item : representativeRun(item, now);
  const minEffort = num(src, 'min_effort') ?? num(src, 'min_hours_effort_per_week');
  const maxEffort = num(src, 'max_effort') ?? num(src, 'max_hours_effort_per_week');
  const weeks = num(src, 'weeks_to_complete') ?? num(src, 'weeks_to_complete_max');
  return {
    ...(minEffort !== undefined ? { minEffort } : {}),
    ...(maxEffort !== undefined ? { maxEffort } : {}),
    ...(weeks !== undefined ? { weeks } : {}),
  };
}

/** The run's content language code ("en-us"), when discovery gave one. */
export function contentLanguageOf(item: CatalogContentItem, now: Date): string | undefined {
  return str(representativeRun(item, now), 'content_language') ?? str(item, 'content_language');
}

/** "Self-Paced" or "Instructor-Paced" from a run's `pacing_type`. */
export function pacingLabel(run: JsonRecord | undefined): string | undefined {
  const pacing = str(run, 'pacing_type');
  if (pacing === 'self_paced') return 'Self-Paced';
  if (pacing === 'instructor_paced') return 'Instructor-Paced';
  return undefined;
}

/** The item's language as a name or code: the run's content language, else `language`, else first of `languages`. */
export function languageOf(item: CatalogContentItem, now: Date): string | undefined {
  const lang = item['language'];
  return (
    contentLanguageOf(item, now) ??
    (typeof lang === 'string' && lang !== '' ? lang : undefined) ??
    (Array.isArray(lang) ? strings(item, 'language')[0] : undefined) ??
    strings(item, 'languages')[0]
  );
}
