/**
 * Degreed v2 course mapping (upstream `Degreed2ContentMetadataExporter`). The payload keeps the JSON:API attributes
 * and, separately, the skill names sent after the course (best effort).
 */
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelMapContext } from '../channel-adapter.js';
import {
  contentIdOf,
  contentLanguageOf,
  descriptionOf,
  effortOf,
  enrollmentUrlOf,
  imageUrlOf,
  ownerNames,
  shownPrice,
  titleOf,
  withExecEdPrefix,
} from '../mapping/content.js';
import { asRecord, str, strings } from '../mapping/fields.js';
import { stripHtml, truncate } from '../mapping/text.js';
import type { DegreedSettings } from './degreed.settings.js';

/** Degreed's limit on a course summary. */
export const DEGREED_SUMMARY_MAX = 2000;

export const DegreedAttributesSchema = Type.Object({
  'external-id': Type.String({ minLength: 1 }),
  title: Type.String(),
  summary: Type.String(),
  url: Type.String(),
  'image-url': Type.Optional(Type.String()),
  language: Type.String(),
  duration: Type.Number(),
  'duration-type': Type.Literal('Hours'),
  obsolete: Type.Boolean(),
  'cost-units': Type.Number(),
  'cost-unit-type': Type.String(),
  difficulty: Type.Optional(Type.String()),
  'video-url': Type.Optional(Type.String()),
});

/** The audit row's `channel_metadata` for Degreed. */
export const DegreedPayloadSchema = Type.Object({
  attributes: DegreedAttributesSchema,
  skills: Type.Array(Type.String()),
});

export type DegreedAttributes = Static<typeof DegreedAttributesSchema>;
export type DegreedPayload = Static<typeof DegreedPayloadSchema>;

/**
 * "[Owner A, Owner B]: 6-18 hours a week for 12 weeks. <description>", HTML stripped, cut to 2000 characters with
 * "...".
 */
export function degreedSummary(item: CatalogContentItem, now: Date): string {
  const owners = ownerNames(item);
  const { minEffort, maxEffort, weeks } = effortOf(item, now);
  let text = owners.length > 0 ? `[${owners.join(', ')}]: ` : '';
  if (minEffort !== undefined && maxEffort !== undefined && weeks !== undefined) {
    text += `${minEffort}-${maxEffort} hours a week for ${weeks} weeks. `;
  }
  text += stripHtml(descriptionOf(item));
  return truncate(text, DEGREED_SUMMARY_MAX);
}

/** Total hours: weeks × average weekly effort, rounded up; 0 when unknown. */
export function degreedDurationHours(item: CatalogContentItem, now: Date): number {
  const { minEffort, maxEffort, weeks } = effortOf(item, now);
  if (minEffort === undefined || maxEffort === undefined || weeks === undefined) return 0;
  return Math.ceil((weeks * (minEffort + maxEffort)) / 2);
}

/** "en", or for a course run the language part of its content language ("es" from "es-419"). */
export function degreedLanguage(item: CatalogContentItem, now: Date): string {
  if (item.content_type !== 'courserun') return 'en';
  return contentLanguageOf(item, now)?.split('-')[0]?.toLowerCase() || 'en';
}

export function mapDegreedItem(raw: CatalogContentItem, ctx: ChannelMapContext<DegreedSettings>): DegreedPayload {
  const now = ctx.now?.() ?? new Date();
  const item = withExecEdPrefix(raw);
  const image = imageUrlOf(item);
  const difficulty = str(item, 'level_type');
  const video = str(asRecord(item['video']), 'src');
  return {
    attributes: {
      'external-id': contentIdOf(item),
      title: titleOf(item),
      summary: degreedSummary(item, now),
      url: enrollmentUrlOf(item) ?? '',
      ...(image ? { 'image-url': image } : {}),
      language: degreedLanguage(item, now),
      duration: degreedDurationHours(item, now),
      'duration-type': 'Hours',
      obsolete: false,
      'cost-units': shownPrice(item, ctx.showCoursePrice, now),
      'cost-unit-type': 'USD',
      ...(difficulty ? { difficulty } : {}),
      ...(video ? { 'video-url': video } : {}),
    },
    skills: strings(item, 'skill_names'),
  };
}
