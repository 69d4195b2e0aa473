/**
 * Moodle course mapping (upstream `MoodleContentMetadataExporter`). `idnumber` carries the content id and is how
 * the adapter finds the course again; a delete is the same course with `visible: 0`.
 */
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelAction, ChannelMapContext } from '../channel-adapter.js';
import { contentIdOf, enrollmentUrlOf, itemDates, organizationLabels, titleOf, withExecEdPrefix } from '../mapping/content.js';
import { epochSeconds } from '../mapping/dates.js';
import { str } from '../mapping/fields.js';
import { charLength, escapeHtml } from '../mapping/text.js';
import type { MoodleSettings } from './moodle.settings.js';

/** Upstream keeps the full description only while link + description fit in this many characters. */
export const MOODLE_SUMMARY_MAX = 1700;
export const MOODLE_DEFAULT_CATEGORY = 1;
/** Moodle's `summaryformat` for HTML. */
const FORMAT_HTML = 1;

export const MoodleCourseSchema = Type.Object({
  fullname: Type.String({ minLength: 1 }),
  shortname: Type.String({ minLength: 1 }),
  idnumber: Type.String({ minLength: 1 }),
  summary: Type.String(),
  summaryformat: Type.Number(),
  categoryid: Type.Integer(),
  startdate: Type.Optional(Type.Integer()),
  enddate: Type.Optional(Type.Integer()),
  visible: Type.Union([Type.Literal(0), Type.Literal(1)]),
});

/** The audit row's `channel_metadata` for Moodle: the fields of `courses[0][…]`. */
export type MoodleCourse = Static<typeof MoodleCourseSchema>;

/** "<title> - via edX.org (<organization names>)": the part after "Org: " of each organization label. */
export function moodleFullname(item: CatalogContentItem): string {
  const orgs = organizationLabels(item).map((label) => {
    const i = label.indexOf(': ');
    return i >= 0 ? label.slice(i + 2) : label;
  });
  const base = `${titleOf(item)} - via edX.org`;
  return orgs.length > 0 ? `${base} (${orgs.join(', ')})` : base;
}

/** Link to the enrollment page, then the full or short description if it fits in 1700 characters with the link, else the title. */
export function moodleSummary(item: CatalogContentItem): string {
  const link = `<a href="${escapeHtml(enrollmentUrlOf(item) ?? '')}">Go to edX course page</a><br />`;
  for (const candidate of [str(item, 'full_description'), str(item, 'short_description')]) {
    if (candidate !== undefined && charLength(link + candidate) <= MOODLE_SUMMARY_MAX) return link + candidate;
  }
  return link + escapeHtml(titleOf(item));
}

export function mapMoodleItem(raw: CatalogContentItem, action: ChannelAction, ctx: ChannelMapContext<MoodleSettings>): MoodleCourse {
  const now = ctx.now?.() ?? new Date();
  const item = withExecEdPrefix(raw);
  const key = contentIdOf(item);
  const { start, end } = itemDates(item, now);
  return {
    fullname: moodleFullname(item),
    shortname: `${titleOf(item)} (${key})`,
    idnumber: key,
    summary: moodleSummary(item),
    summaryformat: FORMAT_HTML,
    categoryid: ctx.settings.category_id ?? MOODLE_DEFAULT_CATEGORY,
    ...(start ? { startdate: epochSeconds(start) } : {}),
    ...(end ? { enddate: epochSeconds(end) } : {}),
    visible: action === 'delete' ? 0 : 1,
  };
}

/** Moodle form fields for one course: `courses[0][field]=value`. */
export function moodleCourseForm(course: Partial<MoodleCourse> & { id?: number }, index = 0): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [k, v] of Object.entries(course)) {
    if (v === undefined) continue;
    form[`courses[${index}][${k}]`] = String(v);
  }
  return form;
}
