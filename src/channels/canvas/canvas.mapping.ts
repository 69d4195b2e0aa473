/**
 * Canvas course mapping (upstream `CanvasContentMetadataExporter`): the course is public, self-enrollable and shows
 * a syllabus that links to the edX enrollment page.
 */
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelMapContext } from '../channel-adapter.js';
import { contentIdOf, enrollmentUrlOf, imageUrlOf, itemDates, titleOf, withExecEdPrefix } from '../mapping/content.js';
import { formatCanvasDate, parseDate } from '../mapping/dates.js';
import { str } from '../mapping/fields.js';
import { charLength, escapeHtml } from '../mapping/text.js';
import type { CanvasSettings } from './canvas.settings.js';

/** Upstream keeps the full description only while link + description fit in this many characters. */
export const CANVAS_SYLLABUS_MAX = 2000;

export const CanvasCourseSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  course_code: Type.String({ minLength: 1 }),
  integration_id: Type.String({ minLength: 1 }),
  start_at: Type.Optional(Type.String()),
  end_at: Type.Optional(Type.String()),
  syllabus_body: Type.String(),
  default_view: Type.Literal('syllabus'),
  image_url: Type.Optional(Type.String()),
  is_public: Type.Boolean(),
  self_enrollment: Type.Boolean(),
  indexed: Type.Number(),
  restrict_enrollments_to_course_dates: Type.Boolean(),
});

/** The audit row's `channel_metadata` for Canvas: the `course` object of the create/update call. */
export type CanvasCourse = Static<typeof CanvasCourseSchema>;

/**
 * A link to the enrollment page, then the full description when link and description fit in 2000 characters,
 * else the short description or the title, then the run's dates.
 */
export function canvasSyllabus(item: CatalogContentItem, now: Date): string {
  const url = enrollmentUrlOf(item) ?? '';
  const link = `<a href="${escapeHtml(url)}">Go to edX course page</a><br />`;
  const full = str(item, 'full_description');
  const body =
    full !== undefined && charLength(link + full) <= CANVAS_SYLLABUS_MAX ? full : (str(item, 'short_description') ?? titleOf(item));
  const { start, end } = itemDates(item, now);
  return `${link}${body}<br /><br />Starts: ${formatCanvasDate(start)}<br />Ends: ${formatCanvasDate(end)}`;
}

export function mapCanvasItem(raw: CatalogContentItem, ctx: ChannelMapContext<CanvasSettings>): CanvasCourse {
  const now = ctx.now?.() ?? new Date();
  const item = withExecEdPrefix(raw);
  const key = contentIdOf(item);
  // Only course runs carry their own dates upstream (SKIP_KEY_IF_NONE leaves them out for courses).
  const start = item.content_type === 'courserun' ? parseDate(item['start']) : undefined;
  const end = item.content_type === 'courserun' ? parseDate(item['end']) : undefined;
  const image = imageUrlOf(item);
  return {
    name: titleOf(item) || key,
    course_code: key,
    integration_id: key,
    ...(start ? { start_at: start.toISOString() } : {}),
    ...(end ? { end_at: end.toISOString() } : {}),
    syllabus_body: canvasSyllabus(item, now),
    default_view: 'syllabus',
    ...(image ? { image_url: image } : {}),
    is_public: true,
    self_enrollment: true,
    indexed: 1,
    restrict_enrollments_to_course_dates: true,
  };
}
