/**
 * SAP SuccessFactors OCN course mapping (upstream `SapSuccessFactorsContentMetadataExporter`): per-locale title and
 * description, one launch point, a schedule, a price (0 unless the configuration shows prices). SAP has no delete:
 * a delete is the same course with `status: "INACTIVE"`.
 */
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelAction, ChannelMapContext } from '../channel-adapter.js';
import {
  contentIdOf,
  contentLanguageOf,
  descriptionOf,
  enrollmentUrlOf,
  imageUrlOf,
  isRunOpenForEnrollment,
  pacingLabel,
  representativeRun,
  shownPrice,
  titleOf,
  withExecEdPrefix,
} from '../mapping/content.js';
import { UNIX_MAX_DATE, UNIX_MIN_DATE, daysBetween, epochMs, formatMonthYear, parseDate } from '../mapping/dates.js';
import { stripHtml } from '../mapping/text.js';
import type { SapSettings } from './sap.settings.js';

export const SAP_DEFAULT_LOCALE = 'English';
export const SAP_DEFAULT_PROVIDER_ID = 'EDX';
/** OCN launch type 3: an external URL opened by the learner. */
const LAUNCH_TYPE_URL = 3;

/**
 * Discovery content-language codes → SAP OCN locale names, for course runs (a language code alone maps to its
 * language; a region-specific name only where SAP has one). Codes not listed fall back to English.
 */
export const SAP_OCN_LOCALES: Readonly<Record<string, string>> = {
  ar: 'Arabic',
  de: 'German',
  en: 'English',
  'en-us': 'English',
  'en-gb': 'English United Kingdom',
  es: 'Spanish',
  'es-es': 'Spanish',
  'es-419': 'Spanish',
  fr: 'French',
  'fr-ca': 'French Canadian',
  hi: 'Hindi',
  it: 'Italian',
  ja: 'Japanese',
  ko: 'Korean',
  nl: 'Dutch',
  pt: 'Portuguese',
  'pt-br': 'Portuguese Brazilian',
  ru: 'Russian',
  tr: 'Turkish',
  zh: 'Chinese China',
  'zh-cn': 'Chinese China',
  'zh-hans': 'Chinese China',
  'zh-tw': 'Chinese Taiwan',
  'zh-hant': 'Chinese Taiwan',
};

const LocalizedText = Type.Object({ locale: Type.String({ minLength: 1 }), value: Type.String() });

export const SapScheduleSchema = Type.Object({
  startDate: Type.Optional(Type.Number()),
  endDate: Type.Optional(Type.Number()),
  active: Type.Boolean(),
  duration: Type.Optional(Type.String()),
});

/** One `ocnCourses` entry; also the audit row's `channel_metadata`. */
export const SapOcnCourseSchema = Type.Object({
  courseID: Type.String({ minLength: 1 }),
  providerID: Type.String({ minLength: 1 }),
  status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('INACTIVE')]),
  title: Type.Array(LocalizedText, { minItems: 1 }),
  description: Type.Array(LocalizedText, { minItems: 1 }),
  thumbnailURI: Type.Optional(Type.String()),
  content: Type.Array(
    Type.Object({
      providerID: Type.String(),
      launchURL: Type.String(),
      contentTitle: Type.String(),
      contentID: Type.String(),
      launchType: Type.Number(),
      mobileEnabled: Type.Boolean(),
      mobileLaunchURL: Type.String(),
    }),
  ),
  revisionNumber: Type.Number(),
  schedule: Type.Array(SapScheduleSchema),
  price: Type.Array(Type.Object({ currency: Type.String(), value: Type.Number() })),
});

export type SapOcnCourse = Static<typeof SapOcnCourseSchema>;

/** The locale list: the item's default locale first, then the configuration's additional locales. */
export function sapLocales(defaultLocale: string, settings: Pick<SapSettings, 'additional_locales'>): string[] {
  return [...new Set([defaultLocale, ...(settings.additional_locales ?? [])])];
}

/** A course run's locale from its content language; everything else is English. */
export function sapDefaultLocale(item: CatalogContentItem, now: Date): string {
  if (item.content_type !== 'courserun') return SAP_DEFAULT_LOCALE;
  const code = contentLanguageOf(item, now)?.toLowerCase();
  if (!code) return SAP_DEFAULT_LOCALE;
  return SAP_OCN_LOCALES[code] ?? SAP_OCN_LOCALES[code.split('-')[0] ?? ''] ?? SAP_DEFAULT_LOCALE;
}

/** Course runs carry their start in the title: " (Starts: June 2025)" or " (June 2025 - Enrollment Closed)". */
export function sapTitle(item: CatalogContentItem, now: Date): string {
  const title = titleOf(item);
  if (item.content_type !== 'courserun') return title;
  const start = parseDate(item['start']);
  if (!start) return title;
  return isRunOpenForEnrollment(item, now)
    ? `${title} (Starts: ${formatMonthYear(start)})`
    : `${title} (${formatMonthYear(start)} - Enrollment Closed)`;
}

/** Plain-text description prefixed with pacing, dates and, when so, "Enrollment is closed." of the representative run. */
export function sapDescription(item: CatalogContentItem, now: Date): string {
  const run = representativeRun(item, now);
  let prefix = '';
  const pacing = pacingLabel(run);
  if (pacing) prefix += `Pacing: ${pacing}. `;
  const start = parseDate(run?.['start']);
  const end = parseDate(run?.['end']);
  const dates = [start && `Starts: ${formatMonthYear(start)}`, end && `Ends: ${formatMonthYear(end)}`].filter(Boolean).join(', ');
  if (dates) prefix += `${dates}. `;
  if (run && !isRunOpenForEnrollment(run, now)) prefix += 'Enrollment is closed. ';
  return `${prefix}${stripHtml(descriptionOf(item))}`.trim();
}

/**
 * Course: the representative run's dates (epoch ms), active when open for enrollment, or `[]` without both dates.
 * Course run: its own dates, missing ones replaced by the Unix min/max dates, active when now is inside them.
 */
export function sapSchedule(item: CatalogContentItem, now: Date): SapOcnCourse['schedule'] {
  if (item.content_type === 'courserun') {
    const start = parseDate(item['start']) ?? UNIX_MIN_DATE;
    const end = parseDate(item['end']) ?? UNIX_MAX_DATE;
    const active = start.getTime() <= now.getTime() && now.getTime() <= end.getTime();
    return [{ startDate: epochMs(start), endDate: epochMs(end), active, duration: `${daysBetween(start, end)} days` }];
  }
  const run = representativeRun(item, now);
  const start = parseDate(run?.['start']);
  const end = parseDate(run?.['end']);
  if (!run || !start || !end) return [];
  return [{ startDate: epochMs(start), endDate: epochMs(end), active: isRunOpenForEnrollment(run, now), duration: `${daysBetween(start, end)} days` }];
}

export function mapSapItem(raw: CatalogContentItem, action: ChannelAction, ctx: ChannelMapContext<SapSettings>): SapOcnCourse {
  const now = ctx.now?.() ?? new Date();
  const item = withExecEdPrefix(raw);
  const courseID = contentIdOf(item);
  const providerID = ctx.settings.provider_id ?? SAP_DEFAULT_PROVIDER_ID;
  const locales = sapLocales(sapDefaultLocale(item, now), ctx.settings);
  const title = sapTitle(item, now);
  const description = sapDescription(item, now);
  const url = enrollmentUrlOf(item) ?? '';
  const thumbnail = imageUrlOf(item);
  const course: SapOcnCourse = {
    courseID,
    providerID,
    status: action === 'delete' ? 'INACTIVE' : 'ACTIVE',
    title: locales.map((locale) => ({ locale, value: title })),
    description: locales.map((locale) => ({ locale, value: description })),
    ...(thumbnail ? { thumbnailURI: thumbnail } : {}),
    content: [
      {
        providerID,
        launchURL: url,
        contentTitle: titleOf(item),
        contentID: courseID,
        launchType: LAUNCH_TYPE_URL,
        mobileEnabled: true,
        mobileLaunchURL: url,
      },
    ],
    revisionNumber: 1,
    schedule: sapSchedule(item, now),
    price: [{ currency: 'USD', value: shownPrice(item, ctx.showCoursePrice, now) }],
  };
  return action === 'delete' ? sapDeleteTransform(course) : course;
}

/**
 * What upstream's exporter does to a stored payload before a delete: deactivate it, and drop a schedule whose first
 * entry lacks a start or an end (SAP rejects such a schedule). Idempotent.
 */
export function sapDeleteTransform(course: SapOcnCourse): SapOcnCourse {
  const first = course.schedule[0];
  const malformed = first !== undefined && (first.startDate === undefined || first.endDate === undefined);
  return { ...course, status: 'INACTIVE', schedule: malformed ? [] : course.schedule };
}
