/**
 * GENERIC item: a neutral, documented projection of a catalog item for customers who integrate with their own
 * endpoint. Descriptions keep their HTML (the receiver decides how to render it).
 */
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelMapContext } from '../channel-adapter.js';
import {
  contentIdOf,
  descriptionOf,
  enrollmentUrlOf,
  imageUrlOf,
  itemDates,
  itemPrice,
  languageOf,
  organizationLabels,
  titleOf,
  withExecEdPrefix,
} from '../mapping/content.js';
import { isoOrNull } from '../mapping/dates.js';
import { str } from '../mapping/fields.js';
import type { GenericSettings } from './generic.settings.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** One item of the webhook body; also what the audit row stores as `channel_metadata`. */
export const GenericItemSchema = Type.Object({
  content_id: Type.String({ minLength: 1 }),
  content_type: Type.String(),
  title: Type.String(),
  description: NullableString,
  url: NullableString,
  image_url: NullableString,
  start: NullableString,
  end: NullableString,
  language: NullableString,
  organizations: Type.Array(Type.String()),
  price: Type.Union([Type.Number(), Type.Null()]),
  content_last_modified: NullableString,
});

export type GenericItem = Static<typeof GenericItemSchema>;

export function mapGenericItem(raw: CatalogContentItem, ctx: ChannelMapContext<GenericSettings>): GenericItem {
  const now = ctx.now?.() ?? new Date();
  const item = withExecEdPrefix(raw);
  const { start, end } = itemDates(item, now);
  const description = descriptionOf(item);
  return {
    content_id: contentIdOf(item),
    content_type: item.content_type,
    title: titleOf(item),
    description: description === '' ? null : description,
    url: enrollmentUrlOf(item) ?? null,
    image_url: imageUrlOf(item) ?? null,
    start: isoOrNull(start),
    end: isoOrNull(end),
    language: languageOf(item, now) ?? null,
    organizations: organizationLabels(item),
    price: ctx.showCoursePrice ? itemPrice(item, now) : null,
    content_last_modified: str(item, 'content_last_modified') ?? null,
  };
}
