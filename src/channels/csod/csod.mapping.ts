/**
 * Cornerstone's item shape (reference §6.2), built from a catalog item. Cornerstone pulls these from
 * `/cornerstone/course-list` and `/cornerstone/course-updates`; a deletion is the stored item with `IsActive: false`.
 *
 * Upstream keeps a table of random uuid4 ids per course key (Cornerstone allows 50 characters, course keys can be
 * longer). Here the id is derived from the key (a name-based UUID), so it is stable across processes and
 * databases without a table.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelMapContext } from '../channel-adapter.js';
import { contentIdOf, courseRuns, descriptionOf, enrollmentUrlOf, imageUrlOf, organizationLabels, representativeRun, titleOf, withExecEdPrefix } from '../mapping/content.js';
import { parseDate } from '../mapping/dates.js';
import { num, records, str, strings } from '../mapping/fields.js';
import type { CsodSettings } from './csod.settings.js';

const Strings = Type.Array(Type.String());

/** One Cornerstone item; also the audit row's `channel_metadata`. Optional fields are omitted when unknown. */
export const CsodItemSchema = Type.Object({
  ID: Type.String({ minLength: 1, maxLength: 50 }),
  Title: Type.String(),
  Description: Type.Optional(Type.String()),
  Thumbnail: Type.Optional(Type.String()),
  URL: Type.Optional(Type.String()),
  IsActive: Type.Boolean(),
  LastModifiedUTC: Type.String(),
  Duration: Type.Optional(Type.String()),
  Partners: Type.Array(Type.Object({ Name: Type.String() })),
  Languages: Strings,
  Subjects: Type.Optional(Strings),
  IsMobile: Type.Boolean(),
});

export type CsodItem = Static<typeof CsodItemSchema>;

const ACTIVE_AVAILABILITIES = new Set(['Current', 'Starting Soon', 'Upcoming']);
const DEFAULT_PARTNER = 'edX: edX Inc';
const DEFAULT_SUBJECT = 'Industry Specific';
const DEFAULT_LANGUAGE = 'en-US';
const MAX_DESCRIPTION = 10_000;

/** Catalog language names (and discovery's lower-case codes) → the IETF tags Cornerstone uses. */
const LANGUAGE_TAGS: Readonly<Record<string, string>> = {
  english: 'en-US',
  spanish: 'es-ES',
  french: 'fr-FR',
  german: 'de-DE',
  italian: 'it-IT',
  portuguese: 'pt-BR',
  chinese: 'zh-CN',
  'chinese - mandarin': 'zh-CN',
  japanese: 'ja-JP',
  korean: 'ko-KR',
  arabic: 'ar-SA',
  russian: 'ru-RU',
  hindi: 'hi-IN',
  dutch: 'nl-NL',
  turkish: 'tr-TR',
  polish: 'pl-PL',
  'en-us': 'en-US',
  'en-gb': 'en-GB',
  'es-es': 'es-ES',
  'es-419': 'es-MX',
  'fr-fr': 'fr-FR',
  'de-de': 'de-DE',
  'pt-br': 'pt-BR',
  'zh-cn': 'zh-CN',
  en: 'en-US',
  es: 'es-ES',
  fr: 'fr-FR',
  de: 'de-DE',
};

/** A stable id of at most 36 characters for a content key (SHA-1 name-based UUID layout). */
export function csodExternalId(contentKey: string): string {
  const h = createHash('sha1').update(`ecat:csod:${contentKey}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Python's `%Y-%m-%dT%H:%M:%S.%fZ` in UTC; keeps microseconds when the source string had them. */
export function csodTimestamp(value: string | Date): string {
  if (value instanceof Date) return value.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)$/.exec(value);
  if (m) return `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}Z`;
  const d = parseDate(value);
  return csodTimestamp(d ?? new Date(0));
}

function isActive(item: CatalogContentItem): boolean {
  if (item.content_type === 'courserun') return ACTIVE_AVAILABILITIES.has(str(item, 'availability') ?? '');
  if (item.content_type === 'course') return courseRuns(item).some((r) => ACTIVE_AVAILABILITIES.has(str(r, 'availability') ?? ''));
  // Programs and pathways carry no runs; they are active unless discovery says otherwise.
  const status = str(item, 'status');
  return status === undefined || status === 'active';
}

function duration(hours: number | undefined): string | undefined {
  if (hours === undefined || hours <= 0) return undefined;
  const h = Math.floor(hours);
  const m = Math.round((hours - h) * 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}

function languages(item: CatalogContentItem, allowed: readonly string[] | undefined, now: Date): string[] {
  const names = [...strings(item, 'languages'), ...strings(item, 'language')];
  const runLang = str(representativeRun(item, now), 'content_language') ?? str(item, 'content_language');
  if (runLang) names.push(runLang);
  const tags = new Set<string>();
  for (const n of names) {
    const tag = LANGUAGE_TAGS[n.trim().toLowerCase()];
    if (tag && (allowed === undefined || allowed.includes(tag))) tags.add(tag);
  }
  return tags.size > 0 ? [...tags] : [DEFAULT_LANGUAGE];
}

function subjects(item: CatalogContentItem, mapping: CsodSettings['subject_mapping']): string[] {
  const names = [...records(item, 'subjects').map((s) => str(s, 'name')), ...strings(item, 'subjects')]
    .filter((n): n is string => n !== undefined)
    .map((n) => n.toLowerCase());
  const out = new Set<string>();
  for (const [csodSubject, edxSubjects] of Object.entries(mapping ?? {})) {
    if (edxSubjects.some((s) => names.includes(s.toLowerCase()))) out.add(csodSubject);
  }
  return out.size > 0 ? [...out] : [DEFAULT_SUBJECT];
}

export function mapCsodItem(raw: CatalogContentItem, ctx: ChannelMapContext<CsodSettings>): CsodItem {
  const now = ctx.now?.() ?? new Date();
  const item = withExecEdPrefix(raw);
  const run = representativeRun(item, now);
  const full = str(item, 'full_description');
  const description = full !== undefined && full.length <= MAX_DESCRIPTION ? full : (str(item, 'short_description') ?? descriptionOf(item));
  const modified = str(run, 'modified') ?? str(item, 'content_last_modified');
  const partners = organizationLabels(item).map((name) => ({ Name: name.slice(0, 500) }));
  const image = imageUrlOf(item);
  const url = enrollmentUrlOf(item);
  const hours = duration(num(run, 'estimated_hours') ?? num(item, 'estimated_hours'));
  return {
    ID: csodExternalId(contentIdOf(item)),
    Title: titleOf(item),
    ...(description ? { Description: description.slice(0, MAX_DESCRIPTION) } : {}),
    ...(image ? { Thumbnail: image } : {}),
    ...(url ? { URL: url } : {}),
    IsActive: isActive(item),
    LastModifiedUTC: csodTimestamp(modified ?? now),
    ...(hours ? { Duration: hours } : {}),
    Partners: partners.length > 0 ? partners : [{ Name: DEFAULT_PARTNER }],
    Languages: languages(item, ctx.settings.languages, now),
    ...(ctx.settings.disable_subject_metadata_transmission === true ? {} : { Subjects: subjects(item, ctx.settings.subject_mapping) }),
    IsMobile: true,
  };
}
